import type { Adapter } from '../adapter';
import { RolloutError, ValidationError } from '../errors';
import type { ResolvedTrafficEntry } from '../model';
import { contextFor, type EngineOptions } from './options';
import { describeTraffic } from './plan';
import { newestRevision, readExisting } from './traffic';

/** What a rollout check sees and returns. @public */
export type RolloutCheck = (info: {
  functionName: string;
  revision: string;
  percent: number;
}) => Promise<boolean | { ok: boolean; detail?: string }>;

/** Options of {@link rollout}. @public */
export interface RolloutOptions extends EngineOptions {
  /** The revision to roll out (default: the newest). */
  revision?: string;
  /** Percent of traffic at each step, increasing, ending at 100. */
  steps: number[];
  /** Seconds to wait after each step before checking (default 0). */
  intervalSeconds?: number;
  /**
   * Decides whether a step is healthy. Default: send `samples` requests to the new revision and
   * fail when more than `maxErrorRate` of them fail (5xx or an error).
   */
  check?: RolloutCheck;
  samples?: number;
  maxErrorRate?: number;
  /** The path requested by the default check (default `/`). */
  healthPath?: string;
  /** Waits between steps; replaceable in tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** The result of a rollout. @public */
export interface RolloutResult {
  functionName: string;
  revision: string;
  from: ResolvedTrafficEntry[];
  steps: number[];
  traffic: ResolvedTrafficEntry[];
}

/**
 * Shifts traffic to a revision step by step (e.g. 10 → 50 → 100), checking after each step. When a
 * check fails, the traffic before the rollout is restored and a {@link RolloutError} is thrown.
 *
 * @public
 */
export async function rollout(
  adapter: Adapter,
  name: string,
  options: RolloutOptions,
): Promise<RolloutResult> {
  const ctx = contextFor(options);
  const steps = options.steps;
  if (
    !steps.length ||
    steps.some((s, i) => !Number.isInteger(s) || s < 1 || s > 100 || (i > 0 && s <= steps[i - 1]!)) ||
    steps[steps.length - 1] !== 100
  ) {
    throw new ValidationError([
      {
        path: 'rollout.steps',
        message: `${JSON.stringify(steps)} must be increasing whole percents ending at 100 (e.g. 10,50,100)`,
        rule: 'rollout-steps',
      },
    ]);
  }
  const live = await readExisting(adapter, name, ctx);
  const revision = options.revision ?? newestRevision(live);
  if (!live.revisions.some((r) => r.label === revision)) {
    throw new ValidationError([
      {
        path: 'rollout.revision',
        message: `revision ${JSON.stringify(revision)} does not exist (known: ${live.revisions.map((r) => r.label).join(', ')})`,
        rule: 'revision-exists',
      },
    ]);
  }
  const from = live.traffic;
  const stable = [...from].filter((t) => t.revision !== revision).sort((a, b) => b.percent - a.percent)[0];
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const check = options.check ?? defaultCheck(adapter, options);
  let current = from;
  for (const percent of steps) {
    const next: ResolvedTrafficEntry[] =
      percent === 100 || !stable
        ? [{ revision, percent: 100 }]
        : [
            { revision: stable.revision, percent: 100 - percent, ...(stable.tag ? { tag: stable.tag } : {}) },
            { revision, percent },
          ];
    await adapter.setTraffic(name, next, ctx);
    current = next;
    ctx.emit({ type: 'rollout-step', functionName: name, percent, revision });
    if (options.intervalSeconds) await sleep(options.intervalSeconds * 1000);
    let verdict: { ok: boolean; detail?: string };
    try {
      const r = await check({ functionName: name, revision, percent });
      verdict = typeof r === 'boolean' ? { ok: r } : r;
    } catch (error) {
      verdict = { ok: false, detail: (error as Error).message };
    }
    ctx.emit({
      type: 'check',
      functionName: name,
      ok: verdict.ok,
      detail: verdict.detail ?? (verdict.ok ? 'healthy' : 'unhealthy'),
    });
    if (!verdict.ok) {
      await adapter.setTraffic(name, from, ctx);
      ctx.emit({
        type: 'rollback',
        functionName: name,
        what: `traffic restored to ${describeTraffic(from)}`,
      });
      throw new RolloutError({
        functionName: name,
        revision,
        atPercent: percent,
        reason: verdict.detail ?? 'the check failed',
      });
    }
  }
  return { functionName: name, revision, from, steps, traffic: current };
}

function defaultCheck(adapter: Adapter, options: RolloutOptions): RolloutCheck {
  const samples = options.samples ?? 20;
  const maxErrorRate = options.maxErrorRate ?? 0.05;
  return async ({ functionName, revision }) => {
    let failures = 0;
    for (let i = 0; i < samples; i++) {
      try {
        const response = await adapter.invoke(
          functionName,
          new Request(`http://function${options.healthPath ?? '/'}`),
          { revision },
        );
        await response.arrayBuffer();
        if (response.status >= 500) failures++;
      } catch {
        failures++;
      }
    }
    const rate = failures / samples;
    return {
      ok: rate <= maxErrorRate,
      detail: `${failures}/${samples} requests failed (limit ${Math.round(maxErrorRate * 100)}%)`,
    };
  };
}
