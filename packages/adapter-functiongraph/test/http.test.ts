/**
 * Where an http trigger goes: a function URL by default (the shared APIG gateway is closed to new
 * customers), a DEDICATEDGATEWAY API when a gateway instance is named, the shared gateway only when asked.
 */
import {
  type AdapterContext,
  defineFunction,
  deploy,
  type FunctionConfig,
  invoke,
  planDeploy,
  UnsupportedFeatureError,
} from '@faasport/core';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunctionGraphAdapter, signRequest } from '../src';
import { FunctionGraphClient } from '../src/deploy/client';
import { resolveOptions } from '../src/options';

const ak = 'http-ak';
const sk = 'http-secret-key';
const group = 'grp-http';
const ctx: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};
let emu: FunctionGraphEmulator;

const options = (extra: Record<string, unknown> = {}) => ({
  region: emu.region,
  projectId: emu.projectId,
  endpoint: emu.url,
  credentials: { accessKeyId: ak, secretAccessKey: sk },
  ...extra,
});
const web = (config: Partial<FunctionConfig> & { name: string }) =>
  defineFunction({
    source: { inline: 'export default (request) => new Response("hi " + new URL(request.url).pathname)' },
    triggers: [{ http: {} }],
    ...config,
  } as FunctionConfig);
const urn = (name: string, qualifier: string) =>
  `urn:fss:${emu.region}:${emu.projectId}:function:default:${name}:${qualifier}`;

const image = 'swr.cn-north-4.myhuaweicloud.com/team/echo:1';
// An HTTP server on 8000 that echoes the method and path, run as the image's local command.
const echoServer =
  'require("http").createServer((q, s) => s.end(q.method + " " + q.url)).listen(8000, "127.0.0.1")';

beforeAll(async () => {
  emu = await startFunctionGraphEmulator({
    accessKeyId: ak,
    secretAccessKey: sk,
    images: { [image]: { command: [process.execPath, '-e', echoServer] } },
  });
});
afterAll(async () => {
  await emu?.close();
});

