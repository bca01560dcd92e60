import { request as httpRequest } from 'node:http';
import FCClientModule from '@alicloud/fc2';
import {
  applyPlan,
  DeployError,
  defineFunction,
  deploy,
  desiredStateOf,
  FaasportError,
  invoke,
  LimitExceededError,
  ProviderApiError,
  planDeploy,
  remove,
} from '@faasport/core';
import type { FcEmulator } from '@faasport/emulators/fc';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFcAdapter, type FcAdapter } from '../src';
import { ctx, startTarget } from './helpers';

const hello = `export default async (request, ctx) => 'hello from ' + ctx.functionName + ' ' + ctx.revision;\n`;
const onEvent = `export default async (event) => ({ type: event.type, data: event.data ?? null });\n`;

describe('FC adapter mapping (emulator, real @alicloud/fc2)', () => {
  let emulator: FcEmulator;
  let adapter: FcAdapter;
  beforeAll(async () => {
    ({ emulator, adapter } = await startTarget());
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('maps schedule and storage triggers, scaling, secrets and domains, and re-deploys with zero writes', async () => {
    const fn = defineFunction({
      name: 'jobs',
      contract: 'event',
      source: { inline: onEvent },
      env: { STAGE: 'prod' },
      secrets: { DB_PASSWORD: { fromEnv: 'FC_TEST_DB_PASSWORD' } },
      resources: { memory: 512, timeout: 120 },
      scaling: { min: 2, concurrency: 10 },
      triggers: [
        {
          schedule: {
            name: 'nightly',
            cron: '0 2 * * *',
            timezone: 'Asia/Shanghai',
            payload: { ping: true },
          },
        },
        { storage: { bucket: 'uploads', events: ['created', 'deleted'], prefix: 'img/', suffix: '.png' } },
      ],
      domains: [{ host: 'jobs.example.com', path: '/api' }],
      providers: {
        fc: { role: 'acs:ram::1234567890:role/fc', invocationRole: 'acs:ram::1234567890:role/oss-invoke' },
      },
    });
    const env = { FC_TEST_DB_PASSWORD: 'p4ssw0rd-value' };
    const { plan } = await planDeploy(adapter, fn, { env });
    expect(plan.steps.map((s) => s.id)).toEqual([
      'service',
      'function',
      'version',
      'traffic',
      'trigger:nightly',
      'trigger:storage',
      'provision',
      'domain:jobs.example.com',
    ]);
    expect(JSON.stringify(plan)).not.toContain('p4ssw0rd-value');
    await deploy(adapter, fn, { env });

    const svc = emulator.state.services.get('jobs')!;
    expect(svc.fields.role).toBe('acs:ram::1234567890:role/fc');
    const f = svc.functions.get('jobs')!;
    expect(f).toMatchObject({
      memorySize: 512,
      timeout: 120,
      instanceConcurrency: 10,
      handler: '__faasport_fc.eventHandler',
      runtime: 'nodejs20',
    });
    expect(f.environmentVariables).toMatchObject({
      STAGE: 'prod',
      DB_PASSWORD: 'p4ssw0rd-value',
      FAASPORT_SECRETS: 'DB_PASSWORD',
      FAASPORT_CONTRACT: 'event',
    });
    const triggers = svc.triggers.get('jobs')!;
    // 02:00 in Shanghai (UTC+8) is 18:00 UTC; FC timers take six fields, seconds first.
    expect(triggers.get('nightly')).toMatchObject({
      triggerType: 'timer',
      qualifier: 'main',
      triggerConfig: { cronExpression: '0 0 18 * * *', payload: '{"ping":true}', enable: true },
    });
    expect(triggers.get('storage')).toMatchObject({
      triggerType: 'oss',
      sourceArn: 'acs:oss:cn-hangzhou:1234567890:uploads',
      invocationRole: 'acs:ram::1234567890:role/oss-invoke',
      triggerConfig: {
        events: ['oss:ObjectCreated:*', 'oss:ObjectRemoved:DeleteObject', 'oss:ObjectRemoved:DeleteObjects'],
        filter: { key: { prefix: 'img/', suffix: '.png' } },
      },
    });
    expect(svc.provision.get('main/jobs')?.target).toBe(2);
    expect(emulator.state.domains.get('jobs.example.com')?.fields.routeConfig).toEqual({
      routes: [{ path: '/api/*', serviceName: 'jobs', functionName: 'jobs', qualifier: 'main' }],
    });
    // The timer fires the event contract with a schedule CloudEvent.
    const fired = await emulator.fireTimer('jobs', 'jobs', 'nightly');
    expect(JSON.parse(new TextDecoder().decode(fired.body))).toEqual({
      type: 'dev.faasport.schedule',
      data: { ping: true },
    });

    // An object written to the bucket reaches the event contract as a storage CloudEvent.
    const delivered = await emulator.emitOssEvent('uploads', 'img/cat.png', 'ObjectCreated:PutObject', 3);
    expect(delivered).toHaveLength(1);
    expect(JSON.parse(new TextDecoder().decode(delivered[0]!.body))).toMatchObject({
      type: 'dev.faasport.storage.object.created',
      data: { bucket: 'uploads', key: 'img/cat.png', size: 3, event: 'ObjectCreated:PutObject' },
    });
    expect(await emulator.emitOssEvent('uploads', 'docs/readme.txt')).toEqual([]);

    const before = emulator.writes();
    const again = await deploy(adapter, fn, { env });
    expect(again.changed).toBe(false);
    expect(emulator.writes()).toBe(before);

    // Read gives the neutral view back, without faasport's settings or the secret, even in raw.
    const live = await adapter.read('jobs', ctx);
    expect(JSON.stringify(live)).not.toContain('p4ssw0rd-value');
    expect(live?.config?.env).toEqual({ STAGE: 'prod' });
    expect(live?.config?.contract).toBe('event');
  });

  it('updates only what changed: a trigger, the provision target, a removed domain', async () => {
    const fn = defineFunction({
      name: 'jobs',
      contract: 'event',
      source: { inline: onEvent },
      env: { STAGE: 'prod' },
      secrets: { DB_PASSWORD: { fromEnv: 'FC_TEST_DB_PASSWORD' } },
      resources: { memory: 512, timeout: 120 },
      scaling: { min: 0, concurrency: 10 },
      triggers: [{ schedule: { name: 'nightly', cron: '30 3 * * *', enabled: false } }],
      providers: {
        fc: { role: 'acs:ram::1234567890:role/fc', invocationRole: 'acs:ram::1234567890:role/oss-invoke' },
      },
    });
    const env = { FC_TEST_DB_PASSWORD: 'p4ssw0rd-value' };
    const { plan } = await planDeploy(adapter, fn, { env });
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      'update function',
      'update trigger:nightly',
      'delete trigger:storage',
      'update provision',
      'delete domain:jobs.example.com',
    ]);
    // Only the spec hash in the description changed on the function: no new revision is published.
    expect(plan.steps[0]!.changes.map((c) => c.path)).toEqual(['function.description']);
    await deploy(adapter, fn, { env });
    const svc = emulator.state.services.get('jobs')!;
    expect(svc.triggers.get('jobs')!.get('nightly')!.triggerConfig).toEqual({
      cronExpression: '0 30 3 * * *',
      enable: false,
    });
    expect(svc.triggers.get('jobs')!.has('storage')).toBe(false);
    expect(svc.provision.has('main/jobs')).toBe(false);
    expect(emulator.state.domains.size).toBe(0);
    expect(svc.versions.size).toBe(1);
  });

  it('publishes a new revision when a secret value changes, without showing it', async () => {
    const fn = defineFunction({
      name: 'jobs',
      contract: 'event',
      source: { inline: onEvent },
      env: { STAGE: 'prod' },
      secrets: { DB_PASSWORD: { fromEnv: 'FC_TEST_DB_PASSWORD' } },
      resources: { memory: 512, timeout: 120 },
      scaling: { concurrency: 10 },
      triggers: [{ schedule: { name: 'nightly', cron: '30 3 * * *', enabled: false } }],
      providers: {
        fc: { role: 'acs:ram::1234567890:role/fc', invocationRole: 'acs:ram::1234567890:role/oss-invoke' },
      },
    });
    const env = { FC_TEST_DB_PASSWORD: 'n3w-secret-value' };
    const { plan } = await planDeploy(adapter, fn, { env });
    const fnStep = plan.steps.find((s) => s.id === 'function')!;
    expect(fnStep.changes.find((c) => c.path === 'env.DB_PASSWORD')).toEqual({ path: 'env.DB_PASSWORD' });
    expect(JSON.stringify(plan)).not.toMatch(/n3w-secret-value|p4ssw0rd-value/);
    expect(plan.steps.map((s) => s.id)).toContain('version');
  });

  it('routes invocations by tag and by revision through aliases', async () => {
    const base = { name: 'tags', source: { inline: hello } } as const;
    await deploy(adapter, defineFunction({ ...base, revision: 'blue' }));
    await deploy(
      adapter,
      defineFunction({
        ...base,
        revision: 'green',
        env: { COLOR: 'green' },
        traffic: [
          { revision: 'blue', percent: 100, tag: 'stable' },
          { revision: 'latest', percent: 0, tag: 'next' },
        ],
      }),
    );
    const svc = emulator.state.services.get('tags')!;
    expect([...svc.aliases.keys()].sort()).toEqual(['main', 'next', 'stable']);
    expect(await (await invoke(adapter, 'tags', {}, { tag: 'next' })).text()).toBe('hello from tags green');
    expect(await (await invoke(adapter, 'tags', {}, { tag: 'stable' })).text()).toBe('hello from tags blue');
    expect(await (await invoke(adapter, 'tags')).text()).toBe('hello from tags blue');
    expect(await (await invoke(adapter, 'tags', {}, { revision: 'green' })).text()).toBe(
      'hello from tags green',
    );
    const live = await adapter.read('tags', ctx);
    expect(live?.tagUrls?.next).toBe(`${emulator.url}/2016-08-15/proxy/tags.next/tags/`);
    await expect(invoke(adapter, 'tags', {}, { tag: 'nope' })).rejects.toThrow(/tag "nope" does not exist/);

    // A tag on a 0% entry of a revision that also takes traffic reads back as written: no endless re-plans.
    const pinned = defineFunction({
      ...base,
      revision: 'green',
      env: { COLOR: 'green' },
      traffic: [
        { revision: 'blue', percent: 100 },
        { revision: 'blue', percent: 0, tag: 'pinned' },
      ],
    });
    await deploy(adapter, pinned);
    expect((await adapter.read('tags', ctx))?.traffic).toEqual([
      { revision: 'blue', percent: 100 },
      { revision: 'blue', percent: 0, tag: 'pinned' },
    ]);
    const before = emulator.writes();
    expect((await deploy(adapter, pinned)).changed).toBe(false);
    expect(emulator.writes()).toBe(before);
  });

  it('serves a custom domain routed to the main alias', async () => {
    const site = defineFunction({
      name: 'site',
      source: { inline: `export default async (request) => 'site ' + new URL(request.url).pathname;\n` },
      domains: [{ host: 'www.example.com', path: '/shop' }],
    });
    await deploy(adapter, site);
    const get = (host: string, path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(emulator.url);
        const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    expect(await get('www.example.com', '/shop/cart')).toEqual({ status: 200, body: 'site /shop/cart' });
    expect((await get('www.example.com', '/elsewhere')).status).toBe(400);
    await remove(adapter, 'site');
    expect(emulator.state.domains.has('www.example.com')).toBe(false);
  });

  it('signs calls to HTTP triggers with auth function, and invokes asynchronously', async () => {
    const echo = `export default async (request) => { const url = new URL(request.url); return request.method + ' ' + url.pathname + ' ' + url.searchParams.getAll('a').join(',') + ' ' + (await request.text()); };\n`;
    const fn = defineFunction({
      name: 'signed',
      source: { inline: echo },
      triggers: [{ http: { auth: 'function', methods: ['GET', 'POST'] } }],
    });
    const result = await deploy(adapter, fn);
    expect(emulator.state.services.get('signed')!.triggers.get('signed')!.get('http')!.triggerConfig).toEqual(
      { authType: 'function', methods: ['GET', 'POST'] },
    );
    const anonymous = await fetch(`${result.url}x`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toMatchObject({ ErrorCode: 'AccessDenied' });
    const response = await invoke(adapter, 'signed', {
      method: 'POST',
      path: '/x/y?a=2&a=1',
      body: 'payload',
      headers: { 'content-type': 'text/plain' },
    });
    expect(await response.text()).toBe('POST /x/y 2,1 payload');
    // FC signs the decoded path and query (https://help.aliyun.com/document_detail/53252.htm).
    const encoded = await invoke(adapter, 'signed', { path: '/a%20b/%C3%A9?a=x%20y' });
    expect(await encoded.text()).toBe('GET /a%20b/%C3%A9 x y ');
    const accepted = await invoke(adapter, 'signed', { body: { n: 1 } }, { async: true });
    expect(accepted.status).toBe(202);
  });

  it('groups functions in one service with providers.fc.service, with aliases per function', async () => {
    const a = defineFunction({
      name: 'shop-a',
      source: { inline: hello },
      providers: { fc: { service: 'shop' } },
    });
    const b = defineFunction({
      name: 'shop-b',
      source: { inline: hello },
      providers: { fc: { service: 'shop' } },
    });
    await deploy(adapter, a);
    await deploy(adapter, b);
    const svc = emulator.state.services.get('shop')!;
    expect([...svc.functions.keys()].sort()).toEqual(['shop-a', 'shop-b']);
    expect([...svc.aliases.keys()].sort()).toEqual(['shop-a--main', 'shop-b--main']);
    expect(await (await invoke(adapter, 'shop-b')).text()).toMatch(/^hello from shop-b r-/);
    const before = emulator.writes();
    expect((await deploy(adapter, a)).changed).toBe(false);
    expect(emulator.writes()).toBe(before);
    await remove(adapter, 'shop-a');
    expect(emulator.state.services.get('shop')?.functions.has('shop-a')).toBe(false);
    expect(await (await invoke(adapter, 'shop-b')).text()).toMatch(/^hello from shop-b/);
    await remove(adapter, 'shop-b');
    expect(emulator.state.services.has('shop')).toBe(false);
  });

  it('runs the initializer once per instance before the web handler', async () => {
    const code = `let warmedAt = 0;
export async function init(ctx) { warmedAt = 42; ctx.log.info('initialized'); }
export default async () => 'warm ' + warmedAt;
`;
    const fn = defineFunction({
      name: 'warm',
      source: { inline: code },
      initializer: 'index.init',
      providers: { fc: { initializationTimeout: 10 } },
    });
    await deploy(adapter, fn);
    expect(emulator.state.services.get('warm')!.functions.get('warm')).toMatchObject({
      initializer: '__faasport_fc.initializer',
      initializationTimeout: 10,
      environmentVariables: expect.objectContaining({ FAASPORT_INITIALIZER: 'index.init' }),
    });
    expect(await (await invoke(adapter, 'warm')).text()).toBe('warm 42');
  });

  it('refuses to move a function to another service, before any write', async () => {
    const before = emulator.writes();
    const moved = defineFunction({
      name: 'warm',
      source: { inline: hello },
      providers: { fc: { service: 'elsewhere' } },
    });
    const error = await deploy(adapter, moved).catch((e: unknown) => e);
    expect((error as FaasportError).code).toBe('FP_VALIDATION');
    expect((error as Error).message).toContain('lives in FC service "warm"');
    expect(emulator.writes()).toBe(before);
    const badTrigger = await deploy(
      adapter,
      defineFunction({ name: 'warm', source: { inline: hello }, triggers: [{ http: { name: '1st http' } }] }),
    ).catch((e: unknown) => e);
    expect((badTrigger as Error).message).toContain('trigger name "1st http" is not valid on FC');
    expect(emulator.writes()).toBe(before);
  });

  it('deploys image sources as custom-container with caPort, and bucket sources as OSS code', async () => {
    const image = defineFunction({
      name: 'img',
      source: {
        image: {
          ref: 'registry.cn-hangzhou.aliyuncs.com/ns/app:v1',
          command: ['node'],
          args: ['server.js'],
          port: 9000,
        },
      },
    });
    await deploy(adapter, image);
    expect(emulator.state.services.get('img')!.functions.get('img')).toMatchObject({
      runtime: 'custom-container',
      caPort: 9000,
      customContainerConfig: {
        image: 'registry.cn-hangzhou.aliyuncs.com/ns/app:v1',
        command: '["node"]',
        args: '["server.js"]',
      },
    });
    const bucket = defineFunction({
      name: 'oss-code',
      contract: 'native',
      handler: 'index.handler',
      source: { bucket: { name: 'code', key: 'fn.zip' } },
    });
    await deploy(adapter, bucket);
    expect(emulator.state.services.get('oss-code')!.functions.get('oss-code')!.oss).toEqual({
      bucket: 'code',
      object: 'fn.zip',
    });
    const before = emulator.writes();
    expect((await deploy(adapter, bucket)).changed).toBe(false);
    expect((await deploy(adapter, image)).changed).toBe(false);
    expect(emulator.writes()).toBe(before);
    const exported = await adapter.export('img', ctx);
    expect(exported.config.source).toEqual({
      image: {
        ref: 'registry.cn-hangzhou.aliyuncs.com/ns/app:v1',
        command: ['node'],
        args: ['server.js'],
        port: 9000,
      },
    });
  });

  it('sends the ETag it read as If-Match, so a change made between plan and apply is not overwritten', async () => {
    await deploy(adapter, defineFunction({ name: 'etag', source: { inline: hello }, env: { A: '1' } }));
    const planned = await planDeploy(
      adapter,
      defineFunction({ name: 'etag', source: { inline: hello }, env: { A: '2' } }),
    );
    // Someone edits the function in the console meanwhile.
    const f = emulator.state.services.get('etag')!.functions.get('etag')!;
    emulator.state.services.get('etag')!.functions.set('etag', { ...f, timeout: 99 });
    const error = await applyPlan(adapter, planned).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect((error as DeployError).failedStep).toMatch(/^update FC function etag/);
    expect((error as Error).message).toContain('412 PreconditionFailed');
    expect(emulator.state.services.get('etag')!.functions.get('etag')!.environmentVariables.A).toBe('1');
  });

  it('warns about scaling settings FC does not have', async () => {
    const { plan } = await planDeploy(
      adapter,
      defineFunction({ name: 'scaled', source: { inline: hello }, scaling: { max: 5, idle: '5m' } }),
    );
    expect(plan.warnings.map((w) => w.feature)).toEqual(['scaling.max', 'scaling.idle']);
    expect(plan.warnings[0]!.message).toContain('scaling.max is not applied');
    const options = await planDeploy(
      adapter,
      defineFunction({
        name: 'cors',
        source: { inline: hello },
        triggers: [{ http: { methods: ['GET', 'OPTIONS'] } }],
      }),
    );
    expect(options.plan.warnings.map((w) => w.message)).toEqual([
      'FC HTTP triggers take GET, POST, PUT, DELETE, HEAD and PATCH; OPTIONS is left out',
    ]);
  });

  it('checks FC limits and contracts offline, before any write', async () => {
    const before = emulator.writes();
    const memory = await deploy(
      adapter,
      defineFunction({ name: 'big', source: { inline: hello }, resources: { memory: 200 } }),
    ).catch((e: unknown) => e);
    expect(memory).toBeInstanceOf(LimitExceededError);
    expect((memory as Error).message).toContain('128-3072 in steps of 64');
    const runtime = await deploy(
      adapter,
      defineFunction({ name: 'new-node', runtime: 'nodejs22', source: { inline: hello } }),
    ).catch((e: unknown) => e);
    expect((runtime as LimitExceededError).allowed).toContain(
      'nodejs18, nodejs20, python3.9, python3.10, custom',
    );
    const python = await deploy(
      adapter,
      defineFunction({ name: 'py', runtime: 'python3.10', source: { inline: 'def handler(e, c): pass\n' } }),
    ).catch((e: unknown) => e);
    expect((python as Error).message).toContain('runs on FC through a Node.js shim');
    const bucketWeb = await deploy(
      adapter,
      defineFunction({ name: 'bw', source: { bucket: { name: 'b', key: 'k.zip' } } }),
    ).catch((e: unknown) => e);
    expect((bucketWeb as FaasportError).code).toBe('FP_UNSUPPORTED_FEATURE');
    const queue = await deploy(
      adapter,
      defineFunction({
        name: 'q',
        contract: 'event',
        source: { inline: onEvent },
        triggers: [{ queue: { topic: 'orders' } }],
      }),
    ).catch((e: unknown) => e);
    // A queue trigger whose topic the target does not bind names the missing key (no mns binding here).
    expect(FaasportError.isInstance(queue) && (queue as FaasportError).code).toBe('FP_VALIDATION');
    expect((queue as Error).message).toContain('queues.orders is missing');
    const provider = await deploy(
      adapter,
      defineFunction({ name: 'pv', source: { inline: hello }, providers: { fc: { servise: 'x' } } }),
    ).catch((e: unknown) => e);
    expect((provider as Error).message).toContain('unknown key "servise"');
    const tz = await deploy(
      adapter,
      defineFunction({
        name: 'tz',
        contract: 'event',
        source: { inline: onEvent },
        triggers: [{ schedule: { cron: '0 2 * * *', timezone: 'Europe/Berlin' } }],
      }),
    ).catch((e: unknown) => e);
    expect((tz as Error).message).toContain('FC, which evaluates timers in UTC');
    expect(emulator.writes()).toBe(before);
  });

  it('stops retrying when the caller aborts: the abort reason, no further request', async () => {
    const reason = new Error('deploy cancelled');
    const mark = emulator.requests().length;
    emulator.injectFault({ status: 502, code: 'BadGateway', times: 1 });
    const aborted = await adapter
      .read('never-read', { ...ctx, signal: AbortSignal.abort(reason) })
      .catch((e: unknown) => e);
    expect(aborted).toBe(reason);
    expect(emulator.requests().slice(mark)).toEqual([]);
    // The fault is still pending: clear it with one read, retried past the 502.
    await adapter.read('never-read', ctx);
    const statuses = emulator
      .requests()
      .slice(mark)
      .map((r) => r.status);
    expect(statuses.slice(0, 2)).toEqual([502, 404]);
  });

  it('retries throttling and 5xx with backoff, and does not retry client errors', async () => {
    const fn = defineFunction({ name: 'retry', source: { inline: hello } });
    emulator.injectFault({ status: 503, code: 'ResourceThrottled', times: 2 });
    await deploy(adapter, fn);
    expect(emulator.requests().filter((r) => r.status === 503)).toHaveLength(2);

    const three = createFcAdapter({
      accountId: emulator.accountId,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: emulator.accessKeyId, accessKeySecret: emulator.accessKeySecret },
      maxAttempts: 3,
      retryBaseMs: 1,
    });
    let mark = emulator.requests().length;
    emulator.injectFault({ status: 500, code: 'InternalServerError', times: 3 });
    const gaveUp = await three.read('retry', ctx).catch((e: unknown) => e);
    expect(gaveUp).toBeInstanceOf(ProviderApiError);
    expect((gaveUp as ProviderApiError).retryable).toBe(true);
    expect((gaveUp as ProviderApiError).providerCode).toBe('InternalServerError');
    expect(
      emulator
        .requests()
        .slice(mark)
        .map((r) => r.status),
    ).toEqual([500, 500, 500]);

    // Invocations are retried only when throttled: after a 5xx the function may already have run.
    mark = emulator.requests().length;
    emulator.injectFault({ status: 503, code: 'ResourceThrottled', scope: 'invocations' });
    expect(await (await invoke(three, 'retry', {}, { mode: 'event' })).text()).toMatch(/^hello from retry/);
    emulator.injectFault({ status: 500, code: 'InternalServerError', scope: 'invocations' });
    const once = await invoke(three, 'retry', {}, { mode: 'event' }).catch((e: unknown) => e);
    expect((once as ProviderApiError).status).toBe(500);
    expect(
      emulator
        .requests()
        .slice(mark)
        .filter((r) => r.path.endsWith('/invocations'))
        .map((r) => r.status),
    ).toEqual([503, 200, 500]);

    mark = emulator.requests().length;
    emulator.injectFault({ status: 400, code: 'InvalidArgument', message: 'bad request' });
    const invalid = await three.read('retry', ctx).catch((e: unknown) => e);
    expect((invalid as ProviderApiError).status).toBe(400);
    expect(
      emulator
        .requests()
        .slice(mark)
        .map((r) => r.status),
    ).toEqual([400]);
  });

  it('renders the FC request bodies with secrets as references', () => {
    const fn = defineFunction({
      name: 'render-me',
      source: { inline: hello },
      secrets: { TOKEN: { fromEnv: 'FC_RENDER_TOKEN' } },
      scaling: { min: 1 },
      traffic: [{ revision: 'latest', percent: 100 }],
    });
    const manifests = adapter.render(desiredStateOf(fn, { env: { FC_RENDER_TOKEN: 'render-secret-value' } }));
    expect(manifests.map((m) => m.name)).toEqual([
      'render-me.create-service.json',
      'render-me.create-function.json',
      'render-me.publish-version.json',
      'render-me.create-alias-main.json',
      'render-me.create-trigger-http.json',
      'render-me.put-provision-config.json',
    ]);
    expect(JSON.stringify(manifests)).not.toContain('render-secret-value');
    const fnBody = manifests[1]!;
    expect(fnBody.request).toEqual({ method: 'POST', path: '/2016-08-15/services/render-me/functions' });
    expect(fnBody.content).toMatchObject({
      functionName: 'render-me',
      runtime: 'nodejs20',
      handler: '__faasport_fc.httpHandler',
      environmentVariables: { TOKEN: '<secret: environment variable FC_RENDER_TOKEN>' },
    });
    // The real code package, with the shim, as CreateFunction takes it.
    const zip = Buffer.from((fnBody.content as { code: { zipFile: string } }).code.zipFile, 'base64');
    expect(Object.keys(unzipSync(new Uint8Array(zip))).sort()).toEqual(['__faasport_fc.mjs', 'index.mjs']);
  });

  it('exports a function that faasport did not deploy, from any service, with notes for what cannot carry over', async () => {
    const fc2 = (FCClientModule as unknown as { default?: unknown }).default ?? FCClientModule;
    const client = new (
      fc2 as new (
        ...args: unknown[]
      ) => Record<string, (...args: unknown[]) => Promise<unknown>>
    )(emulator.accountId, {
      accessKeyID: emulator.accessKeyId,
      accessKeySecret: emulator.accessKeySecret,
      region: emulator.region,
      endpoint: emulator.url,
    });
    const code = zipSync({
      'main.js': new TextEncoder().encode(
        'exports.handler = (event, context, callback) => callback(null, "legacy:" + event);\n',
      ),
    });
    await client.createService!('legacy-app', { description: 'made in the console' });
    await client.createFunction!('legacy-app', {
      functionName: 'legacy',
      runtime: 'nodejs14',
      handler: 'main.handler',
      memorySize: 192,
      timeout: 15,
      environmentVariables: { MODE: 'old' },
      code: { zipFile: Buffer.from(code).toString('base64') },
    });
    await client.createTrigger!('legacy-app', 'legacy', {
      triggerName: 'tick',
      triggerType: 'timer',
      triggerConfig: { cronExpression: '@every 5m', enable: true },
    });
    expect(await adapter.read('legacy', ctx)).toBeUndefined();
    const exported = await adapter.export('legacy', ctx);
    expect(exported.config).toMatchObject({
      name: 'legacy',
      contract: 'native',
      handler: 'main.handler',
      runtime: 'nodejs18',
      env: { MODE: 'old' },
      resources: { memory: 192, timeout: 15 },
      triggers: [],
      providers: { fc: { service: 'legacy-app' }, local: { contract: 'fc-event' } },
    });
    expect(exported.notes).toEqual(
      expect.arrayContaining([
        'FC runtime nodejs14 was exported as nodejs18, the nearest faasport runtime',
        'timer trigger tick: "@every 5m" has no 5-field cron form; it was not exported',
      ]),
    );
    expect(Object.keys(unzipSync(exported.code!))).toEqual(['main.js']);
  });

  it('lists and removes functions, quietly when already gone', async () => {
    const names = (await adapter.list(ctx)).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['jobs', 'tags', 'img', 'oss-code', 'retry']));
    const tags = (await adapter.list(ctx)).find((f) => f.name === 'tags')!;
    expect(tags.revisions).toBe(2);
    expect(tags.url).toBe(`${emulator.url}/2016-08-15/proxy/tags.main/tags/`);
    await remove(adapter, 'tags');
    expect(emulator.state.services.has('tags')).toBe(false);
    await remove(adapter, 'tags');
    expect(await adapter.read('tags', ctx)).toBeUndefined();
  });
});
