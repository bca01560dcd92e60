/**
 * The real kubectl against the Kubernetes emulator, through the kubeconfig it writes (TLS with its
 * CA, bearer token). Skipped only when kubectl is not installed, and then the test names say so.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type KubernetesEmulator, startKubernetesEmulator } from '@faasport/emulators/kubernetes';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 60_000 });

const run = promisify(execFile);
const hasKubectl = await run('kubectl', ['version', '--client'])
  .then(() => true)
  .catch(() => false);
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

let kube: KubernetesEmulator;
let dir: string;
let kubeconfig: string;

/** Runs kubectl with the emulator's kubeconfig; resolves with the exit code and output, never throws. */
async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('kubectl', args, {
      env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Splits kubectl's table output into rows of cells (columns are separated by two or more spaces). */
const table = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));

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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faasport-kubectl-'));
  writeFileSync(
    join(dir, 'helloworld.mjs'),
    `import { createServer } from 'node:http';
createServer((req, res) => res.end('Hello ' + (process.env.TARGET ?? 'World') + '!\\n')).listen(Number(process.env.PORT));`,
  );
  kube = await startKubernetesEmulator({
    // The book's sample image, run as a local command that answers as it does.
    images: { 'gcr.io/knative-samples/helloworld-go': ['node', join(dir, 'helloworld.mjs')] },
  });
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kube.kubeConfig);
});

afterAll(async () => {
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS and credentials', () => {
  it('writes a kubeconfig with the CA and token for an https server, which client-node verifies', async () => {
    expect(kube.kubeConfig).toContain(`server: ${kube.apiUrl}`);
    expect(kube.apiUrl).toMatch(/^https:/);
    expect(kube.kubeConfig).not.toContain('insecure-skip-tls-verify');
    const kc = new KubeConfig();
    kc.loadFromString(kube.kubeConfig);
    const list = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toContain('default');
    // Another CA does not verify the server.
    const other = await startKubernetesEmulator();
    try {
      const wrong = new KubeConfig();
      wrong.loadFromString(
        kube.kubeConfig.replace(
          /certificate-authority-data: .*/,
          `certificate-authority-data: ${Buffer.from(other.caCert).toString('base64')}`,
        ),
      );
      await expect(wrong.makeApiClient(CoreV1Api).listNamespace()).rejects.toThrow(/certificate/);
    } finally {
      await other.close();
    }
  });
});

