/**
 * Standalone Configurations and Routes (not made by a Service): Knative validates them with the same
 * webhook rules and reconciles them — a Configuration stamps Revisions, a Route splits traffic across
 * a Configuration's latest ready Revision and pinned Revisions, with tag URLs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KubernetesEmulator, startKubernetesEmulator } from '@faasport/emulators/kubernetes';
import { type ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVING = { group: 'serving.knative.dev', version: 'v1' } as const;
const ns = 'default';
let kube: KubernetesEmulator;
let co: CustomObjectsApi;
let dir: string;

function viaIngress(host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${kube.url}/`, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits for the object's Ready condition to leave Unknown for its current generation. */
async function settled(plural: string, name: string): Promise<Record<string, any>> {
  for (let i = 0; i < 500; i++) {
    await kube.idle();
    const obj = await co.getNamespacedCustomObject({ ...SERVING, plural, namespace: ns, name });
    const ready = obj.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
    if (obj.status?.observedGeneration === obj.metadata.generation && ready && ready.status !== 'Unknown')
      return obj;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`${plural}/${name} did not settle`);
}

const configuration = (name: string, text: string) => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Configuration',
  metadata: { name },
  spec: {
    template: { spec: { containers: [{ image: 'example.com/echo', env: [{ name: 'TEXT', value: text }] }] } },
  },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faasport-routes-'));
  writeFileSync(
    join(dir, 'echo.mjs'),
    `import { createServer } from 'node:http';
createServer((req, res) => res.end(process.env.TEXT + ' ' + process.env.K_REVISION)).listen(Number(process.env.PORT));`,
  );
  kube = await startKubernetesEmulator({ images: { 'example.com/echo': ['node', join(dir, 'echo.mjs')] } });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeConfig);
  co = kc.makeApiClient(CustomObjectsApi);
});

afterAll(async () => {
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a standalone Configuration and Route', () => {
  it('stamps Revisions from a Configuration and routes to its latest ready one and to a pinned one', async () => {
    await co.createNamespacedCustomObject({
      ...SERVING,
      plural: 'configurations',
      namespace: ns,
      body: configuration('blue', 'first'),
    });
    const first = await settled('configurations', 'blue');
    expect(first.status).toMatchObject({
      latestCreatedRevisionName: 'blue-00001',
      latestReadyRevisionName: 'blue-00001',
    });
    await co.createNamespacedCustomObject({
      ...SERVING,
      plural: 'routes',
      namespace: ns,
      body: {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Route',
        metadata: { name: 'front' },
        spec: {
          traffic: [
            { configurationName: 'blue', percent: 100 },
            { revisionName: 'blue-00001', percent: 0, tag: 'pinned' },
          ],
        },
      },
    });
    const route = await settled('routes', 'front');
    expect(route.status.url).toBe('http://front.default.example.com');
    expect(route.status.traffic).toEqual([
      { revisionName: 'blue-00001', latestRevision: true, percent: 100 },
      {
        tag: 'pinned',
        revisionName: 'blue-00001',
        latestRevision: false,
        percent: 0,
        url: 'http://pinned-front.default.example.com',
      },
    ]);
    expect(await viaIngress('front.default.example.com')).toEqual({ status: 200, body: 'first blue-00001' });

    // A new template makes a second Revision; the Route follows the Configuration, the tag stays pinned.
    await co.replaceNamespacedCustomObject({
      ...SERVING,
      plural: 'configurations',
      namespace: ns,
      name: 'blue',
      body: {
        ...configuration('blue', 'second'),
        // GET, change, PUT: the metadata goes back as read (Knative keeps its creator annotation immutable).
        metadata: first.metadata,
      },
    });
    const second = await settled('configurations', 'blue');
    expect(second.status.latestReadyRevisionName).toBe('blue-00002');
    for (let i = 0; i < 500; i++) {
      await kube.idle();
      if ((await viaIngress('front.default.example.com')).body === 'second blue-00002') break;
      await new Promise((r) => setImmediate(r));
    }
    expect(await viaIngress('front.default.example.com')).toEqual({ status: 200, body: 'second blue-00002' });
    expect(await viaIngress('pinned-front.default.example.com')).toEqual({
      status: 200,
      body: 'first blue-00001',
    });
  });

  it('reports a Route to a missing Configuration as not ready', async () => {
    await co.createNamespacedCustomObject({
      ...SERVING,
      plural: 'routes',
      namespace: ns,
      body: {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Route',
        metadata: { name: 'nowhere' },
        spec: { traffic: [{ configurationName: 'absent', percent: 100 }] },
      },
    });
    const route = await settled('routes', 'nowhere');
    expect(route.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ConfigurationMissing',
    });
  });

  it("validates a Route's targets with route_validation.go: exactly one of revisionName and configurationName", async () => {
    const create = (traffic: unknown[]) =>
      co
        .createNamespacedCustomObject({
          ...SERVING,
          plural: 'routes',
          namespace: ns,
          body: {
            apiVersion: 'serving.knative.dev/v1',
            kind: 'Route',
            metadata: { name: 'bad' },
            spec: { traffic },
          },
        })
        .then(
          () => 'created',
          (e: ApiException<string>) => JSON.parse(e.body).message as string,
        );
    expect(await create([{ percent: 100 }])).toContain(
      'expected exactly one, got neither: spec.traffic[0].configurationName, spec.traffic[0].revisionName',
    );
    expect(await create([{ revisionName: 'a', configurationName: 'b', percent: 100 }])).toContain(
      'expected exactly one, got both',
    );
    expect(await create([{ configurationName: 'blue', percent: 60 }])).toContain(
      'Traffic targets sum to 60, want 100: spec.traffic',
    );
  });
});
