/**
 * The FC 2.0 runtime shim: turns FC's native Node.js contracts into faasport's portable ones.
 * - HTTP trigger `(req, resp, context)` → `web` handler `(Request, ctx) => Response`; through
 *   InvokeFunction the same handler gets the event as the body of a POST.
 * - Event `(event: Buffer, context, callback)` → `event` handler `(CloudEvent, ctx) => result`;
 *   FC timer events become `dev.faasport.schedule`, OSS events `dev.faasport.storage.object.*`,
 *   anything else `dev.faasport.invoke` (a CloudEvent sent as JSON passes through as is).
 *
 * Web APIs only: its one import is core's Web-only `handler` subpath. `src/runtime/entry.ts` wraps it
 * into the file deployed with each function, bundled at build time (see `shimSource`).
 */
import {
  type CloudEvent,
  type Context,
  eventResultToBytes,
  eventTypes,
  exportedFunction,
  isRecord,
  jsonLineLogger,
  parseJsonOrText,
  queueMessageEvent,
  randomRequestId,
  storageCloudEvent,
  toResponse,
} from '@faasport/core/handler';

/** What the shim reads from the function's environment. @public */
export interface FcShimEnv {
  /** The user's handler, `file.export`. */
  FAASPORT_HANDLER?: string;
  /** `web` or `event`. */
  FAASPORT_CONTRACT?: string;
  /** The revision label of this version. */
  FAASPORT_REVISION?: string;
  /** The user's initializer, `file.export`, when set. */
  FAASPORT_INITIALIZER?: string;
  [name: string]: string | undefined;
}

/** The FC context object (reference Part A14), as far as the shim reads it. @public */
export interface FcContext {
  requestId?: string;
  function?: { name?: string; timeout?: number; handler?: string };
  service?: { name?: string; qualifier?: string; versionId?: string };
  region?: string;
  accountId?: string;
  logger?: {
    info?: (...a: unknown[]) => void;
    warn?: (...a: unknown[]) => void;
    error?: (...a: unknown[]) => void;
    debug?: (...a: unknown[]) => void;
  };
  [key: string]: unknown;
}

/** FC's HTTP request object: `headers`, `path`, `queries`, `method`, `clientIP`, `url`, and the body. @public */
export interface FcHttpRequest {
  headers?: Record<string, string | string[] | undefined>;
  path?: string;
  url?: string;
  method?: string;
  queries?: Record<string, string | string[]>;
  clientIP?: string;
  body?: unknown;
  [key: string]: unknown;
}

/** FC's HTTP response object. @public */
export interface FcHttpResponse {
  setStatusCode(status: number): void;
  setHeader(name: string, value: string | string[]): void;
  send(body: unknown): void;
}

/** FC's callback. @public */
export type FcCallback = (error: unknown, result?: unknown) => void;

/** The FC handlers the shim exports. @public */
export interface FcShim {
  httpHandler(req: FcHttpRequest, resp: FcHttpResponse, context: FcContext): Promise<void>;
  eventHandler(event: unknown, context: FcContext, callback?: FcCallback): Promise<unknown>;
  initializer(context: FcContext, callback?: FcCallback): Promise<void>;
}

/** Response headers FC sets itself: a handler's values would be ignored or break the answer. */
const ignoredResponseHeaders = [
  'connection',
  'content-length',
  'date',
  'keep-alive',
  'server',
  'upgrade',
  'transfer-encoding',
];

const encoder = new TextEncoder();

type UserFunction = (...args: unknown[]) => unknown;

/** The bytes of a request body or an event, whatever FC handed over (JSON for any other value). */
const toBytes = eventResultToBytes;

/** Bytes as FC's Node.js runtime wants them back: a Buffer where there is one. */
function toPlatformBytes(bytes: Uint8Array): unknown {
  const B = (globalThis as { Buffer?: { from(b: Uint8Array): unknown } }).Buffer;
  return B ? B.from(bytes) : bytes;
}

