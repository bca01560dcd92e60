import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Client, * as $FC from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { defineFunction, deploy, invoke, ProviderApiError, planDeploy, setTraffic } from '@faasport/core';
import { type Fc3Emulator, startFc3Emulator } from '@faasport/emulators/fc3';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFc3Adapter, type Fc3Adapter } from '../src';

// The coffee greeting as a portable web handler (the examples/ coffee function).
const coffeeWeb = `export default async function (request, ctx) {
  const url = new URL(request.url);
  return new Response('Hello ' + ctx.env.VERSION + ' ' + request.method + ' ' + url.pathname + url.search + '\\n', { headers: { 'content-type': 'text/plain', 'x-coffee': 'yes' } });
}
`;

// An FC 3.0 native handler: built-in runtimes get HTTP calls as the version v1 event.
const nativeHttp = `exports.handler = async (event, context) => {
  const e = JSON.parse(event.toString());
  return { statusCode: 201, headers: { 'x-path': e.rawPath }, body: 'native ' + e.requestContext.http.method + ' ' + (e.queryParameters.cup || ''), isBase64Encoded: false };
};
`;

describe('fc3 adapter on the FC 3.0 emulator, through @alicloud/fc20230330', () => {
  let emulator: Fc3Emulator;
  let adapter: Fc3Adapter;
  let draws: number[] = [];
  beforeAll(async () => {
    emulator = await startFc3Emulator({ random: () => draws.shift() ?? 0.99 });
    adapter = createFc3Adapter({
      accountId: emulator.accountId,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: emulator.accessKeyId, accessKeySecret: emulator.accessKeySecret },
      retryBaseMs: 1,
    });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const coffee = (version: string, extra: Record<string, unknown> = {}) =>
    defineFunction({
      name: 'coffee',
      source: { inline: coffeeWeb },
      env: { VERSION: version },
      triggers: [{ http: {} }],
      ...extra,
    });

  it('deploys the coffee web handler; it answers through its HTTP trigger URL and a re-deploy writes nothing', async () => {
    const result = await deploy(adapter, coffee('v1'));
    expect(result.url).toMatch(new RegExp(`^${emulator.url}/fcapp/coffee-[0-9a-f]{10}$`));
    const direct = await fetch(`${result.url}/order?cup=2`, { method: 'POST', body: 'x' });
    expect(direct.status).toBe(200);
    expect(direct.headers.get('x-coffee')).toBe('yes');
    expect(await direct.text()).toBe('Hello v1 POST /order?cup=2\n');
    const viaAdapter = await invoke(adapter, 'coffee', { path: '/menu' });
    expect(await viaAdapter.text()).toBe('Hello v1 GET /menu\n');
    const fn = emulator.state.functions.get('coffee')!;
    expect(fn.fn.config.runtime).toBe('nodejs20');
    expect(fn.aliases.get('main')?.versionId).toBe('1');
    const writes = emulator.writes();
    const again = await deploy(adapter, coffee('v1'));
    expect(again.changed).toBe(false);
    expect(emulator.writes()).toBe(writes);
  });

  it('splits traffic between two versions with additionalVersionWeight, honoured on invoke', async () => {
    await deploy(adapter, coffee('v2', { revision: 'r2', traffic: [{ revision: 'r2', percent: 100 }] }));
    const labels = (await adapter.read('coffee', undefined as never))!.revisions.map((r) => r.label);
    const first = labels.find((l) => l !== 'r2')!;
    await setTraffic(adapter, 'coffee', [
      { revision: 'r2', percent: 70 },
      { revision: first, percent: 30 },
    ]);
    const alias = emulator.state.functions.get('coffee')!.aliases.get('main')!;
    expect(alias.additionalVersionWeight).toEqual({ '1': 0.3 });
    draws = [0.1, 0.5];
    expect(await (await invoke(adapter, 'coffee', { path: '/' })).text()).toBe('Hello v1 GET /\n');
    expect(await (await invoke(adapter, 'coffee', { path: '/' })).text()).toBe('Hello v2 GET /\n');
  });

  it('refuses a split over three versions before any write', async () => {
    await deploy(adapter, coffee('v3', { revision: 'r3', traffic: [{ revision: 'r3', percent: 100 }] }));
    const writes = emulator.writes();
    const labels = (await adapter.read('coffee', undefined as never))!.revisions.map((r) => r.label);
    await expect(
      setTraffic(
        adapter,
        'coffee',
        labels.map((revision, i) => ({ revision, percent: i === 0 ? 34 : 33 })),
      ),
    ).rejects.toThrow(/routes to at most 2/);
    expect(emulator.writes()).toBe(writes);
  });

  it('runs an FC 3.0 native handler with the HTTP event and maps its {statusCode, body} result', async () => {
    const result = await deploy(
      adapter,
      defineFunction({
        name: 'native',
        source: { inline: nativeHttp },
        contract: 'native',
        handler: 'index.handler',
        triggers: [{ http: {} }],
      }),
    );
    const response = await fetch(`${result.url}/brew?cup=3`);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-path')).toBe('/brew');
    expect(await response.text()).toBe('native GET 3');
  });

  it('exports an FC 3.0 native handler with providers.local.contract fc3-event, which the fc3 target deploys again', async () => {
    const exported = await adapter.export('native', undefined as never);
    expect(exported.config).toMatchObject({
      contract: 'native',
      handler: 'index.handler',
      providers: { local: { contract: 'fc3-event' } },
    });
    const { plan } = await planDeploy(
      adapter,
      defineFunction({ ...exported.config, name: 'native-copy', source: { inline: nativeHttp } }),
    );
    expect(plan.kind).toBe('create');
  });

  describe('scaling.min as the scaling config (minInstances) of alias main', () => {
    const official = () => {
      const url = new URL(emulator.url);
      return new Client(
        new $OpenApiUtil.Config({
          accessKeyId: emulator.accessKeyId,
          accessKeySecret: emulator.accessKeySecret,
          endpoint: url.host,
          protocol: 'http',
          regionId: emulator.region,
        }),
      );
    };
    /** What GetScalingConfig answers the official client for alias main; undefined on FC's 404. */
    const scalingOf = (name: string) =>
      official()
        .getScalingConfig(name, new $FC.GetScalingConfigRequest({ qualifier: 'main' }))
        .then(
          (r) => r.body,
          (e) => {
            if (e.statusCode === 404) return undefined;
            throw e;
          },
        );
    const warm = (scaling: Record<string, number>) =>
      defineFunction({ name: 'warm', source: { inline: coffeeWeb }, env: { VERSION: 'w' }, scaling });

    it('writes minInstances with PutScalingConfig and scaling.max as reservedConcurrency; an unchanged re-deploy writes nothing; export reads both back', async () => {
      await deploy(adapter, warm({ min: 2, max: 5 }));
      expect((await scalingOf('warm'))?.minInstances).toBe(2);
      const entry = emulator.state.functions.get('warm')!;
      expect(entry.provision.size).toBe(0);
      expect(entry.reservedConcurrency).toBe(5);
      const writes = emulator.writes();
      expect((await deploy(adapter, warm({ min: 2, max: 5 }))).changed).toBe(false);
      expect(emulator.writes()).toBe(writes);
      expect((await adapter.export('warm', undefined as never)).config.scaling).toEqual({ min: 2, max: 5 });
    });

    it('changes minInstances, shown in the plan, and removes the scaling config when scaling.min goes', async () => {
      const { plan } = await planDeploy(adapter, warm({ min: 3, max: 5 }));
      expect(plan.steps.find((s) => s.id === 'scaling')).toMatchObject({
        action: 'update',
        changes: [{ path: 'scaling.min', from: 2, to: 3 }],
      });
      await deploy(adapter, warm({ min: 3, max: 5 }));
      expect((await scalingOf('warm'))?.minInstances).toBe(3);
      const { plan: removal } = await planDeploy(adapter, warm({ max: 5 }));
      expect(removal.steps.filter((s) => s.id === 'scaling')).toMatchObject([
        { action: 'delete', changes: [{ path: 'scaling.min', from: 3, to: 0 }] },
      ]);
      await deploy(adapter, warm({ max: 5 }));
      expect(await scalingOf('warm')).toBeUndefined();
      const writes = emulator.writes();
      expect((await deploy(adapter, warm({ max: 5 }))).changed).toBe(false);
      expect(emulator.writes()).toBe(writes);
    });

    it('moves the provision config an earlier faasport version wrote to the scaling config, and says so in the plan', async () => {
      const legacy = (scaling: Record<string, number>) =>
        defineFunction({ name: 'legacy', source: { inline: coffeeWeb }, env: { VERSION: 'l' }, scaling });
      await deploy(adapter, legacy({}));
      // What faasport wrote for scaling.min before the scaling config: the main alias's provision config.
      await official().putProvisionConfig(
        'legacy',
        new $FC.PutProvisionConfigRequest({
          qualifier: 'main',
          body: new $FC.PutProvisionConfigInput({ target: 2 }),
        }),
      );
      const { plan } = await planDeploy(adapter, legacy({ min: 2 }));
      expect(plan.steps.filter((s) => s.id === 'scaling' || s.id === 'provision')).toMatchObject([
        { id: 'scaling', action: 'update', changes: [{ path: 'scaling.min', from: 0, to: 2 }] },
        {
          id: 'provision',
          action: 'delete',
          summary: expect.stringMatching(/provision config of alias main .*earlier faasport version/),
        },
      ]);
      await deploy(adapter, legacy({ min: 2 }));
      const entry = emulator.state.functions.get('legacy')!;
      expect(entry.provision.has('main')).toBe(false);
      expect((await scalingOf('legacy'))?.minInstances).toBe(2);
      const writes = emulator.writes();
      expect((await deploy(adapter, legacy({ min: 2 }))).changed).toBe(false);
      expect(emulator.writes()).toBe(writes);
    });
  });

  it('refuses instanceConcurrency on a built-in runtime at plan time', async () => {
    const writes = emulator.writes();
    await expect(planDeploy(adapter, coffee('v1', { scaling: { concurrency: 10 } }))).rejects.toThrow(
      /scaling.concurrency 10 .*1 for built-in runtimes/,
    );
    expect(emulator.writes()).toBe(writes);
  });

  it('reports FC errors of the official client as ProviderApiError with FC code', async () => {
    const bad = createFc3Adapter({
      accountId: emulator.accountId,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: emulator.accessKeyId, accessKeySecret: 'wrong' },
      maxAttempts: 1,
    });
    const error = await bad.read('coffee', undefined as never).catch((e) => e);
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error.providerCode).toBe('SignatureDoesNotMatch');
    expect(error.status).toBe(403);
  });

  it('exports a function with its code from GetFunctionCode, without the shim; the export deploys and answers again', async () => {
    await deploy(
      adapter,
      defineFunction({
        name: 'brew',
        source: { inline: coffeeWeb },
        env: { VERSION: 'e1' },
        triggers: [
          { http: {} },
          { schedule: { name: 'morning', cron: '30 8 * * *', timezone: 'Asia/Shanghai', payload: { n: 1 } } },
        ],
      }),
    );
    const exported = await adapter.export('brew', undefined as never);
    const files = unzipSync(exported.code!);
    expect(Object.keys(files)).not.toContain('__faasport_fc.mjs');
    expect(Object.values(files).map((f) => new TextDecoder().decode(f))).toContain(coffeeWeb);
    expect(exported.config).toMatchObject({
      name: 'brew',
      source: { archive: './brew.zip' },
      contract: 'web',
      env: { VERSION: 'e1' },
      triggers: [
        { http: { auth: 'anonymous' } },
        { schedule: { name: 'morning', cron: '30 8 * * *', timezone: 'Asia/Shanghai', payload: { n: 1 } } },
      ],
    });
    expect(exported.notes.join('\n')).toContain('revision');
    const dir = mkdtempSync(join(tmpdir(), 'faasport-fc3-export-'));
    try {
      const archive = join(dir, 'brew.zip');
      writeFileSync(archive, exported.code!);
      const copy = await deploy(
        adapter,
        defineFunction({ ...exported.config, name: 'brew-copy', source: { archive } }),
      );
      expect(await (await fetch(`${copy.url}/`)).text()).toBe('Hello e1 GET /\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
