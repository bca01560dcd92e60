import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defineFunction,
  deploy,
  FaasportError,
  invoke,
  ProviderApiError,
  planDeploy,
  setTraffic,
  UnsupportedFeatureError,
} from '@faasport/core';
import type { FcEmulator } from '@faasport/emulators/fc';
import { createLocalAdapter, startRuntime } from '@faasport/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFcAdapter, type FcAdapter } from '../src';
import { ctx, startTarget } from './helpers';

// The `coffee` function of the "Knative on Function Compute" doc (seed example 1): an FC-native
// Node.js HTTP handler, deployed as is.
const coffeeNative = `var version = 'coffee-default'
module.exports.handler = function (request, response, context) {
    var respBody = Buffer.from('Hello ' + version + '\\n')
    response.setStatusCode(200)
    response.setHeader('content-type', 'application/json')
    response.send(respBody)
};
`;

// The same greeting as a portable web handler.
const coffeeWeb = `export default async function (request, ctx) {
  return new Response('Hello ' + ctx.env.VERSION + '\\n', { headers: { 'content-type': 'application/json' } });
}
`;

describe('FC acceptance (emulator, real @alicloud/fc2)', () => {
  let emulator: FcEmulator;
  let adapter: FcAdapter;
  beforeAll(async () => {
    ({ emulator, adapter } = await startTarget());
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('deploys the coffee FC-native handler with contract native and answers through its HTTP trigger', async () => {
    const fn = defineFunction({
      name: 'coffee',
      source: { inline: coffeeNative },
      contract: 'native',
      handler: 'index.handler',
      triggers: [{ http: {} }],
    });
    const result = await deploy(adapter, fn);
    expect(result.url).toBe(`${emulator.url}/2016-08-15/proxy/coffee.main/coffee/`);
    // Through the adapter...
    const response = await invoke(adapter, 'coffee', { path: '/' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Hello coffee-default\n');
    // ...and with a plain HTTP call on the trigger URL, as curl would.
    const direct = await fetch(result.url!);
    expect(await direct.text()).toBe('Hello coffee-default\n');
    expect(direct.headers.get('content-type')).toBe('application/json');
    const fnState = emulator.state.services.get('coffee')!.functions.get('coffee')!;
    expect(fnState.handler).toBe('index.handler');
    expect(fnState.runtime).toBe('nodejs20');
  });

  it('deploys the same greeting as a web handler (shim) and answers the same', async () => {
    const fn = defineFunction({
      name: 'coffee-web',
      source: { inline: coffeeWeb },
      env: { VERSION: 'coffee-default' },
    });
    const result = await deploy(adapter, fn);
    const response = await fetch(result.url!);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Hello coffee-default\n');
    const fnState = emulator.state.services.get('coffee-web')!.functions.get('coffee-web')!;
    expect(fnState.handler).toBe('__faasport_fc.httpHandler');
    expect(fnState.environmentVariables.FAASPORT_HANDLER).toBe('index.default');
  });

  it('re-deploys the unchanged function without a single write call', async () => {
    const fn = defineFunction({
      name: 'coffee-web',
      source: { inline: coffeeWeb },
      env: { VERSION: 'coffee-default' },
    });
    const before = emulator.writes();
    const { plan } = await planDeploy(adapter, fn);
    expect(plan.steps).toEqual([]);
    const result = await deploy(adapter, fn);
    expect(result.changed).toBe(false);
    expect(emulator.writes()).toBe(before);
  });

  it('rejects a split over three revisions before any write, naming the two-version limit', async () => {
    const base = { name: 'split3', source: { inline: coffeeWeb }, env: { VERSION: 'a' } } as const;
    await deploy(adapter, defineFunction({ ...base, revision: 'v1' }));
    await deploy(adapter, defineFunction({ ...base, revision: 'v2', env: { VERSION: 'b' } }));
    const before = emulator.writes();
    const three = defineFunction({
      ...base,
      revision: 'v3',
      env: { VERSION: 'c' },
      traffic: [
        { revision: 'v1', percent: 40 },
        { revision: 'v2', percent: 30 },
        { revision: 'latest', percent: 30 },
      ],
    });
    const error = await deploy(adapter, three).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect((error as Error).message).toMatch(/at most 2/);
    expect(emulator.writes()).toBe(before);
    // The adapter's own setTraffic refuses it too, before writing (for callers that skip core's checks).
    const direct = await adapter
      .setTraffic(
        'split3',
        [
          { revision: 'v1', percent: 40 },
          { revision: 'v2', percent: 30 },
          { revision: 'v1x', percent: 30 },
        ],
        ctx,
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(direct).toBeInstanceOf(UnsupportedFeatureError);
    expect((direct as Error).message).toMatch(/at most 2 versions/);
    expect(emulator.writes()).toBe(before);
  });

  it('applies a 90/10 split as an alias with additionalVersionWeight 0.1, observed in invocations', async () => {
    const traffic = await setTraffic(adapter, 'split3', [
      { revision: 'v1', percent: 90 },
      { revision: 'v2', percent: 10 },
    ]);
    expect(traffic).toEqual([
      { revision: 'v1', percent: 90 },
      { revision: 'v2', percent: 10 },
    ]);
    const svc = emulator.state.services.get('split3')!;
    const main = svc.aliases.get('main')!;
    const versionOf = (label: string) =>
      [...svc.versions.values()].find((v) => v.description.includes(`revision=${label} `))!.versionId;
    expect(main.versionId).toBe(versionOf('v1'));
    expect(main.additionalVersionWeight).toEqual({ [versionOf('v2')]: 0.1 });
    const counts = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const text = await (await invoke(adapter, 'split3')).text();
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    // The emulator spreads weighted calls evenly instead of at random, so 100 calls split exactly.
    expect(Object.fromEntries(counts)).toEqual({ 'Hello a\n': 90, 'Hello b\n': 10 });
    const live = await adapter.read('split3', ctx);
    expect(live?.traffic).toEqual([
      { revision: 'v1', percent: 90 },
      { revision: 'v2', percent: 10 },
    ]);
  });

  it('fails with wrong credentials as a clear ProviderApiError carrying the signature error', async () => {
    const wrong = createFcAdapter({
      accountId: emulator.accountId,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: emulator.accessKeyId, accessKeySecret: 'not-the-secret' },
      retryBaseMs: 1,
    });
    const error = await wrong.read('coffee', ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderApiError);
    const e = error as ProviderApiError;
    expect(e.status).toBe(403);
    expect(e.providerCode).toBe('SignatureNotMatch');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(
      /^fc GetFunction failed with 403 SignatureNotMatch: The request signature we calculated does not match/,
    );
    expect(e.message).toMatch(/request id [0-9a-f-]{36}/);
    expect(e.message).not.toContain('not-the-secret');
    expect(e.hint).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');

    const unknownKey = createFcAdapter({
      accountId: emulator.accountId,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: 'LTAI-nobody', accessKeySecret: 'whatever-secret' },
    });
    const e2 = (await unknownKey.read('coffee', ctx).then(
      () => undefined,
      (x: unknown) => x,
    )) as ProviderApiError;
    expect(e2.providerCode).toBe('InvalidAccessKeyID');
    expect(e2.message).toContain("invalid access key ID 'LTAI-nobody'");
  });

  it('exports a live function and deploys the export to FC under a new name and to the local runtime, answering the same', async () => {
    const exported = await adapter.export('coffee-web', ctx);
    expect(exported.config).toMatchObject({
      name: 'coffee-web',
      contract: 'web',
      handler: 'index.default',
      runtime: 'nodejs20',
      env: { VERSION: 'coffee-default' },
      resources: { memory: 256, timeout: 30 },
      triggers: [
        {
          http: {
            name: 'http',
            methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'],
            auth: 'anonymous',
          },
        },
      ],
    });
    expect(exported.code).toBeInstanceOf(Uint8Array);
    const dir = mkdtempSync(join(tmpdir(), 'faasport-fc-export-'));
    const archive = join(dir, 'coffee-web.zip');
    writeFileSync(archive, exported.code!);
    // Deployed back to FC under a new name...
    const copy = defineFunction({ ...exported.config, name: 'coffee-copy', source: { archive } });
    const result = await deploy(adapter, copy);
    expect(await (await fetch(result.url!)).text()).toBe('Hello coffee-default\n');
    // The shim is not part of the exported code: it is added again at deploy.
    const { unzipSync } = await import('fflate');
    expect(Object.keys(unzipSync(exported.code!))).toEqual(['index.mjs']);

    // And to another target: the bundled local runtime answers the same.
    const runtime = await startRuntime({
      dataDir: mkdtempSync(join(tmpdir(), 'faasport-fc-local-')),
      port: 0,
    });
    try {
      const local = createLocalAdapter({ url: runtime.url, token: runtime.token });
      const migrated = defineFunction({ ...exported.config, source: { archive } });
      await deploy(local, migrated);
      const answer = await invoke(local, 'coffee-web', { path: '/' });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe('Hello coffee-default\n');
    } finally {
      await runtime.close();
    }
  });

  it("exports the FC-native coffee and runs it unchanged on the local runtime with FC's contract", async () => {
    const exported = await adapter.export('coffee', ctx);
    expect(exported.config).toMatchObject({
      contract: 'native',
      handler: 'index.handler',
      providers: { local: { contract: 'fc-http' } },
    });
    const dir = mkdtempSync(join(tmpdir(), 'faasport-fc-export-'));
    const archive = join(dir, 'coffee.zip');
    writeFileSync(archive, exported.code!);
    const runtime = await startRuntime({
      dataDir: mkdtempSync(join(tmpdir(), 'faasport-fc-local-')),
      port: 0,
    });
    try {
      const local = createLocalAdapter({ url: runtime.url, token: runtime.token });
      await deploy(local, defineFunction({ ...exported.config, source: { archive } }));
      expect(await (await invoke(local, 'coffee', { path: '/' })).text()).toBe('Hello coffee-default\n');
    } finally {
      await runtime.close();
    }
  });

  it('surfaces a crash of an FC HTTP handler as an InvokeError', async () => {
    const crash = `exports.handler = (req, resp, context) => { throw new Error('no more cups'); };\n`;
    await deploy(
      adapter,
      defineFunction({
        name: 'cups',
        contract: 'native',
        handler: 'index.handler',
        source: { inline: crash },
        triggers: [{ http: {} }],
      }),
    );
    const error = await invoke(adapter, 'cups').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as FaasportError).code).toBe('FP_INVOKE_FAILED');
    expect((error as Error).message).toContain('no more cups');
    expect((error as { functionError?: string }).functionError).toBe('UnhandledInvocationError');
  });

  it('surfaces a function error (X-Fc-Error-Type) as an InvokeError, not a 200', async () => {
    const fn = defineFunction({
      name: 'boom',
      contract: 'event',
      source: { inline: `export default async function () { throw new Error('the beans are gone'); }\n` },
      triggers: [],
    });
    await deploy(adapter, fn);
    const error = await invoke(adapter, 'boom', { body: { n: 1 } }, { mode: 'event' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(FaasportError.isInstance(error)).toBe(true);
    expect((error as FaasportError).code).toBe('FP_INVOKE_FAILED');
    expect((error as Error).message).toContain('the beans are gone');
    expect((error as { functionError?: string }).functionError).toBe('UnhandledInvocationError');
  });
});
