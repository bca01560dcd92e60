import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Duplex, Readable, Writable } from 'node:stream';
import { FrameChannel } from './frames';
import type { CallMessage, EventReply, HttpReply } from './messages';
import { killGroup, killProcessTree } from './process-tree';
import type { Sandbox } from './sandbox';
import type { InstanceStopReason, WebRequestMode } from './types';

export type { CallMessage, EventReply, HttpReply } from './messages';

/** A log line an instance wrote. */
export interface InstanceLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  rid?: string;
  time: string;
  /** The fields of a `ctx.log.*(message, fields)` call. */
  fields?: Record<string, unknown>;
}

/** What every kind of instance offers the scheduler. */
export interface Instance {
  readonly id: string;
  /** Calls running now. */
  inFlight: number;
  /** When the last call finished (epoch ms). */
  lastUsed: number;
  /** Why it stopped, once it has. */
  stopReason?: InstanceStopReason;
  /** The process id, for reading its CPU use. */
  readonly pid?: number;
  /**
   * Whether the instance accepts calls beyond its concurrency and runs them in order, each when an
   * earlier one has answered (never more than its concurrency at once).
   */
  readonly pipelines?: boolean;
  call(message: CallMessage): Promise<HttpReply | EventReply>;
  /** Stops the process at once (SIGKILL). */
  kill(reason: InstanceStopReason): void;
  /** Called once when the process is gone. */
  onExit(listener: (reason: InstanceStopReason, detail: string) => void): void;
  /** Where the instance's log lines go. */
  setLogSink(sink: (log: InstanceLog) => void): void;
}

/** The message a generic worker gets to become an instance of one function. */
export interface LoadMessage {
  codeDir: string;
  handler?: string;
  initializer?: string;
  contract: string;
  env: Record<string, string>;
  baseEnv: Record<string, string>;
  functionName: string;
  revision: string;
  target: string;
  timeoutMs: number;
  memoryMb: number;
  /** Most calls running at once: calls beyond it wait in the instance, in the order they came. */
  concurrency?: number;
}

/**
 * Whether lazy Web Requests work in Node workers started with given flags, once the first such worker
 * has checked (they all run this process's Node): later workers are told instead of checking again.
 */
const lazyVerdicts = new Map<string, 'lazy' | 'eager'>();

/** Thrown by instance calls when the process went away; the scheduler turns it into an ExecutionError. */
export class InstanceGoneError extends Error {
  constructor(
    readonly reason: InstanceStopReason,
    detail: string,
    /** For a failed load: the worker's error type (`HandlerNotFound` for a missing export) and stack. */
    readonly load?: { type?: string; stack?: string },
  ) {
    super(detail);
  }
}

type Pending = { resolve: (reply: HttpReply | EventReply) => void; reject: (error: Error) => void };

/** The variables every instance gets besides its own: enough to find programs and write temp files. */
export function baseEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SYSTEMROOT']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Keeps the last bytes of a stream's output, for start-failure messages. */
function tailCollector(limit = 2000) {
  let text = '';
  return {
    add(chunk: string) {
      text = (text + chunk).slice(-limit);
    },
    get: () => text.trim(),
  };
}

/** Splits a stream into lines and hands each to `onLine`. */
function forwardLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    rest += chunk;
    let index = rest.indexOf('\n');
    while (index >= 0) {
      const line = rest.slice(0, index);
      rest = rest.slice(index + 1);
      if (line.trim()) onLine(line);
      index = rest.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (rest.trim()) onLine(rest);
  });
}

/**
 * What every instance backed by a child process shares: identity and counters for the scheduler,
 * start-up log lines kept for the first sink, the tail of stderr for failure messages, and the
 * exit bookkeeping (one report, to every listener, with the reason and that tail).
 */
export abstract class ChildInstance implements Instance {
  readonly id = `i-${randomUUID().slice(0, 8)}`;
  inFlight = 0;
  lastUsed = Date.now();
  stopReason?: InstanceStopReason;
  protected exited = false;
  /** How the process ended (`exited with code 1`, `killed by SIGKILL`), once it has. */
  protected exitDetail = '';
  protected readonly stderrTail = tailCollector();
  private exitMessage = '';
  private stderrDone: Promise<unknown> = Promise.resolve();
  private exitListeners: Array<(reason: InstanceStopReason, detail: string) => void> = [];
  private logSink?: (log: InstanceLog) => void;
  /** Lines written before anyone listened (start-up output), kept for the first sink. */
  private readonly early: InstanceLog[] = [];

