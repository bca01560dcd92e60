import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the repository's scripts, without types
import { bundleShim } from '../../../scripts/shim-bundler.mjs';
// @ts-expect-error: a plain ES module of the package's scripts, without types
import { lambdaContainerBundle, lambdaShimBundle } from '../scripts/shim-bundle.mjs';
import { readShimConfig, shimSource } from '../src/runtime';
import { containerScript } from '../src/runtime/container-script.generated';
import { shimScript } from '../src/runtime/shim-script.generated';

describe('Lambda runtime shim', () => {
  it('is the current bundle of src/runtime/entry.ts (else run npm run bundle-shim -w packages/adapter-lambda)', () => {
    expect(shimScript).toBe(bundleShim(lambdaShimBundle));
  });

  it('has the current bundle of src/runtime/container.ts, the image entry (else npm run bundle-shim)', () => {
    expect(containerScript).toBe(bundleShim(lambdaContainerBundle));
  });

  it('is one ES module without imports, and keeps the function settings readable for export', () => {
    expect(shimScript).not.toMatch(/^import /m);
    expect(shimScript).not.toMatch(/require\(/);
    const config = {
      module: 'index.mjs',
      export: 'default',
      contract: 'web' as const,
      functionName: 'f',
      revision: 'v1',
    };
    expect(readShimConfig(shimSource(config))).toEqual(config);
  });
});
