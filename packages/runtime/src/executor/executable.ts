import { randomUUID } from 'node:crypto';
import { CpuDemand, cpuSlots } from './cpu-demand';
import { ExecutionError, StartError } from './errors';
import { HttpInstance } from './http-instance';
import {
  type CallMessage,
  type EventReply,
  type HttpReply,
  type Instance,
  InstanceGoneError,
  type InstanceLog,
} from './instance';
import { sourcePathMapper } from './paths';
import type {
  EventResult,
  Executable,
  ExecutableSpec,
  ExecutableStats,
  ExecutorObserver,
  InstanceStopReason,
  InvokeCallOptions,
} from './types';

/**
 * Starts one instance of an executable (from the warm pool or fresh) and reports whether it was
 * pooled. With `loaded`, the instance takes calls before its code has loaded (it holds them until
 * then), and `loaded` settles once the code has loaded or failed to.
 */
export type InstanceFactory = () => Promise<{
  instance: Instance;
  fromPool: boolean;
  loaded?: Promise<void>;
}>;

interface Waiter {
  resolve: (instance: Instance) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

const nullBodyStatus = new Set([101, 103, 204, 205, 304]);
/** Instances of one executable that may be starting at the same time. */
const maxParallelStarts = 2;
/**
 * Calls an instance may hold beyond its concurrency, waiting inside it for their turn (the instance
 * runs them one after another, never more than its concurrency at once). One wake-up of the instance
 * then serves several short calls instead of one.
 */
const pipelineDepth = 64;
/**
 * How long (ms) a call may wait inside an instance behind the calls it holds, judged by how long calls
 * take lately: sending calls ahead saves a round trip each, which matters for short calls only, and
 * a call held behind long ones would wait while another instance may have freed up.
 */
const pipelineBudgetMs = 10;
/**
 * Beyond one instance per CPU, another starts only while the runtime and its busy instances want
 * less than this share of the CPUs (or, where that cannot be read, at least `1 - share` of them
 * stays idle), two readings in a row: the instances then wait (I/O, timers) rather than compute.
 */
const cpuBoundShare = 0.5;
/** How often the CPU demand of the instances is read while calls wait at the CPU ceiling. */
const demandIntervalMs = 100;

/**
 * Schedules calls of one executable over its instances: concurrency per instance, at most
 * `maxInstances`, `minInstances` kept warm, idle instances stopped, a bounded wait queue, and a
 * per-call timeout that kills the instance.
 *
 * Scaling for one machine (docs/decisions/0014-local-scaling.md): while calls wait, instances start up
 * to the number of CPUs this process may use; beyond that only while the running instances wait
 * (I/O, timers) rather than compute, up to `maxInstances`. Short calls are sent ahead to busy
 * instances that queue them inside, so a few processes serve many connections.
 */
export class ScheduledExecutable implements Executable {
  private readonly ready = new Set<Instance>();
  private starting = 0;
  private readonly queue: Waiter[] = [];
  private readonly idleTimers = new Map<Instance, NodeJS.Timeout>();
  private started = 0;
  private closed = false;
  private readonly maxInstances: number;
  /** Instances that may run without asking whether they compute or wait: the CPUs. */
  private readonly cpuSlots = cpuSlots();
  private readonly demand = new CpuDemand();
  /** The last answer to "do the instances wait rather than compute?", the last reading's, and when. */
  private waits = { value: false, seen: false, at: -Infinity };
  private recheck?: NodeJS.Timeout;
  /** Whether a scaling decision is already due at the end of this turn. */
  private scaleQueued = false;
  /** Moving average of how long a call runs in its instance (ms); unknown before the first answer. */
  private serviceMs?: number;
  /** Per instance, the calls it holds behind its running ones: each arms its timeout when it starts. */
  private readonly held = new Map<Instance, Array<() => void>>();
  /** Instances still loading their code, and the calls sent behind the load (their clocks start at the load's end). */
  private readonly loading = new Map<Instance, Array<() => void>>();
  /** Calls sent to instances still loading: starting instances cover them already. */
  private handed = 0;
  /** Shows paths into the code folder under the user's source folder (identity without `sourceRoot`). */
  private readonly toSource: (text: string) => string;

  constructor(
    readonly spec: ExecutableSpec,
    private readonly factory: InstanceFactory,
    private readonly options: {
      maxQueue: number;
      queueTimeoutMs: number;
      observer?: ExecutorObserver;
      singleInstance?: boolean;
    },
  ) {
    this.maxInstances = options.singleInstance ? 1 : Math.max(1, spec.maxInstances);
    this.toSource = sourcePathMapper(spec.codeDir, spec.sourceRoot);
    this.ensureMinimum();
  }

