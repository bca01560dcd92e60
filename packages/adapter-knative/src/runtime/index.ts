/**
 * The faasport Knative runtime shim: turns a portable `web` or `event` handler into a fetch-style
 * function `(request) => Promise<Response>` for the HTTP server a Knative container runs on `$PORT`.
 * Event handlers receive CloudEvents in binary mode (`ce-*` headers) or structured mode
 * (`application/cloudevents+json`), as Knative Brokers, Triggers and PingSources send them.
 *
 * Web APIs only: its one import is core's Web-only `handler` subpath, bundled in, so it builds to one
 * standalone file (the runtime image's `runtime.mjs`).
 *
 * @packageDocumentation
 */

import {
  type CloudEvent,
  cloudEventFromRequest,
  eventTypes,
  fromBase64,
  queueMessageEvent,
  toResponse,
} from '@faasport/core/handler';

/** A CloudEvents 1.0 event, as core defines it. @public */
export type KnativeCloudEvent = CloudEvent;

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

/**
 * Turns a web handler's result into a Response (a Response, text, bytes, JSON, or 204 for nothing):
 * core's `toResponse`, under the name this entry has always exported. @public
 */
export const resultToResponse = toResponse as (result: unknown) => Response;

/**
 * Reads a CloudEvent from a request (binary or structured mode); `undefined` when it is not one:
 * core's `cloudEventFromRequest`, under the name this entry has always exported. @public
 */
export const readCloudEvent: (request: Request) => Promise<KnativeCloudEvent | undefined> =
  cloudEventFromRequest;

/** The CloudEvent type a PingSource sends, and the portable one schedule triggers have on every target. */
const pingSourceType = 'dev.knative.sources.ping';

/**
 * The CloudEvent type a KafkaSource gives a Kafka record that is not itself a CloudEvent, with `id`
 * `partition:<p>/offset:<o>` and `source` `/apis/v1/namespaces/<ns>/kafkasources/<name>#<topic>`
 * (knative-extensions/eventing-kafka-broker, data-plane/.../consumer/InvalidCloudEventInterceptor.java).
 */
const kafkaSourceType = 'dev.knative.kafka.event';

/**
 * The event as a portable handler sees it: a PingSource's tick becomes `dev.faasport.schedule`, as a
 * schedule trigger is on the local runtime, FC and FunctionGraph; a KafkaSource's record becomes
 * `dev.faasport.queue.message` (decision 0013). The Knative type stays in `knativetype`.
 */
function portableEvent(
  event: KnativeCloudEvent | undefined,
  body: Uint8Array | undefined,
): KnativeCloudEvent | undefined {
  if (event?.type === kafkaSourceType) return kafkaMessage(event, body);
  if (event?.type !== pingSourceType) return event;
  return { ...event, type: eventTypes.schedule, knativetype: pingSourceType };
}

/** A KafkaSource record as the portable queue message: the topic after `#` in the source, `<partition>/<offset>` as id. */
function kafkaMessage(event: KnativeCloudEvent, body: Uint8Array | undefined): KnativeCloudEvent {
  const source = String(event.source);
  const hash = source.lastIndexOf('#');
  if (hash < 0) return event;
  const at = /^partition:(\d+)\/offset:(\d+)$/.exec(event.id);
  const bytes =
    body ??
    (event.data_base64 !== undefined
      ? fromBase64(event.data_base64)
      : new TextEncoder().encode(
          typeof event.data === 'string'
            ? event.data
            : event.data === undefined
              ? ''
              : JSON.stringify(event.data),
        ));
  return {
    ...queueMessageEvent({
      topic: source.slice(hash + 1),
      id: at ? `${at[1]}/${at[2]}` : event.id,
      body: bytes,
      ...(event.datacontenttype ? { contentType: event.datacontenttype } : {}),
      ...(event.time ? { time: event.time } : {}),
    }),
    knativetype: kafkaSourceType,
  };
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
      // A KafkaSource record's body is the message's bytes, kept exact (binary mode).
      const body =
        request.headers.get('ce-type') === kafkaSourceType
          ? new Uint8Array(await request.clone().arrayBuffer())
          : undefined;
      const event = portableEvent(await readCloudEvent(request), body);
      if (!event) {
        return new Response(
          'expected a CloudEvent (ce-* headers, or content-type application/cloudevents+json)\n',
          { status: 400 },
        );
      }
      const result = await handler(event, { ...context, raw: { request, event } });
      // Answered by the web rules, as the local runtime answers events too.
      return resultToResponse(result);
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
