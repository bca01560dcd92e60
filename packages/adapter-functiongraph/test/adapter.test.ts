import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AdapterContext,
  ConfigurationError,
  DeployError,
  defineFunction,
  deploy,
  desiredStateOf,
  FaasportError,
  type FunctionConfig,
  InvokeError,
  invoke,
  LimitExceededError,
  ProviderApiError,
  planDeploy,
  remove,
  ValidationError,
} from '@faasport/core';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunctionGraphAdapter, type FunctionGraphAdapter } from '../src';
import { FunctionGraphClient } from '../src/deploy/client';
import { resolveOptions } from '../src/options';

const ak = 'fg-test-ak';
const sk = 'fg-test-secret-key-123';
const image = 'swr.cn-north-4.myhuaweicloud.com/faasport/express-hello:1';
const ctx: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};

let emu: FunctionGraphEmulator;
let adapter: FunctionGraphAdapter;
let api: FunctionGraphClient;
let dir: string;

/** A seeded PRNG (mulberry32), so weighted routing is repeatable. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const adapterOptions = () => ({
  region: emu.region,
  projectId: emu.projectId,
  endpoint: emu.url,
  credentials: { accessKeyId: ak, secretAccessKey: sk },
  retry: { attempts: 3, baseDelayMs: 1 },
});

const fn = (config: Partial<FunctionConfig> & { name: string }) =>
  defineFunction({
    source: { inline: 'export default () => "hi"' },
    ...config,
  } as FunctionConfig);

const urn = (name: string, qualifier?: string) =>
  `urn:fss:${emu.region}:${emu.projectId}:function:default:${name}${qualifier ? `:${qualifier}` : ''}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fg-adapter-'));
  // The custom-image example of the FunctionGraph guide (seed §2), run as a local command for its image.
  writeFileSync(
    join(dir, 'server.js'),
    `const express = require('express');
const app = express();
const PORT = 8000;
app.post('/init', (req, res) => { res.send('Hello init\\n'); });
app.post('/invoke', (req, res) => { res.send('Hello invoke\\n'); });
app.listen(PORT, () => { console.log(\`Listening on http://localhost:\${PORT}\`); });
`,
  );
  emu = await startFunctionGraphEmulator({
    accessKeyId: ak,
    secretAccessKey: sk,
    random: seeded(42),
    images: { [image]: { command: ['node', 'server.js'], cwd: dir } },
    obs: {
      'code-bucket': {
        'native/fn.zip': zipSync({
          'index.js': new TextEncoder().encode(
            'exports.handler = async (event) => ({ native: true, n: event.n });',
          ),
        }),
      },
    },
  });
  adapter = createFunctionGraphAdapter(adapterOptions());
  api = new FunctionGraphClient(resolveOptions(adapterOptions()));
});

afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('options and credentials', () => {
  it('names the option and the environment variable when credentials are missing', async () => {
    const bare = createFunctionGraphAdapter({
      region: 'cn-north-4',
      projectId: 'p1',
      endpoint: emu.url,
      env: {},
    });
    const error = await bare.read('x', ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('credentials.accessKeyId');
    expect((error as ConfigurationError).envVar).toBe('HUAWEICLOUD_SDK_AK');
    expect((error as Error).message).toMatch(/credentials\.accessKeyId.*HUAWEICLOUD_SDK_AK/);
    const noProject = (() => {
      try {
        createFunctionGraphAdapter({ region: 'cn-north-4', env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(noProject).toBeInstanceOf(ConfigurationError);
    expect((noProject as ConfigurationError).envVar).toBe('HUAWEICLOUD_SDK_PROJECT_ID');
  });

  it('reads region, project and credentials from the Huawei Cloud SDK environment variables', async () => {
    const fromEnv = createFunctionGraphAdapter({
      endpoint: emu.url,
      env: {
        HUAWEICLOUD_SDK_AK: ak,
        HUAWEICLOUD_SDK_SK: sk,
        HUAWEICLOUD_SDK_PROJECT_ID: emu.projectId,
        HUAWEICLOUD_SDK_REGION: emu.region,
      },
    });
    expect(await fromEnv.list(ctx)).toEqual(expect.any(Array));
  });

  it('rejects unknown and malformed options with the field named', () => {
    expect(() => createFunctionGraphAdapter({ regoin: 'cn-north-4' } as never)).toThrow(ValidationError);
    expect(() => createFunctionGraphAdapter({ regoin: 'cn-north-4' } as never)).toThrow(/regoin/);
    expect(() => createFunctionGraphAdapter({ region: 'Beijing', projectId: 'p' })).toThrow(
      /region: "Beijing" is not a region id/,
    );
  });

  it('renders wrong credentials as a clear ProviderApiError from the signature check, without the secret', async () => {
    const wrong = createFunctionGraphAdapter({
      ...adapterOptions(),
      credentials: { accessKeyId: ak, secretAccessKey: 'not-the-secret-xyz' },
    });
    const error = await wrong.read('anything', ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    const e = error as ProviderApiError;
    expect(e.status).toBe(401);
    expect(e.providerCode).toBe('APIGW.0301');
    expect(e.operation).toBe('GetFunctionConfig');
    expect(e.message).toMatch(
      /^functiongraph GetFunctionConfig failed with 401 APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail/,
    );
    expect(e.message).toMatch(/request id [0-9a-f-]{36}/);
    expect(e.hint).toMatch(/HUAWEICLOUD_SDK_AK/);
    expect(JSON.stringify(e.toJSON())).not.toContain('not-the-secret-xyz');
    expect(e.retryable).toBe(false);
  });
});

describe('temporary credentials', () => {
  it('signs X-Security-Token, and the platform refuses the keys without it', async () => {
    const temp = await startFunctionGraphEmulator({
      accessKeyId: 'tmp-ak',
      secretAccessKey: 'tmp-sk-1234',
      securityToken: 'sts-token-5678',
    });
    try {
      const base = { region: temp.region, projectId: temp.projectId, endpoint: temp.url, env: {} };
      const withToken = createFunctionGraphAdapter({
        ...base,
        credentials: {
          accessKeyId: 'tmp-ak',
          secretAccessKey: 'tmp-sk-1234',
          securityToken: 'sts-token-5678',
        },
      });
      expect(await withToken.list(ctx)).toEqual([]);
      const fromEnv = createFunctionGraphAdapter({
        ...base,
        env: {
          HUAWEICLOUD_SDK_AK: 'tmp-ak',
          HUAWEICLOUD_SDK_SK: 'tmp-sk-1234',
          HUAWEICLOUD_SDK_SECURITY_TOKEN: 'sts-token-5678',
        },
      });
      expect(await fromEnv.list(ctx)).toEqual([]);
      const without = createFunctionGraphAdapter({
        ...base,
        credentials: { accessKeyId: 'tmp-ak', secretAccessKey: 'tmp-sk-1234' },
      });
      const error = (await without.list(ctx).catch((e: unknown) => e)) as ProviderApiError;
      expect(error).toBeInstanceOf(ProviderApiError);
      expect(error.status).toBe(401);
      expect(error.message).toMatch(/security token/);
      expect(error.message).not.toContain('sts-token-5678');
    } finally {
      await temp.close();
    }
  });
});

describe('retries', () => {
  it('retries throttling and 5xx, then gives up with a retryable ProviderApiError', async () => {
    emu.injectFault({ status: 429, code: 'FSS.0429', method: 'GET', times: 2 });
    const before = emu.requests().length;
    expect(await adapter.read('missing-fn', ctx)).toBeUndefined();
    expect(emu.requests().length - before).toBe(3);
    emu.injectFault({ status: 503, code: 'FSS.0503', method: 'GET', times: 3 });
    const error = (await adapter.read('missing-fn', ctx).catch((e: unknown) => e)) as ProviderApiError;
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
  });

  it('stops retrying when the caller aborts, rejecting with the abort reason before another request', async () => {
    const reason = new Error('deploy cancelled');
    const before = emu.requests().length;
    const aborted = await adapter
      .read('missing-fn', { ...ctx, signal: AbortSignal.abort(reason) })
      .catch((e: unknown) => e);
    expect(aborted).toBe(reason);
    expect(emu.requests().length).toBe(before);
  });
});

describe('mapping a function', () => {
  const full = (extra: Partial<FunctionConfig> = {}) =>
    fn({
      name: 'mapped',
      source: {
        inline:
          'export default async (request, ctx) => "mapped " + ctx.env.STAGE + " " + ctx.env.DB_PASSWORD;',
      },
      env: { STAGE: 'prod' },
      secrets: { DB_PASSWORD: { fromEnv: 'FG_TEST_DB_PASSWORD' } },
      resources: { memory: 512, timeout: 20 },
      scaling: { min: 2, max: 50, concurrency: 5 },
      triggers: [
        { http: { methods: ['GET', 'POST'] } },
        { schedule: { cron: '30 8 * * 1-5', timezone: 'Asia/Shanghai', payload: { ping: true } } },
        { storage: { bucket: 'uploads', events: ['created', 'deleted'], prefix: 'img/' } },
      ],
      ...extra,
    });
  const env = { FG_TEST_DB_PASSWORD: 's3cret-value' };

  it('creates the function, sets scaling after create, publishes, routes, adds triggers and reserved instances', async () => {
    const start = emu.requests().length;
    const result = await deploy(adapter, full(), { env });
    expect(result.changed).toBe(true);
    const writes = emu
      .requests()
      .slice(start)
      .filter((r) => !r.startsWith('GET') && !r.includes('/invocations'));
    expect(
      writes.map((r) => r.replace(/^(\w+) \/v2\/\w+\/fgs\//, '$1 ').replace(/urn:fss:[^/]*:mapped/, 'URN')),
    ).toEqual([
      'POST functions',
      'PUT functions/URN:latest/config',
      'POST functions/URN/versions',
      'POST functions/URN/aliases',
      'POST triggers/URN:!main',
      'POST triggers/URN:!main',
      'POST functions/URN:!main/function-url',
      'PUT functions/URN:!main/reservedinstances',
    ]);
    const config = (
      await api.call<any>('GetFunctionConfig', 'GET', `functions/${urn('mapped', 'latest')}/config`)
    ).data;
    expect(config).toMatchObject({
      runtime: 'Node.js20.15',
      handler: 'faasport_shim.handler',
      memory_size: 512,
      timeout: 20,
      user_data: '{"STAGE":"prod"}',
      encrypted_user_data: '{"DB_PASSWORD":"s3cret-value"}',
      strategy_config: { concurrency: 50, concurrent_num: 5 },
    });
    const triggers = (
      await api.call<any[]>('ListFunctionTriggers', 'GET', `triggers/${urn('mapped', '!main')}`)
    ).data;
    const byType = Object.fromEntries(triggers.map((t) => [t.trigger_type_code, t.event_data]));
    expect(byType.TIMER).toMatchObject({
      schedule_type: 'Cron',
      schedule: 'CRON_TZ=Asia/Shanghai 0 30 8 ? * 1-5',
      user_event: '{"ping":true}',
    });
    expect(byType.OBS).toMatchObject({
      bucket: 'uploads',
      events: ['ObjectCreated', 'ObjectRemoved'],
      prefix: 'img/',
    });
    // http is a function URL by default: the shared APIG gateway is closed to new customers.
    expect(byType.APIG).toBeUndefined();
    const functionUrl = (
      await api.call<any>('ShowFunctionUrl', 'GET', `functions/${urn('mapped', '!main')}/function-url`)
    ).data;
    expect(functionUrl).toMatchObject({ auth_type: 'NONE', cors: { is_cors: false } });
    expect(result.url).toBe(functionUrl.function_url);
    const answer = await invoke(adapter, 'mapped');
    expect(await answer.text()).toBe('mapped prod s3cret-value');
  });

  it('re-deploys an unchanged function with zero writes', async () => {
    const { plan } = await planDeploy(adapter, full(), { env });
    expect(plan.steps).toEqual([]);
    const before = emu.writes();
    expect((await deploy(adapter, full(), { env })).changed).toBe(false);
    expect(emu.writes()).toBe(before);
  });

  it('changes only what changed: a new schedule replaces the timer and records the spec, nothing else', async () => {
    const changed = full({
      triggers: [
        { http: { methods: ['GET', 'POST'] } },
        { schedule: { cron: '0 9 * * *', timezone: 'UTC', payload: { ping: true } } },
        { storage: { bucket: 'uploads', events: ['created', 'deleted'], prefix: 'img/' } },
      ],
    });
    const { plan } = await planDeploy(adapter, changed, { env });
    expect(plan.steps.map((s) => s.id)).toEqual([
      'config',
      'trigger-delete:TIMER/mapped_schedule',
      'trigger-create:TIMER/mapped_schedule',
    ]);
    expect(plan.steps[0]!.changes.map((c) => c.path)).toEqual(['specHash']);
    expect(JSON.stringify(plan)).not.toContain('s3cret-value');
    await deploy(adapter, changed, { env });
    expect((await planDeploy(adapter, changed, { env })).plan.steps).toEqual([]);
  });

  it('updates config by read-modify-write, keeping fields faasport does not manage', async () => {
    const current = (
      await api.call<any>('GetFunctionConfig', 'GET', `functions/${urn('mapped', 'latest')}/config`)
    ).data;
    const {
      func_name,
      runtime,
      timeout,
      handler,
      memory_size,
      user_data,
      encrypted_user_data,
      description,
      strategy_config,
    } = current;
    await api.call('UpdateFunctionConfig', 'PUT', `functions/${urn('mapped', 'latest')}/config`, {
      body: {
        func_name,
        runtime,
        timeout,
        handler,
        memory_size,
        user_data,
        encrypted_user_data,
        description,
        strategy_config,
        enable_lts_log: true,
      },
    });
    await deploy(adapter, full({ env: { STAGE: 'staging' } }), { env });
    const after = (
      await api.call<any>('GetFunctionConfig', 'GET', `functions/${urn('mapped', 'latest')}/config`)
    ).data;
    expect(after.enable_lts_log).toBe(true);
    expect(after.user_data).toBe('{"STAGE":"staging"}');
    expect(after.encrypted_user_data).toBe('{"DB_PASSWORD":"s3cret-value"}');
    expect(after.strategy_config).toEqual({ concurrency: 50, concurrent_num: 5 });
  });

  it('renders the request bodies as JSON manifests with secrets as references', () => {
    const manifests = adapter.render(planDesired(full(), env));
    expect(manifests.map((m) => m.name)).toEqual([
      'mapped.create-function.json',
      'mapped.update-config.json',
      'mapped.publish-version.json',
      'mapped.alias-main.json',
      'mapped.function-url.json',
      'mapped.trigger-timer-mapped_schedule.json',
      'mapped.trigger-obs-mapped_storage.json',
      'mapped.reserved-instances.json',
    ]);
    const create = manifests[0]!;
    expect(create.request).toEqual({ method: 'POST', path: `/v2/${emu.projectId}/fgs/functions` });
    expect(create.content).toMatchObject({
      func_name: 'mapped',
      package: 'default',
      code_type: 'zip',
      encrypted_user_data: `{"DB_PASSWORD":"\${secret:DB_PASSWORD}"}`,
    });
    expect(JSON.stringify(manifests)).not.toContain('s3cret-value');
  });

  it('exports back to the neutral model: handler, contract, env, secrets by reference, triggers, scaling, code without the shim', async () => {
    const exported = await adapter.export('mapped', ctx);
    expect(exported.config).toMatchObject({
      name: 'mapped',
      runtime: 'nodejs20',
      handler: 'index.default',
      contract: 'web',
      env: { STAGE: 'staging' },
      secrets: { DB_PASSWORD: { fromEnv: 'DB_PASSWORD' } },
      resources: { memory: 512, timeout: 20 },
      scaling: { min: 2, max: 50, concurrency: 5 },
    });
    expect(exported.config.providers).toBeUndefined();
    // The last deploy put back the 08:30 Asia/Shanghai schedule, which FunctionGraph holds with its CRON_TZ.
    expect(exported.config.triggers).toHaveLength(3);
    expect(exported.config.triggers).toEqual(
      expect.arrayContaining([
        { http: { auth: 'anonymous' } },
        { schedule: { cron: '30 8 * * 1-5', timezone: 'Asia/Shanghai', payload: { ping: true } } },
        { storage: { bucket: 'uploads', events: ['created', 'deleted'], prefix: 'img/' } },
      ]),
    );
    expect(Object.keys(unzipSync(exported.code!))).toEqual(['index.mjs']);
    expect(exported.notes.join('\n')).toMatch(/DB_PASSWORD/);
    expect(defineFunction(exported.config).name).toBe('mapped');
  });

  it('lists and removes it, triggers first', async () => {
    expect((await adapter.list(ctx)).map((f) => f.name)).toContain('mapped');
    await remove(adapter, 'mapped');
    expect(await adapter.read('mapped', ctx)).toBeUndefined();
    expect(emu.functionNames()).not.toContain('mapped');
  });
});

/** The desired state core would build (its own packaging and hashing, as the engine does), for render(). */
function planDesired(resolved: ReturnType<typeof fn>, env: Record<string, string>) {
  return desiredStateOf(resolved, { env });
}

