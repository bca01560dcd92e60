import type { z } from 'zod';
import {
  type Adapter,
  type AdapterModule,
  type CheckIssue,
  featureLabels,
  featuresUsed,
  supportOf,
} from '../adapter';
import { LimitExceededError, UnsupportedFeatureError, ValidationError } from '../errors';
import { didYouMean, type ResolvedFunction } from '../model';
import { checkHandlerExports } from './handler-exports';

/**
 * Checks a function against a target before anything is written: declared feature support, limits
 * (memory, timeout, concurrency, runtimes, name, traffic targets) and the adapter's own checks.
 * Returns every issue found; errors stop a deploy.
 *
 * This is the one offline check of a function: `plan`, `deploy` and `render` (through
 * {@link assertDeployable}) all run it, so a check added here applies to each of them.
 *
 * @public
 */
export function checkFunction(adapter: Adapter, fn: ResolvedFunction): CheckIssue[] {
  const issues: CheckIssue[] = [];
  for (const feature of featuresUsed(fn)) {
    const support = supportOf(adapter.capabilities, feature);
    const name = featureLabels[feature];
    if (support.level === 'unsupported') {
      issues.push({
        severity: 'error',
        feature,
        message: `uses ${name}, which target "${adapter.name}" does not support${support.note ? `: ${support.note}` : ''}`,
        ...(support.instead ? { hint: support.instead } : {}),
      });
    } else if (support.level === 'limited') {
      issues.push({
        severity: 'warning',
        feature,
        message: `${name} is limited on target "${adapter.name}"${support.note ? `: ${support.note}` : ''}`,
      });
    }
  }
  const limits = adapter.capabilities.limits;
  const range = (path: string, label: string, value: number, r: typeof limits.memoryMb | undefined) => {
    if (!r) return;
    const ok = r.values ? r.values.includes(value) : value >= r.min && value <= r.max;
    if (!ok) {
      const allowed = r.description ?? (r.values ? r.values.join(', ') : `${r.min}-${r.max}`);
      issues.push({
        severity: 'error',
        feature: path,
        path,
        message: `${label} ${value} is not accepted`,
        actual: value,
        allowed,
      });
    }
  };
  range('resources.memory', 'memory (MB)', fn.resources.memory, limits.memoryMb);
  range('resources.timeout', 'timeout (s)', fn.resources.timeout, limits.timeoutSeconds);
  range('scaling.concurrency', 'concurrency', fn.scaling.concurrency, limits.concurrency);
  if (fn.source.kind !== 'image' && !limits.runtimes.includes(fn.runtime)) {
    issues.push({
      severity: 'error',
      feature: 'runtime',
      path: 'runtime',
      message: `runtime ${JSON.stringify(fn.runtime)} is not available`,
      actual: fn.runtime,
      allowed: limits.runtimes.join(', '),
    });
  }
  if (limits.name && (!limits.name.pattern.test(fn.name) || fn.name.length > limits.name.maxLength)) {
    issues.push({
      severity: 'error',
      feature: 'name',
      path: 'name',
      message: `name ${JSON.stringify(fn.name)} is not valid here`,
      actual: fn.name,
      allowed: limits.name.description,
    });
  }
  const splitTargets = new Set(fn.traffic.filter((t) => t.percent > 0).map((t) => t.revision)).size;
  if (limits.trafficTargets !== undefined && splitTargets > limits.trafficTargets) {
    issues.push({
      severity: 'error',
      feature: 'traffic.split',
      path: 'traffic',
      message: `splits traffic over ${splitTargets} revisions; target "${adapter.name}" routes to at most ${limits.trafficTargets} at once`,
      hint: `Give traffic to at most ${limits.trafficTargets} revisions (tags at 0% are fine), or use a target without this limit (knative, local).`,
    });
  }
  issues.push(...checkHandlerExports(fn));
  if (adapter.providerOptionsSchema)
    issues.push(
      ...providerOptionIssues(adapter.name, adapter.providerOptionsSchema, fn.providers[adapter.name]),
    );
  if (adapter.check) issues.push(...adapter.check(fn));
  return issues;
}

