import { createHash, createHmac } from 'node:crypto';
import FCClientModule from '@alicloud/fc2';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FcEmulator, startFcEmulator } from '../src/fc';

// What FC's own SDKs put on the wire, against the emulator: @alicloud/fc2 as the real client, and
// fc-go-sdk's requests transcribed from its sources (github.com/aliyun/fc-go-sdk at 3a1b2ed), since
// no Go toolchain runs these tests.
const FCClient = ((FCClientModule as any).default ?? FCClientModule) as any;

const zip = (files: Record<string, string>) =>
  Buffer.from(
    zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)]))),
  ).toString('base64');
const echo = `exports.handler = (req, resp) => resp.send(JSON.stringify({ path: req.path, q: req.queries }));`;

/**
 * One request as fc-go-sdk's `Client.sendRequest` (client.go) sends it: the body is `json.Marshal` of
 * the input struct, `Content-MD5` is the hex MD5 (util.go `MD5`), and the signature is
 * `signature.go` `GetSignature` over method, Content-MD5, Content-Type, Date, the sorted x-fc-*
 * headers and the path it was given.
 */
async function goSdkRequest(
  fc: FcEmulator,
  method: string,
  path: string,
  payload: unknown,
  contentMd5?: string,
): Promise<Response> {
  const body = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
  const headers: Record<string, string> = {
    'X-Fc-Account-Id': fc.accountId,
    'User-Agent': 'go-sdk-0.1',
    Accept: 'application/json',
    Date: new Date().toUTCString(),
  };
  if (body) {
    headers['Content-Type'] = 'application/json';
    headers['Content-MD5'] = contentMd5 ?? createHash('md5').update(body).digest('hex');
  }
  const fcHeaders = Object.keys(headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k.startsWith('x-fc-'))
    .sort()
    .map((k) => `${k}:${headers[Object.keys(headers).find((h) => h.toLowerCase() === k)!]}\n`)
    .join('');
  const resource = `/2016-08-15${path}`;
  const toSign = `${method}\n${headers['Content-MD5'] ?? ''}\n${headers['Content-Type'] ?? ''}\n${headers.Date}\n${fcHeaders}${resource}`;
  const signature = createHmac('sha256', fc.accessKeySecret).update(toSign).digest('base64');
  headers.Authorization = `FC ${fc.accessKeyId}:${signature}`;
  return fetch(`${fc.url}${resource}`, { method, headers, ...(body ? { body } : {}) });
}

