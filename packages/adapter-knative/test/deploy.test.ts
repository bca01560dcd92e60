import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KnativeAdapter } from '@faasport/adapter-knative';
import {
  type AdapterContext,
  DeployError,
  defineFunction,
  deploy,
  FaasportError,
  invoke,
  planDeploy,
  remove,
  rollout,
  setTraffic,
} from '@faasport/core';
import type { KubernetesEmulator } from '@faasport/emulators/kubernetes';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnative } from './helpers';

const ctx: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};
let kube: KubernetesEmulator;
let adapter: KnativeAdapter;
let kc: KubeConfig;
let dir: string;

const text = async (response: Response) => {
  const body = await response.text();
  if (response.status >= 400) throw new Error(`HTTP ${response.status}: ${body}`);
  return body;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faasport-knative-'));
  writeFileSync(
    join(dir, 'color.mjs'),
    `import { createServer } from 'node:http';
createServer((req, res) => res.end(process.env.COLOR + ' ' + process.env.K_REVISION)).listen(Number(process.env.PORT));`,
  );
  ({ kube, adapter, kc } = await startKnative({
    images: { 'example.com/blue-green-demo': ['node', join(dir, 'color.mjs')] },
  }));
});

afterAll(async () => {
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('deploy, ready, invoke', () => {
  const hello = (greeting: string, extra: Record<string, unknown> = {}) =>
    defineFunction({
      name: 'hello',
      source: { inline: 'export default (req, ctx) => ctx.env.GREETING + " from " + ctx.revision;' },
      env: { GREETING: greeting },
      ...extra,
    });

  it('answers through the route URL and a tag URL, and reports both', async () => {
    const first = await deploy(adapter, hello('hi', { revision: 'v1' }));
    expect(first.url).toBe('http://hello.default.example.com');
    expect(await text(await invoke(adapter, 'hello'))).toBe('hi from v1');
    const second = await deploy(
      adapter,
      hello('hey', {
        revision: 'v2',
        traffic: [
          { revision: 'v1', percent: 100, tag: 'stable' },
          { revision: 'latest', percent: 0, tag: 'next' },
        ],
      }),
    );
    expect(second.tagUrls).toEqual({
      stable: 'http://stable-hello.default.example.com',
      next: 'http://next-hello.default.example.com',
    });
    expect(await text(await invoke(adapter, 'hello', {}, { tag: 'next' }))).toBe('hey from v2');
    expect(await text(await invoke(adapter, 'hello'))).toBe('hi from v1');
    await expect(invoke(adapter, 'hello', {}, { tag: 'nope' })).rejects.toThrow(
      /tag "nope" has no URL \(tags: stable, next\)/,
    );
  });

  it('re-deploys an unchanged function without a single write call', async () => {
    const config = hello('hey', {
      revision: 'v2',
      traffic: [
        { revision: 'v1', percent: 100, tag: 'stable' },
        { revision: 'latest', percent: 0, tag: 'next' },
      ],
    });
    const before = kube.writeLog().length;
    const result = await deploy(adapter, config);
    expect(result.changed).toBe(false);
    expect(kube.writeLog().slice(before)).toEqual([]);
  });

  it('retries a traffic change that meets a concurrent write (409) and still applies it', async () => {
    let intercepted = false;
    kube.interceptNextWrite(
      (w) => w.method === 'PATCH' && w.resource.plural === 'services' && w.name === 'hello',
      () => {
        intercepted = true;
        kube.modify('serving.knative.dev/v1', 'Service', 'default', 'hello', (svc) => {
          svc.metadata.labels = { ...svc.metadata.labels, team: 'payments' };
        });
      },
    );
    const before = kube.writeLog().length;
    await setTraffic(adapter, 'hello', [{ revision: 'v2', percent: 100 }]);
    expect(intercepted).toBe(true);
    const writes = kube.writeLog().slice(before);
    expect(writes.map((w) => `${w.method} ${w.status}`)).toEqual(['PATCH 409', 'PATCH 200']);
    expect(writes.every((w) => w.contentType === 'application/merge-patch+json')).toBe(true);
    expect(await text(await invoke(adapter, 'hello'))).toBe('hey from v2');
    expect(kube.get('serving.knative.dev/v1', 'Service', 'default', 'hello')?.metadata.labels?.team).toBe(
      'payments',
    );
  });

  it('stops retrying a conflicting traffic change when the caller aborts, with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('deploy cancelled');
    kube.interceptNextWrite(
      (w) => w.method === 'PATCH' && w.resource.plural === 'services' && w.name === 'hello',
      () => {
        kube.modify('serving.knative.dev/v1', 'Service', 'default', 'hello', (svc) => {
          svc.metadata.labels = { ...svc.metadata.labels, team: 'billing' };
        });
        // The user cancels while the conflicting write is on its way.
        controller.abort(reason);
      },
    );
    const before = kube.writeLog().length;
    const error = await adapter
      .setTraffic('hello', [{ revision: 'v2', percent: 100 }], { ...ctx, signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(
      kube
        .writeLog()
        .slice(before)
        .map((w) => `${w.method} ${w.status}`),
    ).toEqual(['PATCH 409']);
  });

  it('surfaces the reason of a revision that fails, and keeps serving the old one', async () => {
    const broken = defineFunction({
      name: 'hello',
      source: { image: { ref: 'registry.example.com/not-pullable:1' } },
      revision: 'v3',
    });
    const error = await deploy(adapter, broken).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeployError);
    expect((error as Error).message).toContain('ContainerMissing');
    expect((error as Error).message).toContain('Unable to fetch image "registry.example.com/not-pullable:1"');
    const live = await adapter.read('hello', ctx);
    expect(live?.revisions.find((r) => r.label === 'v3')).toMatchObject({
      ready: false,
      reason: expect.stringContaining('ContainerMissing'),
    });
    expect(await text(await invoke(adapter, 'hello'))).toBe('hey from v2');
  });

  it('rejects a storage trigger before any write, naming what to do instead', async () => {
    const before = kube.writes();
    const fn = defineFunction({
      name: 'thumbs',
      source: { inline: 'export default () => 1' },
      contract: 'event',
      triggers: [{ storage: { bucket: 'uploads' } }],
    });
    const error = await deploy(adapter, fn).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(FaasportError.isInstance(error) && error.code).toBe('FP_UNSUPPORTED_FEATURE');
    expect((error as Error).message).toContain('trigger.storage');
    expect((error as FaasportError).hint).toMatch(/Broker/);
    expect(kube.writes()).toBe(before);
  });

  it('keeps secret values out of plans and stores them in a Secret read by secretKeyRef', async () => {
    const fn = defineFunction({
      name: 'vault',
      source: { inline: 'export default (req, ctx) => "pw=" + ctx.env.DB_PASSWORD.length' },
      secrets: { DB_PASSWORD: { fromEnv: 'VAULT_DB_PASSWORD' } },
    });
    const env = { VAULT_DB_PASSWORD: 'correct-horse-battery' };
    const { plan } = await planDeploy(adapter, fn, { env });
    expect(JSON.stringify(plan)).not.toContain('correct-horse-battery');
    expect(plan.steps.map((s) => s.id)).toEqual(['secret', 'configmap', 'service', 'traffic']);
    await deploy(adapter, fn, { env });
    expect(await text(await invoke(adapter, 'vault'))).toBe('pw=21');
    const secrets = kube
      .list('v1', 'Secret', 'default')
      .filter((s) => s.metadata.labels?.['faasport.dev/function'] === 'vault');
    expect(secrets).toHaveLength(1);
    expect(
      Buffer.from(String((secrets[0]!.data as Record<string, string>).DB_PASSWORD), 'base64').toString(),
    ).toBe('correct-horse-battery');
  });
});

describe('Services faasport did not make', () => {
  it('refuses to take one over before any write, unless adopt is set', async () => {
    await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'serving.knative.dev',
      version: 'v1',
      plural: 'services',
      namespace: 'default',
      body: {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'theirs' },
        spec: {
          template: {
            spec: {
              containers: [
                { image: 'example.com/blue-green-demo:1', env: [{ name: 'COLOR', value: 'red' }] },
              ],
            },
          },
        },
      },
    });
    const fn = (adopt?: boolean) =>
      defineFunction({
        name: 'theirs',
        source: { inline: 'export default () => "mine"' },
        ...(adopt ? { providers: { knative: { adopt } } } : {}),
      });
    const before = kube.writes();
    const error = await deploy(adapter, fn()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain(
      'a Knative Service "theirs" already exists in namespace default and was not made by faasport',
    );
    expect((error as FaasportError).hint).toContain('providers.knative.adopt: true');
    expect(kube.writes()).toBe(before);
    await deploy(adapter, fn(true));
    expect(await text(await invoke(adapter, 'theirs'))).toBe('mine');
  });
});

