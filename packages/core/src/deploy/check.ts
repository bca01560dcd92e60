import { type Adapter, type CheckIssue, featuresUsed, supportOf } from '../adapter';
import { LimitExceededError, UnsupportedFeatureError, ValidationError } from '../errors';
import type { ResolvedFunction } from '../model';
import { checkHandlerExports } from './handler-exports';

const featureNames: Record<string, string> = {
  'source.inline': 'inline code (source.inline)',
  'source.dir': 'a code folder (source.dir)',
  'source.archive': 'a zip archive (source.archive)',
  'source.bucket': 'an object-storage archive (source.bucket)',
  'source.image': 'a container image (source.image)',
  'contract.web': 'the web handler contract',
  'contract.event': 'the event handler contract',
  'contract.native': 'the native handler contract',
  'trigger.http': 'an http trigger',
  'trigger.http.private': 'an http trigger with auth',
  'trigger.schedule': 'a schedule trigger',
  'trigger.storage': 'a storage trigger',
  'trigger.queue': 'a queue trigger',
  'trigger.event': 'an event (CloudEvents) trigger',
  'traffic.split': 'a traffic split',
  'traffic.tags': 'traffic tags',
  'scaling.min': 'minimum instances (scaling.min)',
  'scaling.concurrency': 'per-instance concurrency above 1 (scaling.concurrency)',
  secrets: 'secrets',
  domains: 'custom domains',
  initializer: 'an initializer',
  'visibility.private': 'private visibility',
};

/**
 * Checks a function against a target before anything is written: declared feature support, limits
 * (memory, timeout, concurrency, runtimes, name, traffic targets) and the adapter's own checks.
 * Returns every issue found; errors stop a deploy.
 *
 * @public
 */
export function checkFunction(adapter: Adapter, fn: ResolvedFunction): CheckIssue[] {
  const issues: CheckIssue[] = [];
  for (const feature of featuresUsed(fn)) {
    const support = supportOf(adapter.capabilities, feature);
    const name = featureNames[feature] ?? feature;
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
  if (adapter.check) issues.push(...adapter.check(fn));
  return issues;
}

/**
 * Throws the first error of {@link checkFunction} as the matching faasport error (unsupported feature,
 * limit, or validation), mentioning the others; returns the warnings.
 *
 * @public
 */
export function assertDeployable(adapter: Adapter, fn: ResolvedFunction): CheckIssue[] {
  const issues = checkFunction(adapter, fn);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length === 0) return issues.filter((i) => i.severity === 'warning');
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
