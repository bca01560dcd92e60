/**
 * The executor: runs function code in OS processes, for the runtime's gateway and for the cloud
 * emulators. This interface is shared by `@faasport/runtime` (which implements it) and
 * `@faasport/emulators` (which run deployed code through it with each provider's native contract).
 */

import type { ExecutionContract } from './contracts';

export type { ExecutionContract };

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
  /** Set when the code listens on a fixed port it does not take from `$PORT` (e.g. 8000). Node commands
   * are remapped to a free port (so several instances can run); other commands keep the port and are
   * limited to one instance. */
  fixedPort?: boolean;
  /** For `http`: the lifecycle paths. `initPath` (e.g. `/init` for FunctionGraph custom images,
   * `/initialize` for FC custom runtimes) is POSTed once per instance before its first call;
   * `invokePath` (default `/invoke`) receives `invokeEvent` payloads. */
  http?: { initPath?: string; invokePath?: string; initHeaders?: Record<string, string> };
  /** Milliseconds an instance may take to start (process + module load + readiness). Default 10 000. */
  startTimeoutMs?: number;
  /**
   * Where the code came from (the user's source folder). Paths into `codeDir` in the instance's log
   * lines, error stacks and start failures are shown under this folder instead, so a stack trace names
   * the file the user edits, not the runtime's copy.
   */
  sourceRoot?: string;
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
  /**
   * Called before each instance starts (e.g. to check that the code folder holds what was deployed);
   * a throw refuses the start with that error.
   */
  beforeStart?: () => void;
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
  /**
   * Sends an HTTP request through an instance (web, fc-http, http contracts; APIG-shaped for fg-event,
   * function-URL-shaped for lambda, FC 3.0's HTTP event for fc3-event; a CloudEvent in binary or
   * structured mode for event).
   * Handler failures become responses (500); platform failures throw {@link ExecutionError}
   * (`timeout` 504, `crash` 502, `start` 502, `overloaded` 429, `aborted`).
   */
  fetch(request: Request, options?: InvokeCallOptions): Promise<Response>;
  /**
   * Sends an event payload (event, fc-event, fc3-event, fg-event, lambda contracts; POSTed to `http.invokePath`
   * for http, to `/` for web). Handler failures are reported in `EventResult.error`; platform
   * failures throw {@link ExecutionError}.
   */
  invokeEvent(payload: Uint8Array, options?: InvokeCallOptions): Promise<EventResult>;
  /**
   * Starts one instance now, unless one is running, and resolves once it is ready to serve: the code is
   * loaded and the handler resolved. Rejects with a `StartError` saying why it could not start (a
   * missing handler file or export, an error thrown while the module loaded). The instance then serves
   * calls like any other.
   */
  start(): Promise<void>;
  /**
   * Stops the instances that serve no call now, down to `minInstances`, as if their idle window had
   * passed; busy ones stop when they are idle for that window.
   */
  stopIdle(): void;
  /** Instances and load right now. */
  stats(): ExecutableStats;
  /** Stops every instance. */
  close(): Promise<void>;
}

/** Options of one call. */
export interface InvokeCallOptions {
  requestId?: string;
  /** Extra fields merged into the provider context object the handler sees (FC `service`, `region`...). */
  context?: Record<string, unknown>;
  /** Extra request headers for `http` contract event calls (FC `x-fc-*`, FunctionGraph `X-CFF-*`). */
  headers?: Record<string, string>;
  /** The client address, for handlers that read it (FC `clientIP`). */
  clientIp?: string;
  signal?: AbortSignal;
}

/** Load of an executable. */
export interface ExecutableStats {
  /** Instances running or starting. */
  instances: number;
  /** Instances starting. */
  starting: number;
  /** Calls running. */
  inFlight: number;
  /** Calls waiting for an instance. */
  queued: number;
  /**
   * Calls sent ahead to a busy instance, waiting inside it for their turn (short calls only; the
   * instance still runs no more than its concurrency at once).
   */
  held: number;
  /** Instances started since load (cold starts). */
  started: number;
}

