import type { CheckIssue, ResolvedFunction } from '@faasport/core';
import { knativeProviderSchema } from './provider-options';

/** Knative-specific offline checks (DESIGN §3): provider options, naming, ranges, FC workload class rules. */
export function checkKnative(fn: ResolvedFunction): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const parsed = knativeProviderSchema.safeParse(fn.providers.knative ?? {});
  // Core reports problems in providers.knative (providerOptionsSchema); the rules below read valid ones.
  if (!parsed.success) return [];
  const p = parsed.data;
  const fromModel: Record<string, string> = {
    'autoscaling.knative.dev/min-scale': 'scaling.min',
    'autoscaling.knative.dev/max-scale': 'scaling.max',
    'autoscaling.knative.dev/target': 'providers.knative.target (or scaling.concurrency)',
    'autoscaling.knative.dev/window': 'scaling.idle',
  };
  for (const key of Object.keys(p.annotations ?? {})) {
    const instead =
      fromModel[key] ??
      (key.startsWith('faasport.dev/') || key.startsWith('fc.revision.serving.knative.aliyun.com/')
        ? 'the fields faasport derives it from'
        : undefined);
    if (instead) {
      issues.push({
        severity: 'error',
        feature: 'providers.knative',
        path: `providers.knative.annotations.${key}`,
        message: `${key} is set by faasport from ${instead}; set that instead`,
      });
    }
  }
  const fc = p.workloadClass === 'fc';
  const label = fn.revision ?? 'r-00000000';
  if (`${fn.name}-${label}`.length + 7 > 63) {
    issues.push({
      severity: 'error',
      feature: 'revision',
      path: 'revision',
      message: `the revision name "${fn.name}-${label}" (plus a 7-character suffix when the name is reused) would be longer than 63 characters`,
      hint: 'Use a shorter function name or revision label.',
    });
  }
  if (fn.scaling.idleSeconds < 6 || fn.scaling.idleSeconds > 3600) {
    issues.push({
      severity: 'error',
      feature: 'scaling.idle',
      path: 'scaling.idle',
      message: `idle ${fn.scaling.idleSeconds}s is outside Knative's autoscaling window`,
      actual: fn.scaling.idleSeconds,
      allowed: '6-3600 seconds (autoscaling.knative.dev/window)',
    });
  }
  if (fn.scaling.max > 0 && fn.scaling.max < fn.scaling.min) {
    issues.push({
      severity: 'error',
      feature: 'scaling.max',
      path: 'scaling.max',
      message: `max ${fn.scaling.max} is below min ${fn.scaling.min}`,
    });
  }
  for (const d of fn.domains) {
    if (d.path) {
      issues.push({
        severity: 'error',
        feature: 'domains',
        path: 'domains',
        message: `domain ${d.host} has path ${d.path}; a Knative DomainMapping maps a whole host`,
        hint: 'Remove the path, or route paths in your ingress.',
      });
    }
  }
  for (const name of [...Object.keys(fn.env), ...Object.keys(fn.secrets)]) {
    if (
      ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'].includes(name) ||
      name.startsWith('FAASPORT_')
    ) {
      issues.push({
        severity: 'error',
        feature: 'env',
        path: `env.${name}`,
        message: `${name} is set by Knative or faasport's entry script and cannot be given`,
      });
    }
  }
  for (const t of fn.triggers) {
    if (t.kind === 'event') {
      for (const key of Object.keys(t.filter)) {
        if (!/^[a-z][a-z0-9]*$/.test(key)) {
          issues.push({
            severity: 'error',
            feature: 'trigger.event',
            path: `triggers.${t.name}.filter.${key}`,
            message: `filter attribute "${key}" is not a CloudEvents attribute name a Knative Trigger accepts (lowercase letters and digits, starting with a letter)`,
            hint: 'Use the attribute name as CloudEvents spells it, e.g. type, source, subject.',
          });
        }
      }
    }
    if (t.kind === 'http' && t.methods.length < 7) {
      issues.push({
        severity: 'warning',
        feature: 'trigger.http',
        path: 'triggers',
        message: `http trigger "${t.name}" allows only ${t.methods.join(', ')}, but a Knative route accepts every method; check the method in the handler`,
      });
    }
  }
  for (const t of fn.traffic) {
    if (t.tag && !/^[a-z]/.test(t.tag)) {
      issues.push({
        severity: 'error',
        feature: 'traffic.tags',
        path: 'traffic',
        message: `tag "${t.tag}" must start with a letter (Knative tags are DNS-1035 labels)`,
      });
    }
    if (t.tag && `${t.tag}-${fn.name}`.length > 63) {
      issues.push({
        severity: 'error',
        feature: 'traffic.tags',
        path: 'traffic',
        message: `tag "${t.tag}" makes the host label "${t.tag}-${fn.name}" longer than 63 characters`,
        hint: 'Use a shorter tag or function name.',
      });
    }
    if (t.tag?.startsWith('rev-')) {
      issues.push({
        severity: 'error',
        feature: 'traffic.tags',
        path: 'traffic',
        message: `tag "${t.tag}" starts with "rev-", which the Knative adapter keeps for per-revision tags`,
        hint: 'Choose another tag.',
      });
    }
  }
  if (
    fn.source.kind === 'image' &&
    fn.source.port &&
    [8012, 8013, 8022, 9090, 9091, 8008].includes(fn.source.port)
  ) {
    issues.push({
      severity: 'error',
      feature: 'source.image',
      path: 'source.image.port',
      message: `port ${fn.source.port} is reserved by Knative's queue-proxy`,
      actual: fn.source.port,
      allowed: 'any port but 8008, 8012, 8013, 8022, 9090, 9091',
    });
  }
  if (fc) {
    if (fn.source.kind === 'dir' || fn.source.kind === 'archive') {
      issues.push({
        severity: 'error',
        feature: `source.${fn.source.kind}`,
        path: 'source',
        message: 'the FC workload class takes inline code, an OSS object or an image',
        hint: 'Upload the zip to OSS and use a bucket source, or use an image source.',
      });
    }
    if (fn.source.kind !== 'image' && fn.contract !== 'native') {
      issues.push({
        severity: 'error',
        feature: `contract.${fn.contract}`,
        path: 'contract',
        message: `the FC workload class runs FC's own handler contract; "${fn.contract}" handlers need the faasport FC shim`,
        hint: "Write the handler in FC's contract and set contract: native, or deploy with the fc adapter, or run it on the stock Node.js image with faasport's entry script (no workloadClass).",
      });
    }
    if (fn.source.kind === 'image' && !p.role) {
      issues.push({
        severity: 'warning',
        feature: 'source.image',
        path: 'providers.knative.role',
        message:
          'an FC image revision usually needs providers.knative.role (rendered as fc.revision.serving.knative.aliyun.com/role-arm) to pull from ACR',
      });
    }
    if (fn.source.kind !== 'image' && !fn.runtime.startsWith('nodejs') && !fn.runtime.startsWith('python')) {
      issues.push({
        severity: 'error',
        feature: 'runtime',
        path: 'runtime',
        message: `runtime ${fn.runtime} has no FC runtime name`,
        actual: fn.runtime,
        allowed: 'nodejs*, python3.*',
      });
    }
  } else {
    if (fn.contract === 'native') {
      issues.push({
        severity: 'error',
        feature: 'contract.native',
        path: 'contract',
        message:
          "faasport's Knative entry script runs web and event handlers; there is no Knative-native handler contract to deploy as-is",
        hint: 'Use contract web or event, build an image that serves HTTP on $PORT (source.image), or set providers.knative.workloadClass: fc for FC handlers.',
      });
    }
    if (fn.source.kind !== 'image' && fn.runtime.startsWith('python')) {
      issues.push({
        severity: 'error',
        feature: 'runtime',
        path: 'runtime',
        message: `faasport's Knative entry script runs Node.js handlers; ${fn.runtime} needs its own image`,
        actual: fn.runtime,
        allowed: 'nodejs18, nodejs20, nodejs22 (or an image source, or workloadClass: fc)',
      });
    }
    if (fn.source.kind === 'bucket' && !fn.source.endpoint) {
      issues.push({
        severity: 'error',
        feature: 'source.bucket',
        path: 'source.bucket.endpoint',
        message:
          "a bucket source on Knative needs source.bucket.endpoint: faasport's entry script downloads <endpoint>/<bucket>/<key> when it starts",
        hint: 'Set the endpoint of an S3-compatible or HTTP store the cluster can reach (objects must be readable without credentials, e.g. a presigned or public URL), or use an image source.',
      });
    }
  }
  return issues;
}
