/**
 * Cloud registry logins: ECR's GetAuthorizationToken through @aws-sdk/client-ecr against moto_server
 * (an AWS emulator nobody here wrote), SWR's login key against the guide's own openssl command.
 */
import { spawnSync } from 'node:child_process';
import { redact } from '@faasport/core';
import {
  cloudCredentials,
  cloudLoginHint,
  cloudRegistryOf,
  ecrCredentials,
  swrCredentials,
  swrLoginKey,
} from '@faasport/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasMoto, type Moto, startMoto, testEnv } from '../../adapter-lambda/test/moto';

describe('cloud registry hosts', () => {
  it('recognises ECR, SWR and ACR hosts and nothing else', () => {
    expect(cloudRegistryOf('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({
      cloud: 'ecr',
      host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(cloudRegistryOf('swr.cn-north-4.myhuaweicloud.com')).toMatchObject({
      cloud: 'swr',
      region: 'cn-north-4',
    });
    expect(cloudRegistryOf('registry.cn-hangzhou.aliyuncs.com')).toMatchObject({
      cloud: 'acr',
      region: 'cn-hangzhou',
    });
    expect(cloudRegistryOf('registry-vpc.cn-shanghai.aliyuncs.com')).toMatchObject({ cloud: 'acr' });
    expect(cloudRegistryOf('acme-registry.cn-hangzhou.cr.aliyuncs.com')).toMatchObject({
      cloud: 'acr',
      region: 'cn-hangzhou',
    });
    for (const other of ['ghcr.io', '127.0.0.1:5000', 'dkr.ecr.us-east-1.amazonaws.com', 'fc.aliyuncs.com'])
      expect(cloudRegistryOf(other)).toBeUndefined();
  });

  it("names each cloud's own login in the hint of a refused login", async () => {
    const ecr = cloudRegistryOf('123456789012.dkr.ecr.eu-west-1.amazonaws.com')!;
    expect(cloudLoginHint(ecr)).toContain(
      'aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    );
    expect(cloudLoginHint(cloudRegistryOf('swr.cn-north-4.myhuaweicloud.com')!)).toContain(
      'docker login -u cn-north-4@<AK>',
    );
    expect(cloudLoginHint(cloudRegistryOf('registry.cn-hangzhou.aliyuncs.com')!)).toContain(
      'GetAuthorizationToken',
    );
    // ACR needs its instance id for a temporary password: no login of our own, Docker's config decides.
    expect(
      await cloudCredentials(cloudRegistryOf('registry.cn-hangzhou.aliyuncs.com')!, {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'x',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'y',
      }),
    ).toBeUndefined();
  });
});

describe('SWR login key', () => {
  const ak = 'HPUAEXAMPLEAK1234567';
  const sk = 'swr-example-secret-key-0123456789abcdefghij';

  it("equals the guide's `printf $AK | openssl dgst -binary -sha256 -hmac $SK | od …` and logs in as <region>@<AK>", () => {
    const guide = spawnSync(
      'sh',
      [
        '-c',
        `printf "$AK" | openssl dgst -binary -sha256 -hmac "$SK" | od -An -vtx1 | sed 's/[ \\n]//g' | sed 'N;s/\\n//'`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, AK: ak, SK: sk } },
    );
    expect(guide.status).toBe(0);
    expect(swrLoginKey(ak, sk)).toBe(guide.stdout.trim());
    const credentials = swrCredentials('cn-north-4', { HUAWEICLOUD_SDK_AK: ak, HUAWEICLOUD_SDK_SK: sk });
    expect(credentials).toEqual({ username: `cn-north-4@${ak}`, password: guide.stdout.trim() });
    // The key and the secret are redacted wherever faasport prints.
    expect(redact(`key ${credentials!.password} sk ${sk}`)).not.toContain(sk);
    expect(redact(`key ${credentials!.password}`)).not.toContain(credentials!.password);
    expect(swrCredentials('cn-north-4', { HUAWEICLOUD_SDK_AK: ak })).toBeUndefined();
  });
});

const skip = hasMoto ? undefined : 'moto_server is not installed (pip install "moto[server]")';

// Skipped only where moto_server is missing: see `skip`.
describe.skipIf(!hasMoto)(
  `ECR GetAuthorizationToken against moto_server${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let moto: Moto;
    beforeAll(async () => {
      moto = await startMoto();
    });
    afterAll(async () => {
      await moto?.close();
    });

    it('logs in to an ECR host through the SDK when Docker has no credentials for it', async () => {
      const host = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
      const env = { ...testEnv, AWS_ENDPOINT_URL: moto.url, HOME: '/nonexistent' };
      // moto's token is base64 `AWS:<account>-auth-token` (moto/ecr/responses.py get_authorization_token).
      const credentials = await cloudCredentials(cloudRegistryOf(host)!, env);
      expect(credentials).toEqual({ username: 'AWS', password: '123456789012-auth-token' });
      expect(redact('password 123456789012-auth-token')).not.toContain('123456789012-auth-token');
    });

    it('says what failed and how to log in by hand when ECR cannot be reached', async () => {
      const port = await freePort();
      const error = await ecrCredentials({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        env: testEnv,
      }).catch((e) => e);
      expect(error.code).toBe('FP_PROVIDER_API');
      expect(error.message).toContain('ECR GetAuthorizationToken');
      expect(error.hint).toContain('aws ecr get-login-password --region us-east-1');
      expect(JSON.stringify({ m: error.message, h: error.hint })).not.toContain(
        testEnv.AWS_SECRET_ACCESS_KEY,
      );
    });
  },
);
