import { defineFunction, deploy, FaasportError, type FunctionConfig, renderFunction } from '@faasport/core';
import { type FcEmulator, startFcEmulator } from '@faasport/emulators/fc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFcAdapter } from '../src';

const role = 'acs:ram::1234567890:role/aliyunmnsnotificationrole';
const consumer: FunctionConfig = {
  name: 'orders',
  contract: 'event',
  source: {
    inline: 'export default async (event) => ({ id: event.faasportmessageid, data: event.data ?? null })',
  },
  triggers: [{ queue: { topic: 'orders' } }],
};
const offline = (queues: Record<string, unknown>) =>
  createFcAdapter({
    accountId: '1234567890',
    region: 'cn-hangzhou',
    credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' },
    target: 'prod',
    queues: queues as never,
  });

describe('fc queue triggers', () => {
  it('renders an mns_topic trigger on the MNS topic the target binds', () => {
    const adapter = offline({
      orders: { mns: { topic: 'shop-orders', filterTag: 'eu', invocationRole: role } },
    });
    const { manifests } = renderFunction(adapter, defineFunction(consumer));
    const trigger = manifests.find(
      (m) => (m.content as { triggerType?: string }).triggerType === 'mns_topic',
    );
    expect(trigger?.content).toEqual({
      triggerName: 'queue',
      qualifier: expect.any(String),
      triggerType: 'mns_topic',
      sourceArn: 'acs:mns:cn-hangzhou:1234567890:/topics/shop-orders',
      invocationRole: role,
      triggerConfig: { notifyContentFormat: 'JSON', notifyStrategy: 'BACKOFF_RETRY', filterTag: 'eu' },
    });
  });

  it('names the missing binding, and a binding without a role MNS can assume', () => {
    const error = (adapter: ReturnType<typeof offline>) => {
      try {
        renderFunction(adapter, defineFunction(consumer));
      } catch (e) {
        return e as FaasportError;
      }
    };
    expect(error(offline({}))?.message).toContain('targets.prod.queues.orders is missing');
    const noRole = error(offline({ orders: { mns: {} } }));
    expect(FaasportError.isInstance(noRole)).toBe(true);
    expect(noRole?.message).toContain('needs the RAM role MNS assumes');
  });

  describe('on the emulator', () => {
    let emulator: FcEmulator;
    beforeAll(async () => {
      emulator = await startFcEmulator();
    });
    afterAll(async () => emulator?.close());

    it('delivers an MNS message as the portable event, and an unchanged re-deploy writes nothing', async () => {
      const adapter = createFcAdapter({
        accountId: emulator.accountId,
        region: emulator.region,
        endpoint: emulator.url,
        credentials: { accessKeyId: emulator.accessKeyId, accessKeySecret: emulator.accessKeySecret },
        retryBaseMs: 1,
        queues: { orders: { mns: { invocationRole: role } } },
      });
      await deploy(adapter, defineFunction(consumer));
      const [delivery, ...more] = await emulator.publishMnsMessage('orders', '{"n":1}');
      expect(more).toEqual([]);
      const answer = JSON.parse(new TextDecoder().decode(delivery!.body));
      expect(answer.data).toEqual({ n: 1 });
      expect(answer.id).toMatch(/^[0-9A-F]{32}$/);
      const before = emulator.writes();
      await deploy(adapter, defineFunction(consumer));
      expect(emulator.writes()).toBe(before);
    });
  });
});
