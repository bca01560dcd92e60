import type { Adapter, InvokeOptions } from '../adapter';
import { FaasportError, InvokeError } from '../errors';

/** What to send when invoking: a Request, or its parts. @public */
export type InvokeInput =
  | Request
  | { method?: string; path?: string; headers?: Record<string, string>; body?: string | Uint8Array | object };

/**
 * Invokes a deployed function through its target and returns the Response.
 *
 * @example
 * ```ts
 * const res = await invoke(adapter, 'hello', { path: '/', method: 'GET' });
 * console.log(await res.text());
 * ```
 * @public
 */
export async function invoke(
  adapter: Adapter,
  name: string,
  input: InvokeInput = {},
  options: InvokeOptions = {},
): Promise<Response> {
  const request = input instanceof Request ? input : toRequest(input);
  try {
    return await adapter.invoke(name, request, options);
  } catch (error) {
    if (FaasportError.isInstance(error)) throw error;
    throw new InvokeError({ functionName: name, message: (error as Error).message, adapter: adapter.name });
  }
}

function toRequest(input: Exclude<InvokeInput, Request>): Request {
  const headers = new Headers(input.headers);
  let body: BodyInit | undefined;
  if (input.body instanceof Uint8Array || typeof input.body === 'string') body = input.body as BodyInit;
  else if (input.body !== undefined) {
    body = JSON.stringify(input.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const method = input.method ?? (body === undefined ? 'GET' : 'POST');
  return new Request(`http://function${input.path ?? '/'}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
}