describe('http triggers on FunctionGraph', () => {
  it('publishes on a dedicated gateway when the target names one, and moves from a function URL to it', async () => {
    const api = new FunctionGraphClient(resolveOptions(options()));
    const plain = createFunctionGraphAdapter(options());
    const first = await deploy(
      plain,
      web({ name: 'moving', providers: { functiongraph: { apigGroupId: group } } }),
    );
    expect(await (await fetch(`${first.url}/a`)).text()).toBe('hi /a');

    const dedicated = createFunctionGraphAdapter(options({ apigInstanceId: 'apig-inst-1' }));
    const fn = web({ name: 'moving', providers: { functiongraph: { apigGroupId: group } } });
    const { plan } = await planDeploy(dedicated, fn);
    expect(plan.steps.map((s) => s.id)).toEqual([
      'trigger-create:DEDICATEDGATEWAY/moving_http',
      'function-url:delete',
    ]);
    const result = await deploy(dedicated, fn);
    const triggers = (
      await api.call<any[]>('ListFunctionTriggers', 'GET', `triggers/${urn('moving', '!main')}`)
    ).data;
    expect(triggers).toHaveLength(1);
    expect(triggers[0]).toMatchObject({
      trigger_type_code: 'DEDICATEDGATEWAY',
      event_data: {
        instance_id: 'apig-inst-1',
        group_id: group,
        path: '/moving',
        auth: 'NONE',
        match_mode: 'SWA',
      },
    });
    const url = await api.call('ShowFunctionUrl', 'GET', `functions/${urn('moving', '!main')}/function-url`, {
      allow: [404],
    });
    expect(url.status).toBe(404);
    expect(result.url).toBe(emu.apigUrl(group, '/moving'));
    expect(await (await fetch(`${result.url}/b`)).text()).toBe('hi /moving/b');
    expect((await planDeploy(dedicated, fn)).plan.steps).toEqual([]);
    // The export names the group; the instance is the target's, so it is not repeated per function.
    const exported = await dedicated.export('moving', ctx);
    expect(exported.config.providers).toEqual({ functiongraph: { apigGroupId: group } });
    expect(exported.config.triggers).toEqual([{ http: { auth: 'anonymous' } }]);
  });

  it('uses the shared gateway only when asked for it', async () => {
    const api = new FunctionGraphClient(resolveOptions(options()));
    const adapter = createFunctionGraphAdapter(options());
    await deploy(
      adapter,
      web({ name: 'legacy', providers: { functiongraph: { apigGroupId: group, apigShared: true } } }),
    );
    const triggers = (
      await api.call<any[]>('ListFunctionTriggers', 'GET', `triggers/${urn('legacy', '!main')}`)
    ).data;
    expect(triggers.map((t) => t.trigger_type_code)).toEqual(['APIG']);
    expect(triggers[0].event_data.instance_id).toBeUndefined();
    const exported = await adapter.export('legacy', ctx);
    expect(exported.config.providers).toEqual({ functiongraph: { apigGroupId: group, apigShared: true } });
  });

  it('makes auth: private an IAM function URL that answers only signed calls', async () => {
    const adapter = createFunctionGraphAdapter(options());
    const result = await deploy(adapter, web({ name: 'guarded', triggers: [{ http: { auth: 'private' } }] }));
    expect((await fetch(`${result.url}/x`)).status).toBe(401);
    const { host: _host, ...headers } = signRequest({
      method: 'GET',
      url: `${result.url}/x`,
      headers: {},
      accessKeyId: ak,
      secretAccessKey: sk,
    }).headers;
    const signed = await fetch(`${result.url}/x`, { headers });
    expect(signed.status).toBe(200);
    expect(await signed.text()).toBe('hi /x');
    const exported = await adapter.export('guarded', ctx);
    expect(exported.config.triggers).toEqual([{ http: { auth: 'private' } }]);
  });

  it('invokes a custom image over its IAM function URL, signing the call', async () => {
    const adapter = createFunctionGraphAdapter(options());
    const result = await deploy(
      adapter,
      defineFunction({
        name: 'echo-img',
        source: { image: { ref: image, port: 8000 } },
        triggers: [{ http: { auth: 'private' } }],
      } as FunctionConfig),
    );
    expect((await fetch(`${result.url}/hello`)).status).toBe(401);
    const response = await invoke(
      adapter,
      'echo-img',
      { method: 'PUT', path: '/hello?x=1', body: 'b' },
      { mode: 'http' },
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('PUT /hello?x=1');
  });

  it('refuses what a function URL cannot do before any write, naming the fix', async () => {
    const adapter = createFunctionGraphAdapter(options());
    const before = emu.writes();
    const appAuth = await deploy(
      adapter,
      web({ name: 'appauth', triggers: [{ http: { auth: 'function' } }] }),
    ).catch((e: unknown) => e);
    expect(appAuth).toBeInstanceOf(UnsupportedFeatureError);
    expect((appAuth as Error).message).toMatch(/auth: function.*function URL/);
    expect(JSON.stringify(appAuth) + (appAuth as Error).message).toMatch(/apigInstanceId/);
    const two = await deploy(
      adapter,
      web({ name: 'twourls', triggers: [{ http: { methods: ['GET'] } }, { http: { methods: ['POST'] } }] }),
    ).catch((e: unknown) => e);
    expect(two).toBeInstanceOf(UnsupportedFeatureError);
    expect((two as Error).message).toMatch(/one function URL/);
    expect(emu.writes()).toBe(before);
    const { plan } = await planDeploy(
      adapter,
      web({ name: 'getonly', triggers: [{ http: { methods: ['GET'] } }] }),
    );
    expect(plan.warnings.map((w) => w.message).join('\n')).toMatch(/answers every method/);
  });
});
