import {
  ConfigurationError,
  defineFunction,
  desiredStateOf,
  FaasportError,
  readLogs,
  UnsupportedFeatureError,
  ValidationError,
} from '@faasport/core';
import { describe, expect, it } from 'vitest';
import { createFcAdapter, fcAdapterOptionsSchema } from '../src';
import { ctx } from './helpers';

const base = { accountId: '1234567890', region: 'cn-hangzhou' };

describe('FC adapter options', () => {
  it('names the option and the environment variable of a missing credential, at the first API call', async () => {
    // Offline work (render, check) needs no credentials.
    const offline = createFcAdapter({ ...base, env: {} });
    expect(
      offline.render(
        desiredStateOf(defineFunction({ name: 'hi', source: { inline: 'export default () => 1' } })),
      ),
    ).toHaveLength(5);
    const error = await offline.read('hi', ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    const e = error as ConfigurationError;
    expect(e.option).toBe('credentials.accessKeyId');
    expect(e.envVar).toBe('ALIBABA_CLOUD_ACCESS_KEY_ID');
    // Both keys are missing: one error names both, so they are fixed in one go.
    expect(e.message).toBe(
      'Missing 2 settings of the fc target:\n' +
        '- the Alibaba Cloud access key id (option `credentials.accessKeyId` or environment variable ALIBABA_CLOUD_ACCESS_KEY_ID)\n' +
        '- the Alibaba Cloud access key secret (option `credentials.accessKeySecret` or environment variable ALIBABA_CLOUD_ACCESS_KEY_SECRET)',
    );
    expect(e.missing).toEqual([
      { option: 'credentials.accessKeyId', envVar: 'ALIBABA_CLOUD_ACCESS_KEY_ID' },
      { option: 'credentials.accessKeySecret', envVar: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' },
    ]);

    const noSecret = createFcAdapter({ ...base, env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIx' } });
    await expect(noSecret.invoke('hi', new Request('http://function/'))).rejects.toThrow(
      /ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
    );
    // The account id and the region are part of every request body and URL: needed at once.
    expect(() =>
      createFcAdapter({
        region: 'cn-hangzhou',
        credentials: { accessKeyId: 'a', accessKeySecret: 'b' },
        env: {},
      }),
    ).toThrow(/option `accountId` or environment variable ALIBABA_CLOUD_ACCOUNT_ID/);
    expect(() =>
      createFcAdapter({ accountId: '1', credentials: { accessKeyId: 'a', accessKeySecret: 'b' }, env: {} }),
    ).toThrow(/`region`/);
  });

  it('reads credentials from ALIBABA_CLOUD_* and the older ALICLOUD_* variables', () => {
    expect(
      createFcAdapter({
        ...base,
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI1', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret-1' },
      }).name,
    ).toBe('fc');
    expect(
      createFcAdapter({ ...base, env: { ALICLOUD_ACCESS_KEY: 'LTAI2', ALICLOUD_SECRET_KEY: 'secret-2' } })
        .name,
    ).toBe('fc');
    expect(
      createFcAdapter({
        env: {
          ALICLOUD_ACCESS_KEY_ID: 'LTAI3',
          ALICLOUD_ACCESS_KEY_SECRET: 'secret-3',
          ALICLOUD_REGION: 'cn-beijing',
          ALICLOUD_ACCOUNT_ID: '42',
        },
      }).endpoint,
    ).toBe('https://42.cn-beijing.fc.aliyuncs.com');
  });

  it('uses https by default, the internal endpoint on request, and an override as given', () => {
    const creds = { credentials: { accessKeyId: 'LTAI', accessKeySecret: 'secret' }, env: {} };
    expect(createFcAdapter({ ...base, ...creds }).endpoint).toBe(
      'https://1234567890.cn-hangzhou.fc.aliyuncs.com',
    );
    expect(createFcAdapter({ ...base, ...creds, internal: true }).endpoint).toBe(
      'https://1234567890.cn-hangzhou-internal.fc.aliyuncs.com',
    );
    expect(createFcAdapter({ ...base, ...creds, endpoint: 'http://127.0.0.1:9000/' }).endpoint).toBe(
      'http://127.0.0.1:9000',
    );
  });

  it('needs a security token with an STS key', async () => {
    const sts = createFcAdapter({
      ...base,
      credentials: { accessKeyId: 'STS.abc', accessKeySecret: 'secret' },
      env: {},
    });
    await expect(sts.list(ctx)).rejects.toThrow(/ALIBABA_CLOUD_SECURITY_TOKEN/);
    expect(
      createFcAdapter({
        ...base,
        credentials: { accessKeyId: 'STS.abc', accessKeySecret: 'secret' },
        env: { ALIBABA_CLOUD_SECURITY_TOKEN: 'tok-123' },
      }).name,
    ).toBe('fc');
  });

  it('rejects unknown and malformed options, never echoing a credential', () => {
    const strict = fcAdapterOptionsSchema.safeParse({ ...base, regoin: 'x' });
    expect(strict.success).toBe(false);
    let error: unknown;
    try {
      createFcAdapter({
        ...base,
        endpoint: 'localhost:9000',
        credentials: { accessKeyId: 'LTAI', accessKeySecret: 'super-secret-value' },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe('endpoint');
    expect((error as Error).message).toContain('localhost:9000');
    expect((error as Error).message).not.toContain('super-secret-value');
    expect(() =>
      createFcAdapter({ ...base, accountId: 'abc', credentials: { accessKeyId: 'a', accessKeySecret: 'b' } }),
    ).toThrow(/not an account id/);
  });

  it('redacts the access key secret from every faasport error', () => {
    createFcAdapter({
      ...base,
      credentials: { accessKeyId: 'LTAI', accessKeySecret: 'redact-me-please' },
      env: {},
    });
    const e = new ConfigurationError('token redact-me-please leaked');
    expect(e.message).toBe('token *** leaked');
  });

  it('declares logs unsupported by leaving logs out, and says where to read them', () => {
    const fc = createFcAdapter({
      ...base,
      credentials: { accessKeyId: 'LTAI', accessKeySecret: 'secret' },
      env: {},
    });
    expect(fc.logs).toBeUndefined();
    let error: unknown;
    try {
      readLogs(fc, 'coffee');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(FaasportError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('Log Service (SLS)');
    expect((error as FaasportError).hint).toContain('aliyun log GetLogs');
  });
});