async function readBody(req: FcHttpRequest): Promise<Uint8Array | undefined> {
  if (req.body !== undefined && req.body !== null) {
    if (typeof req.body === 'string' || req.body instanceof Uint8Array || req.body instanceof ArrayBuffer)
      return toBytes(req.body);
  }
  const stream = req as unknown as AsyncIterable<Uint8Array | string>;
  if (typeof stream[Symbol.asyncIterator] === 'function') {
    const parts: Uint8Array[] = [];
    for await (const chunk of stream) parts.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
  return undefined;
}

/** The Web Request of an FC HTTP call: FC's `url` when absolute, else host + path + `queries`. */
function requestFrom(req: FcHttpRequest, body: Uint8Array | undefined): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers ?? {})) {
    if (value === undefined) continue;
    const lower = key.toLowerCase();
    if (lower === 'connection' || lower === 'keep-alive' || lower === 'content-length') continue;
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else headers.set(key, String(value));
  }
  let url: string;
  if (typeof req.url === 'string' && /^https?:\/\//.test(req.url)) url = req.url;
  else {
    const host = headers.get('host') ?? 'localhost';
    const path = req.path ?? (typeof req.url === 'string' ? req.url.split('?')[0] : '/') ?? '/';
    const search = new URLSearchParams();
    if (req.queries) {
      for (const [k, v] of Object.entries(req.queries))
        for (const item of Array.isArray(v) ? v : [v]) search.append(k, String(item));
    } else if (typeof req.url === 'string' && req.url.includes('?')) {
      for (const [k, v] of new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1))) search.append(k, v);
    }
    const query = search.toString();
    url = `http://${host}${path.startsWith('/') ? path : `/${path}`}${query ? `?${query}` : ''}`;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const init: RequestInit = { method, headers };
  if (body?.length && method !== 'GET' && method !== 'HEAD') init.body = body as BodyInit;
  return new Request(url, init);
}

/**
 * The CloudEvent an FC event becomes: a CloudEvent sent as JSON as is; a timer event
 * `dev.faasport.schedule`; an OSS notification `dev.faasport.storage.object.*`; an MNS topic
 * notification `dev.faasport.queue.message`; anything else
 * `dev.faasport.invoke` with the payload as data.
 */
function cloudEventFrom(event: unknown, context: FcContext): CloudEvent {
  const requestId = context?.requestId ?? randomRequestId();
  const text = typeof event === 'string' ? event : new TextDecoder().decode(toBytes(event));
  const value = text === '' ? undefined : parseJsonOrText(text);
  const fnName = context?.function?.name ?? '';
  if (
    isRecord(value) &&
    value.specversion === '1.0' &&
    typeof value.id === 'string' &&
    typeof value.type === 'string'
  )
    return value as CloudEvent;
  if (
    isRecord(value) &&
    typeof value.TopicName === 'string' &&
    typeof value.MessageId === 'string' &&
    typeof value.Message === 'string'
  ) {
    // An mns_topic trigger's JSON notification ({TopicOwner, Message, Subscriber, PublishTime,
    // SubscriptionName, MessageMD5, TopicName, MessageId}; "MNS topic trigger event" in FC's guide):
    // the portable dev.faasport.queue.message (decision 0013). MNS does not count deliveries.
    return queueMessageEvent({
      topic: value.TopicName,
      id: value.MessageId,
      body: value.Message,
      ...(typeof value.PublishTime === 'number' ? { time: new Date(value.PublishTime).toISOString() } : {}),
    });
  }
  if (isRecord(value) && typeof value.triggerTime === 'string' && typeof value.triggerName === 'string') {
    const payload =
      typeof value.payload === 'string' && value.payload !== '' ? parseJsonOrText(value.payload) : undefined;
    return {
      specversion: '1.0',
      id: requestId,
      type: eventTypes.schedule,
      source: `fc:timer/${value.triggerName}`,
      subject: value.triggerName,
      time: new Date(value.triggerTime).toISOString(),
      ...(payload === undefined
        ? {}
        : {
            datacontenttype: typeof payload === 'string' ? 'text/plain' : 'application/json',
            data: payload,
          }),
    };
  }
  if (
    isRecord(value) &&
    Array.isArray(value.events) &&
    value.events.some((e) => isRecord(e) && isRecord(e.oss))
  ) {
    const record = value.events.find((e) => isRecord(e) && isRecord(e.oss)) as Record<string, unknown>;
    const oss = record.oss as Record<string, unknown>;
    const bucket = isRecord(oss.bucket) && typeof oss.bucket.name === 'string' ? oss.bucket.name : '';
    const object = isRecord(oss.object) ? oss.object : {};
    const key = typeof object.key === 'string' ? object.key : '';
    return storageCloudEvent({ id: requestId, source: `fc:oss/${bucket}`, bucket, key, record, object });
  }
  return {
    specversion: '1.0',
    id: requestId,
    type: eventTypes.invoke,
    source: `fc:function/${fnName}`,
    time: new Date().toISOString(),
    ...(value === undefined
      ? {}
      : { datacontenttype: typeof value === 'string' ? 'text/plain' : 'application/json', data: value }),
  };
}

/**
 * Builds the FC handlers around a user's module.
 *
 * @param env - the function's environment (`process.env` in FC).
 * @param load - imports a file of the code package by relative name (`index.mjs`).
 * @public
 */
