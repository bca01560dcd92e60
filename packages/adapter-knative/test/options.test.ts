import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnativeAdapter } from '@faasport/adapter-knative';
import { type AdapterContext, defineFunction, deploy, FaasportError, invoke } from '@faasport/core';
import { type KubernetesEmulator, startKubernetesEmulator } from '@faasport/emulators/kubernetes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ctx: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};
let kube: KubernetesEmulator;
let dir: string;
let file: string;

beforeAll(async () => {
  kube = await startKubernetesEmulator({ namespaces: ['shop'] });
  dir = mkdtempSync(join(tmpdir(), 'faasport-kubeconfig-'));
  file = join(dir, 'config');
  // Two contexts: the emulator with namespace "shop", and a cluster that does not answer.
  const yaml = kube.kubeConfig
    .replace('      namespace: default', '      namespace: shop')
    .replace('current-context: emulator', 'current-context: elsewhere')
    .replace(
      'contexts:\n',
      'contexts:\n  - name: elsewhere\n    context:\n      cluster: elsewhere\n      user: emulator\n',
    )
    .replace(
      'clusters:\n',
      'clusters:\n  - name: elsewhere\n    cluster:\n      server: http://127.0.0.1:9\n      insecure-skip-tls-verify: true\n',
    );
  writeFileSync(file, yaml);
});

afterAll(async () => {
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('adapter options', () => {
  it('loads a kubeconfig file with a named context and takes the namespace from it', async () => {
    const adapter = createKnativeAdapter({ kubeconfig: file, context: 'emulator', ingress: kube.url });
    expect(adapter.namespace()).toBe('shop');
    await deploy(
      adapter,
      defineFunction({ name: 'ns-check', source: { inline: 'export default () => "in shop"' } }),
    );
    expect(kube.get('serving.knative.dev/v1', 'Service', 'shop', 'ns-check')).toBeDefined();
    expect(await (await invoke(adapter, 'ns-check')).text()).toBe('in shop');
    expect((await adapter.list(ctx)).map((f) => f.url)).toEqual(['http://ns-check.shop.example.com']);
  });

  it('reads KUBECONFIG from the environment it is given (as the CLI passes it), merging a list', () => {
    const adapter = createKnativeAdapter({ env: { KUBECONFIG: file }, context: 'emulator' });
    expect(adapter.namespace()).toBe('shop');
    const second = join(dir, 'second');
    writeFileSync(
      second,
      'apiVersion: v1\nkind: Config\nclusters:\n  - name: third\n    cluster: { server: "http://127.0.0.1:9" }\nusers:\n  - name: u\n    user: { token: t }\ncontexts:\n  - name: third\n    context: { cluster: third, user: u, namespace: tools }\ncurrent-context: third\n',
    );
    const merged = createKnativeAdapter({ env: { KUBECONFIG: `${file}:${second}` }, context: 'third' });
    expect(merged.namespace()).toBe('tools');
  });

  it('names the contexts there are when the one asked for is missing', () => {
    const adapter = createKnativeAdapter({ kubeconfig: file, context: 'prod' });
    expect(() => adapter.namespace()).toThrow(
      'The kubeconfig has no context "prod" (it has: elsewhere, emulator).',
    );
  });

  it('says which option and variable to set when there is no kubeconfig at all', () => {
    const adapter = createKnativeAdapter({ env: {} });
    const previous = process.env.HOME;
    process.env.HOME = dir;
    try {
      adapter.namespace();
      expect.unreachable();
    } catch (error) {
      expect(FaasportError.isInstance(error) && error.code).toBe('FP_CONFIGURATION');
      expect((error as Error).message).toContain('option `kubeconfig` or environment variable KUBECONFIG');
    } finally {
      process.env.HOME = previous;
    }
  });

  it('rejects unknown or malformed options, naming them', () => {
    expect(() => createKnativeAdapter({ namespace: 'Not_Valid' })).toThrow(
      /namespace: "Not_Valid" is not a namespace name/,
    );
    expect(() => createKnativeAdapter({ namspace: 'x' } as never)).toThrow(/namspace/);
  });

  it('reports an unreachable cluster as a retryable provider error', async () => {
    const adapter = createKnativeAdapter({ kubeconfig: file });
    const error = await adapter.read('x', ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(FaasportError.isInstance(error) && error.code).toBe('FP_PROVIDER_API');
    expect((error as FaasportError).retryable).toBe(true);
  });
});
