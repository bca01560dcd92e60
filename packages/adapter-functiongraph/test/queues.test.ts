import { defineFunction, deploy, FaasportError, type FunctionConfig, renderFunction } from '@faasport/core';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunctionGraphAdapter, type FunctionGraphAdapterOptions } from '../src';

const queues = {
  orders: { kafka: { instanceId: 'kafka-1', topic: 'shop-orders' } },
  audit: { openSourceKafka: { connectAddress: '10.0.0.5:9092,10.0.0.6:9092', ssl: true } },
};
const offline = (extra: Partial<FunctionGraphAdapterOptions> = {}) =>
  createFunctionGraphAdapter({
    region: 'cn-north-4',
    projectId: 'p1',
    credentials: { accessKeyId: 'ak', secretAccessKey: 'sk' },
    target: 'hw',
    queues,
    ...extra,
  });
const consumer: FunctionConfig = {
  name: 'orders',
  contract: 'event',
  source: {
    inline:
      'export default async (event) => ({ id: event.faasportmessageid, data: event.data ?? event.data_base64 })',
  },
  triggers: [{ queue: { topic: 'orders', batchSize: 3 } }, { queue: { topic: 'audit' } }],
};

describe('functiongraph queue triggers: render and check', () => {
  it('renders a KAFKA trigger for a DMS instance and an OPENSOURCEKAFKA one for a self-hosted Kafka', () => {
    const { manifests } = renderFunction(offline(), defineFunction(consumer));
    const triggers = manifests.filter((m) => m.name.includes('.trigger-')).map((m) => m.content);
    expect(triggers).toEqual([
      {
        trigger_type_code: 'KAFKA',
        trigger_status: 'ACTIVE',
        event_data: { instance_id: 'kafka-1', topic_ids: ['shop-orders'], batch_size: 3 },
      },
      {
        trigger_type_code: 'OPENSOURCEKAFKA',
        trigger_status: 'ACTIVE',
        event_data: {
          kafka_connect_address: '10.0.0.5:9092,10.0.0.6:9092',
          topic_ids: ['audit'],
          batch_size: 1,
          kafka_ssl_enable: true,
        },
      },
    ]);
  });

  it('names the missing binding targets.<t>.queues.<topic>, and checks bindings with did-you-mean', () => {
    const error = (() => {
      try {
        renderFunction(offline({ queues: {} }), defineFunction(consumer));
      } catch (e) {
        return e as FaasportError;
      }
    })();
    expect(FaasportError.isInstance(error)).toBe(true);
    expect(error?.message).toContain('targets.hw.queues.orders is missing');
    expect(() => offline({ queues: { orders: { kafka: { instanceID: 'x' } } } as never })).toThrow(
      /unknown key "instanceID"; did you mean "instanceId"/,
    );
    expect(() => offline({ queues: { orders: {} } as never })).toThrow(
      /exactly one of kafka .* and openSourceKafka/,
    );
  });
});

describe('functiongraph queue triggers on the emulator', () => {
  let emulator: FunctionGraphEmulator;
  beforeAll(async () => {
    emulator = await startFunctionGraphEmulator({ accessKeyId: 'ak', secretAccessKey: 'sk-secret' });
  });
  afterAll(async () => emulator?.close());

  it('delivers a batch of Kafka messages as one portable event per message, in order', async () => {
    const adapter = createFunctionGraphAdapter({
      region: emulator.region,
      projectId: emulator.projectId,
      endpoint: emulator.url,
      credentials: { accessKeyId: 'ak', secretAccessKey: 'sk-secret' },
      queues,
    });
    await deploy(adapter, defineFunction(consumer));
    const [delivery, ...more] = await emulator.sendKafkaMessages('shop-orders', [
      '{"n":1}',
      'plain',
      '{"n":3}',
    ]);
    expect(more).toEqual([]);
    const results = JSON.parse(delivery!.result) as Array<{ id: string; data: unknown }>;
    expect(results.map((r) => r.data)).toEqual([{ n: 1 }, Buffer.from('plain').toString('base64'), { n: 3 }]);
    expect(new Set(results.map((r) => r.id)).size).toBe(3);
    // An unchanged re-deploy keeps the Kafka triggers (matched by topic and instance): no writes.
    const before = emulator.writes();
    await deploy(adapter, defineFunction(consumer));
    expect(emulator.writes()).toBe(before);
  });
});
