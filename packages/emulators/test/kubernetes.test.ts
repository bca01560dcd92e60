import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KubernetesEmulator,
  startKubernetesEmulator,
  validateManifest,
} from '@faasport/emulators/kubernetes';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KSVC = { group: 'serving.knative.dev', version: 'v1', plural: 'services' } as const;
const ns = 'default';

let kube: KubernetesEmulator;
let co: CustomObjectsApi;
let core: CoreV1Api;
let kc: KubeConfig;
let dir: string;

/** The Status body of a failed client-node call. */
async function statusOf(
  promise: Promise<unknown>,
): Promise<{ code: number; reason?: string; message?: string; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    return { code: error.code, ...(body ?? {}) };
  }
  throw new Error('expected the call to fail');
}

const service = (
  name: string,
  extra: Record<string, unknown> = {},
  template: Record<string, unknown> = {},
) => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: {
    template: {
      metadata: { name: `${name}-v1` },
      spec: {
        containers: [{ image: 'example.com/hello:1', env: [{ name: 'TARGET', value: 'emulator' }] }],
        ...template,
      },
    },
    ...extra,
  },
});

const apply = (body: Record<string, unknown>, manager = 'test') =>
  co.patchNamespacedCustomObject(
    {
      ...KSVC,
      namespace: ns,
      name: (body.metadata as { name: string }).name,
      body,
      fieldManager: manager,
      force: true,
    },
    setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
  );

/** Polls until the Service's Ready condition is not Unknown for the current generation. */
async function settled(name: string): Promise<Record<string, any>> {
  await kube.idle();
  for (let i = 0; i < 200; i++) {
    const svc = await co.getNamespacedCustomObject({ ...KSVC, namespace: ns, name });
    const ready = svc.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
    if (svc.status?.observedGeneration === svc.metadata.generation && ready && ready.status !== 'Unknown')
      return svc;
    await kube.idle();
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`service ${name} did not settle`);
}

