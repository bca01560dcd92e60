/**
 * The faasport Knative runtime shim: turns a portable `web` or `event` handler into a fetch-style
 * function `(request) => Promise<Response>` for the HTTP server a Knative container runs on `$PORT`.
 * Event handlers receive CloudEvents in binary mode (`ce-*` headers) or structured mode
 * (`application/cloudevents+json`), as Knative Brokers, Triggers and PingSources send them.
 *
 * Web APIs only and no imports, so it builds to one standalone file (the runtime image's `runtime.mjs`).
 *
 * @packageDocumentation
 */

/** A CloudEvents 1.0 event. @public */
export interface KnativeCloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  data?: unknown;
  data_base64?: string;
  datacontenttype?: string;
  [extension: string]: unknown;
}

/** What the shim needs to know about the function it serves. @public */
export interface KnativeShimOptions {
  contract: 'web' | 'event';
  functionName: string;
  revision: string;
  /** The request timeout in seconds (the Knative revision's timeoutSeconds). */
  timeoutSeconds?: number;
  env?: Record<string, string | undefined>;
  /** Where log lines go (default: one JSON line each on the console). */
  log?: (line: Record<string, unknown>) => void;
}

type Handler = (input: any, context: any) => unknown;

const encoder = new TextEncoder();

/** Turns a web handler's result into a Response (a Response, text, bytes, JSON, or 204 for nothing). @public */
export function resultToResponse(result: unknown): Response {
  if (result instanceof Response) return result;
  if (result === undefined || result === null) return new Response(null, { status: 204 });
  if (typeof result === 'string')
    return new Response(result, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (result instanceof Uint8Array || result instanceof ArrayBuffer) {
    return new Response(result as BodyInit, { headers: { 'content-type': 'application/octet-stream' } });
  }
  return new Response(JSON.stringify(result), { headers: { 'content-type': 'application/json' } });
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Reads a CloudEvent from a request (binary or structured mode); `undefined` when it is not one. @public */
export async function readCloudEvent(request: Request): Promise<KnativeCloudEvent | undefined> {
  const contentType = request.headers.get('content-type') ?? '';
  const required = (e: Record<string, unknown>) =>
    ['id', 'source', 'type'].every((k) => typeof e[k] === 'string');
  if (contentType.startsWith('application/cloudevents+json')) {
    const event = (await request.json()) as Record<string, unknown>;
    return required(event) ? (event as KnativeCloudEvent) : undefined;
  }
  if (!request.headers.has('ce-id')) return undefined;
  const event: Record<string, unknown> = { specversion: '1.0' };
  request.headers.forEach((value, key) => {
    if (key.startsWith('ce-')) event[key.slice(3)] = value;
  });
  if (contentType) event.datacontenttype = contentType;
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length) {
    const text = new TextDecoder().decode(body);
    if (contentType.includes('json')) {
      try {
        event.data = JSON.parse(text);
      } catch {
        event.data = text;
      }
    } else if (contentType === '' || contentType.startsWith('text/')) event.data = text;
    else event.data_base64 = toBase64(body);
  }
  return required(event) ? (event as KnativeCloudEvent) : undefined;
}

/** The CloudEvent type a PingSource sends, and the portable one schedule triggers have on every target. */
const pingSourceType = 'dev.knative.sources.ping';
const scheduleType = 'dev.faasport.schedule'; // eventTypes.schedule in @faasport/core (the shim imports nothing)

/**
 * The event as a portable handler sees it: a PingSource's tick becomes `dev.faasport.schedule`, as a
 * schedule trigger is on the local runtime, FC and FunctionGraph (the Knative type stays in `knativetype`).
 */
function portableEvent(event: KnativeCloudEvent | undefined): KnativeCloudEvent | undefined {
  if (event?.type !== pingSourceType) return event;
  return { ...event, type: scheduleType, knativetype: pingSourceType };
}

/**
 * Wraps a faasport handler for Knative: returns the function the container's HTTP server calls for
 * each request. Handler errors become a 500 with the error message; they never crash the server.
 *
 * @example
 * ```ts
 * const serve = createKnativeHandler(handler, { contract: 'web', functionName: 'hello', revision: 'v1' });
 * const response = await serve(new Request('http://hello/'));
 * ```
 * @public
 */
export function createKnativeHandler(
  handler: Handler,
  options: KnativeShimOptions,
): (request: Request) => Promise<Response> {
  const timeoutMs = (options.timeoutSeconds ?? 300) * 1000;
  const env = options.env ?? {};
  const emit = options.log ?? ((line: Record<string, unknown>) => console.log(JSON.stringify(line)));
  return async (request: Request) => {
    const requestId = request.headers.get('x-request-id') ?? crypto.randomUUID();
    const deadline = Date.now() + timeoutMs;
    const logger = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      emit({
        time: new Date().toISOString(),
        level,
        message,
        requestId,
        revision: options.revision,
        ...(fields ?? {}),
      });
    const context = {
      requestId,
      functionName: options.functionName,
      revision: options.revision,
      target: 'knative',
      deadline,
      remainingMs: () => Math.max(0, deadline - Date.now()),
      env,
      log: { debug: logger('debug'), info: logger('info'), warn: logger('warn'), error: logger('error') },
      raw: { request },
    };
    try {
      if (options.contract === 'web') return resultToResponse(await handler(request, context));
      const event = portableEvent(await readCloudEvent(request));
      if (!event) {
        return new Response(
          'expected a CloudEvent (ce-* headers, or content-type application/cloudevents+json)\n',
          { status: 400 },
        );
      }
      const result = await handler(event, { ...context, raw: { request, event } });
      if (result === undefined || result === null) return new Response(null, { status: 202 });
      const body =
        result instanceof Uint8Array
          ? result
          : encoder.encode(typeof result === 'string' ? result : JSON.stringify(result));
      return new Response(body as BodyInit, {
        headers: {
          'content-type': typeof result === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
        },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      emit({
        time: new Date().toISOString(),
        level: 'error',
        message: `handler failed: ${message}`,
        requestId,
        revision: options.revision,
      });
      return new Response(JSON.stringify({ error: message }), {
        status: 500,
        headers: { 'content-type': 'application/json' },
      });
    }
  };
}
