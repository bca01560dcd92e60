/**
 * The Lambda runtime shim: turns Lambda's `(event, context)` calls into calls of a portable faasport
 * handler, with core's Web-only handler helpers. `src/runtime/entry.ts` is bundled with it into one ES
 * module (`npm run bundle-shim -w packages/adapter-lambda`) that each code package carries. It is an async
 * handler: Node.js 24 on Lambda has no callback-style handlers.
 *
 * Event shapes (sources):
 * - function URL / API Gateway HTTP API payload 2.0: `version`, `rawPath`, `rawQueryString`, `cookies`,
 *   `headers` (comma-joined), `requestContext.http.method`, `body`, `isBase64Encoded`; results
 *   `{statusCode, headers, cookies, body, isBase64Encoded}`
 *   (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads).
 * - S3 notification records (`eventSource: aws:s3`, `s3.bucket.name`, `s3.object.key` URL-encoded with `+`
 *   for spaces, https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 * - SQS records (`eventSource: aws:sqs`, `messageId`, `body`, `eventSourceARN`,
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
 * - EventBridge Scheduler delivers the schedule's `Input` as the event; faasport writes an envelope
 *   `{faasport: "schedule", ...}` with Scheduler's context attributes
 *   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).
 */

import {
  callForEach,
  eventTypes,
  fromBase64,
  handlerLoader,
  invocationRequest,
  isRecord as isObject,
  jsonLineLogger,
  proxyResultOf,
  queueMessageEvent,
  randomRequestId as randomId,
  storageCloudEvent,
  toResponse,
  type WebResult,
} from '@faasport/core/handler';

/** What the shim needs to know about the user's handler; written into the shim file at deploy time. @public */
export interface ShimConfig {
  /** The user's module file inside the code package, e.g. `index.mjs`. */
  module: string;
  /** The export to call, e.g. `default`. */
  export: string;
  contract: 'web' | 'event';
  functionName: string;
  /** The revision label, shown as `ctx.revision`. */
  revision: string;
}

/** Lambda's Node.js context object, as far as the shim reads it. @public */
export interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  getRemainingTimeInMillis?(): number;
  [key: string]: unknown;
}

/** The result a function URL (payload 2.0) takes from a function. @public */
export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

/** The shim's exports: the Lambda handler and its pieces (for tests). @public */
export interface LambdaShim {
  handler(event: unknown, context?: LambdaContext): Promise<unknown>;
  requestFromHttpEvent(event: Record<string, unknown>): Request;
  httpResultFrom(response: Response): Promise<FunctionUrlResult>;
  cloudEventsFrom(event: unknown, context?: LambdaContext): Array<Record<string, unknown>>;
}

/**
 * Builds the shim. `importModule` loads a file of the code package by its relative name.
 *
 * @public
 */
