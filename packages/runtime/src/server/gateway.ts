import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redact, redactValue } from '@faasport/core';
import { ExecutionError } from '../executor';
import type { ScheduledExecutable } from '../executor/executable';
import { publishEventFrom } from './api';
import { isoNow } from './clock';
import { adminPrefix, type Route, type RuntimeContext } from './context';
import { errorReply, type FrontReply, type FrontRequest } from './front';
import { BodyTooLargeError, failureOf, readBody, sendError } from './http';

/**
 * The route of a gateway request: `{fn}.{ns}.localhost`, `{tag}-{fn}.{ns}.localhost`, a custom domain,
 * or `/{fn}/...`. Returns `admin` for the admin API, `undefined` when nothing matches.
 */
export function gatewayRoute(
  context: RuntimeContext,
  hostHeader: string,
  url: string,
): Route | 'admin' | undefined {
  const [pathname = '/', query] = url.split('?', 2) as [string, string?];
  const search = query === undefined ? '' : `?${query}`;
  const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${context.namespace}.localhost`;
  if (host.endsWith(suffix)) {
    const label = host.slice(0, -suffix.length);
    if (!label.includes('.')) {
      const fn = context.functions.get(label);
      if (fn) return { fn, path: pathname + search };
      for (let i = label.indexOf('-'); i > 0; i = label.indexOf('-', i + 1)) {
        const tagged = context.functions.get(label.slice(i + 1));
        const tag = label.slice(0, i);
        if (tagged?.traffic.some((t) => t.tag === tag)) return { fn: tagged, tag, path: pathname + search };
      }
      return undefined;
    }
  }
  for (const { name, prefix } of context.functions.domains().get(host) ?? []) {
    if (prefix && pathname !== prefix && !pathname.startsWith(`${prefix}/`)) continue;
    const fn = context.functions.get(name);
    if (fn) return { fn, path: (pathname.slice(prefix.length) || '/') + search };
  }
  if (pathname === adminPrefix || pathname.startsWith(`${adminPrefix}/`)) return 'admin';
  const match = /^\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!match) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  const fn = context.functions.get(name);
  return fn ? { fn, path: (match[2] ?? '/') + search } : undefined;
}

const skippedRequestHeaders = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'authorization-faasport',
]);

const emptyBody = Buffer.alloc(0);

const failureCodes: Record<string, string> = {
  timeout: 'FunctionTimeout',
  crash: 'FunctionCrashed',
  start: 'FunctionStartFailed',
  overloaded: 'TooManyRequests',
  aborted: 'ClientClosedRequest',
};

/** A call to a function as the gateway received it, from Node's HTTP server or from the front. */
interface GatewayCall {
  method: string;
  /** The `Host` header. */
  host: string;
  /** Request headers, names lower-cased. */
  headers: [string, string][];
  body: Buffer;
  remoteAddress: string | undefined;
}

/** Larger error bodies are passed on as they are: redaction reads the whole body as text. */
const maxRedactedBody = 1024 * 1024;

/**
 * Replaces registered secret values (the admin token, every function's secrets) in a 5xx answer's
 * text or JSON body, as logs are redacted: a function's error message, its own or as the worker
 * reports a throw, reaches anonymous callers. JSON is compared decoded, so escaped characters in a
 * secret cannot hide it.
 */
function redactErrorBody(reply: FrontReply): void {
  const body = reply.body;
  if (reply.status < 500 || !body || body.length === 0 || body.length > maxRedactedBody) return;
  const type = reply.headers.find(([name]) => name === 'content-type')?.[1].toLowerCase() ?? '';
  if (type !== '' && !type.includes('json') && !type.startsWith('text/')) return;
  const text = Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8');
  let clean = redact(text);
  if (type.includes('json')) {
    try {
      const value: unknown = JSON.parse(text);
      const redacted = JSON.stringify(redactValue(value));
      if (redacted !== JSON.stringify(value)) clean = redacted;
    } catch {
      // Not JSON after all: the text redaction stands.
    }
  }
  if (clean !== text) reply.body = Buffer.from(clean);
}

/** The runtime's JSON error as a reply; the message is redacted. */
function jsonErrorReply(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FrontReply {
  return errorReply(status, code, redact(message), extra);
}

const validRequestId = /^[\w.:-]{1,128}$/;

/**
 * Calls a function and returns its answer as a reply: revision choice, the executor, then the
 * invocation's log line and metrics. Both Node's HTTP server and the front serve calls through it.
 */
export async function callFunction(
  context: RuntimeContext,
  call: GatewayCall,
  route: Route,
  mode?: 'event',
): Promise<FrontReply> {
  const started = performance.now();
  let requestId: string | undefined;
  for (const [name, value] of call.headers)
    if (name === 'x-request-id') {
      if (validRequestId.test(value)) requestId = value;
      break;
    }
  requestId ??= randomUUID();
  const fn = route.fn;
  const label = context.functions.pick(fn, { tag: route.tag, revision: route.revision });
  if (!label) {
    const what = route.revision
      ? `revision "${route.revision}"`
      : route.tag
        ? `tag "${route.tag}"`
        : 'a revision receiving traffic';
    return jsonErrorReply(404, 'RevisionNotFound', `function "${fn.name}" has no ${what}`);
  }
  let reply: FrontReply;
  let failure: string | undefined;
  try {
    const executable = (context.functions.loadedExecutable(fn.name, label) ??
      (await context.functions.executableFor(fn.name, label))) as ScheduledExecutable;
    const body = call.body;
    if (mode === 'event') {
      const result = await executable.invokeEvent(new Uint8Array(body.buffer, body.byteOffset, body.length), {
        requestId,
      });
      if (result.error) failure = result.error.message;
      const payload = result.error
        ? Buffer.from(
            JSON.stringify({
              error: { code: 'FunctionError', type: result.error.type, message: result.error.message },
            }),
          )
        : Buffer.from(result.body);
      let json = false;
      try {
        JSON.parse(payload.toString('utf8'));
        json = payload.length > 0;
      } catch {
        json = false;
      }
      reply = {
        status: result.error ? 500 : 200,
        headers: [['content-type', json ? 'application/json' : 'application/octet-stream']],
        body: payload,
      };
    } else {
      const headers: [string, string][] = [];
      for (const header of call.headers) if (!skippedRequestHeaders.has(header[0])) headers.push(header);
      const answer = await executable.forward(
        {
          method: call.method,
          url: `http://${call.host || 'localhost'}${route.path}`,
          headers,
          body: body.length ? body : undefined,
        },
        { requestId, clientIp: call.remoteAddress?.replace(/^::ffff:/, '') },
      );
      reply = { status: answer.status, headers: answer.headers, body: answer.body };
    }
    redactErrorBody(reply);
  } catch (error) {
    if (ExecutionError.is(error)) {
      failure = `${error.reason}: ${error.message}`;
      reply = jsonErrorReply(error.status, failureCodes[error.reason] ?? 'FunctionFailed', error.message, {
        requestId,
      });
    } else {
      const parts = failureOf(error);
      failure = parts.message;
      reply = jsonErrorReply(parts.status, parts.code, parts.message, parts.extra);
    }
  }
  const headers: [string, string][] = [
    ['x-faasport-request-id', requestId],
    ['x-faasport-revision', label],
  ];
  for (const header of reply.headers) headers.push(header);
  reply.headers = headers;
  const status = reply.status;
  const milliseconds = performance.now() - started;
  context.metrics.invocation(fn.name, label, status, milliseconds / 1000);
  const path = route.path;
  const query = path.indexOf('?');
  context.logs.write({
    time: isoNow(),
    level: status >= 500 ? 'error' : 'info',
    kind: 'invocation',
    function: fn.name,
    revision: label,
    requestId,
    message: `${mode === 'event' ? 'EVENT' : call.method} ${query < 0 ? path : path.slice(0, query)} ${status} ${Math.round(milliseconds)} ms${failure ? ` (${failure})` : ''}`,
    status,
    durationMs: Math.round(milliseconds),
  });
  return reply;
}

