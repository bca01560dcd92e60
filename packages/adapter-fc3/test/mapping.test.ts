import { defineFunction, FaasportError, planDeploy, renderFunction } from '@faasport/core';
import { describe, expect, it } from 'vitest';
import { createFc3Adapter, toFc3Cron } from '../src';

const offline = (queues?: Record<string, unknown>) =>
  createFc3Adapter({
    accountId: '1234567890',
    region: 'cn-hangzhou',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'k', accessKeySecret: 's' },
    maxAttempts: 1,
    target: 'shop',
    ...(queues ? { queues: queues as never } : {}),
  });

const mnsRole = 'acs:ram::1234567890:role/aliyunmnsnotificationrole';
const consumer = defineFunction({
  name: 'orders',
  contract: 'event',
  source: { inline: 'export default async (event) => event.data' },
  triggers: [{ queue: { topic: 'orders' } }],
});
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as FaasportError;
  }
  throw new Error('expected a refusal');
};

describe('fc3 mapping', () => {
  it('writes a timer time zone exactly as CRON_TZ, and UTC as the bare six-field cron', () => {
    expect(toFc3Cron('30 8 * * 1-5', 'Asia/Shanghai')).toBe('CRON_TZ=Asia/Shanghai 0 30 8 * * 1-5');
    expect(toFc3Cron('30 8 * * *', 'UTC')).toBe('0 30 8 * * *');
  });

  it('refuses an OSS trigger without an invocation role at plan time, naming both options', async () => {
    const fn = defineFunction({
      name: 'thumbs',
      source: { inline: 'export default async () => "ok"' },
      contract: 'event',
      triggers: [{ storage: { bucket: 'photos', events: ['created'] } }],
    });
    await expect(planDeploy(offline(), fn)).rejects.toThrow(/invocationRole/);
  });

  it('renders scaling.min as the sendable PutScalingConfig body of alias main, and scaling.max as the concurrency config', () => {
    const manifests = renderFunction(
      offline(),
      defineFunction({
        name: 'warm',
        source: { inline: 'export default async () => new Response("ok")' },
        scaling: { min: 2, max: 4 },
      }),
    ).manifests;
    expect(manifests.find((m) => m.name === 'warm.scaling-config.json')).toMatchObject({
      request: { method: 'PUT', path: '/2023-03-30/functions/warm/scaling-config?qualifier=main' },
      content: { minInstances: 2 },
    });
    expect(manifests.find((m) => m.name === 'warm.concurrency.json')?.content).toEqual({
      reservedConcurrency: 4,
    });
    expect(manifests.map((m) => m.request?.path ?? '').filter((p) => p.includes('provision-config'))).toEqual(
      [],
    );
  });

  it('refuses a cpu/memory pair outside 1-4 GB per vCPU at plan time', async () => {
    const fn = defineFunction({
      name: 'heavy',
      source: { inline: 'export default async () => new Response("ok")' },
      resources: { memory: 512, cpu: 2 },
    });
    await expect(planDeploy(offline(), fn)).rejects.toThrow(/resources.memory 512 .*2048-8192 MB for cpu 2/);
  });

  it('renders a queue trigger as an mns_topic trigger on the topic the target binds, its config a JSON string', () => {
    const adapter = offline({
      orders: { mns: { topic: 'shop-orders', filterTag: 'eu', invocationRole: mnsRole } },
    });
    const trigger = renderFunction(adapter, consumer).manifests.find(
      (m) => m.name === 'orders.create-trigger-queue.json',
    );
    expect(trigger?.request).toEqual({ method: 'POST', path: '/2023-03-30/functions/orders/triggers' });
    expect(trigger?.content).toEqual({
      triggerName: 'queue',
      qualifier: 'main',
      triggerType: 'mns_topic',
      sourceArn: 'acs:mns:cn-hangzhou:1234567890:/topics/shop-orders',
      invocationRole: mnsRole,
      triggerConfig: JSON.stringify({
        notifyContentFormat: 'JSON',
        notifyStrategy: 'BACKOFF_RETRY',
        filterTag: 'eu',
      }),
    });
  });

  it('names a missing topic binding with a did-you-mean, a binding without a role, and a malformed binding', () => {
    const unbound = refusal(() =>
      renderFunction(offline({ order: { mns: { invocationRole: mnsRole } } }), consumer),
    );
    expect(unbound.message).toContain('targets.shop.queues.orders is missing');
    expect(unbound.message).toContain('did you mean "order"');
    const noRole = refusal(() => renderFunction(offline({ orders: { mns: {} } }), consumer));
    expect(FaasportError.isInstance(noRole)).toBe(true);
    expect(noRole.message).toContain('providers.fc3.invocationRole');
    expect(noRole.message).toContain('needs the RAM role MNS assumes');
    const kafka = refusal(() => offline({ orders: { kafka: { bootstrapServers: ['b:9092'] } } }));
    expect(kafka.message).toMatch(/queues\.orders/);
  });
});
