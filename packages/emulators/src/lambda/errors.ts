/**
 * Lambda API errors as the service sends them: the HTTP status, the error type in the
 * `x-amzn-ErrorType` header, and a JSON body `{Type, message}` (Type `User` for client errors,
 * `Service` for server errors). The SDK reads the code from that header (aws-sdk-js-v3
 * `packages/core/src/submodules/protocols/json/parseJsonBody.ts`, loadRestJsonErrorCode). The types and
 * statuses are those of the Lambda API reference's "Errors" sections.
 */
export class LambdaApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }

  /** The JSON body Lambda sends. */
  body(): { Type: string; message: string } {
    return { Type: this.status >= 500 ? 'Service' : 'User', message: this.message };
  }
}

/** Constructors for the errors the emulator raises. */
export const lambdaErrors = {
  invalidParameter: (message: string) => new LambdaApiError(400, 'InvalidParameterValueException', message),
  invalidRequest: (message: string) => new LambdaApiError(400, 'InvalidRequestContentException', message),
  notFound: (message: string) => new LambdaApiError(404, 'ResourceNotFoundException', message),
  functionNotFound: (arn: string) =>
    new LambdaApiError(404, 'ResourceNotFoundException', `Function not found: ${arn}`),
  conflict: (message: string) => new LambdaApiError(409, 'ResourceConflictException', message),
  provisionedNotFound: () =>
    new LambdaApiError(
      404,
      'ProvisionedConcurrencyConfigNotFoundException',
      'No Provisioned Concurrency Config found for this function',
    ),
  tooLarge: (message: string) => new LambdaApiError(413, 'RequestTooLargeException', message),
  signature: () =>
    new LambdaApiError(
      403,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    ),
  unknownKey: () =>
    new LambdaApiError(
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    ),
  missingAuth: () =>
    new LambdaApiError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  expired: (message: string) =>
    new LambdaApiError(403, 'InvalidSignatureException', `Signature expired: ${message}`),
  unsupportedPath: (method: string, path: string) =>
    new LambdaApiError(404, 'UnknownOperationException', `The emulator does not serve ${method} ${path}`),
  service: (message: string) => new LambdaApiError(500, 'ServiceException', message),
};
