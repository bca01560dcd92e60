/**
 * The FunctionGraph runtime shim: turns FunctionGraph's `(event, context)` calls into calls of a
 * portable faasport handler. APIG events become a Web `Request` for a `web` handler, and its answer the
 * `{statusCode, headers, body, isBase64Encoded}` result APIG expects; timer and OBS events become
 * CloudEvents for an `event` handler.
 *
 * Web APIs only: its one import is core's Web-only `handler` subpath. `src/runtime/entry.ts` wraps it
 * into the file deployed with each function, bundled at build time (see `shimSource`).
 */
import {
  type CloudEvent,
  type Context,
  callForEach,
  eventTypes,
  fromBase64,
  handlerLoader,
  invocationRequest,
  isRecord,
  jsonLineLogger,
  parseJsonOrText,
  proxyResultOf,
  queueMessageEvent,
  randomRequestId,
  storageCloudEvent,
  toResponse,
} from '@faasport/core/handler';

/** What the shim needs to know about the user's handler; written into the shim file at deploy time. @public */
export interface ShimConfig {
  /** The user's module file inside the code package, e.g. `index.mjs`. */
  module: string;
  /** The export to call, e.g. `default`. */
  export: string;
  contract: 'web' | 'event';
  functionName: string;
  /** The revision label, used when the platform context does not name a version. */
  revision: string;
}

/** FunctionGraph's context object, as far as the shim reads it. @public */
export interface FunctionGraphContext {
  getRequestID?(): string;
  getRemainingTimeInMilliSeconds?(): number;
  getFunctionName?(): string;
  getVersion?(): string;
  getUserData?(key: string): string | undefined;
  getLogger?(): {
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
    debug?(...args: unknown[]): void;
  };
  [key: string]: unknown;
}

/** The result FunctionGraph's APIG integration expects from a function. @public */
export interface ApigResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** The shim's exports: the FunctionGraph handler and its pieces (for tests). @public */
export interface FunctionGraphShim {
  handler(event: unknown, context?: FunctionGraphContext): Promise<unknown>;
  requestFromApigEvent(event: Record<string, unknown>): Request;
  apigResultFrom(response: Response): Promise<ApigResult>;
  cloudEventsFrom(event: unknown, context?: FunctionGraphContext): Array<Record<string, unknown>>;
}

