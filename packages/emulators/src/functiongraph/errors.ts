/**
 * FunctionGraph API errors: `{error_code, error_msg}` bodies with the HTTP status of the code
 * (reference Part B11). Gateway-level failures (signature, throttling) use `APIGW.*` codes with the
 * same two fields.
 */
export class FgApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }

  /** The JSON body FunctionGraph sends. */
  body(): { error_code: string; error_msg: string } {
    return { error_code: this.errorCode, error_msg: this.message };
  }
}

/** Constructors for the errors the emulator raises, with FunctionGraph's codes. */
export const fgErrors = {
  invalidParameter: (message: string) => new FgApiError(400, 'FSS.0400', `Invalid parameter. ${message}`),
  // The APIGW.0301 body is documented by shape only; the exact message text is not verified.
  signature: (detail: string) =>
    new FgApiError(
      401,
      'APIGW.0301',
      `Incorrect IAM authentication information: verify aksk signature fail, ${detail}`,
    ),
  unauthorized: (detail: string) =>
    new FgApiError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`),
  forbidden: (code: string, message: string) => new FgApiError(403, code, message),
  notFound: (message = 'The specified resource was not found.') => new FgApiError(404, 'FSS.0404', message),
  functionNotFound: () => new FgApiError(404, 'FSS.1051', 'Not found the function'),
  versionNotFound: (v: string) => new FgApiError(404, 'FSS.1052', `The version ${v} does not exist.`),
  aliasNotFound: (a: string) => new FgApiError(404, 'FSS.1053', `The alias ${a} does not exist.`),
  triggerNotFound: () => new FgApiError(404, 'FSS.1131', 'The trigger does not exist.'),
  functionExists: (name: string) => new FgApiError(409, 'FSS.1061', `The function ${name} already exists.`),
  versionExists: (v: string) => new FgApiError(409, 'FSS.1062', `The version ${v} already exists.`),
  aliasExists: (a: string) => new FgApiError(409, 'FSS.1063', `The alias ${a} already exists.`),
  noChanges: () => new FgApiError(400, 'FSS.1016', 'No changes have been made since the last publication.'),
  tooLarge: (code: string, message: string) => new FgApiError(413, code, message),
  throttled: () => new FgApiError(429, 'FSS.0429', 'Too many requests.'),
  internal: (message = 'Internal server error.') => new FgApiError(500, 'FSS.0500', message),
  unsupportedPath: (method: string, path: string) =>
    new FgApiError(404, 'APIGW.0101', `The API does not exist or has not been published: ${method} ${path}`),
};

/** The FSS code for an invalid value of a create / update field (reference B11: FSS.1002-1009, 1017, 1018). */
export const fieldErrorCodes: Record<string, string> = {
  func_name: 'FSS.1002',
  handler: 'FSS.1003',
  package: 'FSS.1004',
  runtime: 'FSS.1005',
  code_type: 'FSS.1006',
  memory_size: 'FSS.1007',
  timeout: 'FSS.1008',
  user_data: 'FSS.1009',
  encrypted_user_data: 'FSS.1009',
  func_code: 'FSS.1011',
  initializer_handler: 'FSS.1404',
  initializer_timeout: 'FSS.1404',
  strategy_config: 'FSS.1026',
};
