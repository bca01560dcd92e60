import type {
  Adapter,
  AdapterContext,
  CheckIssue,
  DeployEvent,
  DeployEventListener,
  DesiredState,
  FieldChange,
  LiveFunction,
  Logger,
  Manifest,
  Plan,
} from '../adapter';
import {
  DeployError,
  DriftError,
  FaasportError,
  InvokeError,
  NotFoundError,
  RolloutError,
  redactValue,
  ValidationError,
} from '../errors';
import type { ResolvedFunction, ResolvedTrafficEntry, TrafficEntryConfig } from '../model';
import { toIssues } from '../model/resolve';
import { trafficSchema } from '../model/schema';
import { fieldChanges } from '../toolkit/fields';
import { assertDeployable } from './check';
import { canonicalJson, normalizeTraffic, revisionHashOf, sameTraffic, specHashOf } from './hash';
import { packageSource } from './package';
import { resolveSecrets } from './secrets';

/** Options common to every engine call. @public */
export interface EngineOptions {
  /** Receives the typed progress events. */
  onEvent?: DeployEventListener;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Options of {@link deploy} and {@link planDeploy}. @public */
export interface DeployOptions extends EngineOptions {
  /** Where secret `fromEnv` references are read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Folder `fromFile` secret references are relative to. */
  baseDir?: string;
  /** How long to wait for a new revision to become ready (default 120 s). */
  waitTimeoutMs?: number;
}

/** The plan of a deploy plus what it was made from. @public */
export interface PlannedDeploy {
  plan: Plan;
  desired: DesiredState;
  live: LiveFunction | undefined;
}

/** The result of a deploy: plain data, printable as JSON. @public */
export interface DeployResult {
  functionName: string;
  target: string;
  /** False when nothing needed to change (zero writes). */
  changed: boolean;
  revision: string;
  /** The summaries of the steps that ran. */
  steps: string[];
  traffic: ResolvedTrafficEntry[];
  url?: string;
  tagUrls?: Record<string, string>;
  warnings: CheckIssue[];
  ms: number;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {} };

function contextFor(options: EngineOptions): AdapterContext {
  return {
    emit: (event: DeployEvent) => options.onEvent?.(event),
    logger: options.logger ?? silentLogger,
    signal: options.signal ?? new AbortController().signal,
  };
}

/** Builds the desired state of a function: packages the code, reads secrets, computes hashes. @public */
export function desiredStateOf(
  fn: ResolvedFunction,
  options: Pick<DeployOptions, 'env' | 'baseDir'> = {},
): DesiredState {
  const artifact = packageSource(fn);
  const secretValues = resolveSecrets(fn, options);
  const revisionHash = revisionHashOf(fn, artifact, secretValues);
  const revisionLabel = fn.revision ?? `r-${revisionHash.slice(0, 8)}`;
  const traffic = fn.traffic.map((t) => ({
    ...t,
    revision: t.revision === 'latest' ? revisionLabel : t.revision,
  }));
  return {
    fn,
    artifact,
    secretValues,
    revisionHash,
    revisionLabel,
    specHash: specHashOf(fn, revisionHash, traffic),
    traffic,
  };
}

/** What {@link renderFunction} returns: the manifests and the check's warnings. @public */
export interface RenderedFunction {
  manifests: Manifest[];
  warnings: CheckIssue[];
}

/**
 * Renders a function's manifests or request bodies offline, after the same check `plan` and `deploy`
 * run ({@link assertDeployable}): what the target cannot take is an error here too, never a manifest
 * that silently drops it.
 *
 * @throws {@link UnsupportedFeatureError}, {@link LimitExceededError} or {@link ValidationError}.
 * @public
 */
export function renderFunction(
  adapter: Adapter,
  fn: ResolvedFunction,
  options: Pick<DeployOptions, 'env' | 'baseDir'> = {},
): RenderedFunction {
  const warnings = assertDeployable(adapter, fn);
  return { manifests: adapter.render(desiredStateOf(fn, options)), warnings };
}

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
      id: 'traffic',
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
  for (const step of plan.steps) {
    const brief = { id: step.id, action: step.action, resource: step.resource, summary: step.summary };
    ctx.emit({ type: 'step-start', functionName: name, step: brief });
    const t0 = Date.now();
    try {
      if (step.phase === 'traffic') {
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
      } else {
        await adapter.applyStep(step, desired, ctx);
      }
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

async function readExisting(adapter: Adapter, name: string, ctx: AdapterContext): Promise<LiveFunction> {
  const live = await adapter.read(name, ctx);
  if (!live) throw new NotFoundError({ functionName: name, target: adapter.name, adapter: adapter.name });
  return live;
}

/**
 * Validates and sets a traffic split on a deployed function. `latest` means its newest revision.
 * Checks that every revision exists and that the target can route to that many, before any write.
 *
 * @returns the traffic as set.
 * @public
 */
export async function setTraffic(
  adapter: Adapter,
  name: string,
  traffic: TrafficEntryConfig[],
  options: EngineOptions = {},
): Promise<ResolvedTrafficEntry[]> {
  const ctx = contextFor(options);
  const parsed = trafficSchema.safeParse(traffic, { reportInput: true });
  if (!parsed.success)
    throw new ValidationError(toIssues(parsed.error, 'traffic'), { subject: `traffic of "${name}"` });
  const live = await readExisting(adapter, name, ctx);
  const newest = newestRevision(live);
  const resolved = parsed.data.map((t) => ({
    revision: t.revision === 'latest' ? newest : t.revision,
    percent: t.percent,
    ...(t.tag ? { tag: t.tag } : {}),
  }));
  const known = new Set(live.revisions.map((r) => r.label));
  const unknown = resolved.filter((t) => !known.has(t.revision));
  if (unknown.length) {
    throw new ValidationError(
      unknown.map((t) => ({
        path: 'traffic',
        message: `revision ${JSON.stringify(t.revision)} does not exist (known: ${[...known].join(', ')})`,
        rule: 'revision-exists',
      })),
      { subject: `traffic of "${name}"` },
    );
  }
  const limit = adapter.capabilities.limits.trafficTargets;
  const targets = new Set(resolved.filter((t) => t.percent > 0).map((t) => t.revision)).size;
  if (limit !== undefined && targets > limit) {
    throw new ValidationError(
      [
        {
          path: 'traffic',
          message: `splits traffic over ${targets} revisions; target "${adapter.name}" routes to at most ${limit} at once`,
          rule: 'traffic-targets',
        },
      ],
      { subject: `traffic of "${name}"` },
    );
  }
  if (!sameTraffic(live.traffic, resolved)) {
    await adapter.setTraffic(name, resolved, ctx);
    ctx.emit({ type: 'traffic', functionName: name, traffic: resolved });
  }
  return resolved;
}

function newestRevision(live: LiveFunction): string {
  const sorted = [...live.revisions].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
  const last = sorted[sorted.length - 1];
  if (!last)
    throw new ValidationError([
      { path: 'traffic', message: `function "${live.name}" has no revisions`, rule: 'revision-exists' },
    ]);
  return last.label;
}

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

/** What to send when invoking: a Request, or its parts. @public */
export type InvokeInput =
  | Request
  | { method?: string; path?: string; headers?: Record<string, string>; body?: string | Uint8Array | object };

/**
 * Invokes a deployed function through its target and returns the Response.
 *
 * @example
 * ```ts
 * const res = await invoke(adapter, 'hello', { path: '/', method: 'GET' });
 * console.log(await res.text());
 * ```
 * @public
 */
export async function invoke(
  adapter: Adapter,
  name: string,
  input: InvokeInput = {},
  options: import('../adapter').InvokeOptions = {},
): Promise<Response> {
  const request = input instanceof Request ? input : toRequest(input);
  try {
    return await adapter.invoke(name, request, options);
  } catch (error) {
    if (FaasportError.isInstance(error)) throw error;
    throw new InvokeError({ functionName: name, message: (error as Error).message, adapter: adapter.name });
  }
}

function toRequest(input: Exclude<InvokeInput, Request>): Request {
  const headers = new Headers(input.headers);
  let body: BodyInit | undefined;
  if (input.body instanceof Uint8Array || typeof input.body === 'string') body = input.body as BodyInit;
  else if (input.body !== undefined) {
    body = JSON.stringify(input.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const method = input.method ?? (body === undefined ? 'GET' : 'POST');
  return new Request(`http://function${input.path ?? '/'}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

/**
 * Removes a function and everything faasport made for it on the target. No error when it is absent.
 *
 * @public
 */
export async function remove(adapter: Adapter, name: string, options: EngineOptions = {}): Promise<void> {
  await adapter.remove(name, contextFor(options));
}
