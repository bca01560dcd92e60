/**
 * The FunctionGraph runtime shim: turns FunctionGraph's `(event, context)` calls into calls of a
 * portable faasport handler. Deploys ship it as one standalone CommonJS file (see `shimSource`), made
 * from the source text of {@link createFunctionGraphShim}; that function therefore refers to nothing
 * outside its own body and uses Web APIs only (Request, Response, TextEncoder, atob/btoa).
 */

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

/**
 * Builds the shim. `importModule` loads a file of the code package by its relative name.
 * Everything it needs is defined inside, so `String(createFunctionGraphShim)` runs standalone.
 *
 * @public
 */
export function createFunctionGraphShim(
  config: ShimConfig,
  importModule: (file: string) => Promise<Record<string, unknown>>,
): FunctionGraphShim {
  const textTypes =
    /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|problem\+json|ld\+json|cloudevents\+json))|\+json|\+xml/i;

  function toBase64(bytes: Uint8Array): string {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000)
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }
  function fromBase64(text: string): Uint8Array {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  function randomId(): string {
    return globalThis.crypto && typeof globalThis.crypto.randomUUID === 'function'
      ? globalThis.crypto.randomUUID()
      : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
  }
  function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  function requestFromApigEvent(event: Record<string, unknown>): Request {
    const headers = new Headers();
    const rawHeaders = isObject(event.headers) ? event.headers : {};
    for (const [key, value] of Object.entries(rawHeaders)) {
      if (Array.isArray(value)) for (const v of value) headers.append(key, String(v));
      else if (value !== undefined && value !== null) headers.set(key, String(value));
    }
    const query = new URLSearchParams();
    const rawQuery = isObject(event.queryStringParameters) ? event.queryStringParameters : {};
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

  async function apigResultFrom(response: Response): Promise<ApigResult> {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    const text = bytes.length === 0 || textTypes.test(type);
    return {
      statusCode: response.status,
      headers,
      body: text ? new TextDecoder().decode(bytes) : toBase64(bytes),
      isBase64Encoded: !text,
    };
  }

  function toResponse(result: unknown): Response {
    if (result instanceof Response) return result;
    if (result === undefined || result === null) return new Response(null, { status: 204 });
    if (typeof result === 'string')
      return new Response(result, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
    if (result instanceof Uint8Array || result instanceof ArrayBuffer) {
      return new Response(result as BodyInit, { headers: { 'content-type': 'application/octet-stream' } });
    }
    return new Response(JSON.stringify(result), { headers: { 'content-type': 'application/json' } });
  }

  function parseMaybeJson(text: unknown): unknown {
    if (typeof text !== 'string') return text;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  function cloudEventsFrom(event: unknown, context?: FunctionGraphContext): Array<Record<string, unknown>> {
    const requestId = context?.getRequestID?.() ?? randomId();
    if (
      isObject(event) &&
      event.specversion === '1.0' &&
      typeof event.id === 'string' &&
      typeof event.type === 'string'
    ) {
      return [event];
    }
    if (isObject(event) && event.trigger_type === 'TIMER') {
      const name = typeof event.trigger_name === 'string' ? event.trigger_name : 'timer';
      const data = parseMaybeJson(event.user_event);
      return [
        {
          specversion: '1.0',
          id: requestId,
          type: 'dev.faasport.schedule',
          source: `functiongraph:timer/${name}`,
          subject: name,
          time:
            typeof event.time === 'string' ? new Date(event.time).toISOString() : new Date().toISOString(),
          ...(data === undefined || data === ''
            ? {}
            : { datacontenttype: typeof data === 'string' ? 'text/plain' : 'application/json', data }),
        },
      ];
    }
    if (
      isObject(event) &&
      (event.trigger_type === 'KAFKA' || event.trigger_type === 'OPENSOURCEKAFKA') &&
      Array.isArray(event.records)
    ) {
      // FunctionGraph's Kafka event: { event_version, event_time, trigger_type, region, instance_id,
      // records: [{ messages: string[], topic_id }] } ("DMS for Kafka Event Source",
      // https://support.huaweicloud.com/intl/en-us/devg-functiongraph/functiongraph_02_0102.html). One
      // dev.faasport.queue.message per message, built as core's queueMessageEvent builds it (decision
      // 0013): the shim runs standalone, so it cannot import it. Messages carry no id: the invocation's
      // request id and the message's position name it.
      const out: Array<Record<string, unknown>> = [];
      const time =
        typeof event.event_time === 'number' ? new Date(event.event_time * 1000).toISOString() : undefined;
      for (const record of event.records.filter(isObject)) {
        const topic = typeof record.topic_id === 'string' ? record.topic_id : '';
        const messages = Array.isArray(record.messages) ? record.messages : [];
        for (const message of messages) {
          const id = `${requestId}-${out.length}`;
          const text = typeof message === 'string' ? message : JSON.stringify(message);
          let json: { value: unknown } | undefined;
          try {
            if (text !== '') json = { value: JSON.parse(text) };
          } catch {
            json = undefined;
          }
          out.push({
            specversion: '1.0',
            id,
            source: `/faasport/topics/${topic}`,
            type: 'dev.faasport.queue.message',
            ...(time ? { time } : {}),
            faasporttopic: topic,
            faasportmessageid: id,
            ...(json
              ? { datacontenttype: 'application/json', data: json.value }
              : {
                  datacontenttype: 'application/octet-stream',
                  data_base64: toBase64(new TextEncoder().encode(text)),
                }),
          });
        }
      }
      return out;
    }
    if (isObject(event) && Array.isArray(event.Records)) {
      return event.Records.filter(isObject).map((record, i) => {
        const detail = (isObject(record.obs) ? record.obs : isObject(record.s3) ? record.s3 : {}) as Record<
          string,
          unknown
        >;
        const bucket =
          isObject(detail.bucket) && typeof detail.bucket.name === 'string' ? detail.bucket.name : '';
        const object = isObject(detail.object) ? detail.object : {};
        const key = typeof object.key === 'string' ? decodeURIComponent(object.key.replace(/\+/g, ' ')) : '';
        const eventName = typeof record.eventName === 'string' ? record.eventName : '';
        const removed = /Removed|Delete/i.test(eventName);
        return {
          specversion: '1.0',
          id: `${requestId}${event.Records && (event.Records as unknown[]).length > 1 ? `-${i}` : ''}`,
          type: removed ? 'dev.faasport.storage.object.deleted' : 'dev.faasport.storage.object.created',
          source: `functiongraph:obs/${bucket}`,
          subject: key,
          time:
            typeof record.eventTime === 'string'
              ? new Date(record.eventTime).toISOString()
              : new Date().toISOString(),
          datacontenttype: 'application/json',
          data: { bucket, key, size: object.size, etag: object.eTag, event: eventName },
        };
      });
    }
    return [
      {
        specversion: '1.0',
        id: requestId,
        type: 'dev.faasport.invoke',
        source: `functiongraph:function/${config.functionName}`,
        time: new Date().toISOString(),
        ...(event === undefined || event === null
          ? {}
          : { datacontenttype: typeof event === 'string' ? 'text/plain' : 'application/json', data: event }),
      },
    ];
  }

  function contextFor(context: FunctionGraphContext | undefined, raw: unknown) {
    const remaining = () =>
      typeof context?.getRemainingTimeInMilliSeconds === 'function'
        ? context.getRemainingTimeInMilliSeconds()
        : 30_000;
    const deadline = Date.now() + remaining();
    const requestId = context?.getRequestID?.() ?? randomId();
    const platformLog = context?.getLogger?.();
    const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      const text = JSON.stringify({ level, message, requestId, ...(fields ?? {}) });
      if (platformLog)
        (level === 'error' ? platformLog.error : level === 'warn' ? platformLog.warn : platformLog.info).call(
          platformLog,
          text,
        );
      else console.log(text);
    };
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
      log: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
      raw: { event: raw, context },
    };
  }

  let userHandler: Promise<(input: unknown, ctx: unknown) => unknown> | undefined;
  function loadUserHandler() {
    userHandler ??= importModule(config.module).then((mod) => {
      let fn = mod[config.export];
      // A CommonJS module loaded through import() exposes module.exports as `default`.
      if (typeof fn !== 'function' && isObject(mod.default))
        fn = (mod.default as Record<string, unknown>)[config.export];
      if (typeof fn !== 'function') {
        throw new TypeError(
          `${config.module} has no exported function "${config.export}" (handler ${config.module.replace(/\.[^.]+$/, '')}.${config.export})`,
        );
      }
      return fn as (input: unknown, ctx: unknown) => unknown;
    });
    return userHandler;
  }

  function isApigEvent(event: unknown): event is Record<string, unknown> {
    return (
      isObject(event) &&
      typeof event.httpMethod === 'string' &&
      (isObject(event.requestContext) || typeof event.path === 'string')
    );
  }

  async function handler(event: unknown, context?: FunctionGraphContext): Promise<unknown> {
    const fn = await loadUserHandler();
    const ctx = contextFor(context, event);
    if (config.contract === 'web') {
      const request = isApigEvent(event)
        ? requestFromApigEvent(event)
        : new Request('https://localhost/', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(event ?? null),
          });
      return apigResultFrom(toResponse(await fn(request, ctx)));
    }
    const events = cloudEventsFrom(event, context);
    const results: unknown[] = [];
    for (const cloudEvent of events) results.push(await fn(cloudEvent, ctx));
    return results.length === 1 ? results[0] : results;
  }

  return { handler, requestFromApigEvent, apigResultFrom, cloudEventsFrom };
}
