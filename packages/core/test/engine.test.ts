import { describe, expect, it } from 'vitest';
import {
  DeployError,
  type DeployEvent,
  defineFunction,
  deploy,
  type FunctionConfig,
  features,
  LimitExceededError,
  planDeploy,
  RolloutError,
  rollout,
  setTraffic,
  UnsupportedFeatureError,
  ValidationError,
} from '../src';
import { createMemoryAdapter } from '../src/testing';

/** An adapter context that discards events and logs. */
const ctx = { emit() {}, logger: { debug() {}, info() {}, warn() {} }, signal: new AbortController().signal };

const fn = (extra: Partial<FunctionConfig> = {}) =>
  defineFunction({
    name: 'shop',
    source: { inline: 'export default () => "hi"' },
    env: { REPLY: 'one' },
    ...extra,
  } as FunctionConfig);

describe('deploy engine', () => {
  it('plans zero steps and makes zero writes on an unchanged re-deploy', async () => {
    const adapter = createMemoryAdapter();
    const first = await deploy(adapter, fn());
    expect(first.changed).toBe(true);
    expect(first.steps.length).toBeGreaterThan(0);
    const writes = adapter.writes();
    const { plan } = await planDeploy(adapter, fn());
    expect(plan.kind).toBe('none');
    expect(plan.steps).toEqual([]);
    const again = await deploy(adapter, fn());
    expect(again.changed).toBe(false);
    expect(adapter.writes()).toBe(writes);
  });

  it('runs steps by phase, waits for the revision before moving traffic, and emits events', async () => {
    const adapter = createMemoryAdapter();
    const events: DeployEvent['type'][] = [];
    await deploy(adapter, fn(), { onEvent: (e) => events.push(e.type) });
    const writes = adapter.calls.filter((c) => !c.startsWith('read'));
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe('apply revision');
    expect(writes[1]).toMatch(/^traffic shop r-[0-9a-f]{8}=100$/);
    expect(writes[2]).toBe('apply settings');
    expect(events[0]).toBe('plan-start');
    expect(events).toContain('step-start');
    expect(events).toContain('traffic');
    expect(events[events.length - 1]).toBe('done');
  });

  it('restores the previous traffic when a later step fails, and says what ran and what was rolled back', async () => {
    // v1 serves all traffic; deploying v2 then fails at its finalize step, after traffic moved.
    const target = createMemoryAdapter();
    await deploy(target, fn({ revision: 'v1' }));
    const flaky = Object.assign(Object.create(target), {
      applyStep: async (step: { id: string }, desired: unknown, ctx: unknown) => {
        if (step.id === 'settings') throw new Error('trigger quota exceeded');
        return target.applyStep(step as never, desired as never, ctx as never);
      },
    });
    let error: unknown;
    try {
      await deploy(flaky, fn({ revision: 'v2', env: { REPLY: 'two' } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeployError);
    const d = error as DeployError;
    expect(d.failedStep).toMatch(/store settings/);
    expect(d.completedSteps).toEqual(['create revision v2 of shop', 'route v2 100%']);
    expect(d.rolledBack).toEqual(['traffic restored to v1 100%']);
    expect(d.message).toContain('trigger quota exceeded');
    const after = await target.read('shop', ctx);
    expect(after!.traffic).toEqual([{ revision: 'v1', percent: 100 }]);
    expect(await (await target.invoke('shop', new Request('http://x/'))).text()).toBe('one');
  });

  it('rejects an unsupported feature before any read or write', async () => {
    const adapter = createMemoryAdapter({
      capabilities: {
        features: Object.fromEntries(
          features.filter((f) => f !== 'trigger.storage').map((f) => [f, 'native']),
        ),
        limits: {
          memoryMb: { min: 128, max: 3072 },
          timeoutSeconds: { min: 1, max: 600 },
          runtimes: ['nodejs20'],
        },
      },
    });
    const withStorage = fn({ triggers: [{ storage: { bucket: 'uploads' } }] });
    const error = await deploy(adapter, withStorage).catch((e) => e);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error.message).toContain('a storage trigger');
    expect(error.message).toContain('"memory"');
    expect(adapter.calls).toEqual([]);

    const tooBig = await deploy(adapter, fn({ resources: { memory: 4096 } })).catch((e) => e);
    expect(tooBig).toBeInstanceOf(LimitExceededError);
    expect(tooBig.message).toContain('4096');
    expect(tooBig.message).toContain('128-3072');
    expect(adapter.calls).toEqual([]);
  });

  it('rejects a split over more revisions than the target routes, before any write', async () => {
    const adapter = createMemoryAdapter({
      capabilities: {
        features: Object.fromEntries(features.map((f) => [f, 'native'])),
        limits: {
          memoryMb: { min: 128, max: 3072 },
          timeoutSeconds: { min: 1, max: 600 },
          runtimes: ['nodejs20'],
          trafficTargets: 2,
        },
      },
    });
    const three = fn({
      revision: 'v3',
      traffic: [
        { revision: 'v1', percent: 30 },
        { revision: 'v2', percent: 30 },
        { revision: 'latest', percent: 40 },
      ],
    });
    await expect(deploy(adapter, three)).rejects.toThrow(/at most 2/);
    expect(adapter.writes()).toBe(0);
  });

  it('rejects traffic to a revision that does not exist, naming the known ones', async () => {
    const adapter = createMemoryAdapter();
    await deploy(adapter, fn({ revision: 'v1' }));
    const before = adapter.writes();
    const err = await deploy(
      adapter,
      fn({
        revision: 'v2',
        traffic: [
          { revision: 'v9', percent: 10 },
          { revision: 'latest', percent: 90 },
        ],
      }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('"v9" does not exist');
    expect(err.message).toContain('v1');
    expect(adapter.writes()).toBe(before);
  });

  it('setTraffic validates, resolves latest, and moves requests', async () => {
    const adapter = createMemoryAdapter();
    await deploy(adapter, fn({ revision: 'v1' }));
    await deploy(
      adapter,
      fn({
        revision: 'v2',
        env: { REPLY: 'two' },
        traffic: [
          { revision: 'v1', percent: 100 },
          { revision: 'latest', percent: 0, tag: 'next' },
        ],
      }),
    );
    expect(await (await adapter.invoke('shop', new Request('http://x/'))).text()).toBe('one');
    const set = await setTraffic(adapter, 'shop', [{ revision: 'latest', percent: 100 }]);
    expect(set).toEqual([{ revision: 'v2', percent: 100 }]);
    expect(await (await adapter.invoke('shop', new Request('http://x/'))).text()).toBe('two');
    await expect(setTraffic(adapter, 'shop', [{ revision: 'v1', percent: 60 }])).rejects.toThrow(/sum to 60/);
    await expect(setTraffic(adapter, 'nope', [{ revision: 'v1', percent: 100 }])).rejects.toThrow(
      /does not exist on target "memory"/,
    );
  });
});

describe('drift', () => {
  it('reports fields changed outside faasport, ignoring key order', async () => {
    const adapter = createMemoryAdapter();
    await deploy(adapter, fn({ env: { REPLY: 'one', A: '1' } }));
    const read = adapter.read.bind(adapter);
    const reordered = Object.assign(Object.create(adapter), {
      read: async (name: string) => {
        const live = await read(name);
        return live && { ...live, config: { ...live.config, env: { A: '1', REPLY: 'one' } } };
      },
    });
    expect((await planDeploy(reordered, fn({ env: { REPLY: 'one', A: '1' } }))).plan.drift).toEqual([]);
    const edited = Object.assign(Object.create(adapter), {
      read: async (name: string) => {
        const live = await read(name);
        return live && { ...live, config: { ...live.config, resources: { memory: 1024, timeout: 30 } } };
      },
    });
    expect((await planDeploy(edited, fn({ env: { REPLY: 'one', A: '1' } }))).plan.drift).toEqual([
      { path: 'resources', from: { memory: 1024, timeout: 30 }, to: { memory: 256, timeout: 30 } },
    ]);
  });
});

describe('rollout', () => {
  async function twoRevisions(failing: string[] = []) {
    const adapter = createMemoryAdapter({ failingRevisions: failing });
    await deploy(adapter, fn({ revision: 'v1' }));
    await deploy(
      adapter,
      fn({ revision: 'v2', env: { REPLY: 'two' }, traffic: [{ revision: 'v1', percent: 100 }] }),
    );
    return adapter;
  }

  it('shifts 10 → 50 → 100 when each check passes', async () => {
    const adapter = await twoRevisions();
    const seen: number[] = [];
    const slept: number[] = [];
    const result = await rollout(adapter, 'shop', {
      revision: 'v2',
      steps: [10, 50, 100],
      intervalSeconds: 30,
      sleep: async (ms) => {
        slept.push(ms);
      },
      onEvent: (e) => {
        if (e.type === 'rollout-step') seen.push(e.percent);
      },
    });
    expect(seen).toEqual([10, 50, 100]);
    expect(slept).toEqual([30_000, 30_000, 30_000]);
    expect(adapter.calls.filter((c) => c.startsWith('traffic')).slice(-3)).toEqual([
      'traffic shop v1=90,v2=10',
      'traffic shop v1=50,v2=50',
      'traffic shop v2=100',
    ]);
    expect(result.traffic).toEqual([{ revision: 'v2', percent: 100 }]);
  });

  it('rolls back to the traffic before the rollout when a check fails', async () => {
    const adapter = await twoRevisions(['v2']);
    const error = await rollout(adapter, 'shop', { revision: 'v2', steps: [10, 50, 100], samples: 5 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RolloutError);
    expect(error.atPercent).toBe(10);
    expect(error.message).toContain('5/5 requests failed');
    expect(adapter.calls.filter((c) => c.startsWith('traffic')).slice(-2)).toEqual([
      'traffic shop v1=90,v2=10',
      'traffic shop v1=100',
    ]);
  });

  it('uses a custom check and rejects bad steps before any write', async () => {
    const adapter = await twoRevisions();
    const before = adapter.writes();
    await expect(rollout(adapter, 'shop', { steps: [50, 10] })).rejects.toThrow(/increasing whole percents/);
    expect(adapter.writes()).toBe(before);
    const err = await rollout(adapter, 'shop', {
      steps: [25, 100],
      check: async ({ percent }) => ({ ok: percent < 100, detail: 'p99 too high' }),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(RolloutError);
    expect(err.atPercent).toBe(100);
    const live = await adapter.read('shop', ctx);
    expect(live!.traffic).toEqual([{ revision: 'v1', percent: 100 }]);
  });
});