describe('drift', () => {
  it('shows a change made outside faasport and puts it back on deploy', async () => {
    const config = fn({ name: 'drifty', resources: { memory: 256, timeout: 30 }, triggers: [] });
    await deploy(adapter, config);
    const current = (
      await api.call<any>('GetFunctionConfig', 'GET', `functions/${urn('drifty', 'latest')}/config`)
    ).data;
    const { func_name, runtime, timeout, handler, user_data, description, strategy_config } = current;
    await api.call('UpdateFunctionConfig', 'PUT', `functions/${urn('drifty', 'latest')}/config`, {
      body: {
        func_name,
        runtime,
        timeout,
        handler,
        memory_size: 1024,
        user_data,
        description,
        strategy_config,
      },
    });
    const { plan } = await planDeploy(adapter, config);
    expect(plan.drift).toEqual([
      { path: 'resources', from: { memory: 1024, timeout: 30 }, to: { memory: 256, timeout: 30 } },
    ]);
    expect(plan.steps.map((s) => s.id)).toEqual(['config']);
    expect(plan.steps[0]!.changes).toEqual([{ path: 'memory_size', from: 1024, to: 256 }]);
    await deploy(adapter, config);
    expect(
      (await api.call<any>('GetFunctionConfig', 'GET', `functions/${urn('drifty', 'latest')}/config`)).data
        .memory_size,
    ).toBe(256);
    expect((await planDeploy(adapter, config)).plan.steps).toEqual([]);
    await remove(adapter, 'drifty');
  });
});

