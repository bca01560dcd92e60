import { toBase64 } from './normalize';

/** Content types whose bodies a gateway-proxy result carries as text; any other body goes base64. */
const textTypes =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|problem\+json|ld\+json|cloudevents\+json))|\+json|\+xml/i;

/** A Response in the terms of a gateway-proxy result. @public */
export interface ProxyResult {
  statusCode: number;
  /** Every header but `set-cookie`, names in lower case. */
  headers: Record<string, string>;
  /** Each `Set-Cookie` value, in order. */
  cookies: string[];
  /** Text for a textual content type or an empty body, else base64. */
  body: string;
  isBase64Encoded: boolean;
}

/**
 * The parts of the `{statusCode, headers, body, isBase64Encoded}` result that API gateways' proxy
 * integrations take from a function (Lambda function URLs, API Gateway, FunctionGraph's APIG); each
 * platform places the cookies its own way.
 *
 * @public
 */
export async function proxyResultOf(response: Response): Promise<ProxyResult> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') headers[key] = value;
  });
  const cookies = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = bytes.length === 0 || textTypes.test(response.headers.get('content-type') ?? '');
  return {
    statusCode: response.status,
    headers,
    cookies,
    body: text ? new TextDecoder().decode(bytes) : toBase64(bytes),
    isBase64Encoded: !text,
  };
}
