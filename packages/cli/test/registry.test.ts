import { ConfigurationError } from '@faasport/core';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterRegistry, createAdapter } from '../src/adapters';

describe('the adapter registry', () => {
  afterEach(() => {
    delete adapterRegistry.azure;
  });

  it('maps every adapter name of the model to its package', () => {
    expect(Object.fromEntries(Object.entries(adapterRegistry).map(([name, e]) => [name, e.package]))).toEqual(
      {
        local: '@faasport/runtime',
        knative: '@faasport/adapter-knative',
        fc: '@faasport/adapter-fc',
        fc3: '@faasport/adapter-fc3',
        functiongraph: '@faasport/adapter-functiongraph',
        lambda: '@faasport/adapter-lambda',
      },
    );
  });

  it('says which package to install when an adapter package is missing', async () => {
    const specifier = '@faasport/adapter-azure';
    adapterRegistry.azure = {
      package: specifier,
      description: 'Azure Functions',
      load: () => import(/* @vite-ignore */ specifier),
    };
    const error = await createAdapter('azure', {
      targetName: 'az',
      options: {},
      env: {},
      baseDir: '/',
      offline: false,
    }).catch((e: unknown) => e);
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Target "az" needs the package @faasport/adapter-azure, which is not installed.',
    );
    expect((error as ConfigurationError).hint).toBe('Install it: npm install @faasport/adapter-azure');
  });

  it('creates each adapter lazily, offline when asked (render needs no credentials)', async () => {
    for (const name of ['knative', 'fc', 'functiongraph', 'lambda']) {
      const adapter = await createAdapter(name, {
        targetName: name,
        options: {},
        env: {},
        baseDir: '/',
        offline: true,
      });
      expect(adapter.name).toBe(name);
      expect(adapter.specificationVersion).toBe('v1');
    }
  });
});
