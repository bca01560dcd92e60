/** The offline checks of a function against Lambda beyond its declared capabilities. */
import { type CheckIssue, providerOptionIssues, type ResolvedFunction } from '@faasport/core';
import type { ResolvedOptions } from '../options';
import {
  deprecatedRuntimes,
  lambdaLimits,
  lambdaProviderSchema,
  lambdaRuntimeOf,
  type ProviderOptions,
  providerOptions,
} from './capabilities';
import { mainAlias } from './context';
import { toSchedulerExpression } from './cron';

/** The default `scaling.max` of the model: left as it is, it reserves no concurrency. */
export const defaultMaxScale = 100;

/**
 * The offline checks of a function against Lambda beyond its declared capabilities: the execution role,
 * deprecated runtimes (with the date), the shim's language, environment size, one function URL, Scheduler
 * cron, queue bindings, alias names.
 *
 * @public
 */
export function checkForLambda(
  fn: ResolvedFunction,
  target: Pick<ResolvedOptions, 'role' | 'queues' | 'target'>,
): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const optionIssues = providerOptionIssues('lambda', lambdaProviderSchema, fn.providers.lambda);
  issues.push(...optionIssues);
  const provider: ProviderOptions = optionIssues.length ? {} : providerOptions(fn);
  const error = (
    feature: string,
    path: string,
    message: string,
    hint?: string,
    extra: Partial<CheckIssue> = {},
  ) => issues.push({ severity: 'error', feature, path, message, ...(hint ? { hint } : {}), ...extra });
  const warn = (feature: string, path: string, message: string) =>
    issues.push({ severity: 'warning', feature, path, message });

  if (!provider.role && !target.role)
    error(
      'role',
      'providers.lambda.role',
      'a Lambda function needs an execution role, and neither the target nor the function names one',
      `Set targets.${target.target}.role (or providers.lambda.role) to an IAM role ARN that lambda.amazonaws.com may assume.`,
    );
  const deprecated =
    fn.source.kind === 'image' || provider.runtime ? undefined : deprecatedRuntimes[fn.runtime];
  if (deprecated)
    issues.push({
      severity: 'warning',
      feature: 'runtime',
      path: 'runtime',
      message: `Lambda deprecated ${deprecated.lambda} on ${deprecated.deprecated} and blocks creating and updating functions on it (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html); ${fn.name} runs on ${deprecated.runsOn}`,
      hint: 'Set runtime: nodejs22 (or providers.lambda.runtime: nodejs24.x) to say so.',
    });
  // "Starting with Node.js 24, callback-based function handlers are no longer supported"
  // (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html); faasport's shim is async.
  if (fn.contract === 'native' && fn.source.kind !== 'image' && lambdaRuntimeOf(fn) === 'nodejs24.x')
    warn(
      'runtime',
      'runtime',
      'Lambda runs nodejs24.x handlers as async functions only: a callback-style handler (event, context, callback) fails there; return a value or a promise instead',
    );
  if (provider.runtime && fn.source.kind !== 'image') {
    const family = (r: string) => (r.startsWith('nodejs') ? 'nodejs' : r.startsWith('python') ? 'python' : r);
    if (family(provider.runtime) !== family(fn.runtime))
      error(
        'runtime',
        'providers.lambda.runtime',
        `providers.lambda.runtime ${provider.runtime} is not a ${family(fn.runtime)} runtime like runtime ${fn.runtime}`,
        'Pick a Lambda runtime of the same language, or change runtime too.',
      );
  }
  const isImage = fn.source.kind === 'image';
  if (!isImage && fn.contract !== 'native' && !fn.runtime.startsWith('nodejs'))
    error(
      'contract',
      'contract',
      `the ${fn.contract} contract runs through a Node.js shim, so it needs a nodejs runtime (runtime is ${JSON.stringify(fn.runtime)})`,
      'Use runtime nodejs22, or contract: native with a Lambda handler.',
    );
  if (fn.source.kind === 'bucket' && fn.contract !== 'native')
    error(
      'contract',
      'contract',
      `an S3 bucket source is deployed as-is, so the ${fn.contract} contract's shim cannot be added`,
      'Use contract: native with a Lambda handler, or a dir / archive source.',
    );
  if (fn.runtime === 'custom' && !isImage && fn.contract !== 'native')
    error(
      'contract',
      'contract',
      'runtime custom deploys a bootstrap file (provided.al2023); set contract: native',
    );
  if (fn.source.kind === 'image') {
    if (fn.source.user)
      warn(
        'source.image',
        'source.image.user',
        'Lambda runs images as its own user; source.image.user is not applied',
      );
    if (fn.source.port !== 8080)
      warn(
        'source.image',
        'source.image.port',
        'a Lambda image talks to the Lambda runtime API, not to a port; source.image.port is not applied',
      );
  }
  if (fn.resources.cpu !== undefined)
    warn(
      'resources.cpu',
      'resources.cpu',
      `Lambda sizes CPU from memory; resources.cpu ${fn.resources.cpu} is not applied (raise resources.memory for more CPU)`,
    );
  const disk = fn.resources.disk;
  if (disk !== undefined && (disk < lambdaLimits.ephemeralMb.min || disk > lambdaLimits.ephemeralMb.max))
    error('resources.disk', 'resources.disk', `ephemeral storage ${disk} MB`, undefined, {
      actual: disk,
      allowed: `${lambdaLimits.ephemeralMb.min}-${lambdaLimits.ephemeralMb.max} MB (EphemeralStorage.Size)`,
    });
  // Lambda counts the keys and values of all variables, secrets included, against 4 KB.
  const envBytes = [...Object.entries(fn.env), ...Object.keys(fn.secrets).map((k) => [k, ''])].reduce(
    (sum, [k, v]) => sum + Buffer.byteLength(k!) + Buffer.byteLength(v!),
    0,
  );
  if (envBytes > lambdaLimits.environmentBytes)
    error('env', 'env', `the environment variables take ${envBytes} bytes`, undefined, {
      actual: envBytes,
      allowed: `at most ${lambdaLimits.environmentBytes} bytes of names and values (secrets included)`,
    });
  const http = fn.triggers.filter((t) => t.kind === 'http');
  if (http.length > 1)
    error(
      'trigger.http',
      'triggers',
      `${http.length} http triggers, but a function alias has one function URL`,
      'Keep one http trigger.',
    );
  const restricted = http.find((t) => t.methods.length < 7);
  if (restricted)
    warn(
      'trigger.http',
      'triggers',
      `a function URL answers every method; methods ${restricted.methods.join(', ')} only restrict CORS (AllowMethods), not other callers`,
    );
  if (fn.scaling.min > 0 && fn.scaling.max !== defaultMaxScale && fn.scaling.min > fn.scaling.max)
    error(
      'scaling.min',
      'scaling.min',
      `provisioned concurrency ${fn.scaling.min} exceeds reserved concurrency ${fn.scaling.max}`,
      undefined,
      {
        actual: fn.scaling.min,
        allowed: `at most scaling.max (${fn.scaling.max})`,
      },
    );
  for (const t of fn.triggers) {
    if (t.kind === 'schedule') {
      try {
        toSchedulerExpression(t.cron);
      } catch (e) {
        error(
          'trigger.schedule',
          'triggers',
          `schedule ${JSON.stringify(t.cron)}: ${(e as Error).message}`,
          'Restrict day-of-month or day-of-week, not both.',
        );
      }
    }
    if (t.kind === 'queue' && !target.queues[t.topic])
      error(
        'trigger.queue',
        'triggers',
        `queue trigger topic ${JSON.stringify(t.topic)} has no SQS queue on target "${target.target}"`,
        `Bind it: targets.${target.target}.queues.${t.topic}.arn: arn:aws:sqs:<region>:<account>:<queue>.`,
      );
  }
  const storage = fn.triggers.filter((t) => t.kind === 'storage');
  for (const [i, t] of storage.entries()) {
    // "General purpose bucket naming rules" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(t.bucket) || t.bucket.includes('..'))
      error(
        'trigger.storage',
        'triggers',
        `storage trigger bucket ${JSON.stringify(t.bucket)} is not an S3 bucket name (3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit)`,
        'Name the S3 bucket the function should watch.',
      );
    // S3 refuses two entries of one bucket whose events and key filters overlap ("Configurations overlap").
    const clash = storage
      .slice(0, i)
      .find(
        (o) =>
          o.bucket === t.bucket &&
          o.events.some((e) => t.events.includes(e)) &&
          ((o.prefix ?? '').startsWith(t.prefix ?? '') || (t.prefix ?? '').startsWith(o.prefix ?? '')) &&
          ((o.suffix ?? '').endsWith(t.suffix ?? '') || (t.suffix ?? '').endsWith(o.suffix ?? '')),
      );
    if (clash)
      error(
        'trigger.storage',
        'triggers',
        `storage triggers ${clash.name} and ${t.name} watch the same events of bucket ${t.bucket} with overlapping prefix/suffix, which S3 refuses`,
        'Merge them into one trigger, or give them prefixes (or suffixes) that do not overlap.',
      );
  }
  for (const t of fn.traffic) {
    if (t.tag && (t.tag === mainAlias || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.tag) || /^\d+$/.test(t.tag)))
      error(
        'traffic.tags',
        'traffic',
        `tag ${JSON.stringify(t.tag)} cannot be a Lambda alias (1-128 letters, digits, "-" or "_", not only digits; "${mainAlias}" is the alias faasport routes through)`,
      );
  }
  return issues;
}
