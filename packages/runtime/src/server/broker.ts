import { randomUUID } from 'node:crypto';
import type { CloudEvent, ResolvedFunction } from '@faasport/core';
import { cloudEventToBinary } from '@faasport/core';
import { type Executable, ExecutionError } from '../executor';
import { isoNow } from './clock';
import { type Functions, localOptions } from './functions';
import type { LogStore } from './logs';
import type { Metrics } from './metrics';
import { eventJsonOf } from './queue-attempt';
import type { QueuedEvent, Store } from './store';

/** Retry settings of event delivery. */
export interface RetryPolicy {
  /** Delivery attempts before an event goes to the dead-letter store. */
  attempts: number;
  /** The first retry waits this long; each next one twice as long. */
  backoffMs: number;
}

/** What one delivery attempt of a queued event gave, as the runtime's `onDelivery` option reports it. */
export interface DeliveryOutcome {
  function: string;
  /** The trigger that queued the delivery (`schedule-1`, `storage-1`, `event-1`...). */
  trigger: string;
  eventId: string;
  /** `retry`: the attempt failed and the event stays queued; `dead`: it moved to the dead-letter store. */
  outcome: 'delivered' | 'retry' | 'dead';
  /** The HTTP status of a web-style answer; 200 or 500 for the event contracts. */
  status: number;
  /** What the function answered: its serialized return value, or the body of its response. */
  body: Uint8Array;
  /** Why the attempt failed. */
  error?: string;
}

/** Reads the resolved settings (triggers, scaling) of every function. */
export type SettingsSource = () => Array<{ name: string; settings: ResolvedFunction }>;

/** Deliveries running at once, over all functions. */
const concurrentDeliveries = 256;
/** Committed deliveries kept in memory for dispatch; beyond this they wait in SQLite only. */
const readyLimit = 1024;
/** A sweep reads at most this many due rows at once (and never more than memory has room for). */
const sweepBatch = 256;
/** The longest wait between two sweeps of the queue. */
const sweepEveryMs = 1000;
/**
 * Deliveries fill the instances a function has; only when its oldest waiting delivery has waited
 * this long do more go out than they can take, which lets the executor start instances. A backlog
 * that the running instances clear within a second (a burst of fast events) starts none: on a busy
 * machine more processes only add switches between them.
 */
const scaleAfterMs = 1000;

/** The deliveries of one function waiting in memory, and its deliveries running now. */
interface Lane {
  queue: QueuedEvent[];
  /** When each queued delivery became ready (parallel to `queue`). */
  readyAt: number[];
  head: number;
  running: number;
  /** The executable the last delivery used: its concurrency and instances size the delivery window. */
  executable?: Executable;
}

/**
 * Delivered marks wait for a commit of their own at most this long (ms), or until this many gather:
 * deleting rows in large groups costs a fraction of deleting them a few at a time. A mark lost to a
 * crash meanwhile only means that event is delivered again (at least once).
 */
const markDelayMs = 20;
const markBatch = 512;

/**
 * Queues one delivery inside a group commit: `eventJson` is the event's JSON when the caller has it.
 * Returns false when the same event was already queued for that trigger.
 */
export type Enqueue = (
  fn: ResolvedFunction,
  trigger: string,
  event: CloudEvent,
  eventJson?: string,
) => boolean;

/** One publish (a request: one event, a batch, topic messages): acknowledged once its writes are committed. */
interface PendingPublish {
  write: (enqueue: Enqueue) => void;
  done: () => void;
  fail: (error: unknown) => void;
}

/** What a publish queued: the event's id and the `function/trigger` deliveries it matched. */
export interface Published {
  id: string;
  deliveries: string[];
}

/**
 * The CloudEvents broker: publishing stores one delivery per matching trigger in the durable queue
 * (in one transaction, before the publish is acknowledged); a dispatcher delivers them, retrying
 * failures with exponential backoff and moving events that keep failing to the dead-letter store.
 *
 * Once per event-loop turn the broker commits, in one transaction, every publish of the turn and
 * every delivered mark, then starts deliveries. Deliveries a publish just committed are dispatched
 * from memory (no read back from SQLite); the queue in SQLite is swept for due retries, for rows left
 * by a restart and for rows other writers (cron, buckets) queued, when those are due and at least
 * once a second.
 */
