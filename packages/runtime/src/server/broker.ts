import { randomUUID } from 'node:crypto';
import type { CloudEvent, ResolvedFunction, ResolvedTrigger } from '@faasport/core';
import { cloudEventToBinary } from '@faasport/core';
import { ExecutionError } from '../executor';
import { type Functions, localOptions } from './functions';
import type { LogStore } from './logs';
import type { Metrics } from './metrics';
import type { QueuedEvent, Store } from './store';

/** Retry settings of event delivery. */
export interface RetryPolicy {
  /** Delivery attempts before an event goes to the dead-letter store. */
  attempts: number;
  /** The first retry waits this long; each next one twice as long. */
  backoffMs: number;
}

/** Reads the resolved settings (triggers, scaling) of every function. */
export type SettingsSource = () => Array<{ name: string; settings: ResolvedFunction }>;

const concurrentDeliveries = 64;

/**
 * The CloudEvents broker: publishing stores one delivery per matching trigger in the durable queue
 * (in one transaction, before the publish is acknowledged); a dispatcher delivers them, retrying
 * failures with exponential backoff and moving events that keep failing to the dead-letter store.
 */
export class Broker {
  private readonly inflight = new Set<number>();
  private timer?: NodeJS.Timeout;
  private closed = false;
  private dispatchQueued = false;
  /** The highest sequence number picked so far. */
  private cursor = 0;
  /** When the next retry is due (a sweep of older rows runs then, and at least every second). */
  private sweepAt = 0;
  private lastSweep = 0;
  private deliveredSeqs: number[] = [];
  private publishes: Array<{ run: () => void; done: () => void; fail: (error: unknown) => void }> = [];
  private readonly policies = new WeakMap<ResolvedFunction, RetryPolicy>();