  abstract call(message: CallMessage): Promise<HttpReply | EventReply>;
  abstract kill(reason: InstanceStopReason): void;

  setLogSink(sink: (log: InstanceLog) => void): void {
    this.logSink = sink;
    for (const log of this.early.splice(0)) sink(log);
  }

  onExit(listener: (reason: InstanceStopReason, detail: string) => void): void {
    if (this.exited) listener(this.stopReason ?? 'crash', this.exitMessage);
    else this.exitListeners.push(listener);
  }

  protected deliver(log: InstanceLog): void {
    if (this.logSink) this.logSink(log);
    else if (this.early.length < 100) this.early.push(log);
  }

  /**
   * Stops what the process started once it is gone (its process group: children that did not leave
   * it), then runs `cleanup` (its scratch folder).
   */
  protected contain(child: ChildProcess, cleanup: () => void = () => undefined): void {
    child.once('exit', () => {
      // The group id stays allocated while any member lives, so it cannot name another process.
      if (child.pid !== undefined) killGroup(child.pid);
      cleanup();
    });
  }

  /** Turns the child's stdout and stderr into log lines, and watches for its end. */
  protected watch(child: ChildProcess, startFailure: (error: Error) => string): void {
    const stderr = child.stderr;
    if (stderr)
      this.stderrDone = new Promise((resolve) => {
        stderr.once('end', resolve);
        stderr.once('close', resolve);
      });
    forwardLines(child.stdout, (line) =>
      this.deliver({ level: 'info', message: line, time: new Date().toISOString() }),
    );
    forwardLines(child.stderr, (line) => {
      this.stderrTail.add(`${line}\n`);
      this.deliver({ level: 'error', message: line, time: new Date().toISOString() });
    });
    child.on('error', (error) => this.handleExit(startFailure(error)));
    child.on('exit', (code, signal) => {
      const detail = signal ? `killed by ${signal}` : `exited with code ${code}`;
      // No new calls from here on; the exit is reported once the answers it wrote are read.
      this.stopReason ??= 'crash';
      const read = this.outputRead();
      if (read) void read.then(() => this.handleExit(detail));
      else this.handleExit(detail);
    });
  }

  /**
   * Resolves once the answers the process wrote before it exited have been read, so a call it
   * answered is not reported as lost; `undefined` when there is nothing to wait for.
   */
  protected outputRead(): Promise<void> | undefined {
    return undefined;
  }

  /**
   * Waits, at most `limitMs`, until all the process wrote to stderr has been read: its exit can be seen
   * before the last lines of its output, and those are usually the reason it stopped.
   */
  protected async stderrRead(limitMs = 250): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.stderrDone, new Promise((resolve) => (timer = setTimeout(resolve, limitMs)))]);
    clearTimeout(timer);
  }

  /** `what`, followed by the last lines the process wrote to stderr. */
  protected describe(what: string): string {
    const tail = this.stderrTail.get();
    return tail ? `${what}: ${tail}` : what;
  }

  /** Fails whatever waits on the process; called once, before the exit listeners hear of it. */
  protected abstract onExited(gone: InstanceGoneError): void;

  private handleExit(detail: string): void {
    if (this.exited) return;
    this.exited = true;
    this.exitDetail = detail;
    this.stopReason ??= 'crash';
    this.exitMessage = this.describe(`the instance ${detail}`);
    this.onExited(new InstanceGoneError(this.stopReason, this.exitMessage));
    for (const listener of this.exitListeners) listener(this.stopReason, this.exitMessage);
    this.exitListeners = [];
  }
}

/**
 * A generic worker process (Node.js or Python) speaking the executor's message protocol. It starts
 * without code; {@link WorkerProcess.load} turns it into an instance of one function.
 */
export class WorkerProcess extends ChildInstance {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readyWaiter?: { resolve: () => void; reject: (error: Error) => void };
  private loadWaiter?: { resolve: () => void; reject: (error: Error) => void };
  private readonly lineChannel?: Writable;
  private readonly frames?: FrameChannel;
  /** The Node flags this worker runs with: lazy Web Requests are judged per set of flags. */
  private verdictKey = '';