export class Broker {
  /** Sequence numbers held in memory: ready, being delivered, or delivered with the removal not yet committed. */
  private readonly claimed = new Set<number>();
  /** Committed deliveries waiting for a free slot, per function, oldest first (one small lane per function that got events). */
  private readonly lanes = new Map<string, Lane>();
  /** Deliveries waiting in all lanes. */
  private waiting = 0;
  /** Deliveries running now. */
  private running = 0;
  /** Set when committed deliveries were left to SQLite (memory was full): sweeps pick them up. */
  private backlog = false;
  /**
   * Where the backlog continues in SQLite: rows after this sequence number. Backlog reads go on from
   * here, so they do not re-read the rows memory holds; the full sweep (retries, other writers, rows
   * left by a restart) still runs at least once a second.
   */
  private backlogAfter = Number.POSITIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;
  private turnQueued = false;
  /** When the next sweep is due (a retry, or a kick); at the latest `lastSweep + sweepEveryMs`. */
  private sweepAt = 0;
  private lastSweep = Number.NEGATIVE_INFINITY;
  private deliveredSeqs: number[] = [];
  private markTimer?: NodeJS.Timeout;
  private publishes: PendingPublish[] = [];
  private readonly policies = new WeakMap<ResolvedFunction, RetryPolicy>();

  constructor(
    private readonly store: Store,
    private readonly functions: Functions,
    private readonly settings: SettingsSource,
    private readonly logs: LogStore,
    private readonly metrics: Metrics,
    private readonly defaults: RetryPolicy,
    private readonly now: () => number = Date.now,
    private readonly observe?: (outcome: DeliveryOutcome) => void,
  ) {}

  /**
   * Stores deliveries of `event` to every function whose event trigger filter matches; resolves once
   * they are committed (publishes arriving together share one commit).
   */
  async publish(event: CloudEvent): Promise<Published> {
    return (await this.publishBatch([event]))[0]!;
  }

  /**
   * Publishes several events at once (a CloudEvents batch): all of their deliveries are committed in
   * one transaction, so either every event of the batch is queued or none is. Resolves once committed.
   */
  publishBatch(events: CloudEvent[]): Promise<Published[]> {
    const functions = this.settings();
    const pending: Array<{ event: CloudEvent; targets: Array<{ fn: ResolvedFunction; trigger: string }> }> =
      [];
    const results = events.map((event) => {
      const targets: Array<{ fn: ResolvedFunction; trigger: string }> = [];
      const deliveries: string[] = [];
      for (const { settings } of functions) {
        for (const trigger of settings.triggers) {
          if (trigger.kind !== 'event' || !matches(trigger.filter, event)) continue;
          targets.push({ fn: settings, trigger: trigger.name });
          deliveries.push(`${settings.name}/${trigger.name}`);
        }
      }
      if (targets.length) pending.push({ event, targets });
      return { id: event.id, deliveries };
    });
    if (pending.length === 0) return Promise.resolve(results);
    return this.grouped((enqueue) => {
      for (const { event, targets } of pending) {
        const eventJson = JSON.stringify(event);
        for (const { fn, trigger } of targets) enqueue(fn, trigger, event, eventJson);
      }
      return results;
    });
  }

  /**
   * Runs `write` in the next group commit: the publishes of one event-loop turn share one transaction,
   * each in a savepoint of its own, so a publish whose writes fail fails alone, and a commit that fails
   * fails every publish of the group. Resolves with what `write` returned once it is committed (never
   * before), rejects with its error otherwise; nothing of a rejected publish is stored. Deliveries
   * queued through `enqueue` are dispatched from memory.
   */
  grouped<T>(write: (enqueue: Enqueue) => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the broker is shutting down'));
    return new Promise((resolve, reject) => {
      let result: T;
      this.publishes.push({
        write: (enqueue) => {
          result = write(enqueue);
        },
        done: () => resolve(result),
        fail: reject,
      });
      this.schedule();
    });
  }

  /**
   * Queues one delivery in SQLite (call inside a store transaction to make it atomic with other
   * writes, then `kick()`). Returns false when the same event was already queued for that trigger.
   */
  enqueue(fn: ResolvedFunction, trigger: string, event: CloudEvent): boolean {
    return this.store.enqueue(this.deliveryOf(fn, trigger, event, JSON.stringify(event))) !== undefined;
  }

  /** Starts delivering. */
  start(): void {
    this.kick();
  }

