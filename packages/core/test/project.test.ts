import { describe, expect, it } from 'vitest';
import {
  applyProject,
  type DeployEvent,
  defineFunction,
  deployProject,
  features,
  ProjectDeployError,
  planProject,
  UnsupportedFeatureError,
  ValidationError,
} from '../src';
import { createMemoryAdapter } from '../src/testing';

const names = (count: number) => Array.from({ length: count }, (_, i) => `fn${String(i).padStart(2, '0')}`);

const project = (count: number) =>
  names(count).map((name) => defineFunction({ name, source: { inline: 'export default () => "hi"' } }));

/** The function names of a stream of events, with repeats folded: `[a, a, b]` → `[a, b]`. */
const runsOf = (events: DeployEvent[]) =>
  events.map((e) => e.functionName).filter((name, i, all) => i === 0 || all[i - 1] !== name);

describe('deployProject', () => {
  it('deploys many functions at once, never more than the bound, with results and events in project order', async () => {
    // The first function is the slowest, so the others finish first.
    const adapter = createMemoryAdapter({ latencyMs: (_call, name) => (name === 'fn00' ? 12 : 2) });
    const events: DeployEvent[] = [];
    const results = await deployProject(adapter, project(12), {
      concurrency: 3,
      onEvent: (e) => events.push(e),
    });
    expect(adapter.maxInFlight()).toBe(3);
    expect(results.map((r) => r.functionName)).toEqual(names(12));
    expect(results.every((r) => r.changed)).toBe(true);
    // Every function is planned first, then applied; in each pass a function's events come together,
    // in project order, although the later functions finished first.
    expect(runsOf(events)).toEqual([...names(12), ...names(12)]);
    const ofFirst = events.filter((e) => e.functionName === 'fn00').map((e) => e.type);
    expect(ofFirst.slice(0, 2)).toEqual(['plan-start', 'plan-end']);
    expect(ofFirst[ofFirst.length - 1]).toBe('done');
  });

  it('works on 8 functions at once by default', async () => {
    const adapter = createMemoryAdapter({ latencyMs: 1 });
    await deployProject(adapter, project(20));
    expect(adapter.maxInFlight()).toBe(8);
  });

  it('plans every function before any write: a function the target cannot take stops the deploy with no write', async () => {
    const adapter = createMemoryAdapter({
      latencyMs: 1,
      capabilities: {
        features: Object.fromEntries(features.filter((f) => f !== 'secrets').map((f) => [f, 'native'])),
        limits: {
          memoryMb: { min: 64, max: 4096 },
          timeoutSeconds: { min: 1, max: 900 },
          runtimes: ['nodejs20'],
        },
      },
    });
    const functions = project(6);
    functions[4] = defineFunction({
      name: 'fn04',
      source: { inline: 'export default () => "hi"' },
      secrets: { TOKEN: { fromEnv: 'TOKEN' } },
    });
    await expect(deployProject(adapter, functions, { env: { TOKEN: 'x' } })).rejects.toBeInstanceOf(
      UnsupportedFeatureError,
    );
    expect(adapter.writes()).toBe(0);
  });

  it('stops starting functions after a failure and reports which deployed, which failed and which never started', async () => {
    const adapter = createMemoryAdapter({
      latencyMs: 2,
      failStep: (step, desired) => step.id === 'revision' && desired.fn.name === 'fn03',
    });
    const functions = project(10);
    const planned = await planProject(adapter, functions, { concurrency: 2 });
    const events: DeployEvent[] = [];
    const error = await applyProject(adapter, planned, {
      concurrency: 2,
      onEvent: (e) => events.push(e),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProjectDeployError);
    const report = error as ProjectDeployError;
    expect(report.code).toBe('FP_PROJECT_DEPLOY_FAILED');
    expect(report.failed.map((f) => f.functionName)).toEqual(['fn03']);
    expect((report.failed[0]!.error as Error).message).toContain('failed on purpose');
    // Every function is in exactly one list, in project order.
    expect([...report.deployed, 'fn03', ...report.notStarted].sort()).toEqual(names(10));
    expect(report.deployed).toEqual(expect.arrayContaining(['fn00', 'fn01', 'fn02']));
    expect(report.notStarted.length).toBeGreaterThan(0);
    expect(report.notStarted).toContain('fn09');
    // The ones never started saw no call at all.
    const applied = adapter.calls.filter((c) => !c.startsWith('read'));
    for (const name of report.notStarted) {
      expect(applied.some((c) => c.includes(name))).toBe(false);
      expect(events.some((e) => e.functionName === name)).toBe(false);
    }
    expect(report.message).toContain('Not started: ');
    expect(report.message).toContain('fn03: FP_DEPLOY_FAILED');
    const json = report.toJSON() as { failed: Array<{ error: { code: string } }>; notStarted: string[] };
    expect(json.failed[0]!.error.code).toBe('FP_DEPLOY_FAILED');
    expect(json.notStarted).toEqual(report.notStarted);
  });

  it('refuses a concurrency that is not a positive whole number, naming it, before any call', async () => {
    const adapter = createMemoryAdapter();
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      const error = await deployProject(adapter, project(2), { concurrency }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toBe('concurrency');
    }
    expect(adapter.calls).toEqual([]);
  });

  it('plans in parallel and returns the plans in project order', async () => {
    const adapter = createMemoryAdapter({ latencyMs: (_call, name) => (name === 'fn00' ? 10 : 1) });
    const plans = await planProject(adapter, project(5), { concurrency: 5 });
    expect(adapter.maxInFlight()).toBe(5);
    expect(plans.map((p) => p.plan.functionName)).toEqual(names(5));
    expect(plans.every((p) => p.plan.kind === 'create')).toBe(true);
    expect(adapter.writes()).toBe(0);
  });
});