  constructor(
    private readonly store: Store,
    private readonly functions: Functions,
    private readonly settings: SettingsSource,
    private readonly logs: LogStore,
    private readonly metrics: Metrics,
    private readonly defaults: RetryPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Stores deliveries of `event` to every function whose event trigger filter matches; resolves once
   * they are committed (publishes arriving together share one commit).
   */
  publish(event: CloudEvent): Promise<{ id: string; deliveries: string[] }> {
    const targets: Array<{ fn: ResolvedFunction; trigger: ResolvedTrigger }> = [];
    for (const { settings } of this.settings()) {
      for (const trigger of settings.triggers) {
        if (trigger.kind !== 'event') continue;
        if (
          Object.entries(trigger.filter).every(
            ([attribute, value]) => String(event[attribute] ?? '') === value,
          )
        ) {
          targets.push({ fn: settings, trigger });
        }
      }
    }
    const result = { id: event.id, deliveries: targets.map((t) => `${t.fn.name}/${t.trigger.name}`) };
    if (targets.length === 0) return Promise.resolve(result);
    return new Promise((resolve, reject) => {
      this.publishes.push({
        run: () => {
          for (const { fn, trigger } of targets) this.enqueue(fn, trigger.name, event);
        },
        done: () => resolve(result),
        fail: reject,
      });
      if (this.publishes.length === 1) setImmediate(() => this.commitPublishes());
    });
  }

  /** Group commit: every publish that arrived in this turn is stored in one transaction, then acknowledged. */
  private commitPublishes(): void {
    const batch = this.publishes;
    this.publishes = [];
    try {
      this.store.transaction(() => {
        for (const publish of batch) publish.run();
      });
    } catch (error) {
      for (const publish of batch) publish.fail(error);
      return;
    }
    for (const publish of batch) publish.done();
    this.kick();
  }

  /** Queues one delivery (call inside a store transaction to make it atomic with other writes). */
  enqueue(fn: ResolvedFunction, trigger: string, event: CloudEvent): boolean {
    const retry = this.policyOf(fn);
    return this.store.enqueue({
      eventId: event.id,
      functionName: fn.name,
      trigger,
      event,
      maxAttempts: retry.attempts,
      backoffMs: retry.backoffMs,
      at: this.now(),
    });
  }

  /** Starts delivering. */
  start(): void {
    this.kick();
  }

  /** Delivers what is due now (and schedules the next check). */
  kick(): void {
    // One dispatch per turn however many publishes arrive in it; never postpone one already queued.
    if (this.closed || this.dispatchQueued) return;
    this.dispatchQueued = true;
    setImmediate(() => {
      this.dispatchQueued = false;
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const until = Date.now() + 2000;
    while (this.inflight.size && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    // Let the last batch of delivered marks commit.
    await new Promise((r) => setImmediate(r));
  }

  /** Removes delivered events from the queue, many per transaction (one commit per turn, not per event). */
  private markDelivered(seq: number): void {
    this.deliveredSeqs.push(seq);
    if (this.deliveredSeqs.length > 1) return;
    setImmediate(() => {
      const seqs = this.deliveredSeqs;
      this.deliveredSeqs = [];
      this.store.transaction(() => {
        for (const done of seqs) this.store.delivered(done);
      });
      for (const done of seqs) this.inflight.delete(done);
      this.kick();
    });
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
    let free = concurrentDeliveries - this.inflight.size;
    if (free > 0) {
      // New events: everything queued after the last one picked (no rescan of events in flight).
      for (const event of this.store.freshEvents(now, this.cursor, free)) {
        this.cursor = Math.max(this.cursor, event.seq);
        this.launch(event);
        free--;
      }
    }
    if (free > 0 && (now >= this.sweepAt || now - this.lastSweep >= 1000)) {
      // Retries that are due, and anything older than the cursor (rows left by a restart).
      this.lastSweep = now;
      this.sweepAt = Number.POSITIVE_INFINITY;
      const due = this.store.dueEvents(now, free, this.inflight, this.cursor);
      for (const event of due) this.launch(event);
      if (due.length === free) this.sweepAt = now;
    }
    clearTimeout(this.timer);
    const wake = Math.min(this.sweepAt, this.lastSweep + 1000);
    this.timer = setTimeout(() => this.dispatch(), Math.max(5, wake - now));
    this.timer.unref();
  }

  /** Delivers one event; it stays "in flight" until its removal commits, so no dispatch picks it again. */
  private launch(event: QueuedEvent): void {
    this.inflight.add(event.seq);
    this.deliver(event).then(
      (removalPending) => {
        if (!removalPending) this.inflight.delete(event.seq);
        this.kick();
      },
      () => {
        this.inflight.delete(event.seq);
        this.kick();
      },
    );
  }

  private async deliver(queued: QueuedEvent): Promise<boolean> {
    const started = Date.now();
    const requestId = randomUUID();
    let failure: string | undefined;
    let status = 200;
    let revision: string | undefined;
    try {
      const fn = this.functions.get(queued.functionName);
      if (!fn) {
        this.markDelivered(queued.seq);
        return true;
      }
      revision = this.functions.pick(fn);
      if (!revision) throw new Error('no revision of the function receives traffic');
      const executable = await this.functions.executableFor(fn.name, revision);
      const event = queued.event as CloudEvent;
      const spec = executable.spec;
      const asEvent =
        spec.contract !== 'web' &&
        !(spec.contract === 'http' && !spec.http?.invokePath && !spec.http?.initPath);
      if (asEvent) {
        const result = await executable.invokeEvent(new TextEncoder().encode(JSON.stringify(event)), {
          requestId,
        });
        if (result.error) failure = `${result.error.type ?? 'Error'}: ${result.error.message}`;
      } else {
        const { headers, body } = cloudEventToBinary(event);
        const response = await executable.fetch(
          new Request('http://localhost/', {
            method: 'POST',
            headers,
            body: body.length ? (body as BodyInit) : undefined,
          }),
          { requestId },
        );
        status = response.status;
        await response.arrayBuffer();
        if (status >= 300) failure = `the function answered HTTP ${status}`;
      }
    } catch (error) {
      failure = ExecutionError.is(error) ? `${error.reason}: ${error.message}` : (error as Error).message;
      status = ExecutionError.is(error) ? error.status : 500;
    }
    const durationMs = Date.now() - started;
    if (failure === undefined) {
      this.markDelivered(queued.seq);
      this.metrics.inc('faasport_events_delivered_total', { function: queued.functionName });
      this.logs.write({
        time: new Date().toISOString(),
        level: 'info',
        kind: 'invocation',
        function: queued.functionName,
        revision,
        requestId,
        message: `delivered event ${queued.eventId} (${queued.trigger})`,
        status,
        durationMs,
      });
      return true;
    }
    const outcome = this.store.failed(queued, failure, this.now());
    if (outcome === 'retry')
      this.sweepAt = Math.min(this.sweepAt, this.now() + queued.backoffMs * 2 ** queued.attempts);
    if (outcome === 'dead')
      this.metrics.inc('faasport_events_dead_lettered_total', { function: queued.functionName });
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
    return false;
  }
}
