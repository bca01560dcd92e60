import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnativeAdapter, type KnativeAdapter } from '@faasport/adapter-knative';
import {
  defineFunction,
  deploy,
  desiredStateOf,
  invoke,
  LimitExceededError,
  planDeploy,
} from '@faasport/core';
import type { KubernetesEmulator } from '@faasport/emulators/kubernetes';
import type { KubeConfig } from '@kubernetes/client-node';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryScript } from '../src/deploy/entry-script.generated';
import { startKnative } from './helpers';

type Obj = { kind: string; metadata: { name: string }; [k: string]: any };

const web = 'export default (req, ctx) => "hi from " + ctx.functionName + " " + ctx.revision;';
const offline = createKnativeAdapter({ namespace: 'shop' });
const objectsOf = (adapter: KnativeAdapter, fn: ReturnType<typeof defineFunction>) =>
  adapter.render(desiredStateOf(fn)).map((m) => m.content as Obj);
const containerOf = (objects: Obj[]) =>
  objects.find((o) => o.kind === 'Service')!.spec.template.spec.containers[0];

describe('Knative code sources run on a stock Node.js image', () => {
  it("renders the official Node.js image of the function's runtime, running the entry script from the ConfigMap", () => {
    const objects = objectsOf(
      offline,
      defineFunction({ name: 'hello', runtime: 'nodejs22', source: { inline: web } }),
    );
    const container = containerOf(objects);
    expect(container.image).toBe('docker.io/library/node:22-slim');
    expect(container.command).toEqual(['node', '/var/faasport/code/entry.mjs']);
    expect(container.volumeMounts).toEqual([
      { name: 'code', mountPath: '/var/faasport/code', readOnly: true },
    ]);
    const cm = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(objects.find((o) => o.kind === 'Service')!.spec.template.spec.volumes).toEqual([
      { name: 'code', configMap: { name: cm.metadata.name } },
    ]);
    expect(cm.data).toEqual({ 'entry.mjs': entryScript });
    expect(Object.keys(cm.binaryData)).toEqual(['code.zip']);
    expect(
      containerOf(
        objectsOf(offline, defineFunction({ name: 'old', runtime: 'nodejs20', source: { inline: web } })),
      ).image,
    ).toBe('docker.io/library/node:20-slim');
    // Nothing rendered names an image that is not published.
    expect(JSON.stringify(objects)).not.toMatch(/ghcr\.io\/faasport/);
  });

  it('takes runtimeImage from the target, and gives a bucket source the entry script alone', () => {
    const mirrored = createKnativeAdapter({
      namespace: 'shop',
      runtimeImage: 'registry.example.com/mirror/node:22-slim',
    });
    const objects = objectsOf(
      mirrored,
      defineFunction({
        name: 'fetched',
        source: { bucket: { name: 'code', key: 'fetched.zip', endpoint: 'https://s3.example.com' } },
      }),
    );
    expect(containerOf(objects).image).toBe('registry.example.com/mirror/node:22-slim');
    expect(containerOf(objects).env).toContainEqual({
      name: 'FAASPORT_CODE_URL',
      value: 'https://s3.example.com/code/fetched.zip',
    });
    const cm = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(cm.data).toEqual({ 'entry.mjs': entryScript });
    expect(cm.binaryData).toBeUndefined();
  });
});

describe('the Kubernetes emulator runs the stock-image form', () => {
  let kube: KubernetesEmulator;
  let adapter: KnativeAdapter;
  let kc: KubeConfig;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faasport-kn-stock-'));
    ({ kube, adapter, kc } = await startKnative());
  });
  afterAll(async () => {
    await kube?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves inline, dir and archive code through the entry script', async () => {
    await deploy(adapter, defineFunction({ name: 'inline-fn', revision: 'v1', source: { inline: web } }));
    expect(await (await invoke(adapter, 'inline-fn')).text()).toBe('hi from inline-fn v1');
    const svc = kube.get('serving.knative.dev/v1', 'Service', 'default', 'inline-fn') as Obj;
    // The default runtime, nodejs20, runs on the official node:20 image.
    expect(svc.spec.template.spec.containers[0].image).toBe('docker.io/library/node:20-slim');

    const code = join(dir, 'app');
    mkdirSync(join(code, 'lib'), { recursive: true });
    writeFileSync(join(code, 'lib', 'greet.mjs'), 'export const greet = (n) => "dir says hi to " + n;');
    writeFileSync(
      join(code, 'index.mjs'),
      'import { greet } from "./lib/greet.mjs"; export default (req) => greet(new URL(req.url).searchParams.get("n"));',
    );
    await deploy(adapter, defineFunction({ name: 'dir-fn', source: { dir: code } }));
    expect(await (await invoke(adapter, 'dir-fn', { path: '/?n=kn' })).text()).toBe('dir says hi to kn');

    const archive = join(dir, 'app.zip');
    writeFileSync(
      archive,
      zipSync({ 'main.cjs': new TextEncoder().encode('module.exports.handler = () => "from the archive";') }),
    );
    await deploy(adapter, defineFunction({ name: 'zip-fn', source: { archive }, handler: 'main.handler' }));
    expect(await (await invoke(adapter, 'zip-fn')).text()).toBe('from the archive');
  });

  it('refuses code that does not fit one ConfigMap with the entry script, before any write', async () => {
    const limit = Buffer.byteLength(entryScript) + 512;
    const small = createKnativeAdapter({ kubeConfig: kc, ingress: kube.url, maxConfigMapBytes: limit });
    const writes = kube.writes();
    // Random text, so the zip cannot shrink it below the limit.
    const filler = randomBytes(1024).toString('hex');
    const error = await planDeploy(
      small,
      defineFunction({ name: 'too-big', source: { inline: `${web}\n// ${filler}` } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as Error).message).toContain('the code zip plus the entry script, in one ConfigMap');
    expect((error as Error).message).toContain(`up to ${limit} bytes`);
    expect(kube.writes()).toBe(writes);
  });
});