/** Sends a GET to the emulator's ingress with a Host header (fetch cannot set Host). */
function viaIngress(host: string, path = '/'): Promise<{ status: number; text(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${kube.url}${path}`, { headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: async () => Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faasport-kube-test-'));
  writeFileSync(
    join(dir, 'server.mjs'),
    `import { createServer } from 'node:http';
createServer((req, res) => res.end('Hello ' + process.env.TARGET + ' from ' + process.env.K_REVISION + ' ' + req.url)).listen(Number(process.env.PORT));`,
  );
  kube = await startKubernetesEmulator({
    images: { 'example.com/hello': ['node', join(dir, 'server.mjs')] },
  });
  kc = new KubeConfig();
  kc.loadFromString(kube.kubeConfig);
  co = kc.makeApiClient(CustomObjectsApi);
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Kubernetes API semantics', () => {
  it('rejects a request without the bearer token with 401', async () => {
    const response = await fetch(`${kube.url}/api/v1/namespaces/default/configmaps`);
    expect(response.status).toBe(401);
  });

  it('serves discovery for the Knative groups', async () => {
    const response = await fetch(`${kube.url}/apis/serving.knative.dev/v1`, {
      headers: { authorization: `Bearer ${kube.token}` },
    });
    const list = await response.json();
    expect(list.kind).toBe('APIResourceList');
    expect(list.resources.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['services', 'services/status', 'revisions', 'configurations', 'routes']),
    );
  });

  it('works with KubernetesObjectApi, which maps kinds to plurals through discovery', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const ping = (extra: Record<string, unknown> = {}) => ({
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'generic', namespace: ns, ...extra },
      spec: { schedule: '* * * * *', sink: { uri: 'http://example.com' } },
    });
    const created = (await objects.create(ping())) as KubernetesObject;
    expect(created.metadata?.generation).toBe(1);
    const read = await objects.read({
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'generic', namespace: ns },
    });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);
    // Its default patch strategy (strategic merge) is refused for custom resources, as a real server does.
    const strategic = await statusOf(objects.patch(ping({ labels: { a: 'b' } })));
    expect(strategic.code).toBe(415);
    const merged: KubernetesObject = await objects.patch(
      ping({ labels: { a: 'b' } }),
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    expect(merged.metadata?.labels).toEqual({ a: 'b' });
    await objects.delete(ping());
    expect(kube.get('sources.knative.dev/v1', 'PingSource', ns, 'generic')).toBeUndefined();
  });

  it('creates with 201, sets server fields, and answers 404 and 409 with Status objects', async () => {
    const created = await co.createNamespacedCustomObject({
      ...KSVC,
      namespace: ns,
      body: service('api-basic'),
    });
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(created.spec.template.spec.containers[0].name).toBe('user-container');
    expect(created.spec.traffic).toEqual([{ latestRevision: true, percent: 100 }]);
    const missing = await statusOf(co.getNamespacedCustomObject({ ...KSVC, namespace: ns, name: 'nope' }));
    expect(missing).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'services.serving.knative.dev "nope" not found',
    });
    const again = await statusOf(
      co.createNamespacedCustomObject({ ...KSVC, namespace: ns, body: service('api-basic') }),
    );
    expect(again).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    const noNamespace = await statusOf(
      core.createNamespacedConfigMap({ namespace: 'missing-ns', body: { metadata: { name: 'x' } } }),
    );
    expect(noNamespace).toMatchObject({ code: 404, message: 'namespaces "missing-ns" not found' });
  });

  it('names objects from generateName and stores nothing on dryRun=All', async () => {
    const generated = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { generateName: 'gen-' }, data: { a: '1' } },
    });
    expect(generated.metadata?.name).toMatch(/^gen-[0-9a-f]{5}$/);
    const before = kube.list('serving.knative.dev/v1', 'Service', ns).length;
    const dry = await co.createNamespacedCustomObject({
      ...KSVC,
      namespace: ns,
      body: service('dry-run'),
      dryRun: 'All',
    });
    expect(dry.metadata.name).toBe('dry-run');
    expect(kube.list('serving.knative.dev/v1', 'Service', ns)).toHaveLength(before);
    const invalidDry = await statusOf(
      co.createNamespacedCustomObject({
        ...KSVC,
        namespace: ns,
        body: service('dry-run', {}, { timeoutSeconds: 9999 }),
        dryRun: 'All',
      }),
    );
    expect(invalidDry.code).toBe(400);
  });

  it('requires resourceVersion on PUT of a custom resource (422) and rejects a stale one (409)', async () => {
    const current = await co.getNamespacedCustomObject({ ...KSVC, namespace: ns, name: 'api-basic' });
    const { resourceVersion, ...meta } = current.metadata;
    const without = await statusOf(
      co.replaceNamespacedCustomObject({
        ...KSVC,
        namespace: ns,
        name: 'api-basic',
        body: { ...current, metadata: meta },
      }),
    );
    expect(without).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(without.message).toContain(
      'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
    const changed = structuredClone(current);
    changed.metadata.labels.extra = 'yes';
    const updated = await co.replaceNamespacedCustomObject({
      ...KSVC,
      namespace: ns,
      name: 'api-basic',
      body: changed,
    });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(resourceVersion));
    expect(updated.metadata.generation).toBe(1); // labels are metadata: no new generation
    const stale = await statusOf(
      co.replaceNamespacedCustomObject({ ...KSVC, namespace: ns, name: 'api-basic', body: current }),
    );
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(stale.message).toContain('the object has been modified');
  });

  it('merge-patches, JSON-patches, and refuses strategic merge patch on custom resources with 415', async () => {
    const merged = await co.patchNamespacedCustomObject(
      {
        ...KSVC,
        namespace: ns,
        name: 'api-basic',
        body: {
          metadata: { labels: { extra: null } },
          spec: { template: { metadata: { name: 'api-basic-v2' } } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata.labels.extra).toBeUndefined();
    expect(merged.metadata.generation).toBe(2);
    const patched = await co.patchNamespacedCustomObject({
      ...KSVC,
      namespace: ns,
      name: 'api-basic',
      body: [
        { op: 'replace', path: '/spec/template/metadata/name', value: 'api-basic-v3' },
        { op: 'add', path: '/spec/template/spec/timeoutSeconds', value: 60 },
      ],
    });
    expect(patched.spec.template.spec.timeoutSeconds).toBe(60);
    const strategic = await statusOf(
      co.patchNamespacedCustomObject(
        { ...KSVC, namespace: ns, name: 'api-basic', body: {} },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(strategic).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    const precondition = await statusOf(
      co.patchNamespacedCustomObject(
        {
          ...KSVC,
          namespace: ns,
          name: 'api-basic',
          body: {
            metadata: { resourceVersion: '1' },
            spec: { traffic: [{ latestRevision: true, percent: 100 }] },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(precondition).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  it('server-side apply creates (201), is a no-op when repeated, drops fields the manager stops sending, and needs fieldManager', async () => {
    const before = kube.writes();
    const first = await co.patchNamespacedCustomObjectWithHttpInfo(
      {
        ...KSVC,
        namespace: ns,
        name: 'api-apply',
        body: service('api-apply', {}, {}),
        fieldManager: 'faasport',
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(first.httpStatusCode).toBe(201);
    const withAnnotation = service('api-apply');
    (withAnnotation.metadata as Record<string, unknown>).annotations = { 'faasport.dev/spec-hash': 'a' };
    const annotated = await apply(withAnnotation, 'faasport');
    expect(annotated.metadata.annotations['faasport.dev/spec-hash']).toBe('a');
    const again = await apply(withAnnotation, 'faasport');
    expect(again.metadata.resourceVersion).toBe(annotated.metadata.resourceVersion);
    const dropped = await apply(service('api-apply'), 'faasport');
    expect(dropped.metadata.annotations['faasport.dev/spec-hash']).toBeUndefined();
    expect(dropped.metadata.annotations['serving.knative.dev/creator']).toBeDefined();
    expect(kube.writes() - before).toBe(4);
    const noManager = await statusOf(
      co.patchNamespacedCustomObject(
        { ...KSVC, namespace: ns, name: 'api-apply', body: service('api-apply') },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
    expect(noManager).toMatchObject({ code: 422 });
    expect(noManager.message).toContain('fieldManager: Required value: is required for apply patch');
  });

  it('reports an apply conflict with another manager unless forced', async () => {
    const labelled = (team: string) => ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'api-apply', labels: { team } },
    });
    await apply(labelled('a'), 'kubectl-edit');
    const conflict = await statusOf(
      co.patchNamespacedCustomObject(
        { ...KSVC, namespace: ns, name: 'api-apply', body: labelled('b'), fieldManager: 'labeler' },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
    expect(conflict).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(conflict.message).toContain(
      'conflict with "kubectl-edit" using serving.knative.dev/v1: .metadata.labels.team',
    );
    const forced = await apply(labelled('b'), 'labeler');
    expect(forced.metadata.labels.team).toBe('b');
  });

  it('rejects unknown fields with fieldValidation=Strict and prunes them otherwise', async () => {
    const body = service('api-strict', {}, { bogusField: true });
    const strict = await statusOf(
      co.createNamespacedCustomObject({ ...KSVC, namespace: ns, body, fieldValidation: 'Strict' }),
    );
    expect(strict).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(strict.message).toContain('unknown field "spec.template.spec.bogusField"');
    const pruned = await co.createNamespacedCustomObject({ ...KSVC, namespace: ns, body });
    expect(pruned.spec.template.spec.bogusField).toBeUndefined();
  });

  it('lists with label selectors and streams watch events', async () => {
    const list = await co.listNamespacedCustomObject({
      ...KSVC,
      namespace: ns,
      labelSelector: 'app in (api-basic,api-apply),app!=zzz',
    });
    expect(list.kind).toBe('ServiceList');
    expect(list.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort()).toEqual([
      'api-apply',
      'api-basic',
    ]);
    const bad = await statusOf(
      co.listNamespacedCustomObject({ ...KSVC, namespace: ns, fieldSelector: 'spec.foo=1' }),
    );
    expect(bad).toMatchObject({ code: 400, message: 'field label not supported: spec.foo' });
    const events: string[] = [];
    const current = await co.getNamespacedCustomObject({ ...KSVC, namespace: ns, name: 'api-basic' });
    let done!: () => void;
    const seen = new Promise<void>((resolve) => (done = resolve));
    const controller = await new Watch(kc).watch(
      `/apis/serving.knative.dev/v1/namespaces/${ns}/services`,
      { fieldSelector: 'metadata.name=api-basic', resourceVersion: current.metadata.resourceVersion },
      (type, obj) => {
        events.push(`${type}:${obj.metadata.labels?.watched ?? '-'}`);
        if (obj.metadata.labels?.watched === 'yes') done();
      },
      () => {},
    );
    await co.patchNamespacedCustomObject(
      { ...KSVC, namespace: ns, name: 'api-basic', body: { metadata: { labels: { watched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await seen;
    controller.abort();
    expect(events).toContain('MODIFIED:yes');
    expect(events.every((e) => e.startsWith('MODIFIED'))).toBe(true);
  });
});

describe('watch with a label selector', () => {
  it('reports an object that starts matching as ADDED and one that stops matching as DELETED', async () => {
    const events: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const watch = await new Watch(kc).watch(
      `/apis/serving.knative.dev/v1/namespaces/${ns}/services`,
      { labelSelector: 'stage=canary' },
      (type, obj) => {
        events.push(`${type} ${obj.metadata.name}`);
        if (type === 'DELETED') done();
      },
      () => {},
    );
    const label = (value: string | null) =>
      co.patchNamespacedCustomObject(
        { ...KSVC, namespace: ns, name: 'api-basic', body: { metadata: { labels: { stage: value } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await label('canary');
    await label(null);
    await finished;
    watch.abort();
    expect(events).toEqual(['ADDED api-basic', 'DELETED api-basic']);
  });
});

describe('Knative admission rules', () => {
  const denied = async (body: Record<string, unknown>) => {
    const status = await statusOf(co.createNamespacedCustomObject({ ...KSVC, namespace: ns, body }));
    expect(status.code).toBe(400);
    return String(status.message);
  };

  it('checks traffic sums, revision name prefix, timeouts, ports, env names and annotation ranges', async () => {
    expect(await denied(service('bad-traffic', { traffic: [{ latestRevision: true, percent: 90 }] }))).toBe(
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: Traffic targets sum to 90, want 100: spec.traffic',
    );
    const prefix = service('bad-prefix');
    prefix.spec.template.metadata.name = 'other-v1';
    expect(await denied(prefix)).toContain(
      '"other-v1" must have prefix "bad-prefix-": spec.template.metadata.name',
    );
    expect(await denied(service('bad-timeout', {}, { timeoutSeconds: 900 }))).toContain(
      'expected 0 <= 900 <= 600: spec.template.spec.timeoutSeconds',
    );
    const port = service('bad-port');
    (port.spec.template.spec.containers[0] as Record<string, unknown>).ports = [{ containerPort: 8012 }];
    expect(await denied(port)).toContain('8012 is a reserved port');
    const env = service('bad-env');
    env.spec.template.spec.containers[0]!.env.push({ name: 'K_SERVICE', value: 'x' });
    expect(await denied(env)).toContain('"K_SERVICE" is a reserved environment variable');
    const window = service('bad-window');
    (window.spec.template.metadata as Record<string, unknown>).annotations = {
      'autoscaling.knative.dev/window': '2s',
      'autoscaling.knative.dev/min-scale': '3',
      'autoscaling.knative.dev/max-scale': '2',
    };
    const message = await denied(window);
    expect(message).toContain(
      'expected 6s <= 2s <= 1h0m0s: spec.template.metadata.annotations.autoscaling.knative.dev/window',
    );
    expect(message).toContain('max-scale=2 is less than min-scale=3');
    const top = service('bad-top');
    (top.metadata as Record<string, unknown>).annotations = { 'autoscaling.knative.dev/min-scale': '1' };
    expect(await denied(top)).toContain(
      'autoscaling annotations must be put under "spec.template.metadata.annotations"',
    );
    const cc = await statusOf(
      co.createNamespacedCustomObject({
        ...KSVC,
        namespace: ns,
        body: service('bad-type', {}, { containerConcurrency: 'ten' }),
      }),
    );
    expect(cc).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(cc.message).toContain('spec.template.spec.containerConcurrency in body must be of type integer');
  });

  it('rejects a template change without a new revision name', async () => {
    await co.createNamespacedCustomObject({ ...KSVC, namespace: ns, body: service('same-name') });
    const status = await statusOf(
      co.patchNamespacedCustomObject(
        {
          ...KSVC,
          namespace: ns,
          name: 'same-name',
          body: { spec: { template: { spec: { timeoutSeconds: 10 } } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(status.message).toContain(
      'Saw the following changes without a name change (-old +new): spec.template.metadata.name',
    );
  });

  it('keeps a Trigger broker immutable and checks PingSource fields', async () => {
    const TRIGGERS = { group: 'eventing.knative.dev', version: 'v1', plural: 'triggers' } as const;
    const trigger = {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name: 'on-order' },
      spec: {
        broker: 'default',
        filter: { attributes: { type: 'com.example.order' } },
        subscriber: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'x' } },
      },
    };
    await co.createNamespacedCustomObject({ ...TRIGGERS, namespace: ns, body: trigger });
    const moved = await statusOf(
      co.patchNamespacedCustomObject(
        { ...TRIGGERS, namespace: ns, name: 'on-order', body: { spec: { broker: 'other' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(moved.message).toContain('validation.webhook.eventing.knative.dev');
    expect(moved.message).toContain('Immutable fields changed');
    const BROKERS = { group: 'eventing.knative.dev', version: 'v1', plural: 'brokers' } as const;
    await co.createNamespacedCustomObject({
      ...BROKERS,
      namespace: ns,
      body: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: 'orders' } },
    });
    const reclassed = await statusOf(
      co.patchNamespacedCustomObject(
        {
          ...BROKERS,
          namespace: ns,
          name: 'orders',
          body: { metadata: { annotations: { 'eventing.knative.dev/broker.class': 'Kafka' } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(reclassed.message).toContain(
      'Immutable fields changed (-old +new): metadata.annotations.eventing.knative.dev/broker.class',
    );
    const problems = validateManifest({
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'p' },
      spec: { schedule: 'every minute', timezone: 'Mars/Olympus', data: 'x', dataBase64: 'eA==' },
    });
    expect(problems.join('\n')).toMatch(
      /invalid value: expected 5 to 6 fields, found 2: \[every minute\]: spec.schedule/,
    );
    expect(problems.join('\n')).toMatch(/spec.timezone/);
    expect(problems.join('\n')).toMatch(/expected exactly one, got both: spec.data, spec.dataBase64/);
    expect(problems.join('\n')).toMatch(/spec.sink/);
  });
});

describe('Knative controller', () => {
  it('creates the revision, reports Ready with URLs, and serves the route and tag hosts', async () => {
    await apply(service('hello'));
    const svc = await settled('hello');
    expect(svc.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    expect(svc.status.url).toBe('http://hello.default.example.com');
    expect(svc.status.latestReadyRevisionName).toBe('hello-v1');
    const revision = kube.get('serving.knative.dev/v1', 'Revision', ns, 'hello-v1');
    expect(revision?.metadata.labels?.['serving.knative.dev/service']).toBe('hello');
    expect(await (await viaIngress('hello.default.example.com', '/x')).text()).toBe(
      'Hello emulator from hello-v1 /x',
    );
    // A second revision at 0% under a tag, reachable by its tag URL only.
    const v2 = service('hello', {
      traffic: [
        { revisionName: 'hello-v1', percent: 100 },
        { revisionName: 'hello-v2', percent: 0, tag: 'candidate' },
      ],
    });
    v2.spec.template.metadata.name = 'hello-v2';
    v2.spec.template.spec.containers[0]!.env[0]!.value = 'v2';
    await apply(v2);
    const after = await settled('hello');
    expect(after.status.traffic).toEqual([
      { revisionName: 'hello-v1', latestRevision: false, percent: 100 },
      {
        tag: 'candidate',
        revisionName: 'hello-v2',
        latestRevision: false,
        percent: 0,
        url: 'http://candidate-hello.default.example.com',
      },
    ]);
    expect(await (await viaIngress('candidate-hello.default.example.com')).text()).toBe(
      'Hello v2 from hello-v2 /',
    );
    expect(await (await viaIngress('hello.default.example.com')).text()).toBe(
      'Hello emulator from hello-v1 /',
    );
  });

  it('marks a revision whose image cannot be pulled Ready=False with the reason', async () => {
    const broken = service('broken');
    broken.spec.template.spec.containers[0]!.image = 'registry.example.com/missing:1';
    await apply(broken);
    const svc = await settled('broken');
    const ready = svc.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'RevisionFailed' });
    expect(ready.message).toContain(
      'Revision "broken-v1" failed with message: Unable to fetch image "registry.example.com/missing:1"',
    );
  });

  it('runs a Node.js image with its script from a ConfigMap volume, as a pod would', async () => {
    // Any script in a mounted ConfigMap runs with the local Node.js (faasport's entry script is one).
    const server = `import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
const greeting = readFileSync(new URL('./greeting.txt', import.meta.url), 'utf8');
createServer((req, res) => res.end(greeting + ' ' + process.env.GREETING + ' ' + process.env.K_SERVICE + ' ' + process.argv[2]))
  .listen(Number(process.env.PORT));`;
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: { name: 'webfn-code' },
        data: { 'server.mjs': server },
        binaryData: { 'greeting.txt': Buffer.from('web').toString('base64') },
      },
    });
    const secret = await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'webfn' }, stringData: { GREETING: 'hi' } },
    });
    expect(secret.data).toEqual({ GREETING: Buffer.from('hi').toString('base64') });
    expect(secret.stringData).toBeUndefined();
    const body = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'webfn' },
      spec: {
        template: {
          metadata: { name: 'webfn-r1' },
          spec: {
            containers: [
              {
                image: 'docker.io/library/node:22-slim',
                command: ['node', '/srv/app/server.mjs'],
                args: ['/srv/app'],
                env: [{ name: 'GREETING', valueFrom: { secretKeyRef: { name: 'webfn', key: 'GREETING' } } }],
                volumeMounts: [{ name: 'app', mountPath: '/srv/app', readOnly: true }],
              },
            ],
            volumes: [{ name: 'app', configMap: { name: 'webfn-code' } }],
          },
        },
      },
    };
    await apply(body);
    const svc = await settled('webfn');
    expect(svc.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    // The mount path in args points at the volume's copy.
    const text = await (await viaIngress('webfn.default.example.com')).text();
    expect(text).toMatch(/^web hi webfn \/.+\/app$/);
    expect(text).not.toContain('/srv/app');
  });

  it('reports a missing ConfigMap volume of a Node.js container as Kubernetes does', async () => {
    const missing: any = service('nocode');
    missing.spec.template.spec.containers[0] = {
      image: 'node:22',
      command: ['node', '/srv/app/server.mjs'],
      volumeMounts: [{ name: 'app', mountPath: '/srv/app', readOnly: true }],
    };
    missing.spec.template.spec.volumes = [{ name: 'app', configMap: { name: 'nocode-app' } }];
    await apply(missing);
    const svc = await settled('nocode');
    const ready = svc.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    expect(ready.status).toBe('False');
    expect(ready.message).toContain('configmap "nocode-app" not found');
  });

  it('delivers PingSource and Broker events to the sink service', async () => {
    // Answers binary-mode CloudEvents with their type and data.
    const server = `import { createServer } from 'node:http';
createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ type: req.headers['ce-type'], data: body ? JSON.parse(body) : null }));
}).listen(Number(process.env.PORT));`;
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'evfn-code' }, data: { 'server.mjs': server } },
    });
    await apply({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'evfn' },
      spec: {
        template: {
          metadata: { name: 'evfn-r1' },
          spec: {
            containers: [
              {
                image: 'docker.io/library/node:22-slim',
                command: ['node', '/var/faasport/code/server.mjs'],
                volumeMounts: [{ name: 'code', mountPath: '/var/faasport/code', readOnly: true }],
              },
            ],
            volumes: [{ name: 'code', configMap: { name: 'evfn-code' } }],
          },
        },
      },
    });
    await settled('evfn');
    const sink = { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'evfn' } };
    await co.createNamespacedCustomObject({
      group: 'sources.knative.dev',
      version: 'v1',
      plural: 'pingsources',
      namespace: ns,
      body: {
        apiVersion: 'sources.knative.dev/v1',
        kind: 'PingSource',
        metadata: { name: 'tick' },
        spec: { schedule: '*/5 * * * *', contentType: 'application/json', data: '{"n":1}', sink },
      },
    });
    const ping = await kube.firePing(ns, 'tick');
    expect(await ping.json()).toEqual({ type: 'dev.knative.sources.ping', data: { n: 1 } });
    await co.createNamespacedCustomObject({
      group: 'eventing.knative.dev',
      version: 'v1',
      plural: 'brokers',
      namespace: ns,
      body: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: 'default' } },
    });
    await co.createNamespacedCustomObject({
      group: 'eventing.knative.dev',
      version: 'v1',
      plural: 'triggers',
      namespace: ns,
      body: {
        apiVersion: 'eventing.knative.dev/v1',
        kind: 'Trigger',
        metadata: { name: 'evfn-orders' },
        spec: { broker: 'default', filter: { attributes: { type: 'com.example.paid' } }, subscriber: sink },
      },
    });
    const delivered = await kube.publish(ns, 'default', {
      type: 'com.example.paid',
      source: '/test',
      data: { id: 7 },
    });
    expect(delivered).toHaveLength(1);
    expect(await delivered[0]!.json()).toEqual({ type: 'com.example.paid', data: { id: 7 } });
    expect(await kube.publish(ns, 'default', { type: 'com.example.other', source: '/test' })).toHaveLength(0);
  });

  it('deletes the children of a deleted Service', async () => {
    await co.deleteNamespacedCustomObject({ ...KSVC, namespace: ns, name: 'hello' });
    await kube.idle();
    expect(
      kube
        .list('serving.knative.dev/v1', 'Revision', ns)
        .filter((r) => r.metadata.labels?.['serving.knative.dev/service'] === 'hello'),
    ).toEqual([]);
    expect((await viaIngress('hello.default.example.com')).status).toBe(401);
  });
});
