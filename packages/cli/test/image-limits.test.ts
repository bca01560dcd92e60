import { FC_IMAGE_LIMIT } from '@faasport/adapter-fc';
import { FUNCTIONGRAPH_IMAGE_LIMIT } from '@faasport/adapter-functiongraph';
import { LAMBDA_IMAGE_LIMIT } from '@faasport/adapter-lambda';
import { type ImagePlanInput, resolveFunction } from '@faasport/core';
import { describe, expect, it } from 'vitest';
import { adapterRegistry } from '../src/adapters';

// Each platform that runs images states its own image size limit, which `buildImage` checks before
// any blob is written; `registry.maxLayerBytes` joins it as the layer limit.
describe('image plans carry the size limits a build checks before any upload', () => {
  const fn = resolveFunction(
    { name: 'hello', runtime: 'nodejs20', source: { inline: 'export default () => "hi"' } },
    { baseDir: '/' },
  );
  const input = (targetOptions: unknown): ImagePlanInput => ({
    fn,
    codeZip: new Uint8Array(),
    codeFiles: [{ path: 'index.mjs', data: new TextEncoder().encode('export default () => "hi"') }],
    targetOptions,
  });
  const registry = { url: '127.0.0.1:5000/functions', insecure: true, maxLayerBytes: 1_000_000 };

  it.each([
    ['fc', { region: 'cn-hangzhou', accountId: '1', serviceName: 's' }, FC_IMAGE_LIMIT],
    ['fc3', { region: 'cn-hangzhou', accountId: '1' }, FC_IMAGE_LIMIT],
    ['functiongraph', { region: 'ap-southeast-1', projectId: 'p' }, FUNCTIONGRAPH_IMAGE_LIMIT],
    ['lambda', { region: 'us-east-1', role: 'arn:aws:iam::123456789012:role/r' }, LAMBDA_IMAGE_LIMIT],
  ] as const)('%s: the platform limit and registry.maxLayerBytes', async (name, options, limit) => {
    const { adapterModule: module } = await adapterRegistry[name]!.load();
    const plan = module.imagePlan!(input({ ...options, registry }));
    expect(plan?.limits).toEqual({
      image: limit,
      layer: { bytes: 1_000_000, source: 'registry.maxLayerBytes' },
    });
    expect(limit.bytes).toBe(10 * 1024 ** 3);
  });

  it('knative: only the layer limit, and none without maxLayerBytes', async () => {
    const { adapterModule: module } = await adapterRegistry.knative!.load();
    expect(module.imagePlan!(input({ registry }))?.limits).toEqual({
      layer: { bytes: 1_000_000, source: 'registry.maxLayerBytes' },
    });
    expect(module.imagePlan!(input({ registry: { url: registry.url } }))?.limits).toBeUndefined();
  });
});
