/**
 * FC 3.0's HTTP trigger event for built-in runtimes and the result it expects back (FC 3.0 user guide,
 * "HTTP triggers" → event format and response format,
 * https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/http-trigger-invoking-a-function):
 * `{version: "v1", rawPath, headers, queryParameters, body, isBase64Encoded, requestContext}` in, and
 * `{statusCode, headers, body, isBase64Encoded}` out; any other result is the 200 body as is.
 */

/** The HTTP trigger event of FC 3.0's built-in runtimes. @public */
export interface Fc3HttpEvent {
  version: 'v1';
  rawPath: string;
  headers: Record<string, string>;
  queryParameters: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  requestContext: {
    accountId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    time: string;
    timeEpoch: string;
  };
}

/** Content types whose bodies FC 3.0 passes as text; any other body arrives base64-encoded. */
const textType = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)\b|[^;]*\+(json|xml)\b)/i;

/** `content-type` → `Content-Type`: FC 3.0 hands built-in runtimes canonical header names. */
const canonicalName = (name: string) =>
  name
    .toLowerCase()
    .replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());

/**
 * The event FC 3.0 builds from an HTTP request, as the adapter sends it through InvokeFunction: canonical
 * header names, repeated query parameters joined with commas, the body as text for text types and base64
 * otherwise, `rawPath` as sent and `requestContext.http.path` decoded (FC 3.0 user guide, "Use an HTTP
 * trigger to invoke a function"). The local runtime's `fc3-event` contract builds the same event for its
 * HTTP calls (`packages/runtime/worker/contracts/fc3.mjs`); test/http-event.test.ts holds the two equal.
 * @public
 */
export async function fc3HttpEventOf(
  request: Request,
  site: { accountId: string; domainName: string; requestId: string; sourceIp?: string },
): Promise<Fc3HttpEvent> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    if (key === 'connection' || key === 'keep-alive') return;
    headers[canonicalName(key)] = value;
  });
  const queryParameters: Record<string, string> = {};
  for (const [k, v] of url.searchParams)
    queryParameters[k] = k in queryParameters ? `${queryParameters[k]},${v}` : v;
  const bytes =
    request.method === 'GET' || request.method === 'HEAD'
      ? Buffer.alloc(0)
      : Buffer.from(await request.arrayBuffer());
  const asText = bytes.length === 0 || textType.test(headers['Content-Type'] ?? '');
  const now = new Date();
  return {
    version: 'v1',
    rawPath: url.pathname,
    headers,
    queryParameters,
    body: asText ? bytes.toString('utf8') : bytes.toString('base64'),
    isBase64Encoded: !asText,
    requestContext: {
      accountId: site.accountId,
      domainName: site.domainName,
      domainPrefix: site.domainName.split('.')[0] ?? '',
      http: {
        method: request.method,
        path: decodeURIComponent(url.pathname),
        protocol: 'HTTP/1.1',
        sourceIp: site.sourceIp ?? '127.0.0.1',
        userAgent: headers['User-Agent'] ?? '',
      },
      requestId: site.requestId,
      time: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      timeEpoch: String(now.getTime()),
    },
  };
}

/** The HTTP response of a function's result: `{statusCode, ...}` mapped, anything else the 200 body. @public */
export function responseOfFc3Result(bytes: Uint8Array): Response {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return new Response(bytes as BodyInit, { status: 200 });
  }
  const r = parsed as { statusCode?: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown };
  if (typeof parsed !== 'object' || parsed === null || typeof r.statusCode !== 'number')
    return new Response(bytes as BodyInit, { status: 200 });
  const headers = new Headers();
  if (r.headers && typeof r.headers === 'object')
    for (const [k, v] of Object.entries(r.headers as Record<string, unknown>))
      for (const item of Array.isArray(v) ? v : [v]) headers.append(k, String(item));
  const body =
    r.body === undefined || r.body === null
      ? undefined
      : r.isBase64Encoded === true
        ? Buffer.from(String(r.body), 'base64')
        : typeof r.body === 'string'
          ? r.body
          : JSON.stringify(r.body);
  const nullBody = r.statusCode === 204 || r.statusCode === 304;
  return new Response(nullBody ? null : (body as BodyInit | undefined), { status: r.statusCode, headers });
}
