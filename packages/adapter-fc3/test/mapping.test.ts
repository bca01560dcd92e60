import { defineFunction, planDeploy } from '@faasport/core';
import { describe, expect, it } from 'vitest';
import { createFc3Adapter, toFc3Cron } from '../src';

const offline = () =>
  createFc3Adapter({
    accountId: '1234567890',
    region: 'cn-hangzhou',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'k', accessKeySecret: 's' },
    maxAttempts: 1,
  });

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

  it('refuses a cpu/memory pair outside 1-4 GB per vCPU at plan time', async () => {
    const fn = defineFunction({
      name: 'heavy',
      source: { inline: 'export default async () => new Response("ok")' },
      resources: { memory: 512, cpu: 2 },
    });
    await expect(planDeploy(offline(), fn)).rejects.toThrow(/resources.memory 512 .*2048-8192 MB for cpu 2/);
  });
});
