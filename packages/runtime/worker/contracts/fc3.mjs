// Alibaba Cloud FC 3.0's native Node.js contract in the Node worker: `fc3-event`, a handler
// `(event: Buffer, context, callback?)`. FC 3.0's built-in runtimes have no HTTP handler signature: an
// HTTP trigger call reaches the same handler as FC 3.0's HTTP event (`version: "v1"`), and a
// `{statusCode, headers, body, isBase64Encoded}` result is the response (FC 3.0 user guide, "Use an HTTP
// trigger to invoke a function",
// https://www.alibabacloud.com/help/en/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function).
// Timer and OSS events keep FC 2.0's shapes.
import { fcContext, fcEventCall, fcTriggerEvent } from './fc.mjs';
import { nativeTriggerEvent, structuredHttpResult } from './shared.mjs';

/**
 * FC 3.0's Node.js context: FC 2.0's, except that functions have no service, so `service` keeps only
 * the log store and the version called (FC 3.0 "Context" for Node.js,
 * https://www.alibabacloud.com/help/en/functioncompute/fc/context-1-1).
 */
export function fc3Context(fn, message) {
  const context = fcContext(fn, message);
  const { name: _service, ...service } = context.service;
  return { ...context, service };
}

/** Content types whose bodies FC 3.0 passes as text; any other body arrives base64-encoded. */
const textType = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)\b|[^;]*\+(json|xml)\b)/i;

/** `content-type` → `Content-Type`: FC 3.0 hands built-in runtimes canonical header names. */
function canonicalName(name) {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash, letter) => dash + letter.toUpperCase());
}

/**
 * FC 3.0's HTTP event for a call: headers and repeated query parameters joined with commas, the body as
 * text for text types and base64 otherwise, `rawPath` as sent and `requestContext.http.path` decoded.
 * The domain is the request's host (`<prefix>.<region>.fcapp.run` behind the emulator).
 */
export function fc3HttpEvent(message) {
  const url = new URL(message.url);
  const headers = {};
  for (const [key, value] of message.headers) {
    const lower = key.toLowerCase();
    if (lower === 'connection' || lower === 'keep-alive') continue;
    const name = canonicalName(key);
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const queryParameters = {};
  for (const [key, value] of url.searchParams)
    queryParameters[key] = key in queryParameters ? `${queryParameters[key]},${value}` : value;
  const bytes = Buffer.from(message.body ?? new Uint8Array());
  const asText = bytes.length === 0 || textType.test(headers['Content-Type'] ?? '');
  const now = Date.now();
  const extra = message.context ?? {};
  return {
    version: 'v1',
    rawPath: url.pathname,
    headers,
    queryParameters,
    body: asText ? bytes.toString('utf8') : bytes.toString('base64'),
    isBase64Encoded: !asText,
    requestContext: {
      accountId: extra.accountId ?? '',
      domainName: url.hostname,
      domainPrefix: url.hostname.split('.')[0],
      http: {
        method: message.method,
        path: decodeURIComponent(url.pathname),
        protocol: 'HTTP/1.1',
        sourceIp: message.clientIp ?? '127.0.0.1',
        userAgent: headers['User-Agent'] ?? '',
      },
      requestId: message.rid,
      time: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
      timeEpoch: String(now),
    },
  };
}

/**
 * An HTTP call: the handler gets the HTTP event as a Buffer of JSON. A result that is (or encodes) an
 * object with a numeric `statusCode` is the response; anything else is the 200 body as it is. An error
 * answers 502 with FC's `{errorMessage, errorType}` and `x-fc-error-type`.
 */
async function fc3HttpCall(fn, message) {
  const event = new TextEncoder().encode(JSON.stringify(fc3HttpEvent(message)));
  const reply = await fcEventCall(fn, message, event, fc3Context(fn, message)).catch((error) => ({
    error,
  }));
  if (reply.error)
    return {
      t: 'res',
      status: 502,
      headers: [
        ['content-type', 'application/json'],
        ['x-fc-error-type', 'UnhandledInvocationError'],
      ],
      body: new TextEncoder().encode(
        JSON.stringify({
          errorMessage: String(reply.error?.message ?? reply.error),
          errorType: reply.error?.name ?? 'Error',
        }),
      ),
    };
  let result;
  try {
    result = JSON.parse(new TextDecoder().decode(reply.body));
  } catch {
    result = undefined;
  }
  if (result && typeof result === 'object' && typeof result.statusCode === 'number')
    return structuredHttpResult(result);
  return { t: 'res', status: 200, headers: [], body: reply.body };
}

export const hosts = {
  'fc3-event': {
    http: fc3HttpCall,
    event: (fn, message, payload) =>
      fcEventCall(fn, message, nativeTriggerEvent(payload, fcTriggerEvent), fc3Context(fn, message)),
    initContext: fc3Context,
  },
};
