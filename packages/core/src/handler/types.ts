/**
 * A CloudEvents 1.0 event, as an `event` handler receives it from schedule, storage, queue and event
 * triggers. Extension attributes appear as extra lower-case keys.
 *
 * @public
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: T;
  /** Base64 data, for binary payloads in structured mode. */
  data_base64?: string;
  [extension: string]: unknown;
}

/** A structured log sink bound to one invocation. @public */
export interface HandlerLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What a handler gets besides its request or event, on every target.
 *
 * @public
 */
export interface Context {
  /** The id of this invocation (the platform's request id where it has one). */
  readonly requestId: string;
  /** The function's name. */
  readonly functionName: string;
  /** The revision label serving this call. */
  readonly revision: string;
  /** Which target is running it: the adapter name, e.g. `local`, `knative`, `fc3`, `lambda`. */
  readonly target: string;
  /** When the platform will stop this invocation, in epoch milliseconds. */
  readonly deadline: number;
  /** Milliseconds left before the deadline. */
  remainingMs(): number;
  /** The function's environment variables and secrets. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A logger whose lines carry the request id. */
  readonly log: HandlerLogger;
  /** The platform's own event and context objects, for what the portable contract does not cover. */
  readonly raw: unknown;
}

/** What a web handler may return: a Response, text, bytes, a JSON-able value, or nothing (204). @public */
export type WebResult =
  | Response
  | string
  | Uint8Array
  | ArrayBuffer
  | Record<string, unknown>
  | unknown[]
  | number
  | boolean
  | null
  | undefined
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing has type void, and must be accepted.
  | void;

/** A handler of the `web` contract: a Web `Request` in, a `Response` (or something that becomes one) out. @public */
export type WebHandler = (request: Request, context: Context) => WebResult | Promise<WebResult>;

/** A handler of the `event` contract: a CloudEvent in, any JSON-able result out. @public */
export type EventHandler<T = unknown, R = unknown> = (
  event: CloudEvent<T>,
  context: Context,
) => R | Promise<R>;

/**
 * The CloudEvent `type` of each trigger kind, the same on every target, so an `event` handler can tell
 * its triggers apart portably. Provider-specific events keep their own types.
 *
 * @public
 */
export const eventTypes = {
  /** A schedule (cron) trigger fired. */
  schedule: 'dev.faasport.schedule',
  /** An object was written to a watched bucket. */
  storageCreated: 'dev.faasport.storage.object.created',
  /** An object was deleted from a watched bucket. */
  storageDeleted: 'dev.faasport.storage.object.deleted',
  /** One message from a queue trigger's topic (decision 0013); see `queueMessageEvent`. */
  queueMessage: 'dev.faasport.queue.message',
  /** A direct event invocation (`invoke --mode event`, InvokeFunction, a sync FunctionGraph call). */
  invoke: 'dev.faasport.invoke',
} as const;
