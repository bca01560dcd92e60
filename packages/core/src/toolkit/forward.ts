import { ProviderApiError } from '../errors';

/** How {@link forwardRequest} sends a caller's request on to a platform's HTTP endpoint. @public */
export interface ForwardOptions {
  /** Headers to send instead of the request's own (e.g. with a signature added). */
  headers?: HeadersInit;
  /** The adapter, for the error when the endpoint cannot be reached. */
  adapter: string;
  /** The platform operation, for that error (e.g. `InvokeHttpTrigger`). */
  operation: string;
}

/**
 * Sends a Web `Request` to `url` with its method, headers and body, and returns the platform's answer
 * as it came: redirects are not followed, since they are the function's own answer to the caller.
 * GET and HEAD carry no body; an empty body is sent as none.
 *
 * @throws {@link ProviderApiError} (retryable) when the endpoint cannot be reached.
 * @public
 */
export async function forwardRequest(
  request: Request,
  url: string,
  options: ForwardOptions,
): Promise<Response> {
  const body =
    request.method === 'GET' || request.method === 'HEAD'
      ? undefined
      : new Uint8Array(await request.arrayBuffer());
  try {
    return await fetch(url, {
      method: request.method,
      headers: options.headers ?? request.headers,
      ...(body?.length ? { body: body as BodyInit } : {}),
      redirect: 'manual',
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    throw new ProviderApiError(
      {
        adapter: options.adapter,
        operation: options.operation,
        providerMessage: (error as Error).message,
        retryable: true,
      },
      { cause: error },
    );
  }
}