export function createLambdaShim(
  config: ShimConfig,
  importModule: (file: string) => Promise<Record<string, unknown>>,
): LambdaShim {
  function isHttpEvent(event: unknown): event is Record<string, unknown> {
    return isObject(event) && isObject(event.requestContext) && isObject(event.requestContext.http);
  }

  function requestFromHttpEvent(event: Record<string, unknown>): Request {
    const headers = new Headers();
    for (const [key, value] of Object.entries(isObject(event.headers) ? event.headers : {}))
      if (value !== undefined && value !== null) headers.set(key, String(value));
    // Payload 2.0 moves cookies out of the headers into an array.
    if (Array.isArray(event.cookies) && event.cookies.length) headers.set('cookie', event.cookies.join('; '));
    const http = (event.requestContext as Record<string, Record<string, unknown>>).http!;
    const method = typeof http.method === 'string' ? http.method.toUpperCase() : 'GET';
    const host =
      headers.get('host') ??
      (typeof (event.requestContext as Record<string, unknown>).domainName === 'string'
        ? String((event.requestContext as Record<string, unknown>).domainName)
        : 'localhost');
    const proto = headers.get('x-forwarded-proto') ?? 'https';
    const path = typeof event.rawPath === 'string' && event.rawPath.startsWith('/') ? event.rawPath : '/';
    const query = typeof event.rawQueryString === 'string' ? event.rawQueryString : '';
    let body: Uint8Array | string | undefined;
    if (typeof event.body === 'string' && event.body !== '' && method !== 'GET' && method !== 'HEAD')
      body = event.isBase64Encoded ? fromBase64(event.body) : event.body;
    return new Request(`${proto}://${host}${path}${query ? `?${query}` : ''}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: body as BodyInit }),
    });
  }

  async function httpResultFrom(response: Response): Promise<FunctionUrlResult> {
    // Payload 2.0 takes every Set-Cookie in `cookies`.
    const { cookies, ...result } = await proxyResultOf(response);
    return cookies.length ? { ...result, cookies } : result;
  }

  function isoTime(value: unknown): string {
    const at = typeof value === 'string' || typeof value === 'number' ? new Date(value) : new Date();
    return Number.isNaN(at.getTime()) ? new Date().toISOString() : at.toISOString();
  }
  function withData(data: unknown): Record<string, unknown> {
    return data === undefined || data === ''
      ? {}
      : { datacontenttype: typeof data === 'string' ? 'text/plain' : 'application/json', data };
  }

  function cloudEventsFrom(event: unknown, context?: LambdaContext): Array<Record<string, unknown>> {
    const requestId = context?.awsRequestId ?? randomId();
    if (isObject(event) && event.specversion === '1.0' && typeof event.type === 'string') return [event];
    if (isObject(event) && event.faasport === 'schedule') {
      const name = typeof event.schedule === 'string' ? event.schedule : 'schedule';
      return [
        {
          specversion: '1.0',
          id: typeof event.id === 'string' && !event.id.startsWith('<') ? event.id : requestId,
          type: eventTypes.schedule,
          source: `lambda:scheduler/${name.split('/').pop()}`,
          subject: name.split('/').pop(),
          time: isoTime(
            typeof event.time === 'string' && !event.time.startsWith('<') ? event.time : undefined,
          ),
          ...withData(event.payload),
        },
      ];
    }
    if (isObject(event) && Array.isArray(event.Records)) {
      const records = event.Records.filter(isObject);
      return records.map((record, i) => {
        const id =
          typeof record.messageId === 'string'
            ? record.messageId
            : `${requestId}${records.length > 1 ? `-${i}` : ''}`;
        if (record.eventSource === 'aws:sqs') {
          // The portable dev.faasport.queue.message (decision 0013). The topic is the queue's name (the
          // last part of its ARN); SQS counts receives (attributes.ApproximateReceiveCount).
          const queue =
            typeof record.eventSourceARN === 'string' ? (record.eventSourceARN.split(':').pop() ?? '') : '';
          const attributes = isObject(record.attributes) ? record.attributes : {};
          const attempt = Number(attributes.ApproximateReceiveCount);
          const sent = Number(attributes.SentTimestamp);
          return queueMessageEvent({
            topic: queue,
            id,
            body: typeof record.body === 'string' ? record.body : '',
            ...(Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}),
            ...(sent > 0 ? { time: new Date(sent).toISOString() } : {}),
          });
        }
        const s3 = isObject(record.s3) ? record.s3 : {};
        const bucket = isObject(s3.bucket) && typeof s3.bucket.name === 'string' ? s3.bucket.name : '';
        const object = isObject(s3.object) ? s3.object : {};
        const key = typeof object.key === 'string' ? decodeURIComponent(object.key.replace(/\+/g, ' ')) : '';
        return storageCloudEvent({ id, source: `lambda:s3/${bucket}`, bucket, key, record, object });
      });
    }
    return [
      {
        specversion: '1.0',
        id: requestId,
        type: eventTypes.invoke,
        source: `lambda:function/${config.functionName}`,
        time: new Date().toISOString(),
        ...(event === undefined || event === null ? {} : withData(event)),
      },
    ];
  }

  function contextFor(context: LambdaContext | undefined, raw: unknown) {
    const remaining = () =>
      typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 30_000;
    const deadline = Date.now() + remaining();
    const requestId = context?.awsRequestId ?? randomId();
    const env: Record<string, string | undefined> = {};
    const processEnv =
      (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
    for (const [k, v] of Object.entries(processEnv)) env[k] = v;
    return {
      requestId,
      functionName: context?.functionName ?? config.functionName,
      revision: config.revision,
      target: 'lambda',
      deadline,
      remainingMs: () => Math.max(0, deadline - Date.now()),
      env: Object.freeze(env),
      // Lambda sends what a function writes to stdout and stderr to CloudWatch Logs.
      log: jsonLineLogger(requestId, (level, text) =>
        level === 'error' ? console.error(text) : console.log(text),
      ),
      raw: { event: raw, context },
    };
  }

  const loadUserHandler = handlerLoader(importModule, config.module, config.export);

  async function handler(event: unknown, context?: LambdaContext): Promise<unknown> {
    const fn = await loadUserHandler();
    const ctx = contextFor(context, event);
    if (config.contract === 'web') {
      const request = isHttpEvent(event) ? requestFromHttpEvent(event) : invocationRequest(event);
      return httpResultFrom(toResponse((await fn(request, ctx)) as WebResult));
    }
    // SQS batches report no failures: a throw fails the whole batch, which Lambda retries.
    return callForEach(fn, cloudEventsFrom(event, context), ctx);
  }

  return { handler, requestFromHttpEvent, httpResultFrom, cloudEventsFrom };
}