  /** Looks for due deliveries in SQLite now (after `enqueue`), and delivers them. */
  kick(): void {
    this.sweepAt = Math.min(this.sweepAt, this.now());
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const until = Date.now() + 2000;
    while (this.running && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    // Commit the last delivered marks (and publishes still waiting for their commit).
    this.commit(true);
  }

  private deliveryOf(fn: ResolvedFunction, trigger: string, event: CloudEvent, eventJson: string) {
    const retry = this.policyOf(fn);
    return {
      eventId: event.id,
      functionName: fn.name,
      trigger,
      eventJson,
      maxAttempts: retry.attempts,
      backoffMs: retry.backoffMs,
      at: this.now(),
    };
  }

  /** One turn of work per event-loop turn, however many publishes and deliveries ask for it. */
  private schedule(): void {
    if (this.turnQueued) return;
    this.turnQueued = true;
    setImmediate(() => {
      this.turnQueued = false;
      if (this.closed) return; // close() commits what is left
      this.commit();
      this.dispatch();
    });
  }

  /**
   * Group commit: the publishes of this turn, and the delivered marks gathered so far, in one
   * transaction. Publishes are acknowledged after it. Delivered marks alone wait for more of them
   * (`markBatch`, at most `markDelayMs`, unless `force`); delivered events stay claimed until their
   * removal is committed, so no sweep picks them again.
   */
  private commit(force = false): void {
    if (this.publishes.length === 0) {
      if (this.deliveredSeqs.length === 0) return;
      if (!force && this.deliveredSeqs.length < markBatch) {
        this.markTimer ??= setTimeout(() => {
          this.markTimer = undefined;
          if (!this.closed) this.commit(true);
        }, markDelayMs).unref();
        return;
      }
    }
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    const publishes = this.publishes;
    const delivered = this.deliveredSeqs;
    this.publishes = [];
    this.deliveredSeqs = [];
    const fresh: QueuedEvent[] = [];
    const enqueue: Enqueue = (fn, trigger, event, eventJson = JSON.stringify(event)) => {
      const queued = this.store.enqueue(this.deliveryOf(fn, trigger, event, eventJson));
      if (queued) fresh.push(queued);
      return queued !== undefined;
    };
    const failed = new Map<PendingPublish, unknown>();
    try {
      this.store.transaction(() => {
        for (const seq of delivered) this.store.delivered(seq);
        // One publish fails the transaction anyway; several get a savepoint each.
        if (publishes.length === 1) publishes[0]!.write(enqueue);
        else
          for (const publish of publishes) {
            const before = fresh.length;
            try {
              this.store.transaction(() => publish.write(enqueue));
            } catch (error) {
              fresh.length = before;
              failed.set(publish, error);
            }
          }
      });
    } catch (error) {
      for (const publish of publishes) publish.fail(error);
      // Not removed: released, so a sweep delivers them again (at least once).
      for (const seq of delivered) this.claimed.delete(seq);
      return;
    }
    for (const seq of delivered) this.claimed.delete(seq);
    for (const publish of publishes) {
      if (failed.has(publish)) publish.fail(failed.get(publish));
      else publish.done();
    }
    if (fresh.length === 0) return;
    const now = this.now();
    if (this.backlog || this.waiting + fresh.length > readyLimit) {
      // Too many waiting in memory: these stay in SQLite and sweeps deliver them, in order.
      this.backlog = true;
      this.backlogAfter = Math.min(this.backlogAfter, fresh[0]!.seq - 1);
      this.sweepAt = Math.min(this.sweepAt, now);
      return;
    }
    for (const queued of fresh) this.hold(queued, now);
  }

  /** Claims a committed delivery and queues it in its function's lane. */
  private hold(queued: QueuedEvent, now: number): void {
    let lane = this.lanes.get(queued.functionName);
    if (!lane) {
      lane = { queue: [], readyAt: [], head: 0, running: 0 };
      this.lanes.set(queued.functionName, lane);
    }
    this.claimed.add(queued.seq);
    lane.queue.push(queued);
    lane.readyAt.push(now);
    this.waiting++;
  }

  /** Removes a delivered event from the queue with the next group commit. */
  private markDelivered(seq: number): void {
    this.deliveredSeqs.push(seq);
    this.schedule();
  }

  private policyOf(fn: ResolvedFunction): RetryPolicy {
    const cached = this.policies.get(fn);
    if (cached) return cached;
    let retry: RetryPolicy = this.defaults;
    try {
      const local = localOptions(fn).retry;
      retry = {
        attempts: local?.attempts ?? this.defaults.attempts,
        backoffMs: local?.backoffMs ?? this.defaults.backoffMs,
      };
    } catch {
      // Invalid provider options were rejected at deploy; keep the defaults.
    }
    this.policies.set(fn, retry);
    return retry;
  }

  private dispatch(): void {
    if (this.closed) return;
    const now = this.now();
    const room = Math.min(sweepBatch, readyLimit - this.waiting);
    if (
      room > 0 &&
      this.backlog &&
      Number.isFinite(this.backlogAfter) &&
      now - this.lastSweep < sweepEveryMs
    ) {
      // The backlog, read on from where the last read stopped.
      const due = this.store.dueEventsAfter(this.backlogAfter, now, room);
      if (due.length) this.backlogAfter = due[due.length - 1]!.seq;
      for (const queued of due) if (!this.claimed.has(queued.seq)) this.hold(queued, now);
      if (due.length < room) {
        this.backlog = false;
        this.backlogAfter = Number.POSITIVE_INFINITY;
      } else this.sweepAt = Math.min(this.sweepAt, now); // more to read: look again next turn
    } else if (room > 0 && (now >= this.sweepAt || now - this.lastSweep >= sweepEveryMs)) {
      // Due retries, rows left by a restart, rows queued by cron and buckets, and any backlog.
      this.lastSweep = now;
      this.sweepAt = Number.POSITIVE_INFINITY;
      const due = this.store.dueEvents(now, room, this.claimed);
      for (const queued of due) this.hold(queued, now);
      // A full batch: more may be due, so sweep again in the next turn.
      if (due.length === room) this.sweepAt = now;
      else {
        this.backlog = false;
        this.backlogAfter = Number.POSITIVE_INFINITY;
      }
    }
    let free = concurrentDeliveries - this.running;
    if (free > 0 && this.waiting > 0) {
      for (const [name, lane] of [...this.lanes]) {
        if (lane.head === lane.queue.length) continue;
        let take = Math.min(free, this.windowOf(lane, now) - lane.running, lane.queue.length - lane.head);
        if (take <= 0) continue;
        free -= take;
        this.waiting -= take;
        while (take-- > 0) this.launch(lane, lane.queue[lane.head++]!);
        if (lane.head === lane.queue.length) {
          lane.queue = [];
          lane.readyAt = [];
          lane.head = 0;
        } else if (lane.head >= 1024) {
          // A lane that never empties under steady load: drop what was taken.
          lane.queue = lane.queue.slice(lane.head);
          lane.readyAt = lane.readyAt.slice(lane.head);
          lane.head = 0;
        }
        // Served lanes go to the back, so functions take turns when slots are short.
        this.lanes.delete(name);
        this.lanes.set(name, lane);
        if (free === 0) break;
      }
    }
    // With memory full, the next sweep waits for room (a finished delivery dispatches again) or the clock.
    let wake =
      room > 0 ? Math.min(this.sweepAt, this.lastSweep + sweepEveryMs) : this.lastSweep + sweepEveryMs;
    // Deliveries held back for instances to free up: look again when they may have waited enough.
    if (this.waiting > 0 && this.running === 0) wake = Math.min(wake, now + scaleAfterMs);
    this.arm(wake, now);
  }

  /**
   * How many deliveries of a function may be out at once: as many as its instances take without a
   * wait (their concurrency, plus the short calls each holds behind its running ones, so one write to
   * an instance carries many events and it serves them without a round trip each), or (once a
   * delivery has waited `scaleAfterMs`) as many as its scaling limits allow, so the executor adds
   * instances only for a backlog that the running ones do not clear. An instance never runs more
   * than its concurrency at once: held calls wait inside it for their turn.
   */
  private windowOf(lane: Lane, now: number): number {
    const executable = lane.executable;
    // The first delivery loads the executable; its settings size the window from then on.
    if (!executable) return 1;
    const { concurrency, maxInstances } = executable.spec;
    const capacity = Math.max(1, executable.stats().capacity);
    if (now - lane.readyAt[lane.head]! >= scaleAfterMs)
      return Math.max(capacity, Math.max(1, concurrency) * Math.max(1, maxInstances));
    return capacity;
  }

  /** Wakes the dispatcher at `at` (one timer, moved only when the wake-up changes). */
  private arm(at: number, now: number): void {
    const wake = Math.max(at, now + 5);
    if (this.timer && this.timerAt <= wake && this.timerAt > now) return;
    clearTimeout(this.timer);
    this.timerAt = wake;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.dispatch();
    }, wake - now);
    this.timer.unref();
  }

  /** Delivers one claimed event; the claim ends when its outcome is committed. */
  private launch(lane: Lane, queued: QueuedEvent): void {
    this.running++;
    lane.running++;
    this.deliver(lane, queued).then(
      () => this.settled(lane),
      () => {
        // deliver() records its own failures; this one was not, so a sweep delivers it again.
        this.claimed.delete(queued.seq);
        this.settled(lane);
      },
    );
  }

  private settled(lane: Lane): void {
    this.running--;
    lane.running--;
    this.schedule();
  }

  private async deliver(lane: Lane, queued: QueuedEvent): Promise<void> {
    const started = Date.now();
    const requestId = randomUUID();
    let failure: string | undefined;
    let status = 200;
    let revision: string | undefined;
    let answer: Uint8Array = new Uint8Array(0);
    try {
      const fn = this.functions.get(queued.functionName);
      if (!fn) {
        this.markDelivered(queued.seq);
        return;
      }
      revision = this.functions.pick(fn);
      if (!revision) throw new Error('no revision of the function receives traffic');
      const executable = await this.functions.executableFor(fn.name, revision);
      lane.executable = executable;
      const spec = executable.spec;
      // Queue messages carry their delivery attempt (decision 0013).
      const eventJson = eventJsonOf(queued);
      const asEvent =
        spec.contract !== 'web' &&
        !(spec.contract === 'http' && !spec.http?.invokePath && !spec.http?.initPath);
      if (asEvent) {
        // The stored JSON is the payload: no parse and re-serialization per delivery.
        const result = await executable.invokeEvent(Buffer.from(eventJson), { requestId });
        answer = result.body;
        if (result.error) failure = `${result.error.type ?? 'Error'}: ${result.error.message}`;
      } else {
        const { headers, body } = cloudEventToBinary(JSON.parse(eventJson) as CloudEvent);
        const response = await executable.fetch(
          new Request('http://localhost/', {
            method: 'POST',
            headers,
            body: body.length ? (body as BodyInit) : undefined,
          }),
          { requestId },
        );
        status = response.status;
        answer = new Uint8Array(await response.arrayBuffer());
        if (status >= 300) failure = `the function answered HTTP ${status}`;
      }
    } catch (error) {
      failure = ExecutionError.is(error) ? `${error.reason}: ${error.message}` : (error as Error).message;
      status = ExecutionError.is(error) ? error.status : 500;
    }
    const durationMs = Date.now() - started;
    const report = (outcome: DeliveryOutcome['outcome']) =>
      this.report({
        function: queued.functionName,
        trigger: queued.trigger,
        eventId: queued.eventId,
        outcome,
        status,
        body: answer,
        ...(failure === undefined ? {} : { error: failure }),
      });
    if (failure === undefined) {
      this.markDelivered(queued.seq);
      report('delivered');
      this.metrics.inc('faasport_events_delivered_total', { function: queued.functionName });
      this.logs.write({
        time: isoNow(),
        level: 'info',
        kind: 'invocation',
        function: queued.functionName,
        revision,
        requestId,
        message: `delivered event ${queued.eventId} (${queued.trigger})`,
        status,
        durationMs,
      });
      return;
    }
    const outcome = this.store.failed(queued, failure, this.now());
    this.claimed.delete(queued.seq);
    if (outcome === 'retry')
      this.sweepAt = Math.min(this.sweepAt, this.now() + queued.backoffMs * 2 ** queued.attempts);
    if (outcome === 'dead')
      this.metrics.inc('faasport_events_dead_lettered_total', { function: queued.functionName });
    report(outcome);
    this.logs.write({
      time: new Date().toISOString(),
      level: outcome === 'dead' ? 'error' : 'warn',
      kind: 'invocation',
      function: queued.functionName,
      revision,
      requestId,
      message: `event ${queued.eventId} (${queued.trigger}) attempt ${queued.attempts + 1}/${queued.maxAttempts} failed: ${failure}${outcome === 'dead' ? '; moved to the dead-letter store' : '; will retry'}`,
      status,
      durationMs,
    });
  }

  /** Tells the observer; its failure is logged, never the delivery's. */
  private report(outcome: DeliveryOutcome): void {
    if (!this.observe) return;
    try {
      this.observe(outcome);
    } catch (error) {
      this.logs.write({
        time: new Date().toISOString(),
        level: 'warn',
        kind: 'system',
        function: outcome.function,
        message: `the onDelivery observer threw: ${(error as Error).message}`,
      });
    }
  }
}

/** Whether every attribute a trigger filters on has the filtered value. */
function matches(filter: Record<string, string>, event: CloudEvent): boolean {
  for (const attribute in filter) {
    if (String(event[attribute] ?? '') !== filter[attribute]) return false;
  }
  return true;
}