/** Why an instance stopped. */
export type InstanceStopReason = 'idle' | 'timeout' | 'crash' | 'closed' | 'start-failed';

/** What the executor reports while it works (for logs and metrics). */
export interface ExecutorObserver {
  /** A line written by function code; `requestId` is set when it was written during a call. */
  log?(entry: ExecutorLogEntry): void;
  /** An instance became ready; `fromPool` tells whether a pre-started worker was used. */
  instanceStarted?(info: {
    executableId: string;
    instanceId: string;
    startMs: number;
    fromPool: boolean;
  }): void;
  instanceStopped?(info: { executableId: string; instanceId: string; reason: InstanceStopReason }): void;
}

/** One log line of function code. */
export interface ExecutorLogEntry {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** The fields of a `ctx.log.*(message, fields)` call. */
  fields?: Record<string, unknown>;
  requestId?: string;
  executableId: string;
  functionName: string;
  revision: string;
  instanceId: string;
}

/** Options of {@link createExecutor}. */
export interface ExecutorOptions {
  /** Pre-started generic workers kept per runtime (and memory size). Default 1; 0 disables the pool. */
  warmPool?: number;
  /** Calls that may wait for an instance, per executable, before new calls get `overloaded`. Default 1000. */
  maxQueue?: number;
  /** How long a call may wait for an instance before it fails with `overloaded`. Default: the timeout, at least 10 s. */
  queueTimeoutMs?: number;
  /** Folders added to NODE_PATH of Node instances, so `require('raw-body')` resolves. Default: the runtime's own node_modules. */
  nodePath?: string[];
  /** Extra Node.js flags for Node worker processes, e.g. `['--cpu-prof']` to profile function code. */
  nodeArgs?: string[];
  /**
   * How Node workers build a `web` handler's Request. By default (`auto`) lazily when the first worker's
   * start-up check finds that lazy requests behave as real ones on this Node, else eagerly; `lazy` and
   * `eager` skip the check (for tests and diagnostics). See docs/decisions/0019-lazy-web-request.md.
   */
  webRequest?: WebRequestMode;
  /** The Python interpreter. Default: `python3.x` when the runtime names one that exists, else `python3`. */
  python?: string;
  observer?: ExecutorObserver;
  /**
   * Confine every instance (Landlock, and another user or no capabilities when the runtime is root):
   * pooled workers may read below `codeRoot`, nothing else of `dataDir`. Off when not given.
   */
  sandbox?: { codeRoot: string; dataDir: string; writable?: string[] };
}

/** How Node workers build a `web` handler's Request (see {@link ExecutorOptions.webRequest}). */
export type WebRequestMode = 'auto' | 'lazy' | 'eager';

/** How instances are confined (see docs/adapters/local.md, "Security model"). */
export interface ExecutorIsolation {
  /** `landlock`: file access confined by the kernel; `none`: instances see what the runtime's user sees. */
  level: 'landlock' | 'none';
  /** Who instances run as: another user, uid 0 without capabilities, or the runtime's own user. */
  identity: 'user' | 'no-capabilities' | 'same';
  /** Why instances are not confined, when they are not. */
  reason?: string;
}

/** Runs executables. */
export interface Executor {
  /** Validates the spec and prepares the executable; instances start on the first call (or `minInstances` at once). */
  load(spec: ExecutableSpec): Promise<Executable>;
  /** Pre-starts generic workers for a runtime and memory size, so the first cold start of such a function is a module load. */
  prewarm(runtime: string, memoryMb: number): void;
  /** How instances are confined. */
  readonly isolation: ExecutorIsolation;
  /** Pre-started workers waiting in the warm pool now (a cold start takes one; the pool refills). */
  warmWorkers(): number;
  close(): Promise<void>;
}
