import { createKnativeAdapter } from '@faasport/adapter-knative';
import {
  defineFunction,
  deploy,
  desiredStateOf,
  FaasportError,
  type FunctionConfig,
  remove,
  renderFunction,
} from '@faasport/core';
import { validateManifest } from '@faasport/emulators/kubernetes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnative } from './helpers';

const queues = {
  orders: { kafka: { bootstrapServers: ['my-cluster-kafka-bootstrap.kafka:9092'], consumerGroup: 'shop' } },
};
const consumer: FunctionConfig = {
  name: 'orders',
  contract: 'event',
  source: {
    inline: 'export default async (event) => ({ got: event.data, topic: event.faasporttopic, id: event.id })',
  },
  triggers: [{ queue: { topic: 'orders', startFrom: 'earliest' } }],
};

describe('knative queue triggers: render and check', () => {
  it('renders a KafkaSource from targets.<t>.queues.<topic>.kafka that passes the Kafka webhook rules', () => {
    const adapter = createKnativeAdapter({ namespace: 'shop', queues });
    const { manifests } = renderFunction(adapter, defineFunction(consumer));
    const kafka = manifests.find((m) => (m.content as { kind: string }).kind === 'KafkaSource')!;
    expect(kafka.content).toMatchObject({
      apiVersion: 'sources.knative.dev/v1beta1',
      kind: 'KafkaSource',
      metadata: { name: 'orders-queue', namespace: 'shop' },
      spec: {
        bootstrapServers: ['my-cluster-kafka-bootstrap.kafka:9092'],
        topics: ['orders'],
        consumerGroup: 'shop',
        initialOffset: 'earliest',
        sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'orders' } },
      },
    });
    expect(validateManifest(kafka.content)).toEqual([]);
    const noTopics = { ...(kafka.content as object), spec: { ...(kafka.content as any).spec, topics: [] } };
    expect(validateManifest(noTopics).join('\n')).toContain('missing field(s): spec.topics');
  });

  it('refuses a queue trigger whose topic the target does not bind, naming the key, before any write', () => {
    const adapter = createKnativeAdapter({ namespace: 'shop', queues });
    const fn = defineFunction({ ...consumer, triggers: [{ queue: { topic: 'order' } }] });
    const error = (() => {
      try {
        renderFunction(adapter, fn);
      } catch (e) {
        return e;
      }
    })() as FaasportError;
    expect(FaasportError.isInstance(error)).toBe(true);
    expect(error.code).toBe('FP_VALIDATION');
    expect(error.message).toContain('targets.knative.queues.order is missing; did you mean "orders"');
    expect(() => adapter.render(desiredStateOf(defineFunction(consumer)))).not.toThrow();
  });

  it('checks the binding with did-you-mean on its keys', () => {
    const error = (() => {
      try {
        createKnativeAdapter({ queues: { orders: { kafka: { bootstrapServer: ['k:9092'] } } } as never });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toContain('unknown key "bootstrapServer"; did you mean "bootstrapServers"?');
  });
});

describe('knative queue triggers on the Kubernetes emulator', () => {
  let env: Awaited<ReturnType<typeof startKnative>>;
  beforeAll(async () => {
    env = await startKnative({}, { queues });
  });
  afterAll(async () => env?.kube.close());

  it('deploys a KafkaSource that delivers a Kafka record as the portable event, and removes it with the trigger', async () => {
    await deploy(env.adapter, defineFunction(consumer));
    const [source] = env.kube.list('sources.knative.dev/v1beta1', 'KafkaSource', 'default');
    expect(source?.spec).toMatchObject({
      topics: ['orders'],
      consumerGroup: 'shop',
      consumers: 1,
      ordering: 'ordered',
    });
    const [delivery] = await env.kube.putKafkaRecord('default', 'orders', {
      value: '{"id":"o-1"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await delivery!.response.json()).toEqual({ got: { id: 'o-1' }, topic: 'orders', id: '0/0' });

    // A redeploy with nothing changed writes nothing; dropping the trigger deletes the KafkaSource.
    const before = env.kube.writes();
    await deploy(env.adapter, defineFunction(consumer));
    expect(env.kube.writes()).toBe(before);
    await deploy(env.adapter, defineFunction({ ...consumer, triggers: [] }));
    expect(env.kube.list('sources.knative.dev/v1beta1', 'KafkaSource', 'default')).toEqual([]);
    await remove(env.adapter, 'orders');
  });

  it('keeps the consumer group immutable, as the Kafka webhook does', async () => {
    await deploy(env.adapter, defineFunction(consumer));
    const other = createKnativeAdapter({
      kubeConfig: env.kc,
      ingress: env.kube.url,
      pollIntervalMs: 50,
      queues: { orders: { kafka: { ...queues.orders.kafka, consumerGroup: 'other' } } },
    });
    await expect(deploy(other, defineFunction(consumer))).rejects.toThrow(/Immutable fields changed/);
    await remove(env.adapter, 'orders');
  });
});