/** The admin API's event publishing paths, which the front serves itself. */
export const eventsPaths = new Set([`${adminPrefix}/events`, `${adminPrefix}/events/`]);

/** `POST /_faasport/v1/events` read by the front: the same rules and answers as the admin API's. */
export async function publishThroughFront(
  context: RuntimeContext,
  request: FrontRequest,
): Promise<FrontReply> {
  // Header pairs to Node's header object: repeats joined with ", ", content-type keeps its first.
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else if (name !== 'content-type') headers[name] = `${existing}, ${value}`;
  }
  try {
    const result = await publishEventFrom(context, headers, request.body);
    return {
      status: 202,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(JSON.stringify(result)),
    };
  } catch (error) {
    const parts = failureOf(error);
    return jsonErrorReply(parts.status, parts.code, parts.message, parts.extra);
  }
}

/** Writes a reply through Node's HTTP server (the front writes its own). */
function writeReply(res: ServerResponse, reply: FrontReply): void {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of reply.headers) {
    if (name === 'content-length' || name === 'transfer-encoding' || name === 'connection') continue;
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (name === 'set-cookie')
      out[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
    else out[name] = `${existing}, ${value}`;
  }
  if (reply.body) out['content-length'] = String(reply.body.length);
  try {
    res.writeHead(reply.status, out);
  } catch {
    // A header the function set cannot go on the wire (control characters in a value, a bad name).
    writeReply(
      res,
      jsonErrorReply(
        502,
        'FunctionBadResponse',
        'the function answered with a header that cannot be sent (invalid name, or a value with control characters)',
      ),
    );
    return;
  }
  // A small body goes out as a latin1 string (byte for byte the same): Node then writes the head and
  // the body in one system call instead of two.
  const body = reply.body;
  if (body && body.length <= 16 * 1024)
    res.end(Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1'), 'latin1');
  else res.end(body ?? undefined);
}

/** Serves one call arriving through Node's HTTP server: the body limit, then {@link callFunction}. */
export async function serveFunction(
  context: RuntimeContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  options: { mode?: 'event'; body?: Buffer } = {},
): Promise<void> {
  let body: Buffer;
  try {
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    body = options.body ?? (hasBody ? await readBody(req, context.bodyLimit) : emptyBody);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendError(
        res,
        413,
        'PayloadTooLarge',
        `the request body is larger than the ${context.bodyLimit}-byte limit`,
        { limit: context.bodyLimit },
      );
      return;
    }
    throw error;
  }
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  const reply = await callFunction(
    context,
    {
      method: req.method ?? 'GET',
      host: req.headers.host ?? '',
      headers,
      body,
      remoteAddress: req.socket.remoteAddress,
    },
    route,
    options.mode,
  );
  if (res.headersSent || res.destroyed) return;
  writeReply(res, reply);
}
