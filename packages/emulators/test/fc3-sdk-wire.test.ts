import { createHash } from 'node:crypto';
import Client, * as $FC from '@alicloud/fc20230330';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import { zipEntries } from '@faasport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fc3Emulator, startFc3Emulator, verifyAcs3 } from '../src/fc3';

const zipOf = (source: string) =>
  Buffer.from(
    zipEntries([{ name: 'index.js', data: new TextEncoder().encode(source), executable: false }]).zip!,
  ).toString('base64');

/** The official client's failure: status, FC code and the request id it read from the body. */
async function failure(run: Promise<unknown>) {
  const e = (await run.then(() => undefined).catch((error) => error)) as {
    statusCode?: number;
    code?: string;
    data?: Record<string, unknown>;
  };
  return { status: e?.statusCode, code: e?.code, requestId: e?.data?.RequestId };
}

describe('FC 3.0 emulator on the wire of @alicloud/fc20230330', () => {
  let emulator: Fc3Emulator;
  let client: Client;
  beforeAll(async () => {
    emulator = await startFc3Emulator();
    const url = new URL(emulator.url);
    client = new Client(
      new $OpenApiUtil.Config({
        accessKeyId: emulator.accessKeyId,
        accessKeySecret: emulator.accessKeySecret,
        endpoint: url.host,
        protocol: 'http',
        regionId: emulator.region,
        connectTimeout: 10_000,
        readTimeout: 30_000,
      }),
    );
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('accepts the signature @alicloud/openapi-core computes and refuses a changed header, body or key', () => {
    const body = Buffer.from('{"target":2}');
    const request = {
      method: 'PUT',
      pathname: '/2023-03-30/functions/my%20fn/provision-config',
      query: { qualifier: "a b'(c)" },
      headers: {
        host: '127.0.0.1:9000',
        'x-acs-date': '2026-12-02T10:00:00Z',
        'x-acs-signature-nonce': 'n1',
        'x-acs-version': '2023-03-30',
        'x-acs-action': 'PutProvisionConfig',
        'x-acs-content-sha256': createHash('sha256').update(body).digest('hex'),
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'test',
      } as Record<string, string>,
    };
    // The client's own signing code is the oracle (ACS3-HMAC-SHA256 over the canonical request).
    request.headers.authorization = OpenApiUtil.getAuthorization(
      request as never,
      'ACS3-HMAC-SHA256',
      request.headers['x-acs-content-sha256']!,
      emulator.accessKeyId,
      emulator.accessKeySecret,
    );
    const rawUrl = `${request.pathname}?qualifier=${encodeURIComponent(request.query.qualifier)}`;
    const secrets = new Map([[emulator.accessKeyId, emulator.accessKeySecret]]);
    expect(verifyAcs3('PUT', rawUrl, request.headers, body, secrets)).toBeUndefined();
    expect(
      verifyAcs3('PUT', rawUrl, { ...request.headers, 'x-acs-date': '2026-12-02T10:00:01Z' }, body, secrets)
        ?.code,
    ).toBe('SignatureDoesNotMatch');
    expect(verifyAcs3('PUT', rawUrl, request.headers, Buffer.from('{"target":3}'), secrets)?.code).toBe(
      'InvalidContentSha256',
    );
    expect(verifyAcs3('POST', rawUrl, request.headers, body, secrets)?.code).toBe('SignatureDoesNotMatch');
    expect(verifyAcs3('PUT', rawUrl, request.headers, body, new Map([['other', 'x']]))?.code).toBe(
      'InvalidAccessKeyId.NotFound',
    );
  });

  it("answers the client's calls with FC's bodies and {Code, Message, RequestId} errors", async () => {
    const missing = await failure(client.getFunction('nope', new $FC.GetFunctionRequest({})));
    expect(missing).toMatchObject({ status: 404, code: 'FunctionNotFound' });
    expect(missing.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const create = (input: Record<string, unknown>) =>
      client.createFunction(new $FC.CreateFunctionRequest({ body: new $FC.CreateFunctionInput(input) }));
    const base = {
      functionName: 'echo',
      runtime: 'nodejs20',
      handler: 'index.handler',
      code: new $FC.InputCodeLocation({
        zipFile: zipOf('exports.handler = async (event) => "echo:" + event.toString();'),
      }),
    };
    expect(await failure(create({ ...base, diskSize: 1024 }))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
    expect(await failure(create({ ...base, cpu: 0.25, memorySize: 2048 }))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
    expect(await failure(create({ ...base, instanceConcurrency: 10 }))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
    const created = await create({ ...base, memorySize: 512, cpu: 0.35, diskSize: 512 });
    expect(created.body?.functionName).toBe('echo');
    expect(created.body?.codeChecksum).toMatch(/^\d+$/);
    expect(await failure(create(base))).toMatchObject({ status: 409, code: 'FunctionAlreadyExists' });

    const v1 = await client.publishFunctionVersion(
      'echo',
      new $FC.PublishFunctionVersionRequest({ body: new $FC.PublishVersionInput({ description: 'one' }) }),
    );
    expect(v1.body?.versionId).toBe('1');
    const alias = (weights: Record<string, number>) =>
      client.createAlias(
        'echo',
        new $FC.CreateAliasRequest({
          body: new $FC.CreateAliasInput({
            aliasName: 'main',
            versionId: '1',
            additionalVersionWeight: weights,
          }),
        }),
      );
    expect(await failure(alias({ '2': 0.5 }))).toMatchObject({ status: 404, code: 'VersionNotFound' });
    expect((await alias({})).body?.aliasName).toBe('main');

    const trigger = (name: string, type: string, config: unknown) =>
      client.createTrigger(
        'echo',
        new $FC.CreateTriggerRequest({
          body: new $FC.CreateTriggerInput({
            triggerName: name,
            triggerType: type,
            qualifier: 'main',
            triggerConfig: JSON.stringify(config),
          }),
        }),
      );
    const http = await trigger('web', 'http', { authType: 'anonymous', methods: ['GET', 'POST'] });
    expect(http.body?.httpTrigger?.urlInternet).toMatch(
      new RegExp(`^${emulator.url}/fcapp/echo-[0-9a-f]{10}$`),
    );
    expect(
      (await trigger('daily', 'timer', { cronExpression: 'CRON_TZ=Asia/Shanghai 0 0 8 * * *', enable: true }))
        .body?.triggerName,
    ).toBe('daily');
    expect(
      await failure(
        trigger('bad', 'timer', { cronExpression: 'CRON_TZ=Mars/Base 0 0 8 * * *', enable: true }),
      ),
    ).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
    expect(await failure(trigger('files', 'oss', { events: ['oss:ObjectCreated:*'] }))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });

    const listed = await client.listTriggers('echo', new $FC.ListTriggersRequest({}));
    expect(listed.body?.triggers?.map((t) => t.triggerName).sort()).toEqual(['daily', 'web']);
    expect(JSON.parse(listed.body!.triggers!.find((t) => t.triggerName === 'web')!.triggerConfig!)).toEqual({
      authType: 'anonymous',
      methods: ['GET', 'POST'],
    });
  });

  it("keeps an alias's scaling config as PutScalingConfig sets it and GetScalingConfig reads it, signed like every call", async () => {
    const get = (qualifier: string) =>
      client.getScalingConfig('echo', new $FC.GetScalingConfigRequest({ qualifier }));
    const put = (qualifier: string, input: Record<string, unknown>) =>
      client.putScalingConfig(
        'echo',
        new $FC.PutScalingConfigRequest({ qualifier, body: new $FC.PutScalingConfigInput(input) }),
      );
    expect(await failure(get('main'))).toMatchObject({ status: 404, code: 'ScalingConfigNotFound' });
    const written = await put('main', { minInstances: 2 });
    expect(written.body).toMatchObject({
      minInstances: 2,
      functionArn: expect.stringContaining('echo/main'),
    });
    const read = await get('main');
    expect(read.body).toBeInstanceOf($FC.ScalingConfigStatus);
    expect(read.body).toMatchObject({ minInstances: 2, currentInstances: 2, targetInstances: 2 });
    // A version is no qualifier for a scaling config; nor is an alias that does not exist.
    expect(await failure(put('1', { minInstances: 1 }))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
    expect(await failure(put('nope', { minInstances: 1 }))).toMatchObject({
      status: 404,
      code: 'AliasNotFound',
    });
    expect(await failure(put('main', { minInstances: -1 }))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
    // Provisioned instances and minimum instances of one qualifier do not mix.
    await client.putProvisionConfig(
      'echo',
      new $FC.PutProvisionConfigRequest({
        qualifier: 'LATEST',
        body: new $FC.PutProvisionConfigInput({ target: 1 }),
      }),
    );
    expect(await failure(put('LATEST', { minInstances: 1 }))).toMatchObject({
      status: 400,
      code: 'ProvisionConfigExist',
    });
    await client.deleteProvisionConfig('echo', new $FC.DeleteProvisionConfigRequest({ qualifier: 'LATEST' }));
    expect((await put('LATEST', { minInstances: 1 })).body?.minInstances).toBe(1);

    const wrongKey = new Client(
      new $OpenApiUtil.Config({
        accessKeyId: emulator.accessKeyId,
        accessKeySecret: 'wrong',
        endpoint: new URL(emulator.url).host,
        protocol: 'http',
        regionId: emulator.region,
      }),
    );
    expect(
      await failure(
        wrongKey.putScalingConfig(
          'echo',
          new $FC.PutScalingConfigRequest({
            qualifier: 'main',
            body: new $FC.PutScalingConfigInput({ minInstances: 9 }),
          }),
        ),
      ),
    ).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });

    // ListScalingConfigs: every qualifier's config, filtered by function, paged by limit and nextToken.
    const list = (request: Record<string, unknown>) =>
      client.listScalingConfigs(new $FC.ListScalingConfigsRequest(request));
    const all = await list({ functionName: 'echo' });
    expect(all.body).toBeInstanceOf($FC.ListScalingConfigsOutput);
    expect(all.body?.scalingConfigs?.map((c) => [c.functionArn?.split('/').pop(), c.minInstances])).toEqual([
      ['main', 2],
      ['LATEST', 1],
    ]);
    const first = await list({ functionName: 'echo', limit: 1 });
    expect(first.body?.scalingConfigs).toHaveLength(1);
    const rest = await list({ functionName: 'echo', limit: 1, nextToken: first.body?.nextToken });
    expect(rest.body?.scalingConfigs?.[0]?.minInstances).toBe(1);
    expect(rest.body?.nextToken).toBeUndefined();
    expect(await failure(list({ functionName: 'nope' }))).toMatchObject({
      status: 404,
      code: 'FunctionNotFound',
    });

    await client.deleteScalingConfig('echo', new $FC.DeleteScalingConfigRequest({ qualifier: 'main' }));
    await client.deleteScalingConfig('echo', new $FC.DeleteScalingConfigRequest({ qualifier: 'LATEST' }));
    expect(await failure(get('main'))).toMatchObject({ status: 404, code: 'ScalingConfigNotFound' });
    expect(
      await failure(
        client.deleteScalingConfig('echo', new $FC.DeleteScalingConfigRequest({ qualifier: 'main' })),
      ),
    ).toMatchObject({ status: 404, code: 'ScalingConfigNotFound' });
  });

  it('runs code through InvokeFunction with the qualifier', async () => {
    const r = await client.invokeFunctionWithOptions(
      'echo',
      new $FC.InvokeFunctionRequest({
        qualifier: 'main',
        body: (await import('node:stream')).Readable.from([Buffer.from('hi')]),
      }),
      new $FC.InvokeFunctionHeaders({}),
      new (await import('@darabonba/typescript')).RuntimeOptions({
        connectTimeout: 10_000,
        readTimeout: 30_000,
      }),
    );
    const chunks: Buffer[] = [];
    for await (const c of r.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString()).toBe('echo:hi');
    expect(r.headers?.['x-fc-invocation-function-version']).toBe('1');
  });

  it('fires timers in their CRON_TZ zone and delivers OSS and MNS events through triggers the client made', async () => {
    const trigger = (name: string, type: string, config: unknown, source: Record<string, string> = {}) =>
      client.createTrigger(
        'echo',
        new $FC.CreateTriggerRequest({
          body: new $FC.CreateTriggerInput({
            triggerName: name,
            triggerType: type,
            qualifier: 'main',
            triggerConfig: JSON.stringify(config),
            ...source,
          }),
        }),
      );
    const text = (d: { body: Uint8Array }) => new TextDecoder().decode(d.body);
    const role = (name: string, account = emulator.accountId) => `acs:ram::${account}:role/${name}`;
    await trigger('paused', 'timer', { cronExpression: '0 0 * * * *', enable: false });
    // 'daily' (previous test) is 08:00 in Asia/Shanghai, i.e. 00:00 UTC: one day holds it once.
    const fired = await emulator.advanceClock(24 * 3_600_000);
    expect(fired.map((d) => d.triggerName)).toEqual(['daily']);
    const event = JSON.parse(text(fired[0]!).replace(/^echo:/, ''));
    expect(event).toEqual({
      triggerTime: expect.stringMatching(/T00:00:00Z$/),
      triggerName: 'daily',
      payload: '',
    });

    const oss = { sourceArn: `acs:oss:${emulator.region}:${emulator.accountId}:photos` };
    expect(await failure(trigger('files', 'oss', { events: ['oss:ObjectCreated:*'] }, oss))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
    await trigger(
      'files',
      'oss',
      { events: ['oss:ObjectCreated:*'], filter: { key: { prefix: 'in/', suffix: '.jpg' } } },
      { ...oss, invocationRole: role('oss-invoke') },
    );
    const [put, ...more] = await emulator.emitOssEvent('photos', 'in/cat.jpg', 'ObjectCreated:PutObject', 7);
    expect(more).toEqual([]);
    expect(JSON.parse(text(put!).replace(/^echo:/, '')).events[0]).toMatchObject({
      eventName: 'ObjectCreated:PutObject',
      eventSource: 'acs:oss',
      oss: { bucket: { name: 'photos' }, object: { key: 'in/cat.jpg', size: 7 } },
    });
    expect(await emulator.emitOssEvent('photos', 'out/cat.jpg')).toEqual([]);
    expect(await emulator.emitOssEvent('photos', 'in/cat.jpg', 'ObjectRemoved:DeleteObject')).toEqual([]);
    // A role of another account is one OSS cannot assume: the delivery fails, the function does not run.
    await client.updateTrigger(
      'echo',
      'files',
      new $FC.UpdateTriggerRequest({
        body: new $FC.UpdateTriggerInput({ invocationRole: role('oss-invoke', '999') }),
      }),
    );
    const [refused] = await emulator.emitOssEvent('photos', 'in/cat.jpg');
    expect(refused?.error?.message).toContain('cannot assume invocationRole');

    const mns = (topic: string) => ({
      sourceArn: `acs:mns:${emulator.region}:${emulator.accountId}:/topics/${topic}`,
    });
    expect(
      await failure(
        trigger(
          'orders',
          'mns_topic',
          { notifyContentFormat: 'XML' },
          { ...mns('orders'), invocationRole: role('mns') },
        ),
      ),
    ).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(
      await failure(
        trigger(
          'orders',
          'mns_topic',
          {},
          { sourceArn: 'acs:mns:cn-hangzhou:1:orders', invocationRole: role('mns') },
        ),
      ),
    ).toMatchObject({ status: 400, code: 'InvalidArgument' });
    await trigger(
      'orders',
      'mns_topic',
      { notifyContentFormat: 'JSON', filterTag: 'paid' },
      { ...mns('orders'), invocationRole: role('mns') },
    );
    expect(await emulator.publishMnsMessage('orders', '{"n":1}', 'unpaid')).toEqual([]);
    const [message] = await emulator.publishMnsMessage('orders', '{"n":1}', 'paid');
    expect(JSON.parse(text(message!).replace(/^echo:/, ''))).toMatchObject({
      Message: '{"n":1}',
      TopicName: 'orders',
      MessageId: expect.stringMatching(/^[0-9A-F]{32}$/),
    });
  });
});
