/**
 * The event a Lambda function URL hands a function for an HTTP request: payload format 2.0
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads). One fact of the
 * wire, used where faasport stands in for a function URL: the adapter's `invoke` (an HTTP request sent
 * through the Invoke API) and the Lambda emulator's function URLs.
 */

/** Who builds the event: the request id it carries, and the URL id it names as `requestContext.apiId`. @public */
export interface FunctionUrlEventOptions {
  requestId: string;
  /** The function URL's id (the first label of `<url-id>.lambda-url.<region>.on.aws`). */
  apiId: string;
}

/**
 * The payload 2.0 event of a request. Repeated headers and query keys are joined with commas, cookies
 * move to `cookies`, the body is base64 (`isBase64Encoded`), and `host` falls back to the URL's.
 *
 * @public
 */
export function functionUrlEvent(
  request: Request,
  body: Uint8Array,
  options: FunctionUrlEventOptions,
): Record<string, unknown> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  request.headers.forEach((value, key) => {
    if (key === 'cookie') cookies.push(...value.split(/;\s*/).filter(Boolean));
    else headers[key] = value;
  });
  headers.host ??= url.host;
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: options.apiId,
      domainName: url.host,
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: options.requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length ? { body: Buffer.from(body).toString('base64') } : {}),
    isBase64Encoded: body.length > 0,
  };
}