describe('FC emulator accepts what FC SDKs send', () => {
  let fc: FcEmulator;
  let client: any;
  beforeAll(async () => {
    fc = await startFcEmulator();
    client = new FCClient(fc.accountId, {
      accessKeyID: fc.accessKeyId,
      accessKeySecret: fc.accessKeySecret,
      region: fc.region,
      endpoint: fc.url,
    });
  });
  afterAll(async () => {
    await fc?.close();
  });

  it('takes fc-go-sdk bodies with unset fields as null, and its hex Content-MD5', async () => {
    // service.go CreateServiceInput and function.go FunctionCreateObject: no omitempty, so unset
    // pointers are marshalled as null.
    const service = await goSdkRequest(fc, 'POST', '/services', {
      serviceName: 'gosvc',
      description: null,
      role: null,
      logConfig: null,
      vpcConfig: null,
      internetAccess: null,
      nasConfig: null,
      tracingConfig: null,
    });
    expect(service.status).toBe(200);
    expect(await service.json()).toMatchObject({ serviceName: 'gosvc', internetAccess: true });
    const fn = await goSdkRequest(fc, 'POST', '/services/gosvc/functions', {
      functionName: 'gofn',
      description: null,
      runtime: 'nodejs20',
      handler: 'index.handler',
      initializer: null,
      timeout: null,
      initializationTimeout: null,
      memorySize: null,
      instanceConcurrency: null,
      code: { ossBucketName: null, ossObjectName: null, zipFile: zip({ 'index.js': echo }) },
      environmentVariables: null,
      customContainerConfig: null,
      caPort: null,
      instanceType: null,
      layers: null,
    });
    expect(fn.status).toBe(200);
    expect(await fn.json()).toMatchObject({ functionName: 'gofn', memorySize: 128, timeout: 60 });
    // trigger.go TriggerCreateObject
    const trigger = await goSdkRequest(fc, 'POST', '/services/gosvc/functions/gofn/triggers', {
      triggerName: 'http',
      description: null,
      sourceArn: null,
      triggerType: 'http',
      invocationRole: null,
      triggerConfig: { authType: 'function', methods: ['GET'] },
      qualifier: null,
    });
    expect(trigger.status).toBe(200);
  });

  it('checks Content-MD5 against the body in each form clients send, and refuses a mismatch', async () => {
    const body = { description: 'md5 checked' };
    const bytes = Buffer.from(JSON.stringify(body));
    const digest = createHash('md5').update(bytes).digest();
    // RFC 1864 form (base64 of the raw digest) is accepted too; fc2's form is covered by every fc2 call.
    expect((await goSdkRequest(fc, 'PUT', '/services/gosvc', body, digest.toString('base64'))).status).toBe(
      200,
    );
    const wrong = await goSdkRequest(
      fc,
      'PUT',
      '/services/gosvc',
      body,
      createHash('md5').update('other').digest('hex'),
    );
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: expect.stringContaining('does not match the MD5 of the request body'),
    });
    expect((await client.getService('gosvc')).data.description).toBe('md5 checked');
  });

  it('verifies signatures over the decoded path and query, as FC documents', async () => {
    // The signature doc's own example: the path is sent encoded and signed decoded, with the
    // decoded query lines sorted.
    const date = new Date().toUTCString();
    const headers = { date, 'x-fc-account-id': fc.accountId };
    const signed = FCClient.getSignature(
      fc.accessKeyId,
      fc.accessKeySecret,
      'GET',
      '/2016-08-15/proxy/gosvc/gofn/path-with- -space/action',
      headers,
      { x: ['1', '3'], a: '2', 'with space': 'foo bar' },
    );
    const response = await fetch(
      `${fc.url}/2016-08-15/proxy/gosvc/gofn/path-with-%20-space/action?x=1&a=2&x=3&with%20space=foo%20bar`,
      { headers: { ...headers, authorization: signed } },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      path: '/path-with- -space/action',
      q: { x: ['1', '3'], a: '2', 'with space': 'foo bar' },
    });
  });

  it('answers 403 to a call without Authorization, on the API and on a signed HTTP trigger', async () => {
    const api = await fetch(`${fc.url}/2016-08-15/services`);
    expect(api.status).toBe(403);
    const trigger = await fetch(`${fc.url}/2016-08-15/proxy/gosvc/gofn/`);
    expect(trigger.status).toBe(403);
  });

  it('answers the account, tag and async-config calls SDKs make', async () => {
    const settings = await client.getAccountSettings();
    expect(settings.data.availableAZs).toEqual([expect.stringMatching(/^cn-hangzhou-/)]);

    const arn = `acs:fc:${fc.region}:${fc.accountId}:services/gosvc`;
    await client.tagResource(arn, { team: 'web', env: 'prod' });
    await client.tagResource('services/gosvc', { owner: 'ops' });
    expect((await client.getResourceTags({ resourceArn: arn })).data).toEqual({
      resourceArn: arn,
      tags: { team: 'web', env: 'prod', owner: 'ops' },
    });
    await client.untagResource(arn, ['env']);
    expect((await client.getResourceTags({ resourceArn: arn })).data.tags).toEqual({
      team: 'web',
      owner: 'ops',
    });
    await client.untagResource(arn, [], true);
    expect((await client.getResourceTags({ resourceArn: arn })).data.tags).toEqual({});
    const missing = await client.tagResource('services/nope', { a: 'b' }).catch((e: any) => e);
    expect(missing.code).toBe('ServiceNotFound');

    const none = await client.getFunctionAsyncConfig('gosvc', 'gofn').catch((e: any) => e);
    expect(none.message).toMatch(/failed with 404/);
    const put = await client.putFunctionAsyncConfig('gosvc', 'gofn', undefined, {
      maxAsyncRetryAttempts: 1,
      maxAsyncEventAgeInSeconds: 300,
      destinationConfig: {
        onFailure: { destination: 'acs:mns:cn-hangzhou:1234567890:/queues/dlq/messages' },
      },
    });
    expect(put.data).toMatchObject({
      service: 'gosvc',
      function: 'gofn',
      qualifier: 'LATEST',
      maxAsyncRetryAttempts: 1,
    });
    expect((await client.getFunctionAsyncConfig('gosvc', 'gofn')).data.maxAsyncEventAgeInSeconds).toBe(300);
    expect((await client.listFunctionAsyncConfigs('gosvc', 'gofn')).data.configs).toHaveLength(1);
    const bad = await client
      .putFunctionAsyncConfig('gosvc', 'gofn', undefined, { maxRetries: 1 })
      .catch((e: any) => e);
    expect(bad.code).toBe('InvalidArgument');
    await client.deleteFunctionAsyncConfig('gosvc', 'gofn');
    expect((await client.listFunctionAsyncConfigs('gosvc', 'gofn')).data.configs).toEqual([]);
  });
});
