/**
 * The executor: runs function code in OS processes, for the runtime's gateway and for the cloud
 * emulators. This interface is shared by `@faasport/runtime` (which implements it) and
 * `@faasport/emulators` (which run deployed code through it with each provider's native contract).
 */

/**
 * How the instance process talks to the code.
 * - `web`: faasport web handler `(Request, ctx) => Response`.
 * - `event`: faasport event handler `(CloudEvent, ctx) => result`.
 * - `fc-http`: FC 2.0 Node HTTP handler `(req, resp, context)`.
 * - `fc-event`: FC 2.0 Node event handler `(event: Buffer, context, callback)`.
 * - `fg-event`: FunctionGraph Node handler `(event, context)` returning a value or a promise
 *   (APIG events give `{statusCode, headers, body, isBase64Encoded}`).
 * - `lambda`: AWS Lambda Node handler `(event, context)`.
 * - `http`: any command that serves HTTP on `$PORT` (custom runtimes, containers run as commands,
 *   FunctionGraph custom images on 8000, FC custom containers on caPort).
 */
export type ExecutionContract = 'web' | 'event' | 'fc-http' | 'fc-event' | 'fg-event' | 'lambda' | 'http';

/** What to run. */
export interface ExecutableSpec {
  /** A unique id for this code + config (used for pooling and logs), e.g. `fc/svc/fn@3`. */
  id: string;
  /** The folder holding the unpacked code. */
  codeDir: string;
  /** `nodejs20`, `python3.11`, `custom`... */
  runtime: string;
  /** `file.export` for language runtimes; unused for `http`. */
  handler?: string;
  /** FC / FunctionGraph initializer `file.export`, called once per instance before the first call. */
  initializer?: string;
  contract: ExecutionContract;
  /** For `http`: the command and args to start (run in `codeDir` unless `workdir` is set). */
  command?: string[];
  workdir?: string;
  /** For `http`: the port the command listens on. The executor sets `PORT` (and for FunctionGraph-style
   * commands that hard-code 8000 it maps the port: see `fixedPort`). */
  port?: number;
  /** Set when the code listens on a fixed port it does not take from `$PORT` (e.g. 8000). */
  fixedPort?: boolean;
  /** The only environment the instance sees (plus PATH and the runtime's own variables). */
  env: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  /** Most concurrent requests per instance. */
  concurrency: number;
  /** Most instances at once. */
  maxInstances: number;
  /** Instances kept warm. */
  minInstances?: number;
  /** Seconds an instance may sit idle before it is stopped. */
  idleSeconds?: number;
  /** Names for the handler context. */
  functionName: string;
  revision: string;
  target: string;
}

/** The result of an event-style invocation. */
export interface EventResult {
  /** The bytes the handler returned (JSON-encoded when it returned a value). */
  body: Uint8Array;
  /** Set when the function threw or called back with an error: the error message. */
  error?: { message: string; type?: string; stack?: string };
  /** Log lines the invocation wrote. */
  logs: string[];
  durationMs: number;
  requestId: string;
}

/** A deployed executable: instances are started on demand and scaled by the executor. */
export interface Executable {
  readonly spec: ExecutableSpec;
  /** Sends an HTTP request through the instance (web, fc-http, http contracts; APIG-shaped for fg-event). */
  fetch(request: Request, options?: { requestId?: string; signal?: AbortSignal }): Promise<Response>;
  /** Sends an event payload (event, fc-event, fg-event, lambda contracts). */
  invokeEvent(payload: Uint8Array, options?: { requestId?: string; context?: Record<string, unknown>; signal?: AbortSignal }): Promise<EventResult>;
  /** Stops every instance. */
  close(): Promise<void>;
}

/** Runs executables. */
export interface Executor {
  load(spec: ExecutableSpec): Promise<Executable>;
  close(): Promise<void>;
}