describe.skipIf(!hasKubectl)(`kubectl${hasKubectl ? '' : ' (skipped: kubectl is not installed)'}`, () => {
  it('creates a namespace, a configmap and a secret (client-go sends them as protobuf)', async () => {
    expect((await kubectl('create', 'namespace', 'shop')).stdout).toContain('namespace/shop created');
    const cm = await kubectl(
      'create',
      'configmap',
      'settings',
      '-n',
      'shop',
      '--from-literal=mode=fast',
      '--from-literal=size=2',
    );
    expect(cm.code, cm.stderr).toBe(0);
    const secret = await kubectl(
      'create',
      'secret',
      'generic',
      'db',
      '-n',
      'shop',
      '--from-literal=password=s3cret',
    );
    expect(secret.code, secret.stderr).toBe(0);
    expect(kube.get('v1', 'ConfigMap', 'shop', 'settings')?.data).toEqual({ mode: 'fast', size: '2' });
    expect(kube.get('v1', 'Secret', 'shop', 'db')?.data).toEqual({
      password: Buffer.from('s3cret').toString('base64'),
    });
    expect(kube.get('v1', 'Secret', 'shop', 'db')?.type).toBe('Opaque');
    const cms = table((await kubectl('get', 'configmaps', '-n', 'shop')).stdout);
    expect(cms[0]).toEqual(['NAME', 'DATA', 'AGE']);
    expect(cms[1]?.slice(0, 2)).toEqual(['settings', '2']);
  });

  it('applies the documents’ manifests unchanged and shows the CRDs’ printer columns', async () => {
    const applied = await kubectl('apply', '-f', fixture('knative-reference.yaml'));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('service.serving.knative.dev/helloworld-go created');
    expect(applied.stdout).toContain('pingsource.sources.knative.dev/every-minute created');
    const waited = await kubectl('wait', 'ksvc/helloworld-go', '--for=condition=Ready', '--timeout=50s');
    expect(waited.code, waited.stderr).toBe(0);
    const rows = table((await kubectl('get', 'ksvc', 'helloworld-go')).stdout);
    // knative/serving config/core/300-resources/service.yaml additionalPrinterColumns.
    expect(rows[0]).toEqual(['NAME', 'URL', 'LATESTCREATED', 'LATESTREADY', 'READY', 'REASON']);
    expect(rows[1]).toEqual([
      'helloworld-go',
      'http://helloworld-go.default.example.com',
      'helloworld-go-00001',
      'helloworld-go-00001',
      'True',
    ]);
    expect(await viaIngress('helloworld-go.default.example.com')).toEqual({
      status: 200,
      body: 'Hello Yeah, it works!!!!\n',
    });
    const revisions = table((await kubectl('get', 'revisions')).stdout);
    expect(revisions[0]).toEqual([
      'NAME',
      'CONFIG NAME',
      'GENERATION',
      'READY',
      'REASON',
      'ACTUAL REPLICAS',
      'DESIRED REPLICAS',
    ]);
    const pings = table((await kubectl('get', 'pingsources')).stdout);
    expect(pings[0]).toEqual(['NAME', 'SINK', 'SCHEDULE', 'AGE', 'READY', 'REASON']);
  });

  it("denies the reference's complete Service for its placeholder digest, as Knative's webhook does (k8s_validation.go)", async () => {
    const denied = await kubectl('apply', '-f', fixture('knative-reference-service.yaml'));
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      'Failed to parse image reference: spec.template.spec.containers[0].image',
    );
    expect(denied.stderr).toContain('image: "ghcr.io/acme/hello@sha256:0123..."');
    // With a real digest every other field of it passes: volumes, mounts, probes, envFrom, the service account.
    const file = join(dir, 'hello-digest.yaml');
    writeFileSync(
      file,
      readFileSync(fixture('knative-reference-service.yaml'), 'utf8').replaceAll(
        'sha256:0123...',
        `sha256:${'0'.repeat(64)}`,
      ),
    );
    const applied = await kubectl('apply', '-f', file);
    expect(applied.code, applied.stderr).toBe(0);
  });

  it('lists every Knative kind under the knative category, and answers events and describe', async () => {
    const all = (await kubectl('get', 'knative', '-o', 'name')).stdout.split('\n');
    expect(all).toEqual(
      expect.arrayContaining([
        'service.serving.knative.dev/helloworld-go',
        'route.serving.knative.dev/helloworld-go',
        'broker.eventing.knative.dev/default',
        'pingsource.sources.knative.dev/every-minute',
      ]),
    );
    const events = table((await kubectl('get', 'events')).stdout);
    expect(events[0]).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(events.slice(1)).toContainEqual([
      expect.any(String),
      'Normal',
      'Created',
      'service/helloworld-go',
      'Created Configuration "helloworld-go"',
    ]);
    const described = await kubectl('describe', 'ksvc', 'helloworld-go');
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Name:\s+helloworld-go/);
    // describe finds the Service's events by involvedObject field selectors.
    expect(described.stdout).toMatch(/Normal\s+Created\s+.*Created Route "helloworld-go"/);
  });

  it('server-side applies with managedFields that carry fieldsV1 and operation Apply', async () => {
    const file = join(dir, 'ssa.yaml');
    writeFileSync(
      file,
      readFileSync(fixture('knative-reference.yaml'), 'utf8')
        .split(/^---$/m)
        .find((doc) => doc.includes('name: helloworld-go'))!
        .replace('Yeah, it works!!!', 'Applied on the server'),
    );
    const first = await kubectl('apply', '--server-side', '-f', file);
    // The field was set by client-side apply with another value: a conflict, as on a cluster.
    expect(first.code).not.toBe(0);
    expect(first.stderr).toContain('conflict');
    const forced = await kubectl('apply', '--server-side', '--force-conflicts', '-f', file);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('serverside-applied');
    const obj = JSON.parse(
      (await kubectl('get', 'ksvc', 'helloworld-go', '-o', 'json', '--show-managed-fields')).stdout,
    );
    const entry = obj.metadata.managedFields.find((m: { manager: string }) => m.manager === 'kubectl');
    expect(entry).toMatchObject({ operation: 'Apply', fieldsType: 'FieldsV1' });
    expect(entry.fieldsV1['f:spec']['f:template']['f:spec']).toHaveProperty('f:containers');
  });

  it('validates fields through OpenAPI and explains the kinds', async () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: serving.knative.dev/v1',
        'kind: Service',
        'metadata: { name: typo }',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - image: gcr.io/knative-samples/helloworld-go',
        '          imagePullPolcy: Always',
        '',
      ].join('\n'),
    );
    const rejected = await kubectl('apply', '-f', file);
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toContain('unknown field "spec.template.spec.containers[0].imagePullPolcy"');
    const explained = await kubectl('explain', 'ksvc.spec.template.spec.containers.ports');
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toContain('containerPort');
    expect(explained.stdout).toMatch(/KIND:\s+Service/);
  });

  it("reports Knative's webhook denial through kubectl", async () => {
    const file = join(dir, 'split.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: serving.knative.dev/v1',
        'kind: Service',
        'metadata: { name: split }',
        'spec:',
        '  template:',
        '    spec:',
        '      containers: [{ image: gcr.io/knative-samples/helloworld-go }]',
        '  traffic:',
        '    - { latestRevision: true, percent: 90 }',
        '',
      ].join('\n'),
    );
    const denied = await kubectl('apply', '-f', file);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      'admission webhook "validation.webhook.serving.knative.dev" denied the request',
    );
    expect(denied.stderr).toContain('Traffic targets sum to 90, want 100: spec.traffic');
  });
});