describe('a failed step', () => {
  it('reports which steps ran, and the next deploy does only what is left', async () => {
    const config = fn({ name: 'flaky', contract: 'event', triggers: [{ schedule: { cron: '0 * * * *' } }] });
    emu.injectFault({
      status: 400,
      code: 'FSS.1109',
      message: 'Invalid parameter.',
      method: 'POST',
      pathIncludes: '/triggers/',
    });
    const error = (await deploy(adapter, config).catch((e: unknown) => e)) as DeployError;
    expect(error).toBeInstanceOf(DeployError);
    expect(error.failedStep).toMatch(/^create TIMER trigger flaky_schedule of flaky/);
    expect(error.completedSteps.map((s) => s.split(' ')[0])).toEqual(['create', 'set', 'publish', 'route']);
    expect(error.message).toMatch(/FSS\.1109/);
    const { plan } = await planDeploy(adapter, config);
    expect(plan.steps.map((s) => s.id)).toEqual(['trigger-create:TIMER/flaky_schedule']);
    await deploy(adapter, config);
    expect((await planDeploy(adapter, config)).plan.steps).toEqual([]);
    await remove(adapter, 'flaky');
  });
});

describe('checks before any write', () => {
  it.each([
    {
      title: 'a gateway http trigger without an APIG group, naming the provider option',
      name: 'nogroup',
      functiongraph: { apigInstanceId: 'apig-1' },
      message: /providers\.functiongraph\.apigGroupId/,
    },
    {
      title: 'a misspelt provider option, naming it',
      name: 'typo',
      functiongraph: { apigGroupID: 'g' },
      message: /providers\.functiongraph: .*apigGroupID/,
    },
  ])('rejects $title', async ({ name, functiongraph, message }) => {
    const before = emu.writes();
    const error = await deploy(adapter, fn({ name, providers: { functiongraph } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
    expect(emu.writes()).toBe(before);
  });

  it('deploys nodejs22 as Node.js22.18, warning that the international runtime table stops at 20.15', async () => {
    const { plan } = await planDeploy(adapter, fn({ name: 'node22', runtime: 'nodejs22' }));
    const warning = plan.warnings.find((w) => w.feature === 'runtime');
    expect(warning?.message).toMatch(/Node\.js22\.18/);
    expect(warning?.hint).toMatch(/nodejs20/);
    await deploy(adapter, fn({ name: 'node22', runtime: 'nodejs22' }));
    const config = (
      await api.call<any>('GetFunctionConfig', 'GET', `functions/${urn('node22', 'latest')}/config`)
    ).data;
    expect(config.runtime).toBe('Node.js22.18');
    expect(await (await invoke(adapter, 'node22')).text()).toBe('hi');
  });

  it('warns that cpu and disk settings are not applied', async () => {
    const { plan } = await planDeploy(
      adapter,
      fn({ name: 'sized', resources: { memory: 512, cpu: 1, disk: 1024 } }),
    );
    expect(plan.warnings.map((w) => w.feature)).toEqual(['resources.cpu', 'resources.disk']);
  });

  it('rejects memory, runtimes and scaling FunctionGraph cannot take, listing what it can', async () => {
    const before = emu.writes();
    const env = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`K${i}`, 'v']));
    const cases: Array<[Partial<FunctionConfig>, RegExp]> = [
      [{ resources: { memory: 300 } }, /300.*128, 256, 512, 768, 1024/],
      [
        { runtime: 'python3.11' },
        /python3\.11.*nodejs18, nodejs20, nodejs22, python3\.9, python3\.10, python3\.12, custom/,
      ],
      [{ scaling: { max: 5000 } }, /5000.*1-1000 instances/],
      [{ env }, /at most 20 variables/],
    ];
    for (const [config, message] of cases) {
      const error = await deploy(adapter, fn({ name: 'lim', ...config })).catch((e: unknown) => e);
      expect(error, JSON.stringify(config)).toBeInstanceOf(LimitExceededError);
      expect((error as Error).message).toMatch(message);
    }
    expect(emu.writes()).toBe(before);
  });

  it('refuses to reuse a revision label for other code, since versions are immutable', async () => {
    await deploy(adapter, fn({ name: 'immutable', revision: 'v1', triggers: [] }));
    const before = emu.writes();
    const error = await deploy(
      adapter,
      fn({ name: 'immutable', revision: 'v1', triggers: [], env: { CHANGED: 'yes' } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /version "v1" of immutable already exists with other code or settings/,
    );
    expect(emu.writes()).toBe(before);
    await remove(adapter, 'immutable');
  });

  it('rejects a three-way split before any write', async () => {
    await deploy(adapter, fn({ name: 'three', revision: 'v1' }));
    await deploy(adapter, fn({ name: 'three', revision: 'v2', env: { X: '2' } }));
    const before = emu.writes();
    const error = await deploy(
      adapter,
      fn({
        name: 'three',
        revision: 'v3',
        env: { X: '3' },
        traffic: [
          { revision: 'v1', percent: 40 },
          { revision: 'v2', percent: 30 },
          { revision: 'latest', percent: 30 },
        ],
      }),
    ).catch((e: unknown) => e);
    expect(FaasportError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /splits traffic over 3 revisions; target "functiongraph" routes to at most 2 at once/,
    );
    expect(emu.writes()).toBe(before);
    await remove(adapter, 'three');
  });
});

describe('traffic', () => {
  it('applies a 70/30 split as the main alias and the invocations follow it', async () => {
    const web = (reply: string) => `export default () => new Response(${JSON.stringify(reply)});`;
    await deploy(adapter, fn({ name: 'split', revision: 'v1', source: { inline: web('one') } }));
    await deploy(
      adapter,
      fn({
        name: 'split',
        revision: 'v2',
        source: { inline: web('two') },
        traffic: [
          { revision: 'v1', percent: 70, tag: 'stable' },
          { revision: 'latest', percent: 30, tag: 'canary' },
        ],
      }),
    );
    const aliases = (await api.call<any[]>('ListVersionAliases', 'GET', `functions/${urn('split')}/aliases`))
      .data;
    expect(aliases.find((a) => a.name === 'main')).toMatchObject({
      version: 'v1',
      additional_version_weights: { v2: 30 },
    });
    expect(aliases.find((a) => a.name === 'canary')).toMatchObject({ version: 'v2' });
    const live = await adapter.read('split', ctx);
    expect(live!.traffic).toEqual([
      { revision: 'v1', percent: 70, tag: 'stable' },
      { revision: 'v2', percent: 30, tag: 'canary' },
    ]);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const text = await (await invoke(adapter, 'split')).text();
      counts[text] = (counts[text] ?? 0) + 1;
    }
    expect(counts.one! + counts.two!).toBe(200);
    expect(counts.one).toBeGreaterThan(120);
    expect(counts.one).toBeLessThan(160);
    expect(await (await invoke(adapter, 'split', {}, { tag: 'canary' })).text()).toBe('two');
    await remove(adapter, 'split');
  });
});

describe('invocation', () => {
  it('answers through its function URL the same as through the invoke API', async () => {
    const handler = `export default async (request, ctx) => {
      const url = new URL(request.url);
      const body = request.method === 'GET' ? '' : await request.text();
      return Response.json({ method: request.method, path: url.pathname, q: url.searchParams.get('q'), body, type: request.headers.get('content-type'), fn: ctx.functionName }, { status: 201, headers: { 'x-answer': 'yes' } });
    };`;
    const result = await deploy(adapter, fn({ name: 'webfn', source: { inline: handler } }));
    const apig = await fetch(`${result.url}/items?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'héllo',
    });
    expect(apig.status).toBe(201);
    expect(apig.headers.get('x-answer')).toBe('yes');
    const throughApig = await apig.json();
    expect(throughApig).toEqual({
      method: 'POST',
      path: '/items',
      q: '1',
      body: 'héllo',
      type: 'text/plain',
      fn: 'webfn',
    });
    const direct = await invoke(adapter, 'webfn', {
      method: 'POST',
      path: '/items?q=1',
      headers: { 'content-type': 'text/plain' },
      body: 'héllo',
    });
    expect(direct.status).toBe(201);
    expect(await direct.json()).toEqual(throughApig);
    const missing = await fetch(`${emu.url}/_url/no-such-url/`);
    expect(missing.status).toBe(404);
  });

  it('surfaces function errors as InvokeError, and runs async invocations', async () => {
    await deploy(
      adapter,
      fn({
        name: 'failing',
        contract: 'event',
        triggers: [],
        source: {
          inline:
            'export default async (event) => { if (event.data.fail) throw new TypeError("bad input " + event.data.n); return { ok: event.data.n }; }',
        },
      }),
    );
    const ok = await invoke(adapter, 'failing', { body: { n: 1 } }, { mode: 'event' });
    expect(await ok.json()).toEqual({ ok: 1 });
    const error = await invoke(adapter, 'failing', { body: { n: 2, fail: true } }, { mode: 'event' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvokeError);
    expect((error as Error).message).toMatch(/bad input 2/);
    const queued = await invoke(adapter, 'failing', { body: { n: 3 } }, { mode: 'event', async: true });
    expect(queued.status).toBe(202);
    expect((await queued.json()).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('delivers a timer event to an event handler as a CloudEvent', async () => {
    await deploy(
      adapter,
      fn({
        name: 'ticker',
        contract: 'event',
        triggers: [],
        source: {
          inline:
            'export default async (event) => ({ type: event.type, source: event.source, data: event.data });',
        },
      }),
    );
    const timer = {
      version: 'v1.0',
      time: '2026-01-02T08:30:00+08:00',
      trigger_type: 'TIMER',
      trigger_name: 'ticker_schedule',
      user_event: '{"ping":true}',
    };
    const response = await invoke(adapter, 'ticker', { body: timer }, { mode: 'event' });
    expect(await response.json()).toEqual({
      type: 'dev.faasport.schedule',
      source: 'functiongraph:timer/ticker_schedule',
      data: { ping: true },
    });
  });

  it('runs an event handler from its TIMER and OBS triggers as CloudEvents', async () => {
    await deploy(
      adapter,
      fn({
        name: 'events',
        contract: 'event',
        source: {
          inline:
            'export default async (event) => ({ type: event.type, source: event.source, subject: event.subject, data: event.data });',
        },
        triggers: [
          { schedule: { cron: '*/5 * * * *', payload: { job: 'sweep' } } },
          { storage: { bucket: 'photos', events: ['created'], prefix: 'in/', suffix: '.png' } },
        ],
      }),
    );
    const [tick] = await emu.fireTimer('events');
    expect(JSON.parse(tick!.result)).toEqual({
      type: 'dev.faasport.schedule',
      source: 'functiongraph:timer/events_schedule',
      subject: 'events_schedule',
      data: { job: 'sweep' },
    });
    const [created] = await emu.emitObsEvent('photos', 'in/cat 1.png');
    expect(JSON.parse(created!.result)).toMatchObject({
      type: 'dev.faasport.storage.object.created',
      source: 'functiongraph:obs/photos',
      subject: 'in/cat 1.png',
      data: { bucket: 'photos', key: 'in/cat 1.png', event: 'ObjectCreated:Put' },
    });
    expect(await emu.emitObsEvent('photos', 'out/cat.png')).toEqual([]);
    expect(await emu.emitObsEvent('photos', 'in/cat.png', 'ObjectRemoved:Delete')).toEqual([]);
  });

  it('deploys the custom-image Express example as an image source and it answers "Hello invoke"', async () => {
    const config = fn({
      name: 'express-img',
      source: {
        image: { ref: image, port: 8000, command: ['node'], args: ['server.js'], user: '1004:1005' },
      },
      triggers: [],
    });
    const result = await deploy(adapter, config);
    expect(result.changed).toBe(true);
    const stored = (
      await api.call<any>('GetFunctionConfig', 'GET', `functions/${urn('express-img', 'latest')}/config`)
    ).data;
    expect(stored).toMatchObject({
      runtime: 'Custom Image',
      handler: '-',
      code_type: 'Custom-Image-Swr',
      custom_image: { enabled: true, image, command: 'node', args: 'server.js', uid: '1004', gid: '1005' },
    });
    const response = await invoke(adapter, 'express-img', { body: { any: 'event' } }, { mode: 'event' });
    expect(await response.text()).toBe('Hello invoke\n');
    expect((await planDeploy(adapter, config)).plan.steps).toEqual([]);
    const exported = await adapter.export('express-img', ctx);
    expect(exported.config.source).toEqual({
      image: { ref: image, command: ['node'], args: ['server.js'], port: 8000, user: '1004:1005' },
    });
  });

  it('deploys an OBS bucket source with the native contract', async () => {
    await deploy(
      adapter,
      fn({
        name: 'fromobs',
        contract: 'native',
        handler: 'index.handler',
        triggers: [],
        source: { bucket: { name: 'code-bucket', key: 'native/fn.zip' } },
      }),
    );
    const config = (
      await api.call<any>('GetFunctionConfig', 'GET', `functions/${urn('fromobs', 'latest')}/config`)
    ).data;
    expect(config.code_url).toBe(`https://code-bucket.obs.${emu.region}.myhuaweicloud.com/native/fn.zip`);
    const response = await invoke(adapter, 'fromobs', { body: { n: 7 } }, { mode: 'event' });
    expect(await response.json()).toEqual({ native: true, n: 7 });
    const error = await deploy(
      adapter,
      fn({
        name: 'fromobs2',
        triggers: [],
        source: { bucket: { name: 'code-bucket', key: 'native/fn.zip' } },
      }),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/bucket source is deployed as-is/);
  });
});
