import { nextCronTimes } from '@faasport/core';
import { type TriggerDelivery, testAdapter } from '@faasport/core/testing';
import { knativeCapabilities } from '../src';
import { startKnative } from './helpers';

type Json = Record<string, any>;

testAdapter({
  name: 'knative (Kubernetes emulator)',
  capabilities: knativeCapabilities,
  async setup() {
    // The queue case's topic lives on the emulator's Kafka; any bootstrap address passes validation.
    const { kube, adapter } = await startKnative(
      {},
      { queues: { 'conf-orders': { kafka: { bootstrapServers: ['kafka.emulated:9092'] } } } },
    );
    const ns = 'default';
    // PingSources fire as a clock moves past their schedule (in their timezone), through the emulator.
    let clock = Date.now();
    const advanceClock = async (ms: number): Promise<TriggerDelivery[]> => {
      const from = clock;
      clock += ms;
      const due: Array<{ at: number; name: string; sink: string }> = [];
      for (const ping of kube.list('sources.knative.dev/v1', 'PingSource', ns)) {
        const spec = ping.spec as Json;
        let cursor = new Date(from);
        for (;;) {
          const [next] = nextCronTimes(spec.schedule, { timezone: spec.timezone ?? 'UTC', from: cursor });
          if (!next || next.getTime() > clock) break;
          due.push({ at: next.getTime(), name: ping.metadata.name, sink: spec.sink.ref.name });
          cursor = next;
        }
      }
      const out: TriggerDelivery[] = [];
      for (const d of due.sort((a, b) => a.at - b.at))
        out.push({ functionName: d.sink, body: await (await kube.firePing(ns, d.name)).text() });
      return out;
    };
    // The emulator delivers to the matching Triggers of the Broker in their stored order: the same order
    // names the subscriber of each answer.
    const publish = async (event: { type: string; source: string; data: unknown }) => {
      const subscribers = kube
        .list('eventing.knative.dev/v1', 'Trigger', ns)
        .filter((t) => (t.spec as Json).broker === 'default')
        .filter((t) =>
          Object.entries(((t.spec as Json).filter?.attributes ?? {}) as Record<string, string>).every(
            ([k, v]) => String((event as Json)[k]) === v,
          ),
        )
        .map((t) => (t.spec as Json).subscriber.ref.name as string);
      const responses = await kube.publish(ns, 'default', event);
      return Promise.all(
        responses.map(async (r, i) => ({ functionName: subscribers[i]!, body: await r.text() })),
      );
    };
    return {
      adapter,
      writes: () => kube.writes(),
      close: () => kube.close(),
      triggers: {
        advanceClock,
        publish,
        // A record on the emulated topic: each KafkaSource reading it sends it to its Service.
        async sendMessage(topic, body) {
          const deliveries = await kube.putKafkaRecord(ns, topic, {
            value: body,
            headers: { 'content-type': 'application/json' },
          });
          return Promise.all(
            deliveries.map(async (d) => ({ functionName: d.sink, body: await d.response.text() })),
          );
        },
      },
    };
  },
});