describe('bucket sources', () => {
  it('runs code the runtime image downloads from the bucket endpoint, and exports it back as a bucket', async () => {
    const zip = zipSync({ 'index.mjs': new TextEncoder().encode('export default () => "from the bucket";') });
    const store = createServer((req, res) => {
      if (req.url === '/code/fns/hello.zip') res.end(Buffer.from(zip));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
      const source = { bucket: { name: 'code', key: 'fns/hello.zip', endpoint } };
      await deploy(adapter, defineFunction({ name: 'from-bucket', source }));
      expect(await text(await invoke(adapter, 'from-bucket'))).toBe('from the bucket');
      const exported = await adapter.export('from-bucket', ctx);
      expect(exported.config.source).toEqual(source);
    } finally {
      await new Promise<void>((resolve) => store.close(() => resolve()));
    }
  });

  it('asks for an endpoint before any write when a bucket source has none', async () => {
    const before = kube.writes();
    const error = await deploy(
      adapter,
      defineFunction({ name: 'no-endpoint', source: { bucket: { name: 'code', key: 'fn.zip' } } }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain('source.bucket.endpoint');
    expect(kube.writes()).toBe(before);
  });
});

describe('plans', () => {
  const fn = (greeting: string, revision: string) =>
    defineFunction({
      name: 'planned',
      source: { inline: `export default (req, ctx) => ctx.env.GREETING; // ${revision}` },
      env: { GREETING: greeting },
      revision,
    });

  it('shows the fields that change, and deletes code no revision uses any more', async () => {
    await deploy(adapter, fn('one', 'v1'));
    const { plan } = await planDeploy(adapter, fn('two', 'v2'));
    const service = plan.steps.find((s) => s.id === 'service')!;
    expect(service.summary).toBe('update Knative Service planned (revision planned-v2)');
    expect(service.changes).toEqual(
      expect.arrayContaining([
        { path: 'spec.template.metadata.name', from: 'planned-v1', to: 'planned-v2' },
        { path: 'spec.template.spec.containers[0].env[5].value', from: 'one', to: 'two' },
      ]),
    );
    await deploy(adapter, fn('two', 'v2'));
    // Knative garbage-collects old revisions; their code ConfigMap is then removed on the next deploy.
    const codeOfV1 = kube.get('serving.knative.dev/v1', 'Revision', 'default', 'planned-v1')!;
    const v1ConfigMap = (codeOfV1.spec as Record<string, any>).volumes[0].configMap.name as string;
    kube.remove('serving.knative.dev/v1', 'Revision', 'default', 'planned-v1');
    const next = await planDeploy(adapter, fn('three', 'v3'));
    expect(next.plan.steps.map((s) => s.summary)).toContain(`delete ConfigMap ${v1ConfigMap}`);
    await deploy(adapter, fn('three', 'v3'));
    expect(kube.get('v1', 'ConfigMap', 'default', v1ConfigMap)).toBeUndefined();
    expect(await text(await invoke(adapter, 'planned'))).toBe('three');
  });
});

describe('the blue-green progression on the emulator', () => {
  const demo = (
    revision: string,
    color: string,
    traffic?: Array<{ revision: string; percent: number; tag?: string }>,
  ) =>
    defineFunction({
      name: 'blue-green-demo',
      source: { image: { ref: 'example.com/blue-green-demo:1' } },
      env: { COLOR: color },
      revision,
      ...(traffic ? { traffic } : {}),
    });
  const answers = async (n = 30) => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(await text(await invoke(adapter, 'blue-green-demo')));
    return [...seen].sort();
  };

  it('v1 100% → v2 0% tagged v2 → 50/50 → v2 100% → rollback to v1', async () => {
    await deploy(adapter, demo('v1', 'blue'));
    expect(await answers(5)).toEqual(['blue blue-green-demo-v1']);
    await deploy(
      adapter,
      demo('v2', 'green', [
        { revision: 'v1', percent: 100 },
        { revision: 'latest', percent: 0, tag: 'v2' },
      ]),
    );
    expect(await answers(5)).toEqual(['blue blue-green-demo-v1']);
    expect(await text(await invoke(adapter, 'blue-green-demo', {}, { tag: 'v2' }))).toBe(
      'green blue-green-demo-v2',
    );
    await deploy(
      adapter,
      demo('v2', 'green', [
        { revision: 'v1', percent: 50 },
        { revision: 'latest', percent: 50, tag: 'v2' },
      ]),
    );
    expect(await answers(40)).toEqual(['blue blue-green-demo-v1', 'green blue-green-demo-v2']);
    await deploy(
      adapter,
      demo('v2', 'green', [
        { revision: 'v1', percent: 0, tag: 'v1' },
        { revision: 'latest', percent: 100 },
      ]),
    );
    expect(await answers(5)).toEqual(['green blue-green-demo-v2']);
    expect(await text(await invoke(adapter, 'blue-green-demo', {}, { tag: 'v1' }))).toBe(
      'blue blue-green-demo-v1',
    );
    await setTraffic(adapter, 'blue-green-demo', [{ revision: 'v1', percent: 100 }]);
    expect(await answers(5)).toEqual(['blue blue-green-demo-v1']);
    const live = await adapter.read('blue-green-demo', ctx);
    expect(live?.traffic).toEqual([{ revision: 'v1', percent: 100 }]);
    expect(live?.revisions.map((r) => r.id)).toEqual(['blue-green-demo-v1', 'blue-green-demo-v2']);
  });
});

describe('a revision label reused with new settings', () => {
  it('makes a new revision under the same label and routes that label to it once it is ready', async () => {
    const fn = (max: number) =>
      defineFunction({
        name: 'scaled',
        source: { inline: 'export default (req, ctx) => ctx.env.K_REVISION' },
        revision: 'v1',
        scaling: { max },
      });
    await deploy(adapter, fn(5));
    expect(await text(await invoke(adapter, 'scaled'))).toBe('scaled-v1');
    const { plan } = await planDeploy(adapter, fn(7));
    expect(plan.steps.map((s) => s.id)).toEqual(['service']);
    await deploy(adapter, fn(7));
    const served = await text(await invoke(adapter, 'scaled'));
    expect(served).toMatch(/^scaled-v1-[0-9a-f]{6}$/);
    const live = await adapter.read('scaled', ctx);
    expect(live?.traffic).toEqual([{ revision: 'v1', percent: 100 }]);
    expect(live?.revisions.map((r) => `${r.label} ${r.id}`)).toEqual(['v1 scaled-v1', `v1 ${served}`]);
    const annotations = (kube.get('serving.knative.dev/v1', 'Revision', 'default', served)?.metadata
      .annotations ?? {}) as Record<string, string>;
    expect(annotations['autoscaling.knative.dev/max-scale']).toBe('7');
    expect((await deploy(adapter, fn(7))).changed).toBe(false);
  });
});

describe('progressive delivery', () => {
  it('rolls a new revision out step by step, checking it through its per-revision tag', async () => {
    const fn = (revision: string, traffic?: Array<{ revision: string; percent: number }>) =>
      defineFunction({
        name: 'canary',
        source: { inline: `export default () => "${revision}"` },
        revision,
        ...(traffic ? { traffic } : {}),
      });
    await deploy(adapter, fn('v1'));
    await deploy(
      adapter,
      fn('v2', [
        { revision: 'v1', percent: 100 },
        { revision: 'latest', percent: 0 },
      ]),
    );
    expect(await text(await invoke(adapter, 'canary', {}, { revision: 'v2' }))).toBe('v2');
    const steps: number[] = [];
    const result = await rollout(adapter, 'canary', {
      revision: 'v2',
      steps: [50, 100],
      samples: 3,
      onEvent: (e) => e.type === 'rollout-step' && steps.push(e.percent),
    });
    expect(steps).toEqual([50, 100]);
    expect(result.traffic).toEqual([{ revision: 'v2', percent: 100 }]);
    expect(await text(await invoke(adapter, 'canary'))).toBe('v2');
    const live = await adapter.read('canary', ctx);
    expect(live?.traffic).toEqual([{ revision: 'v2', percent: 100 }]);
    const service = kube.get('serving.knative.dev/v1', 'Service', 'default', 'canary')!;
    const tags = (service.spec as { traffic: Array<{ tag?: string }> }).traffic.map((t) => t.tag);
    expect(tags).toEqual([undefined, 'rev-v2']);
  });
});

describe('triggers, visibility and domains', () => {
  it('wires a schedule to a PingSource and an event trigger to a Broker and Trigger, and removes what is dropped', async () => {
    const fn = (triggers: Array<Record<string, unknown>>) =>
      defineFunction({
        name: 'ticker',
        source: { inline: 'export default (event) => ({ type: event.type, data: event.data })' },
        contract: 'event',
        triggers: triggers as never,
        visibility: 'private',
        domains: [{ host: 'ticker.example.org' }],
      });
    const result = await deploy(
      adapter,
      fn([
        { schedule: { cron: '*/5 * * * *', payload: { n: 1 } } },
        { event: { filter: { type: 'com.example.tick' } } },
      ]),
    );
    expect(result.url).toBe('http://ticker.default.svc.cluster.local');
    // The entry script's shim hands a PingSource tick over as the portable schedule event.
    const ping = await kube.firePing('default', 'ticker-schedule');
    expect(await ping.json()).toEqual({ type: 'dev.faasport.schedule', data: { n: 1 } });
    const delivered = await kube.publish('default', 'default', {
      type: 'com.example.tick',
      source: '/test',
      data: { n: 2 },
    });
    expect(await Promise.all(delivered.map((r) => r.json()))).toEqual([
      { type: 'com.example.tick', data: { n: 2 } },
    ]);
    expect(
      (
        kube.get('serving.knative.dev/v1beta1', 'DomainMapping', 'default', 'ticker.example.org')?.status as
          | { url?: string }
          | undefined
      )?.url,
    ).toBe('http://ticker.example.org');
    const { plan } = await planDeploy(adapter, fn([{ event: { filter: { type: 'com.example.tick' } } }]));
    expect(plan.steps.map((s) => s.summary)).toEqual(['delete PingSource ticker-schedule']);
    await deploy(adapter, fn([{ event: { filter: { type: 'com.example.tick' } } }]));
    expect(kube.get('sources.knative.dev/v1', 'PingSource', 'default', 'ticker-schedule')).toBeUndefined();
  });
});

describe('list and remove', () => {
  it('lists faasport functions and removes one with everything made for it', async () => {
    const names = (await adapter.list(ctx)).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['hello', 'blue-green-demo', 'vault', 'ticker']));
    await remove(adapter, 'vault');
    expect(await adapter.read('vault', ctx)).toBeUndefined();
    expect(
      kube
        .list('v1', 'Secret', 'default')
        .filter((s) => s.metadata.labels?.['faasport.dev/function'] === 'vault'),
    ).toEqual([]);
    expect(
      kube
        .list('v1', 'ConfigMap', 'default')
        .filter((s) => s.metadata.labels?.['faasport.dev/function'] === 'vault'),
    ).toEqual([]);
    await remove(adapter, 'vault');
  });
});
