/**
 * An FC 3.0 error answer: HTTP status and FC's JSON body `{Code, Message, RequestId}` (the shape
 * `@alicloud/openapi-core` reads into ClientError `code`/`message`/`requestId`).
 */
export class Fc3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const fc3Errors = {
  invalidArgument: (message: string) => new Fc3Error(400, 'InvalidArgument', message),
  functionNotFound: (name: string) =>
    new Fc3Error(404, 'FunctionNotFound', `function '${name}' does not exist`),
  functionExists: (name: string) =>
    new Fc3Error(409, 'FunctionAlreadyExists', `function '${name}' already exists`),
  notFound: (what: string, name: string) =>
    new Fc3Error(404, `${what}NotFound`, `${what.toLowerCase()} '${name}' does not exist`),
  exists: (what: string, name: string) =>
    new Fc3Error(409, `${what}AlreadyExists`, `${what.toLowerCase()} '${name}' already exists`),
  /** PutScalingConfig on a qualifier that has provisioned instances (code as devsapp/fc3 `FC_API_ERROR_CODE`). */
  provisionConfigExists: (qualified: string) =>
    new Fc3Error(
      400,
      'ProvisionConfigExist',
      `provision config exists for '${qualified}': delete it before setting minimum instances`,
    ),
  conflict: (message: string) => new Fc3Error(409, 'ResourceConflict', message),
  unknownPath: (method: string, path: string) =>
    new Fc3Error(404, 'PathNotSupported', `${method} ${path} is not an FC 2023-03-30 API`),
};