export function createFcShim(
  env: FcShimEnv,
  load: (file: string) => Promise<Record<string, unknown>>,
): FcShim {
  const modules = new Map<string, Promise<Record<string, unknown>>>();

  function importModule(moduleName: string): Promise<Record<string, unknown>> {
    let pending = modules.get(moduleName);
    if (!pending) {
      pending = (async () => {
        let lastError: unknown;
        for (const ext of ['.mjs', '.js', '.cjs']) {
          try {
            return await load(moduleName + ext);
          } catch (error) {
            const code = (error as { code?: string }).code;
            if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
            const message = String((error as Error).message ?? '');
            // A missing dependency inside the module is the user's error, not a missing module file.
            if (!message.includes(moduleName + ext)) throw error;
            lastError = error;
          }
        }
        throw new Error(
          `faasport: cannot find the module "${moduleName}" (.mjs, .js or .cjs) in the code package: ${String((lastError as Error)?.message ?? '')}`,
        );
      })();
      modules.set(moduleName, pending);
      pending.catch(() => modules.delete(moduleName));
    }
    return pending;
  }

  async function resolveExport(spec: string): Promise<UserFunction> {
    const dot = spec.lastIndexOf('.');
    const moduleName = spec.slice(0, dot);
    const exportName = spec.slice(dot + 1);
    const fn = exportedFunction(await importModule(moduleName), exportName);
    if (!fn)
      throw new Error(`faasport: "${moduleName}" has no function export "${exportName}" (handler ${spec})`);
    return fn;
  }

  function contextFor(context: FcContext, raw: unknown): Context {
    const timeoutMs = (Number(context?.function?.timeout) || 60) * 1000;
    const deadline = Date.now() + timeoutMs;
    const requestId = context?.requestId ?? randomRequestId();
    const logger = context?.logger;
    return {
      requestId,
      functionName: context?.function?.name ?? '',
      revision:
        env.FAASPORT_REVISION ?? context?.service?.versionId ?? context?.service?.qualifier ?? 'LATEST',
      target: 'fc',
      deadline,
      remainingMs: () => Math.max(0, deadline - Date.now()),
      env,
      log: jsonLineLogger(requestId, (level, text) => {
        const sink = logger?.[level] ?? logger?.info;
        if (sink) sink.call(logger, text);
        else console.log(text);
      }),
      raw,
    };
  }

  function handlerSpec(): string {
    const spec = env.FAASPORT_HANDLER;
    if (!spec?.includes('.')) throw new Error('faasport: FAASPORT_HANDLER is not set to "file.export"');
    return spec;
  }

  return {
    async httpHandler(req, resp, context) {
      const handler = await resolveExport(handlerSpec());
      if (typeof (resp as Partial<FcHttpResponse> | undefined)?.setStatusCode !== 'function') {
        // Called through InvokeFunction, as (event, context, callback): the event is POSTed to the web handler.
        const event = req as unknown;
        const fcContext = resp as unknown as FcContext;
        const callback = context as unknown as FcCallback | undefined;
        try {
          const request = new Request('http://localhost/', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: toBytes(event) as BodyInit,
          });
          const response = toResponse(
            (await handler(request, contextFor(fcContext, { event, context: fcContext }))) as Response,
          );
          const bytes = new Uint8Array(await response.arrayBuffer());
          if (response.status >= 400)
            throw new Error(`HTTP ${response.status}: ${new TextDecoder().decode(bytes)}`);
          if (typeof callback === 'function') callback(null, toPlatformBytes(bytes));
        } catch (error) {
          if (typeof callback === 'function') callback(error);
          else throw error;
        }
        return;
      }
      const request = requestFrom(req, await readBody(req));
      let response: Response;
      try {
        response = toResponse((await handler(request, contextFor(context, { req, context }))) as Response);
      } catch (error) {
        console.error(`faasport: handler failed: ${String((error as Error)?.stack ?? error)}`);
        response = new Response(JSON.stringify({ error: String((error as Error)?.message ?? error) }), {
          status: 500,
          headers: { 'content-type': 'application/json' },
        });
      }
      resp.setStatusCode(response.status);
      const cookies =
        typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
      response.headers.forEach((value, key) => {
        if (ignoredResponseHeaders.includes(key) || key.startsWith('x-fc-') || key === 'set-cookie') return;
        resp.setHeader(key, value);
      });
      if (cookies.length) resp.setHeader('set-cookie', cookies);
      resp.send(toPlatformBytes(new Uint8Array(await response.arrayBuffer())));
    },

    async eventHandler(event, context, callback) {
      try {
        const handler = await resolveExport(handlerSpec());
        const result = await handler(cloudEventFrom(event, context), contextFor(context, { event, context }));
        const out = toPlatformBytes(toBytes(result));
        if (typeof callback === 'function') callback(null, out);
        return out;
      } catch (error) {
        if (typeof callback === 'function') {
          callback(error);
          return undefined;
        }
        throw error;
      }
    },

    async initializer(context, callback) {
      try {
        const spec = env.FAASPORT_INITIALIZER;
        if (spec) {
          const init = await resolveExport(spec);
          await init(contextFor(context, { context }));
        }
        if (typeof callback === 'function') callback(null, '');
      } catch (error) {
        if (typeof callback === 'function') callback(error);
        else throw error;
      }
    },
  };
}