  /** Starts the process; wait for {@link WorkerProcess.ready} before loading. */
  constructor(
    readonly kind: 'node' | 'python',
    options: {
      script: string;
      memoryMb?: number;
      python?: string;
      nodeArgs?: string[];
      webRequest?: WebRequestMode;
      env: Record<string, string>;
      /** Confines the process (see sandbox.ts); without it, it runs as the runtime's user. */
      sandbox?: Sandbox;
      /** What a confined worker may read besides the system: the code root. */
      read?: string[];
    },
  ) {
    super();
    const command =
      kind === 'node'
        ? [
            process.execPath,
            ...(options.memoryMb
              ? [`--max-old-space-size=${Math.max(16, Math.floor(options.memoryMb))}`]
              : []),
            ...(options.nodeArgs ?? []),
            options.script,
          ]
        : [options.python ?? 'python3', '-u', options.script];
    const confined = options.sandbox?.wrap(command, options.read ?? []);
    const [file, ...args] = confined?.command ?? command;
    // Its own process group (and session): stopping the instance stops whatever it started too.
    const spawnOptions = {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'] as ('ignore' | 'pipe')[],
      detached: true,
    };
    const scratch = confined?.scratch ? { FAASPORT_SCRATCH: confined.scratch, TMPDIR: confined.scratch } : {};
    if (kind === 'node') {
      this.verdictKey = (options.nodeArgs ?? []).join(' ');
      const webRequest =
        options.webRequest && options.webRequest !== 'auto'
          ? options.webRequest
          : lazyVerdicts.get(this.verdictKey);
      this.child = spawn(file!, args, {
        ...spawnOptions,
        // Read by the worker before it loads a function (which replaces the environment).
        env: { ...options.env, ...scratch, ...(webRequest ? { FAASPORT_WEB_REQUEST: webRequest } : {}) },
      });
      this.frames = new FrameChannel(
        this.child.stdio[3] as unknown as Duplex,
        (message) => this.onMessage(message),
        (reason) => {
          // Code in the instance can write to its channel: garbage there stops that instance only.
          this.stderrTail.add(`the instance broke the executor protocol (${reason})\n`);
          this.kill('crash');
        },
      );
    } else {
      this.child = spawn(file!, args, {
        ...spawnOptions,
        env: { ...options.env, ...scratch, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      });
      const channel = this.child.stdio[3] as unknown as Readable & Writable;
      this.lineChannel = channel;
      forwardLines(channel, (line) => {
        try {
          this.onMessage(fromPythonWire(JSON.parse(line)));
        } catch {
          this.stderrTail.add(`bad message from worker: ${line.slice(0, 200)}\n`);
        }
      });
      channel.on('error', () => undefined);
    }
    this.contain(this.child, () => confined?.cleanup());
    this.watch(this.child, (error) => `could not start: ${error.message}`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The Node worker runs calls beyond its concurrency in turn; the Python worker does not queue them. */
  get pipelines(): boolean {
    return this.kind === 'node';
  }

  /** Resolves when the worker has started and waits for code. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.exited)
        reject(new InstanceGoneError('start-failed', this.describe('worker exited before it was ready')));
      else this.readyWaiter = { resolve, reject };
    });
  }

  /** Loads the function's code into the worker; rejects with the load error (missing file, syntax...). */
  load(spec: LoadMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.loadWaiter = { resolve, reject };
      this.send({ t: 'load', spec });
    });
  }

  call(message: CallMessage): Promise<HttpReply | EventReply> {
    if (this.exited)
      return Promise.reject(new InstanceGoneError(this.stopReason ?? 'crash', 'the instance has stopped'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The message is built for this call alone: tagging it saves a copy per call.
      (message as CallMessage & { id: number }).id = id;
      this.send(message);
    });
  }

  kill(reason: InstanceStopReason): void {
    if (this.exited) return;
    this.stopReason ??= reason;
    const pid = this.child.pid;
    if ((reason === 'idle' || reason === 'closed') && this.frames) {
      // A quiet stop: what the function started is stopped first (it would outlive the worker), then
      // closing the channel makes the worker exit on its own (flushing what it must); it is killed if
      // it has not within a second.
      if (pid !== undefined) killProcessTree(pid, false);
      (this.child.stdio[3] as unknown as Duplex).end();
      setTimeout(() => {
        if (!this.exited) pid !== undefined ? killProcessTree(pid, true) : this.child.kill('SIGKILL');
      }, 1000).unref();
      return;
    }
    if (pid !== undefined) killProcessTree(pid, true);
    else this.child.kill('SIGKILL');
  }

  private send(message: Record<string, unknown>): void {
    if (this.frames) {
      this.frames.send(message);
      return;
    }
    this.lineChannel?.write(`${JSON.stringify(toPythonWire(message))}\n`);
  }

  private onMessage(message: Record<string, unknown>): void {
    switch (message.t) {
      case 'ready':
        // A worker that checked lazy Web Requests reports before any function code runs in it.
        if (
          this.readyWaiter &&
          typeof message.lazyRequests === 'boolean' &&
          !lazyVerdicts.has(this.verdictKey)
        )
          lazyVerdicts.set(this.verdictKey, message.lazyRequests ? 'lazy' : 'eager');
        this.readyWaiter?.resolve();
        this.readyWaiter = undefined;
        return;
      case 'loaded':
        this.loadWaiter?.resolve();
        this.loadWaiter = undefined;
        return;
      case 'loadError': {
        const error = message.error as { message: string; type?: string; stack?: string };
        const failed = new InstanceGoneError('start-failed', error.message, {
          type: error.type,
          stack: error.stack,
        });
        this.loadWaiter?.reject(failed);
        this.loadWaiter = undefined;
        // Calls sent behind the load message never ran: they fail with the reason it did not load.
        for (const waiter of this.pending.values()) waiter.reject(failed);
        this.pending.clear();
        return;
      }
      case 'logs':
        // The Node worker's log lines of one turn, in the order they were written.
        if (Array.isArray(message.lines))
          for (const line of message.lines as Array<Record<string, unknown>>)
            if (line && typeof line === 'object') this.deliverLine(line);
        return;
      case 'log':
        this.deliverLine(message);
        return;
      case 'res':
      case 'eres': {
        const id = message.id as number;
        const waiter = this.pending.get(id);
        if (!waiter) return;
        this.pending.delete(id);
        waiter.resolve(message as unknown as HttpReply | EventReply);
        return;
      }
    }
  }

  /** A log line as the worker sent it (`level`, `message`, `rid`, `time`, `fields`). */
  private deliverLine(line: Record<string, unknown>): void {
    const fields = line.fields;
    const log: InstanceLog = {
      level: line.level as InstanceLog['level'],
      message: String(line.message),
      rid: typeof line.rid === 'string' ? line.rid : undefined,
      time: String(line.time),
    };
    if (fields && typeof fields === 'object') log.fields = fields as Record<string, unknown>;
    this.deliver(log);
  }

  protected override outputRead(): Promise<void> | undefined {
    return this.frames?.drained(250);
  }

  protected onExited(gone: InstanceGoneError): void {
    this.readyWaiter?.reject(new InstanceGoneError('start-failed', gone.message));
    // Calls sent behind a load that never finished never ran: they fail as the start did.
    const loadFailed = this.loadWaiter ? new InstanceGoneError('start-failed', gone.message) : undefined;
    if (loadFailed) this.loadWaiter?.reject(loadFailed);
    for (const waiter of this.pending.values()) waiter.reject(loadFailed ?? gone);
    this.pending.clear();
  }
}

function toPythonWire(message: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...message };
  if (message.body instanceof Uint8Array) {
    out.body64 = Buffer.from(message.body).toString('base64');
    delete out.body;
  }
  if (message.payload instanceof Uint8Array) {
    out.payload64 = Buffer.from(message.payload).toString('base64');
    delete out.payload;
  }
  return out;
}

function fromPythonWire(message: Record<string, unknown>): Record<string, unknown> {
  if (message.t !== 'res' && message.t !== 'eres') return message;
  const { body64, ...rest } = message;
  const bytes = typeof body64 === 'string' ? new Uint8Array(Buffer.from(body64, 'base64')) : null;
  return { ...rest, body: message.t === 'eres' ? (bytes ?? new Uint8Array()) : bytes };
}
