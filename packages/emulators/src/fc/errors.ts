/**
 * FC 2.0 API errors: PascalCase `{ErrorCode, ErrorMessage}` bodies (reference Part A13; fc2 reads
 * `body.ErrorCode` for `err.code`, so the 2016-08-15 API must answer in PascalCase).
 */
export class FcApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }

  /** The JSON body FC sends. */
  body(): { ErrorCode: string; ErrorMessage: string } {
    return { ErrorCode: this.errorCode, ErrorMessage: this.message };
  }
}

/** Constructors for the errors the emulator raises, with FC's templates. */
export const fcErrors = {
  invalidArgument: (message: string) => new FcApiError(400, 'InvalidArgument', message),
  pathNotSupported: (method: string, path: string) =>
    new FcApiError(400, 'PathNotSupported', `'${method}' against '${path}' is not supported`),
  missingHeader: (name: string) =>
    new FcApiError(400, 'MissingRequiredHeader', `required HTTP header ${name} was not specified`),
  entityTooLarge: (max: number) =>
    new FcApiError(400, 'EntityTooLarge', `payload size exceeds maximum allowed size (${max} bytes)`),
  signatureNotMatch: () =>
    new FcApiError(
      403,
      'SignatureNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your access key and signing method',
    ),
  invalidAccessKeyId: (ak: string) =>
    new FcApiError(403, 'InvalidAccessKeyID', `invalid access key ID '${ak}'`),
  accessDenied: (message: string) => new FcApiError(403, 'AccessDenied', message),
  // FC answers 403 to a request without Authorization (FC signature doc,
  // https://help.aliyun.com/document_detail/53252.htm); the code and wording are not verified.
  missingAuthorization: () =>
    new FcApiError(403, 'AccessDenied', 'required HTTP header Authorization was not specified'),
  // Code and wording not verified against a live FC response.
  contentMd5Mismatch: (given: string) =>
    new FcApiError(
      400,
      'InvalidArgument',
      `Content-MD5 '${given}' does not match the MD5 of the request body (send the MD5 of the exact bytes of the body)`,
    ),
  serviceNotFound: (s: string) => new FcApiError(404, 'ServiceNotFound', `service '${s}' does not exist`),
  functionNotFound: (s: string, f: string) =>
    new FcApiError(404, 'FunctionNotFound', `function '${f}' does not exist in service '${s}'`),
  // Template not verified against a live FC response.
  triggerNotFound: (s: string, f: string, t: string) =>
    new FcApiError(
      404,
      'TriggerNotFound',
      `trigger '${t}' does not exist in service '${s}' and function '${f}'`,
    ),
  aliasNotFound: (s: string, a: string) =>
    new FcApiError(404, 'AliasNotFound', `alias '${a}' of service '${s}' does not exist`),
  versionNotFound: (s: string, v: string) =>
    new FcApiError(404, 'VersionNotFound', `version '${v}' of service '${s}' does not exist`),
  domainNotFound: (d: string) =>
    new FcApiError(404, 'DomainNameNotFound', `domain name '${d}' does not exist`),
  provisionNotFound: (s: string, q: string, f: string) =>
    new FcApiError(
      404,
      'ProvisionConfigNotFound',
      `provision config of function '${f}' in service '${s}' with qualifier '${q}' does not exist`,
    ),
  // Code and wording not verified against a live FC response.
  asyncConfigNotFound: (s: string, q: string, f: string) =>
    new FcApiError(
      404,
      'AsyncConfigNotExists',
      `async invoke config of function '${f}' in service '${s}' with qualifier '${q}' does not exist`,
    ),
  serviceExists: (s: string) => new FcApiError(409, 'ServiceAlreadyExists', `service '${s}' already exists`),
  functionExists: (s: string, f: string) =>
    new FcApiError(409, 'FunctionAlreadyExists', `function '${f}' already exists in service '${s}'`),
  // Template not verified against a live FC response.
  triggerExists: (s: string, f: string, t: string) =>
    new FcApiError(
      409,
      'TriggerAlreadyExists',
      `trigger '${t}' already exists in service '${s}' and function '${f}'`,
    ),
  aliasExists: (s: string, a: string) =>
    new FcApiError(409, 'AliasAlreadyExists', `alias ${a} of service ${s} already exists`),
  domainExists: (d: string) =>
    new FcApiError(409, 'DomainNameAlreadyExists', `domain name ${d} already exists`),
  // Code name per the 2016 API; message template not verified.
  serviceNotEmpty: (s: string) => new FcApiError(409, 'ServiceNotEmpty', `service '${s}' is not empty`),
  functionNotEmpty: (f: string) =>
    new FcApiError(409, 'FunctionNotEmpty', `function '${f}' has active triggers`),
  // Not verified: the exact code FC gives when a version is still referenced by an alias.
  versionInUse: (s: string, v: string) =>
    new FcApiError(400, 'InvalidArgument', `version '${v}' of service '${s}' is referenced by alias`),
  preconditionFailed: () =>
    new FcApiError(412, 'PreconditionFailed', 'the resource being modified has been changed'),
  internal: () => new FcApiError(500, 'InternalServerError', 'an internal error has occurred. Please retry.'),
};
