import { eventTypes, nextCronTimes } from '@faasport/core';
import type { Broker, SettingsSource } from './broker';
import type { LogStore } from './logs';
import type { Store } from './store';

/** Most missed ticks looked at when catching up after downtime. */
const catchUpLimit = 10_000;

/**
 * The cron scheduler. Each schedule trigger remembers the last tick it fired for (in SQLite, in the
 * same transaction that queues the event), so a tick fires once even across restarts; ticks missed
 * while the runtime was down collapse into one firing of the latest.
 */
export class Scheduler {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly broker: Broker,
    private readonly settings: SettingsSource,
    private readonly logs: LogStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Ticks every `intervalMs`. */
  start(intervalMs = 1000): void {
    const loop = () => {
      try {
        this.tick();
      } finally {
        this.timer = setTimeout(loop, intervalMs - (Date.now() % intervalMs) + 5);
        this.timer.unref();
      }
    };
    loop();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Fires every schedule trigger that is due at the clock's time; returns what fired. */
  tick(): Array<{ function: string; trigger: string; at: string }> {
    const now = this.now();
    const fired: Array<{ function: string; trigger: string; at: string }> = [];
    for (const { name, settings } of this.settings()) {
      for (const trigger of settings.triggers) {
        if (trigger.kind !== 'schedule' || !trigger.enabled) continue;
        const last = this.store.lastFire(name, trigger.name);
        if (last === undefined) {
          // First sight of this trigger: start counting from now, never fire for the past.
          this.store.setLastFire(name, trigger.name, now);
          continue;
        }
        let due: number | undefined;
        let from = last;
        for (let i = 0; i < catchUpLimit; i++) {
          const next = nextCronTimes(trigger.cron, {
            timezone: trigger.timezone,
            from: new Date(from),
          })[0]!.getTime();
          if (next > now) break;
          due = next;
          from = next;
        }
        if (due === undefined) continue;
        const at = new Date(due).toISOString();
        const event = {
          specversion: '1.0' as const,
          id: `schedule:${name}:${trigger.name}:${due}`,
          source: `/faasport/schedule/${name}/${trigger.name}`,
          type: eventTypes.schedule,
          time: at,
          datacontenttype: 'application/json',
          data: trigger.payload ?? { cron: trigger.cron, timezone: trigger.timezone, scheduledTime: at },
        };
        this.store.transaction(() => {
          this.broker.enqueue(settings, trigger.name, event);
          this.store.setLastFire(name, trigger.name, due!);
        });
        this.logs.write({
          time: new Date().toISOString(),
          level: 'info',
          kind: 'system',
          function: name,
          message: `schedule ${trigger.name} fired for ${at}`,
        });
        fired.push({ function: name, trigger: trigger.name, at });
      }
    }
    if (fired.length) this.broker.kick();
    return fired;
  }
}