/** The feature name of an issue in a function's `providers.<adapter>` options. */
const providerOptionsFeature = 'provider-options';

/** Whether an issue is about what the user wrote under `providers.*` (a typo, a bad value), not a capability. */
function isProviderOptionIssue(issue: CheckIssue): boolean {
  return issue.feature === providerOptionsFeature || issue.feature.startsWith('providers.');
}

/** The object schema found at `path` inside `schema` (through optional, nullable and default wrappers). */
function objectShapeAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  const unwrap = () => {
    for (;;) {
      const def = (node as { def?: { innerType?: unknown } }).def;
      if (!def?.innerType) return;
      node = def.innerType;
    }
  };
  unwrap();
  for (const part of path) {
    const shape = (node as { shape?: Record<string, unknown> }).shape;
    if (!shape || typeof part !== 'string' || !shape[part]) return [];
    node = shape[part];
    unwrap();
  }
  const shape = (node as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/**
 * Validates a function's `providers.<provider>` options against the adapter's own (strict) schema and
 * returns one error issue per problem: an unknown key suggests the nearest allowed key ("did you mean")
 * and lists them all. {@link checkFunction} runs it with the adapter's `providerOptionsSchema`, so a
 * typo stops `plan`, `deploy` and `render` alike.
 *
 * @example
 * ```ts
 * providerOptionIssues('knative', knativeProviderSchema, fn.providers.knative)
 * ```
 * @public
 */
export function providerOptionIssues(provider: string, schema: z.ZodType, value: unknown): CheckIssue[] {
  return optionIssues(schema, value, { base: `providers.${provider}`, owner: provider });
}

/**
 * The issues of `value` against an adapter's strict options schema, each under `base` (a dotted path):
 * an unknown key gets the nearest allowed key and the full list; values are echoed except under
 * `secretKeys`, whose values may be credentials.
 */
function optionIssues(
  schema: z.ZodType,
  value: unknown,
  where: { base: string; owner: string; secretKeys?: readonly string[] },
): CheckIssue[] {
  const parsed = schema.safeParse(value ?? {}, { reportInput: true });
  if (parsed.success) return [];
  const { base, owner } = where;
  const issues: CheckIssue[] = [];
  for (const issue of parsed.error.issues) {
    const at = [base, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      const allowed = objectShapeAt(schema, issue.path);
      for (const key of issue.keys) {
        const near = didYouMean(key, allowed);
        issues.push({
          severity: 'error',
          feature: providerOptionsFeature,
          path: at,
          message: `unknown key "${key}"${near ? `; did you mean "${near}"?` : ''} (allowed: ${allowed.join(', ')})`,
          hint: near
            ? `Rename ${at}.${key} to ${at}.${near}.`
            : `Use one of the keys the ${owner} adapter accepts under ${at}: ${allowed.join(', ')}.`,
        });
      }
      continue;
    }
    const secret = where.secretKeys?.includes(String(issue.path[0]));
    const input = secret ? undefined : (issue as { input?: unknown }).input;
    const shown = input === undefined ? '' : `${JSON.stringify(input)}: `;
    issues.push({
      severity: 'error',
      feature: providerOptionsFeature,
      path: at,
      message: secret
        ? 'is not valid'
        : issue.message.includes(JSON.stringify(input))
          ? issue.message
          : `${shown}${issue.message}`,
    });
  }
  return issues;
}

/**
 * Validates a target's options (`targets.<name>` of faasport.yaml, but `adapter`) with the adapter
 * module's `optionsSchema` before its `fromTarget` runs: an unknown key suggests the nearest allowed one.
 * Values of the module's `secretOptions` are never echoed.
 *
 * @throws {@link ValidationError} listing every problem, each at `targets.<name>.<option>`.
 * @public
 */
export function assertTargetOptions(
  module: Pick<AdapterModule, 'name' | 'optionsSchema' | 'secretOptions'>,
  targetName: string,
  options: Record<string, unknown>,
  where: { file?: string } = {},
): void {
  const issues = optionIssues(module.optionsSchema, options, {
    base: `targets.${targetName}`,
    owner: module.name,
    secretKeys: Object.keys(module.secretOptions ?? {}),
  });
  if (!issues.length) return;
  throw new ValidationError(
    issues.map((i) => ({
      path: i.path ?? i.feature,
      message: i.message,
      rule: i.message.startsWith('unknown key') ? 'unrecognized_keys' : 'invalid_value',
    })),
    {
      subject: `target "${targetName}" (adapter ${module.name})`,
      adapter: module.name,
      ...(where.file ? { file: where.file } : {}),
      hint:
        issues.length === 1 && issues[0]!.hint
          ? issues[0]!.hint
          : `Fix each listed option; the ${module.name} adapter page (docs/adapters/${module.name}.md) lists what a ${module.name} target accepts.`,
    },
  );
}

/**
 * Runs {@link checkFunction} and throws when the target cannot take the function; returns the warnings.
 * Problems in the user's own settings (`providers.*` options) make a {@link ValidationError} that
 * lists them first and then every other error; otherwise the first error becomes the matching faasport error (limit or
 * unsupported feature), mentioning the others.
 *
 * `planDeploy`, `deploy` and `renderFunction` call it before any I/O: the one gate for every command.
 *
 * @public
 */
export function assertDeployable(adapter: Adapter, fn: ResolvedFunction): CheckIssue[] {
  const issues = checkFunction(adapter, fn);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length === 0) return issues.filter((i) => i.severity === 'warning');
  const options = errors.filter(isProviderOptionIssue);
  if (options.length) {
    // The other errors are listed after them, so one run shows everything to fix.
    const rest = errors.filter((e) => !isProviderOptionIssue(e));
    throw new ValidationError(
      [...options, ...rest].map((e) => ({
        path: e.path ?? e.feature,
        message: e.message + (e.hint && e.feature !== providerOptionsFeature ? ` (${e.hint})` : ''),
        rule: e.message.startsWith('unknown key') ? 'unrecognized_keys' : e.feature,
      })),
      {
        subject: `function "${fn.name}" for target "${adapter.name}"`,
        adapter: adapter.name,
        hint:
          options.length === 1 && options[0]!.hint
            ? options[0]!.hint
            : `Fix each listed option; the ${adapter.name} adapter page (docs/adapters/${adapter.name}.md) lists what providers.${adapter.name} accepts.`,
      },
    );
  }
  const first = errors[0]!;
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more: ${errors
          .slice(1)
          .map((e) => e.message)
          .join('; ')})`
      : '';
  if (first.actual !== undefined && first.allowed !== undefined) {
    throw new LimitExceededError(
      {
        limit: first.path ?? first.feature,
        actual: first.actual,
        allowed: first.allowed + more,
        target: adapter.name,
        functionName: fn.name,
      },
      { adapter: adapter.name },
    );
  }
  if (
    first.feature.includes('.') ||
    first.feature === 'secrets' ||
    first.feature === 'domains' ||
    first.feature === 'initializer'
  ) {
    throw new UnsupportedFeatureError(
      {
        feature: first.feature,
        target: adapter.name,
        functionName: fn.name,
        reason: first.message + more,
        instead: first.hint,
      },
      { adapter: adapter.name },
    );
  }
  throw new ValidationError(
    errors.map((e) => ({
      path: e.path ?? e.feature,
      message: e.message + (e.hint ? ` (${e.hint})` : ''),
      rule: e.feature,
    })),
    { subject: `function "${fn.name}" for target "${adapter.name}"`, adapter: adapter.name },
  );
}
