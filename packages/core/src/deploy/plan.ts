import type { Adapter, DesiredState, FieldChange, LiveFunction, Plan } from '../adapter';
import { redactValue, ValidationError } from '../errors';
import type { ResolvedFunction, ResolvedTrafficEntry } from '../model';
import { fieldChanges } from '../toolkit/fields';
import { assertDeployable } from './check';
import { desiredStateOf } from './desired';
import { canonicalJson, normalizeTraffic, sameTraffic } from './hash';
import { contextFor, type DeployOptions, type PlannedDeploy } from './options';

/** The id of the engine's own step that moves traffic (phase `traffic`); adapters never plan it. @internal */
export const trafficStepId = 'traffic';

const driftFields = ['runtime', 'handler', 'env', 'resources', 'contract'] as const;

/**
 * Tells the user's edits from real drift. When a live revision carries the hash of the desired revision,
 * the project is what faasport deployed, so a live field that differs was changed outside faasport. When
 * none does, the project changed since: the differences are the user's edits (a change made outside at
 * the same time cannot be told apart, and the deploy replaces it either way). Without stored hashes
 * (functions faasport did not make), differences stay drift.
 */
function splitDrift(
  differences: FieldChange[],
  desired: DesiredState,
  live: LiveFunction | undefined,
): { drift: FieldChange[]; edits: FieldChange[] } {
  const hashes = live?.revisions.flatMap((r) => (r.revisionHash ? [r.revisionHash] : [])) ?? [];
  const edited = hashes.length > 0 && !hashes.includes(desired.revisionHash);
  return edited ? { drift: [], edits: differences } : { drift: differences, edits: [] };
}

function driftOf(fn: ResolvedFunction, live: LiveFunction | undefined): FieldChange[] {
  const config = live?.config;
  if (!config) return [];
  // Only fields the provider exposes; key order is not meaningful (providers return env maps in their own order).
  return fieldChanges(config, fn as unknown as Record<string, unknown>, {
    keys: driftFields.filter((field) => config[field] !== undefined),
    equal: (a, b) => canonicalJson(a) === canonicalJson(b),
  });
}

/**
 * Plans a deploy without writing anything: checks the function against the target's capabilities and
 * limits, packages the code, reads the live state and asks the adapter for its steps. A function that
 * is already deployed unchanged plans zero steps.
 *
 * @throws {@link UnsupportedFeatureError}, {@link LimitExceededError} or {@link ValidationError} before any I/O
 * when the target cannot take the function.
 * @public
 */
export async function planDeploy(
  adapter: Adapter,
  fn: ResolvedFunction,
  options: DeployOptions = {},
): Promise<PlannedDeploy> {
  const ctx = contextFor(options);
  ctx.emit({ type: 'plan-start', functionName: fn.name, target: adapter.name });
  const warnings = assertDeployable(adapter, fn);
  for (const issue of warnings) ctx.emit({ type: 'warning', functionName: fn.name, issue });
  const desired = desiredStateOf(fn, options);
  const live = await adapter.read(fn.name, ctx);
  checkTrafficRevisions(fn.name, desired, live);
  const steps = [...adapter.plan(desired, live)];
  if (!live || !sameTraffic(live.traffic, desired.traffic)) {
    steps.push({
      id: trafficStepId,
      action: 'update',
      resource: 'traffic',
      phase: 'traffic',
      summary: `route ${describeTraffic(desired.traffic)}`,
      changes: [
        {
          path: 'traffic',
          from: live ? normalizeTraffic(live.traffic) : undefined,
          to: normalizeTraffic(desired.traffic),
        },
      ],
    });
  }
  const phaseOrder = { prepare: 0, revision: 1, traffic: 2, finalize: 3 } as const;
  const ordered = steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => phaseOrder[a.s.phase] - phaseOrder[b.s.phase] || a.i - b.i)
    .map((x) => x.s);
  const plan: Plan = redactValue({
    functionName: fn.name,
    target: adapter.name,
    kind: ordered.length === 0 ? 'none' : live ? 'update' : 'create',
    steps: ordered,
    warnings,
    ...splitDrift(driftOf(fn, live), desired, live),
    revisionLabel: desired.revisionLabel,
    traffic: desired.traffic,
  });
  ctx.emit({ type: 'plan-end', functionName: fn.name, target: adapter.name, plan });
  return { plan, desired, live };
}

function checkTrafficRevisions(name: string, desired: DesiredState, live: LiveFunction | undefined): void {
  const known = new Set([desired.revisionLabel, ...(live?.revisions.map((r) => r.label) ?? [])]);
  const missing = desired.traffic.filter((t) => !known.has(t.revision));
  if (missing.length) {
    throw new ValidationError(
      missing.map((t) => ({
        path: 'traffic',
        message: `revision ${JSON.stringify(t.revision)} does not exist on this target (known: ${[...known].join(', ')})`,
        rule: 'revision-exists',
      })),
      { subject: `function "${name}"` },
    );
  }
}

/** `v1 90%, v2 10% (canary)` @internal */
export function describeTraffic(traffic: readonly ResolvedTrafficEntry[]): string {
  return traffic.map((t) => `${t.revision} ${t.percent}%${t.tag ? ` (${t.tag})` : ''}`).join(', ');
}