/** The Web Request of an APIG event (its body base64 when `isBase64Encoded`). @public */
export function requestFromApigEvent(event: Record<string, unknown>): Request {
  const headers = new Headers();
  const rawHeaders = isRecord(event.headers) ? event.headers : {};
  for (const [key, value] of Object.entries(rawHeaders)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, String(v));
    else if (value !== undefined && value !== null) headers.set(key, String(value));
  }
  const query = new URLSearchParams();
  const rawQuery = isRecord(event.queryStringParameters) ? event.queryStringParameters : {};
  for (const [key, value] of Object.entries(rawQuery)) {
    if (Array.isArray(value)) for (const v of value) query.append(key, String(v));
    else if (value !== undefined && value !== null) query.append(key, String(value));
  }
  const host = headers.get('host') ?? 'localhost';
  const proto = headers.get('x-forwarded-proto') ?? 'https';
  const path = typeof event.path === 'string' && event.path.startsWith('/') ? event.path : '/';
  const qs = query.toString();
  const method = typeof event.httpMethod === 'string' ? event.httpMethod.toUpperCase() : 'GET';
  let body: Uint8Array | string | undefined;
  if (typeof event.body === 'string' && event.body !== '' && method !== 'GET' && method !== 'HEAD') {
    body = event.isBase64Encoded ? fromBase64(event.body) : event.body;
  }
  return new Request(`${proto}://${host}${path}${qs ? `?${qs}` : ''}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: body as BodyInit }),
  });
}

/**
 * The APIG result of a Response: text bodies as text, anything else base64-encoded. APIG's result has
 * one value per header name, so of several Set-Cookie headers the last one stands.
 *
 * @public
 */
export async function apigResultFrom(response: Response): Promise<ApigResult> {
  const { cookies, ...result } = await proxyResultOf(response);
  const last = cookies[cookies.length - 1];
  return last === undefined ? result : { ...result, headers: { ...result.headers, 'set-cookie': last } };
}

/**
 * The CloudEvents a FunctionGraph event becomes: a CloudEvent as is; a timer event
 * `dev.faasport.schedule`; each OBS (or S3-style) record `dev.faasport.storage.object.*`; each Kafka
 * message `dev.faasport.queue.message`; anything else
 * `dev.faasport.invoke` with the event as data.
 *
 * @public
 */
export function cloudEventsFrom(
  event: unknown,
  context: FunctionGraphContext | undefined,
  functionName: string,
): CloudEvent[] {
  const requestId = context?.getRequestID?.() ?? randomRequestId();
  if (
    isRecord(event) &&
    event.specversion === '1.0' &&
    typeof event.id === 'string' &&
    typeof event.type === 'string'
  ) {
    return [event as CloudEvent];
  }
  if (
    isRecord(event) &&
    (event.trigger_type === 'KAFKA' || event.trigger_type === 'OPENSOURCEKAFKA') &&
    Array.isArray(event.records)
  ) {
    // FunctionGraph's Kafka event: { event_version, event_time, trigger_type, region, instance_id,
    // records: [{ messages: string[], topic_id }] } ("DMS for Kafka Event Source", OTC FunctionGraph
    // developer guide). One dev.faasport.queue.message per message (decision 0013). Messages carry no
    // id: the invocation's request id and the message's position name it.
    const out: CloudEvent[] = [];
    const time =
      typeof event.event_time === 'number' ? new Date(event.event_time * 1000).toISOString() : undefined;
    for (const record of event.records.filter(isRecord)) {
      const topic = typeof record.topic_id === 'string' ? record.topic_id : '';
      for (const message of Array.isArray(record.messages) ? record.messages : [])
        out.push(
          queueMessageEvent({
            topic,
            id: `${requestId}-${out.length}`,
            body: typeof message === 'string' ? message : JSON.stringify(message),
            ...(time ? { time } : {}),
          }),
        );
    }
    return out;
  }
  if (isRecord(event) && event.trigger_type === 'TIMER') {
    const name = typeof event.trigger_name === 'string' ? event.trigger_name : 'timer';
    const data = parseJsonOrText(event.user_event);
    return [
      {
        specversion: '1.0',
        id: requestId,
        type: eventTypes.schedule,
        source: `functiongraph:timer/${name}`,
        subject: name,
        time: typeof event.time === 'string' ? new Date(event.time).toISOString() : new Date().toISOString(),
        ...(data === undefined || data === ''
          ? {}
          : { datacontenttype: typeof data === 'string' ? 'text/plain' : 'application/json', data }),
      },
    ];
  }
  if (isRecord(event) && Array.isArray(event.Records)) {
    const records = event.Records;
    return records.filter(isRecord).map((record, i) => {
      const detail = (isRecord(record.obs) ? record.obs : isRecord(record.s3) ? record.s3 : {}) as Record<
        string,
        unknown
      >;
      const bucket =
        isRecord(detail.bucket) && typeof detail.bucket.name === 'string' ? detail.bucket.name : '';
      const object = isRecord(detail.object) ? detail.object : {};
      const key = typeof object.key === 'string' ? decodeURIComponent(object.key.replace(/\+/g, ' ')) : '';
      return storageCloudEvent({
        id: `${requestId}${records.length > 1 ? `-${i}` : ''}`,
        source: `functiongraph:obs/${bucket}`,
        bucket,
        key,
        record,
        object,
      });
    });
  }
  return [
    {
      specversion: '1.0',
      id: requestId,
      type: eventTypes.invoke,
      source: `functiongraph:function/${functionName}`,
      time: new Date().toISOString(),
      ...(event === undefined || event === null
        ? {}
        : { datacontenttype: typeof event === 'string' ? 'text/plain' : 'application/json', data: event }),
    },
  ];
}

function isApigEvent(event: unknown): event is Record<string, unknown> {
  return (
    isRecord(event) &&
    typeof event.httpMethod === 'string' &&
    (isRecord(event.requestContext) || typeof event.path === 'string')
  );
}

/**
 * Builds the shim. `importModule` loads a file of the code package by its relative name.
 *
 * @public
 */
export function createFunctionGraphShim(
  config: ShimConfig,
  importModule: (file: string) => Promise<Record<string, unknown>>,
): FunctionGraphShim {
  function contextFor(context: FunctionGraphContext | undefined, raw: unknown): Context {
    const remaining = () =>
      typeof context?.getRemainingTimeInMilliSeconds === 'function'
        ? context.getRemainingTimeInMilliSeconds()
        : 30_000;
    const deadline = Date.now() + remaining();
    const requestId = context?.getRequestID?.() ?? randomRequestId();
    const platformLog = context?.getLogger?.();
    const version = context?.getVersion?.();
    const env: Record<string, string | undefined> = {};
    const processEnv =
      (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
    for (const [k, v] of Object.entries(processEnv)) env[k] = v;
    return {
      requestId,
      functionName: context?.getFunctionName?.() ?? config.functionName,
      revision: version && version !== 'latest' ? version : config.revision,
      target: 'functiongraph',
      deadline,
      remainingMs: () => Math.max(0, deadline - Date.now()),
      env: Object.freeze(env),
      log: jsonLineLogger(requestId, (level, text) => {
        if (platformLog)
          (level === 'error'
            ? platformLog.error
            : level === 'warn'
              ? platformLog.warn
              : platformLog.info
          ).call(platformLog, text);
        else console.log(text);
      }),
      raw: { event: raw, context },
    };
  }

  const loadUserHandler = handlerLoader(importModule, config.module, config.export);

  async function handler(event: unknown, context?: FunctionGraphContext): Promise<unknown> {
    const fn = await loadUserHandler();
    const ctx = contextFor(context, event);
    if (config.contract === 'web') {
      const request = isApigEvent(event) ? requestFromApigEvent(event) : invocationRequest(event);
      return apigResultFrom(toResponse((await fn(request, ctx)) as Response));
    }
    return callForEach(fn, cloudEventsFrom(event, context, config.functionName), ctx);
  }

  return {
    handler,
    requestFromApigEvent,
    apigResultFrom,
    cloudEventsFrom: (event, context) => cloudEventsFrom(event, context, config.functionName),
  };
}
