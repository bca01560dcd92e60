import { describe, expect, it } from 'vitest';
import { ProviderApiError, UnsupportedFeatureError, ValidationError } from '../src';
import { fieldChanges, ignoreNotFound, isNotFound, readOrUndefined, twoVersionSplit } from '../src/toolkit';

describe('fieldChanges', () => {
  it('lists the differing fields with the live value as from, sorted, key order and null/absent not counting', () => {
    const live = { memory: 128, env: { B: '2', A: '1' }, role: null, handler: 'index.a' };
    const desired = { memory: 256, env: { A: '1', B: '2' }, handler: 'index.b', timeout: 3 };
    expect(fieldChanges(live, desired, { prefix: 'function.' })).toEqual([
      { path: 'function.handler', from: 'index.a', to: 'index.b' },
      { path: 'function.memory', from: 128, to: 256 },
      { path: 'function.timeout', from: undefined, to: 3 },
    ]);
  });

  it('never shows the values of masked keys, and compares only the given keys in their order', () => {
    expect(
      fieldChanges(
        { DB: 'old-secret', A: '1', X: 'live only' },
        { DB: 'new-secret', A: '2' },
        {
          prefix: 'env.',
          keys: ['DB', 'A'],
          masked: ['DB'],
        },
      ),
    ).toEqual([{ path: 'env.DB' }, { path: 'env.A', from: '1', to: '2' }]);
  });

  it('takes the platform’s own equality', () => {
    const emptyIsAbsent = (a: unknown, b: unknown) => (a || '') === (b || '');
    expect(fieldChanges({ xrole: '' }, {}, { keys: ['xrole'], equal: emptyIsAbsent })).toEqual([]);
    expect(fieldChanges({ xrole: '' }, {}, { keys: ['xrole'] })).toEqual([
      { path: 'xrole', from: '', to: undefined },
    ]);
  });
});

describe('twoVersionSplit', () => {
  const context = {
    adapter: 'fc',
    target: 'prod',
    functionName: 'web',
    limit: 'FC routes an alias to at most 2 versions',
  };

  it('makes the largest share the main version and weighs the other in percent', () => {
    expect(twoVersionSplit([{ revision: 'v1', percent: 100 }], context)).toEqual({ main: 'v1' });
    expect(
      twoVersionSplit(
        [
          { revision: 'v1', percent: 10 },
          { revision: 'v2', percent: 90 },
          { revision: 'v3', percent: 0, tag: 'next' },
        ],
        context,
      ),
    ).toEqual({ main: 'v2', additional: { label: 'v1', weight: 10 } });
  });

  it('adds up shares of one revision, and keeps the written order on a tie', () => {
    expect(
      twoVersionSplit(
        [
          { revision: 'a', percent: 30 },
          { revision: 'b', percent: 40 },
          { revision: 'a', percent: 30, tag: 'x' },
        ],
        context,
      ),
    ).toEqual({ main: 'a', additional: { label: 'b', weight: 40 } });
    expect(
      twoVersionSplit(
        [
          { revision: 'b', percent: 50 },
          { revision: 'a', percent: 50 },
        ],
        context,
      ),
    ).toEqual({ main: 'b', additional: { label: 'a', weight: 50 } });
  });

  it('refuses 3 or more versions with one error naming each share', () => {
    const traffic = [
      { revision: 'v1', percent: 80 },
      { revision: 'v2', percent: 10 },
      { revision: 'v3', percent: 10 },
    ];
    let error: unknown;
    try {
      twoVersionSplit(traffic, context);
    } catch (e) {
      error = e;
    }
    expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      'FC routes an alias to at most 2 versions, and the split names 3: v1 80%, v2 10%, v3 10%',
    );
    expect((error as UnsupportedFeatureError).feature).toBe('traffic.split');
    expect(() => twoVersionSplit([{ revision: 'v1', percent: 0, tag: 't' }], context)).toThrow(
      ValidationError,
    );
  });
});

describe('not-found handling', () => {
  const notFound = new ProviderApiError({
    adapter: 'fc',
    status: 404,
    operation: 'GetFunction',
    providerCode: 'FunctionNotFound',
  });
  const denied = new ProviderApiError({
    adapter: 'fc',
    status: 403,
    operation: 'GetFunction',
    providerCode: 'AccessDenied',
  });

  it('tells a 404 from other failures, including the numeric code of Kubernetes clients', () => {
    expect(isNotFound(notFound)).toBe(true);
    expect(isNotFound({ code: 404, body: '{}' })).toBe(true);
    expect(isNotFound({ response: { status: 404 } })).toBe(true);
    expect(isNotFound(denied)).toBe(false);
    expect(isNotFound(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
  });

  it('reads undefined for what does not exist and throws anything else unchanged', async () => {
    expect(await readOrUndefined(async () => ({ name: 'web' }))).toEqual({ name: 'web' });
    expect(
      await readOrUndefined(async () => {
        throw notFound;
      }),
    ).toBeUndefined();
    await expect(
      readOrUndefined(async () => {
        throw denied;
      }),
    ).rejects.toBe(denied);
    await expect(
      ignoreNotFound(async () => {
        throw notFound;
      }),
    ).resolves.toBeUndefined();
    await expect(
      ignoreNotFound(async () => {
        throw denied;
      }),
    ).rejects.toBe(denied);
  });
});