  stats(): ExecutableStats {
    let inFlight = 0;
    let capacity = this.starting * this.spec.concurrency;
    const depth = this.holdDepth();
    for (const instance of this.ready) {
      inFlight += Math.min(instance.inFlight, this.spec.concurrency);
      if (!instance.stopReason) capacity += this.spec.concurrency + (instance.pipelines ? depth : 0);
    }
    return {
      instances: this.ready.size + this.starting,
      starting: this.starting,
      inFlight,
      queued: this.queue.length,
      held: this.backlog(),
      capacity,
      started: this.started,
    };
  }

  async fetch(request: Request, options: InvokeCallOptions = {}): Promise<Response> {
    const method = request.method.toUpperCase();
    const body =
      method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer());
    const message: CallMessage = {
      t: 'http',
      rid: options.requestId ?? randomUUID(),
      method,
      url: request.url,
      headers: [...request.headers],
      body: body?.length ? body : undefined,
      deadline: 0,
      context: options.context,
      clientIp: options.clientIp,
      extraHeaders: options.headers,
    };
    const reply = (await this.run(message, options.signal)) as HttpReply;
    const headers = new Headers();
    for (const [name, value] of reply.headers) headers.append(name, value);
    const status = reply.status >= 200 && reply.status <= 599 ? reply.status : 502;
    return new Response(
      nullBodyStatus.has(status) || method === 'HEAD' ? null : (reply.body as BodyInit | null),
      { status, headers },
    );
  }

  /**
   * Forwards an HTTP request given as raw parts and returns the raw answer, without building Web
   * `Request`/`Response` objects (the gateway's fast path; `fetch` is the same call with Web types).
   */
  forward(
    parts: { method: string; url: string; headers: [string, string][]; body?: Uint8Array },
    options: InvokeCallOptions = {},
  ): Promise<{ status: number; headers: [string, string][]; body: Uint8Array | null }> {
    // Not `async`: a call is the gateway's hot path, and each async layer costs turns of the queue.
    const method = parts.method.toUpperCase();
    return this.run(
      {
        t: 'http',
        rid: options.requestId ?? randomUUID(),
        method,
        url: parts.url,
        headers: parts.headers,
        body: parts.body?.length && method !== 'GET' && method !== 'HEAD' ? parts.body : undefined,
        deadline: 0,
        context: options.context,
        clientIp: options.clientIp,
        extraHeaders: options.headers,
      },
      options.signal,
    ).then((answer) => {
      const reply = answer as HttpReply;
      const status = reply.status >= 200 && reply.status <= 599 ? reply.status : 502;
      const body = nullBodyStatus.has(status) || method === 'HEAD' ? null : reply.body;
      return { status, headers: reply.headers, body: body?.length ? body : null };
    });
  }

  async invokeEvent(payload: Uint8Array, options: InvokeCallOptions = {}): Promise<EventResult> {
    const started = Date.now();
    const requestId = options.requestId ?? randomUUID();
    const message: CallMessage = {
      t: 'event',
      rid: requestId,
      payload,
      deadline: 0,
      context: options.context,
      extraHeaders: options.headers,
    };
    const reply = (await this.run(message, options.signal)) as EventReply;
    const error = reply.error && {
      ...reply.error,
      message: this.toSource(reply.error.message),
      ...(reply.error.stack ? { stack: this.toSource(reply.error.stack) } : {}),
    };
    return {
      body: reply.body instanceof Uint8Array ? reply.body : new Uint8Array(reply.body ?? []),
      error,
      logs: (reply.logs ?? []).map(this.toSource),
      durationMs: Date.now() - started,
      requestId,
    };
  }

  async start(): Promise<void> {
    if (this.closed) throw new StartError('the function was unloaded');
    if (this.ready.size > 0) return;
    const error = await this.startInstance();
    if (error)
      throw new StartError(
        this.toSource(error.message),
        error instanceof InstanceGoneError && error.load
          ? {
              type: error.load.type,
              ...(error.load.stack ? { stack: this.toSource(error.load.stack) } : {}),
            }
          : {},
      );
  }

