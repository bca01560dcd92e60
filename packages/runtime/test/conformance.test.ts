import { randomUUID } from 'node:crypto';
import { type TriggerDelivery, testAdapter } from '@faasport/core/testing';
import { createLocalAdapter, type DeliveryOutcome, localCapabilities, startRuntime } from '../src/index';
import { cleanTemp, tempDir } from './helpers/fixtures';

/**
 * The deliveries the runtime's broker reports, handed to the trigger hooks as the deliveries they expect
 * (`function/trigger`, from the admin API's answers and `tick()`) arrive.
 */
function deliveryLog() {
  const seen: DeliveryOutcome[] = [];
  let arrived: (() => void) | undefined;
  return {
    record(outcome: DeliveryOutcome) {
      seen.push(outcome);
      arrived?.();
    },
    async take(expected: string[]): Promise<TriggerDelivery[]> {
      const out: TriggerDelivery[] = [];
      const deadline = Date.now() + 30_000;
      for (const name of expected) {
        for (;;) {
          const at = seen.findIndex((o) => `${o.function}/${o.trigger}` === name);
          if (at >= 0) {
            const [o] = seen.splice(at, 1) as [DeliveryOutcome];
            const answer = new TextDecoder().decode(o.body);
            out.push({
              functionName: o.function,
              body: o.error ? JSON.stringify({ error: o.error }) : answer,
            });
            break;
          }
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`the runtime reported no delivery to ${name} within 30 s`)),
              Math.max(0, deadline - Date.now()),
            );
            arrived = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      }
      return out;
    },
  };
}

// The runtime fires its triggers itself: the cron scheduler on its clock, bucket writes and published
// events through the admin API; the broker delivers them and reports what each function answered.
testAdapter({
  name: 'local (bundled runtime)',
  capabilities: localCapabilities,
  async setup() {
    const deliveries = deliveryLog();
    let now = Date.now();
    const runtime = await startRuntime({
      dataDir: tempDir('faasport-conformance-'),
      port: 0,
      clock: () => now,
      onDelivery: (outcome) => deliveries.record(outcome),
    });
    const adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
    const admin = async (method: string, route: string, body: BodyInit, type: string) => {
      const response = await fetch(`${runtime.url}/_faasport/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${runtime.token}`, 'content-type': type },
        body,
      });
      const answer = await response.text();
      if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status} ${answer}`);
      return JSON.parse(answer) as { deliveries: string[] };
    };
    return {
      adapter,
      writes: () => runtime.writes(),
      async close() {
        await runtime.close();
        cleanTemp();
      },
      triggers: {
        // The scheduler ticks once a second: the hook makes those ticks while it moves the clock, so each
        // due time fires on its own (one long jump would collapse them, as after downtime). The first tick
        // starts the count of triggers deployed since the last one.
        async advanceClock(ms) {
          const fired = runtime.tick();
          const end = now + ms;
          while (now < end) {
            now = Math.min(now + 1000, end);
            fired.push(...runtime.tick());
          }
          return deliveries.take(fired.map((f) => `${f.function}/${f.trigger}`));
        },
        async putObject(bucket, key, size) {
          const put = await admin(
            'PUT',
            `/buckets/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
            new Uint8Array(size),
            'application/octet-stream',
          );
          return deliveries.take(put.deliveries);
        },
        async sendMessage(topic, body) {
          const published = (await admin(
            'POST',
            `/topics/${topic}/messages`,
            JSON.stringify({ messages: [{ body }] }),
            'application/json',
          )) as unknown as { messages: Array<{ deliveries: string[] }> };
          return deliveries.take(published.messages.flatMap((m) => m.deliveries));
        },
        async publish(event) {
          const cloudEvent = { specversion: '1.0', id: randomUUID(), ...event };
          const published = await admin(
            'POST',
            '/events',
            JSON.stringify(cloudEvent),
            'application/cloudevents+json',
          );
          return deliveries.take(published.deliveries);
        },
      },
    };
  },
});
