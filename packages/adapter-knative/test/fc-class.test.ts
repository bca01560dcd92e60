import type { KnativeAdapter } from '@faasport/adapter-knative';
import { type AdapterContext, defineFunction, deploy, invoke } from '@faasport/core';
import type { KubernetesEmulator } from '@faasport/emulators/kubernetes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnative } from './helpers';

const ctx: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};
let kube: KubernetesEmulator;
let adapter: KnativeAdapter;

beforeAll(async () => {
  ({ kube, adapter } = await startKnative());
});
afterAll(async () => {
  await kube?.close();
});

// The coffee function of Alibaba's "Knative on Function Compute" document, written in FC's own contract.
const coffee = `var getRawBody = require('raw-body')
var version = 'coffee-default'
module.exports.handler = function (request, response, context) {
    var respBody = new Buffer('Hello ' + version + '\\n')
    response.setStatusCode(200)
    response.setHeader('content-type', 'application/json')
    response.send(respBody)
};
`;

describe('coffee on the FC workload class, through the emulator', () => {
  it('deploys the inline FC handler and answers "Hello coffee-default"', async () => {
    const result = await deploy(
      adapter,
      defineFunction({
        name: 'coffee',
        source: { inline: coffee },
        contract: 'native',
        handler: 'index.handler',
        runtime: 'nodejs20',
        providers: { knative: { workloadClass: 'fc' } },
      }),
    );
    expect(result.changed).toBe(true);
    const service = kube.get('serving.knative.dev/v1', 'Service', 'default', 'coffee')!;
    expect(service.metadata.annotations?.['workload.serving.knative.aliyun.com/class']).toBe('fc');
    expect(await (await invoke(adapter, 'coffee')).text()).toBe('Hello coffee-default\n');
    const exported = await adapter.export('coffee', ctx);
    expect(exported.config).toMatchObject({
      source: { inline: coffee },
      contract: 'native',
      runtime: 'nodejs20',
      providers: { knative: { workloadClass: 'fc' } },
    });
  });

  it('reports an OSS code space the emulator cannot fetch as a failed revision', async () => {
    const error = await deploy(
      adapter,
      defineFunction({
        name: 'coffee-oss',
        source: { bucket: { name: 'fc-zip', key: 'knative-demo/node-demo.zip' } },
        contract: 'native',
        handler: 'index.handler',
        providers: { knative: { workloadClass: 'fc' } },
      }),
      { waitTimeoutMs: 10_000 },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain('ContainerMissing');
    expect((error as Error).message).toContain('code-space "oss"');
  });
});
