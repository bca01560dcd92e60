import type { Adapter } from '../adapter';
import { DeployError, DriftError } from '../errors';
import type { ResolvedFunction } from '../model';
import { stepHandlers } from '../toolkit/steps';
import { normalizeTraffic } from './hash';
import { contextFor, type DeployOptions, type DeployResult, type PlannedDeploy } from './options';
import { describeTraffic, planDeploy, trafficStepId } from './plan';

/**
 * Deploys a function: check → package → read → plan → apply by phase → wait until ready → move traffic.
 * An unchanged function makes zero writes. When a step fails after traffic moved, the previous traffic
 * is restored and the {@link DeployError} says which steps ran and what was rolled back.
 *
 * @example
 * ```ts
 * const result = await deploy(createLocalAdapter({ url, token }), defineFunction({ name: 'hello', source: { dir: './hello' } }));
 * console.log(result.url, result.changed);
 * ```
 * @public
 */
export async function deploy(
  adapter: Adapter,
  fn: ResolvedFunction,
  options: DeployOptions = {},
): Promise<DeployResult> {
  const started = Date.now();
  const planned = await planDeploy(adapter, fn, options);
  return applyPlan(adapter, planned, { ...options, checkDrift: false }, started);
}

/**
 * Applies a plan made by {@link planDeploy}. When the plan was made earlier (a `plan` then `deploy --yes`
 * flow), the live function is read again first and a {@link DriftError} is thrown if it changed since.
 *
 * @public
 */
export async function applyPlan(
  adapter: Adapter,
  planned: PlannedDeploy,
  options: DeployOptions & { checkDrift?: boolean } = {},
  started = Date.now(),
): Promise<DeployResult> {
  if (options.checkDrift !== false && planned.plan.steps.length) {
    const now = await adapter.read(planned.plan.functionName, contextFor(options));
    const changed: string[] = [];
    if ((now?.specHash ?? null) !== (planned.live?.specHash ?? null)) changed.push('spec');
    if (
      JSON.stringify(normalizeTraffic(now?.traffic ?? [])) !==
      JSON.stringify(normalizeTraffic(planned.live?.traffic ?? []))
    )
      changed.push('traffic');
    if ((now?.revisions.length ?? 0) !== (planned.live?.revisions.length ?? 0)) changed.push('revisions');
    if (changed.length)
      throw new DriftError({
        functionName: planned.plan.functionName,
        fields: changed,
        adapter: adapter.name,
      });
  }
  const ctx = contextFor(options);
  const { plan, desired, live } = planned;
  const name = plan.functionName;
  const completed: string[] = [];
  let trafficMoved = false;
  const runStep = stepHandlers<[]>(adapter.name, {
    // The engine's own step: wait until the revision is ready, then move the traffic.
    async [trafficStepId]() {
      if (adapter.waitReady) {
        ctx.emit({
          type: 'wait',
          functionName: name,
          what: `revision ${desired.revisionLabel} ready`,
          elapsedMs: 0,
        });
        await adapter.waitReady(name, desired.revisionLabel, {
          ...ctx,
          timeoutMs: options.waitTimeoutMs ?? 120_000,
        });
      }
      trafficMoved = true;
      await adapter.setTraffic(name, desired.traffic, ctx);
      ctx.emit({ type: 'traffic', functionName: name, traffic: desired.traffic });
    },
    // Every other step is the adapter's own.
    '*': (step) => adapter.applyStep(step, desired, ctx),
  });
  for (const step of plan.steps) {
    const brief = { id: step.id, action: step.action, resource: step.resource, summary: step.summary };
    ctx.emit({ type: 'step-start', functionName: name, step: brief });
    const t0 = Date.now();
    try {
      await runStep(step);
    } catch (error) {
      const rolledBack: string[] = [];
      if (trafficMoved && live?.traffic.length) {
        try {
          await adapter.setTraffic(name, live.traffic, ctx);
          rolledBack.push(`traffic restored to ${describeTraffic(live.traffic)}`);
          ctx.emit({
            type: 'rollback',
            functionName: name,
            what: `traffic restored to ${describeTraffic(live.traffic)}`,
          });
        } catch (rollbackError) {
          rolledBack.push(`traffic restore FAILED: ${(rollbackError as Error).message}`);
        }
      }
      throw new DeployError({
        functionName: name,
        failedStep: step.summary,
        completedSteps: completed,
        rolledBack,
        cause: error,
        adapter: adapter.name,
      });
    }
    completed.push(step.summary);
    ctx.emit({ type: 'step-end', functionName: name, step: brief, ms: Date.now() - t0 });
  }
  const after = plan.steps.length ? await adapter.read(name, ctx) : live;
  const result: DeployResult = {
    functionName: name,
    target: adapter.name,
    changed: plan.steps.length > 0,
    revision: desired.revisionLabel,
    steps: completed,
    traffic: after?.traffic ?? desired.traffic,
    ...(after?.url ? { url: after.url } : {}),
    ...(after?.tagUrls ? { tagUrls: after.tagUrls } : {}),
    warnings: plan.warnings,
    ms: Date.now() - started,
  };
  ctx.emit({
    type: 'done',
    functionName: name,
    target: adapter.name,
    changed: result.changed,
    ...(result.url ? { url: result.url } : {}),
    ms: result.ms,
  });
  return result;
}