  stopIdle(): void {
    for (const instance of [...this.ready]) {
      if (this.ready.size <= (this.spec.minInstances ?? 0)) return;
      if (instance.inFlight > 0) continue;
      clearTimeout(this.idleTimers.get(instance));
      this.idleTimers.delete(instance);
      this.ready.delete(instance);
      instance.kill('idle');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.queue.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure('aborted', 'the function was unloaded'));
    }
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    clearTimeout(this.recheck);
    const exits = [...this.ready].map(
      (instance) =>
        new Promise<void>((resolve) => {
          instance.onExit(() => resolve());
          instance.kill('closed');
        }),
    );
    await Promise.all(exits);
  }

  // -------------------------------------------------------------------------------------------

  private failure(reason: ExecutionError['reason'], message: string): ExecutionError {
    return new ExecutionError({ functionName: this.spec.functionName, reason, message });
  }

  private run(message: CallMessage, signal?: AbortSignal): Promise<HttpReply | EventReply> {
    // The common case (a free instance) takes no extra promise.
    const instance = this.closed ? undefined : (this.pickReady() ?? this.pickPipelined());
    if (instance) return this.runOn(this.take(instance), message, signal);
    return this.acquire(signal).then((acquired) => this.runOn(acquired, message, signal));
  }

  /**
   * One call on an acquired instance, killed (and failed with `timeout`) when it runs too long. A call
   * the instance holds behind others starts its clock when it starts: when an earlier call of that
   * instance answers (the instance starts held calls in the order they came). If the instance stops
   * before a held call started, the call goes back to the queue: it never ran.
   */
  private runOn(
    instance: Instance,
    message: CallMessage,
    signal?: AbortSignal,
  ): Promise<HttpReply | EventReply> {
    message.deadline = Date.now() + this.spec.timeoutMs;
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let began = 0;
      const onTimeout = () => {
        if (settled) return;
        settled = true;
        this.ready.delete(instance);
        instance.kill('timeout');
        this.release(instance, false);
        reject(
          this.failure(
            'timeout',
            `the call ${message.rid} ran longer than the ${this.spec.timeoutMs} ms timeout; the instance was stopped`,
          ),
        );
      };
      const start = () => {
        if (settled) return;
        began = performance.now();
        timer = setTimeout(onTimeout, this.spec.timeoutMs);
      };
      const loading = this.loading.get(instance);
      if (loading) loading.push(start);
      else if (instance.inFlight > this.spec.concurrency) {
        const held = this.held.get(instance);
        if (held) held.push(start);
        else this.held.set(instance, [start]);
      } else start();
      instance.call(message).then(
        (reply) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // The instance's own figure leaves out the trips through the pipe (long on a busy machine).
          const ms = typeof reply.us === 'number' ? reply.us / 1000 : performance.now() - began;
          this.serviceMs = this.serviceMs === undefined ? ms : this.serviceMs * 0.9 + ms * 0.1;
          this.release(instance, true);
          resolve(reply);
        },
        (error: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const neverStarted = began === 0;
          if (neverStarted) {
            const held = this.held.get(instance);
            const at = held?.indexOf(start) ?? -1;
            if (at >= 0) held!.splice(at, 1);
          }
          // A call that failed because its instance stopped frees no turn there.
          this.release(instance, !neverStarted && !(error instanceof InstanceGoneError));
          if (error instanceof InstanceGoneError && error.reason === 'start-failed') {
            // Sent behind a load that failed: it fails as the calls waiting for that start do.
            reject(this.failure('start', `the function could not start: ${this.toSource(error.message)}`));
            return;
          }
          if (neverStarted && error instanceof InstanceGoneError && !this.closed) {
            this.run(message, signal).then(resolve, reject);
            return;
          }
          reject(
            error instanceof InstanceGoneError
              ? this.failure('crash', `the instance serving ${message.rid} stopped: ${error.message}`)
              : error,
          );
        },
      );
    });
  }

  private pickReady(): Instance | undefined {
    let best: Instance | undefined;
    for (const instance of this.ready) {
      if (instance.inFlight >= this.spec.concurrency || instance.stopReason) continue;
      if (!best || instance.inFlight < best.inFlight) best = instance;
    }
    return best;
  }

  /** Whether an instance may take one more call to hold behind its running ones. */
  private canHold(instance: Instance): boolean {
    if (!instance.pipelines || instance.stopReason || this.serviceMs === undefined) return false;
    return instance.inFlight < this.spec.concurrency + this.holdDepth();
  }

  /** How many calls an instance may hold behind its running ones: none until calls are known short. */
  private holdDepth(): number {
    if (this.serviceMs === undefined) return 0;
    return Math.min(pipelineDepth, Math.floor(pipelineBudgetMs / Math.max(this.serviceMs, 0.01)));
  }

  /** The least loaded instance that can hold a call; starting another instance is considered too. */
  private pickPipelined(): Instance | undefined {
    let best: Instance | undefined;
    for (const instance of this.ready) {
      if (this.canHold(instance) && (!best || instance.inFlight < best.inFlight)) best = instance;
    }
    if (best && !this.scaleQueued) {
      // Once per turn, however many calls it held: a burst is judged as a whole.
      this.scaleQueued = true;
      queueMicrotask(() => {
        this.scaleQueued = false;
        this.scale();
      });
    }
    return best;
  }

  /** Calls held inside instances behind their running ones. */
  private backlog(): number {
    let held = 0;
    for (const instance of this.ready) held += Math.max(0, instance.inFlight - this.spec.concurrency);
    return held;
  }

  private take(instance: Instance): Instance {
    instance.inFlight++;
    const idle = this.idleTimers.get(instance);
    if (idle) {
      clearTimeout(idle);
      this.idleTimers.delete(instance);
    }
    return instance;
  }

  private acquire(signal?: AbortSignal): Promise<Instance> {
    if (this.closed) return Promise.reject(this.failure('aborted', 'the function was unloaded'));
    const instance = this.pickReady() ?? this.pickPipelined();
    if (instance) return Promise.resolve(this.take(instance));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(
        this.failure(
          'overloaded',
          `${this.queue.length} calls are already waiting for an instance (max ${this.options.maxQueue})`,
        ),
      );
    }
    return new Promise<Instance>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      const drop = (error: ExecutionError) => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        clearTimeout(waiter.timer);
        reject(error);
      };
      waiter.timer = setTimeout(
        () =>
          drop(
            this.failure(
              'overloaded',
              `no instance was free within ${this.options.queueTimeoutMs} ms (max ${this.maxInstances} instances × ${this.spec.concurrency} concurrent calls)`,
            ),
          ),
        this.options.queueTimeoutMs,
      );
      signal?.addEventListener('abort', () => drop(this.failure('aborted', 'the caller went away')), {
        once: true,
      });
      this.queue.push(waiter);
      this.scale();
    });
  }

  /** A call left the instance; `freedTurn` when it ran there and finished, so the next held call starts now. */
  private release(instance: Instance, freedTurn: boolean): void {
    instance.inFlight = Math.max(0, instance.inFlight - 1);
    instance.lastUsed = Date.now();
    if (freedTurn) this.held.get(instance)?.shift()?.();
    if (!this.ready.has(instance)) {
      this.scale();
      return;
    }
    this.drain(instance);
    if (instance.inFlight === 0) this.armIdle(instance);
  }

  private drain(instance: Instance): void {
    while (
      this.queue.length &&
      this.ready.has(instance) &&
      (instance.inFlight < this.spec.concurrency || this.canHold(instance))
    ) {
      const waiter = this.queue.shift()!;
      clearTimeout(waiter.timer);
      waiter.resolve(this.take(instance));
    }
  }

  private armIdle(instance: Instance): void {
    const idleMs = (this.spec.idleSeconds ?? 300) * 1000;
    if (!Number.isFinite(idleMs) || idleMs < 0) return;
    const timer = setTimeout(() => {
      this.idleTimers.delete(instance);
      if (instance.inFlight === 0 && this.ready.size > (this.spec.minInstances ?? 0)) {
        this.ready.delete(instance);
        instance.kill('idle');
      }
    }, idleMs);
    timer.unref();
    this.idleTimers.set(instance, timer);
  }

  /**
   * Starts instances while calls wait and the limits allow: `maxInstances`, starts in parallel, and
   * the CPUs. Past one instance per CPU, another starts only while the running ones wait rather than
   * compute; otherwise calls queue here, where the next free instance takes them.
   */
  private scale(): void {
    if (this.closed) return;
    let uncovered = this.queue.length + this.handed + this.backlog() - this.starting * this.spec.concurrency;
    // Bounded scale-up rate: a burst of fast calls is usually served by the instances that free up
    // meanwhile, so starting one process per waiting call would only waste CPU on process starts.
    while (
      uncovered > 0 &&
      this.ready.size + this.starting < this.maxInstances &&
      this.starting < maxParallelStarts
    ) {
      if (this.ready.size + this.starting >= this.cpuSlots && !this.instancesWait()) {
        this.scaleLater();
        return;
      }
      void this.startInstance();
      uncovered -= this.spec.concurrency;
    }
  }

  /** Whether the busy instances mostly wait (I/O, timers) rather than compute. Read at most every 100 ms. */
  private instancesWait(): boolean {
    const now = performance.now();
    if (now - this.waits.at < demandIntervalMs) return this.waits.value;
    const pids: number[] = [];
    for (const instance of this.ready)
      if (instance.inFlight > 0 && instance.pid !== undefined) pids.push(instance.pid);
    const reading = pids.length ? this.demand.read(pids) : undefined;
    const waiting =
      reading !== undefined &&
      ('wanted' in reading
        ? reading.wanted < cpuBoundShare * this.cpuSlots
        : reading.idle >= (1 - cpuBoundShare) * this.cpuSlots);
    // One reading can catch computing instances between two calls: it takes two in a row.
    const value = waiting && this.waits.seen;
    this.waits = { value, seen: waiting, at: now };
    return value;
  }

  /** Asks again once the CPU demand has been measured over a window, while calls still wait. */
  private scaleLater(): void {
    if (this.recheck) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.scale();
    }, demandIntervalMs);
    this.recheck.unref();
  }

  private ensureMinimum(): void {
    const min = Math.min(this.spec.minInstances ?? 0, this.maxInstances);
    while (!this.closed && this.ready.size + this.starting < min) void this.startInstance();
  }

  /** Starts an instance; resolves (never rejects) once it serves, or with the error that stopped it. */
  private startInstance(): Promise<Error | undefined> {
    this.starting++;
    const begin = Date.now();
    return this.factory()
      .then((started) => (started.loaded ? this.sendBehindLoad(started) : started))
      .then(
        ({ instance, fromPool }) => {
          this.starting--;
          this.started++;
          if (this.closed) {
            instance.kill('closed');
            return;
          }
          this.ready.add(instance);
          instance.setLogSink((log) => this.log(instance.id, log));
          instance.onExit((reason) => this.onInstanceExit(instance, reason));
          this.options.observer?.instanceStarted?.({
            executableId: this.spec.id,
            instanceId: instance.id,
            startMs: Date.now() - begin,
            fromPool,
          });
          this.drain(instance);
          if (instance.inFlight === 0) this.armIdle(instance);
          this.scale();
          return undefined;
        },
        (error: Error) => {
          this.starting--;
          this.options.observer?.instanceStopped?.({
            executableId: this.spec.id,
            instanceId: 'none',
            reason: 'start-failed',
          });
          this.log('none', {
            level: 'error',
            message: `instance failed to start: ${error.message}`,
            time: new Date().toISOString(),
          });
          // Nothing else can serve the waiting calls: fail them with the start error instead of retrying forever.
          if (this.ready.size === 0 && this.starting === 0) {
            for (const waiter of this.queue.splice(0)) {
              clearTimeout(waiter.timer);
              waiter.reject(
                this.failure('start', `the function could not start: ${this.toSource(error.message)}`),
              );
            }
          }
          return error;
        },
      );
  }

  /**
   * Sends waiting calls (up to the concurrency) to an instance whose code is still loading: they travel
   * right behind the load message, so a cold start's first call costs no round trip. Their clocks
   * start once the code has loaded; resolves then, or rejects with the load error.
   */
  private async sendBehindLoad(started: {
    instance: Instance;
    fromPool: boolean;
    loaded?: Promise<void>;
  }): Promise<{ instance: Instance; fromPool: boolean }> {
    const { instance, loaded } = started;
    const starts: Array<() => void> = [];
    this.loading.set(instance, starts);
    let sent = 0;
    while (sent < this.spec.concurrency && this.queue.length && !this.closed) {
      const waiter = this.queue.shift()!;
      clearTimeout(waiter.timer);
      sent++;
      waiter.resolve(this.take(instance));
    }
    this.handed += sent;
    try {
      await loaded;
    } finally {
      this.handed -= sent;
      this.loading.delete(instance);
    }
    for (const start of starts) start();
    return started;
  }

  private onInstanceExit(instance: Instance, reason: InstanceStopReason): void {
    this.ready.delete(instance);
    this.held.delete(instance);
    const idle = this.idleTimers.get(instance);
    if (idle) clearTimeout(idle);
    this.idleTimers.delete(instance);
    this.options.observer?.instanceStopped?.({ executableId: this.spec.id, instanceId: instance.id, reason });
    if (this.closed) return;
    this.ensureMinimum();
    this.scale();
  }

  private log(instanceId: string, log: InstanceLog): void {
    this.options.observer?.log?.({
      time: log.time,
      level: log.level,
      message: this.toSource(log.message),
      ...(log.fields ? { fields: log.fields } : {}),
      requestId: log.rid ?? undefined,
      executableId: this.spec.id,
      functionName: this.spec.functionName,
      revision: this.spec.revision,
      instanceId,
    });
  }
}

/** Starts an `http` contract instance and waits until it serves. */
export async function startHttpInstance(
  options: ConstructorParameters<typeof HttpInstance>[0],
): Promise<Instance> {
  const instance = new HttpInstance(options);
  await instance.ready();
  return instance;
}
