/** What Lambda accepts, as faasport capabilities and limits, and the `providers.lambda` options. */
import { type Capabilities, type ResolvedFunction, ValidationError, z } from '@faasport/core';
import { zodIssues } from '@faasport/core/toolkit';

/**
 * faasport runtime → Lambda runtime identifier (the `Runtime` enum of aws-sdk-js-v3
 * `clients/client-lambda/src/models/enums.ts`; support dates from "Lambda runtimes",
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). `custom` is an OS-only runtime
 * with a `bootstrap` file.
 *
 * @public
 */
export const runtimeMap: Record<string, string> = {
  // nodejs20.x is deprecated (see deprecatedRuntimes): Node.js 20 code runs on nodejs22.x, with a warning.
  nodejs20: 'nodejs22.x',
  nodejs22: 'nodejs22.x',
  // Node.js 24 has no callback-style handlers (the shim is async; check warns for native code).
  nodejs24: 'nodejs24.x',
  'python3.11': 'python3.11',
  'python3.12': 'python3.12',
  'python3.13': 'python3.13',
  custom: 'provided.al2023',
};

/**
 * faasport runtimes whose Lambda runtime is deprecated, with the date: Lambda blocks creating and updating
 * functions on it, so `check` warns, naming the date and the Lambda runtime the function gets instead.
 *
 * @public
 */
export const deprecatedRuntimes: Record<string, { lambda: string; deprecated: string; runsOn: string }> = {
  nodejs20: { lambda: 'nodejs20.x', deprecated: '2026-04-30', runsOn: 'nodejs22.x' },
};

/** Lambda runtimes `providers.lambda.runtime` may pick instead of the mapped one (same language). @public */
export const runtimeOverrides = ['nodejs22.x', 'nodejs24.x', 'python3.12', 'python3.13'] as const;

/**
 * Limits from "Lambda quotas" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
 * memory 128-10,240 MB in 1 MB steps, timeout 900 s, ephemeral storage 512-10,240 MB, invocation payload
 * 6 MB synchronous and 1 MB asynchronous, 4 KB of environment variables, 50 MB zipped direct upload.
 * The name rule is CreateFunction's `FunctionName` (1-64 of letters, digits, `-` and `_`).
 *
 * @public
 */
export const lambdaLimits = {
  ephemeralMb: { min: 512, max: 10_240 },
  environmentBytes: 4096,
  asyncPayloadBytes: 1024 * 1024,
  descriptionChars: 256,
} as const;

/** What Lambda can do, as faasport features and limits. @public */
export const lambdaCapabilities: Capabilities = {
  features: {
    'source.inline': 'native',
    'source.dir': 'native',
    'source.archive': 'native',
    'source.bucket': {
      level: 'native',
      note: 'S3Bucket / S3Key; the archive is deployed as-is, so use contract native',
    },
    'source.image': {
      level: 'native',
      note: 'PackageType Image: the image implements the Lambda runtime API (an AWS base image or the Lambda Web Adapter)',
    },
    'contract.web': {
      level: 'emulated',
      note: 'a bundled shim maps function-URL events to Request/Response',
    },
    'contract.event': {
      level: 'emulated',
      note: 'a bundled shim delivers Scheduler, S3 and SQS events as CloudEvents',
    },
    'contract.native': 'native',
    'trigger.http': { level: 'native', note: 'a function URL on the main alias (AuthType NONE)' },
    'trigger.http.private': {
      level: 'native',
      note: 'a function URL with AuthType AWS_IAM (SigV4-signed calls)',
    },
    'trigger.schedule': {
      level: 'native',
      note: 'an EventBridge Scheduler schedule (6-field cron with ScheduleExpressionTimezone)',
    },
    'trigger.storage': {
      level: 'native',
      note: 'an S3 bucket notification (LambdaFunctionConfiguration) on the main alias, with the invoke permission for s3.amazonaws.com',
    },
    'trigger.queue': {
      level: 'native',
      note: 'an SQS event source mapping; the queue ARN comes from targets.<t>.queues.<topic>.arn',
    },
    'trigger.event': {
      level: 'unsupported',
      note: 'CloudEvents brokers have no exact Lambda equivalent',
      instead:
        'Create an EventBridge rule that targets the function\'s "main" alias (its event pattern replaces the filter), or deploy to knative or local.',
    },
    'traffic.split': {
      level: 'native',
      note: 'alias with RoutingConfig.AdditionalVersionWeights: two versions',
    },
    'traffic.tags': { level: 'emulated', note: 'one alias per tag' },
    'scaling.min': { level: 'native', note: 'provisioned concurrency on the main alias' },
    'scaling.max': { level: 'native', note: 'reserved concurrency, when not the default 100' },
    'scaling.concurrency': {
      level: 'unsupported',
      note: 'Lambda serves one request per execution environment',
      instead:
        'Remove scaling.concurrency (1 is the only value); raise scaling.max for more parallel requests.',
    },
    'scaling.toZero': 'native',
    secrets: {
      level: 'native',
      note: 'environment variables, encrypted at rest with KMS; readable by whoever may read the function configuration',
    },
    domains: {
      level: 'unsupported',
      instead: 'Put a CloudFront distribution or an API Gateway custom domain in front of the function URL.',
    },
    initializer: {
      level: 'unsupported',
      note: 'Lambda has no initializer hook',
      instead: 'Run initialization at module load (top-level code runs once per execution environment).',
    },
    'visibility.private': {
      level: 'unsupported',
      instead: 'Use an http trigger with auth: private (a function URL with AWS_IAM auth) instead.',
    },
    logs: {
      level: 'unsupported',
      note: 'Lambda writes function logs to CloudWatch Logs (log group /aws/lambda/<function>), which this adapter does not read yet',
      instead: 'aws logs tail /aws/lambda/<function> --follow',
    },
  },
  limits: {
    memoryMb: { min: 128, max: 10_240, description: '128-10240 MB' },
    timeoutSeconds: { min: 1, max: 900, description: '1-900 seconds' },
    trafficTargets: 2,
    codeBytes: 50 * 1024 * 1024,
    payloadBytes: 6 * 1024 * 1024,
    name: {
      pattern: /^[A-Za-z0-9_-]{1,64}$/,
      maxLength: 64,
      description: '1-64 letters, digits, "-" or "_"',
    },
    runtimes: Object.keys(runtimeMap),
  },
};

/** `providers.lambda` of a function: Lambda-only settings. @public */
export const lambdaProviderSchema = z.strictObject({
  /** The execution role ARN; overrides the target's `role`. */
  role: z
    .string()
    .regex(/^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { error: 'is not an IAM role ARN' })
    .optional(),
  /** A newer Lambda runtime of the same language than faasport's runtime maps to, e.g. `nodejs24.x`. */
  runtime: z.enum(runtimeOverrides).optional(),
  /** The role EventBridge Scheduler assumes to invoke the function; default the execution role. */
  schedulerRole: z
    .string()
    .regex(/^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { error: 'is not an IAM role ARN' })
    .optional(),
  /** `x86_64` (default) or `arm64`. */
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  /** CORS of the function URL (`Cors` of CreateFunctionUrlConfig). */
  cors: z
    .strictObject({
      allowOrigins: z.array(z.string().min(1)).min(1).max(100),
      allowHeaders: z.array(z.string().min(1)).max(100).optional(),
      exposeHeaders: z.array(z.string().min(1)).max(100).optional(),
      allowCredentials: z.boolean().optional(),
      maxAge: z.number().int().min(0).max(86_400).optional(),
    })
    .optional(),
});

/** Provider options of a function, validated. */
export type ProviderOptions = z.infer<typeof lambdaProviderSchema>;

/** Reads `fn.providers.lambda`; throws ValidationError naming the field. */
export function providerOptions(fn: ResolvedFunction): ProviderOptions {
  const parsed = lambdaProviderSchema.safeParse(fn.providers.lambda ?? {});
  if (parsed.success) return parsed.data;
  throw new ValidationError(zodIssues(parsed.error, { prefix: ['providers', 'lambda'] }), {
    subject: `function "${fn.name}"`,
    adapter: 'lambda',
  });
}

/** The Lambda runtime identifier of a function (the provider override, else the mapped one). */
export function lambdaRuntimeOf(fn: ResolvedFunction): string | undefined {
  if (fn.source.kind === 'image') return undefined;
  const override = (fn.providers.lambda as { runtime?: string } | undefined)?.runtime;
  return override ?? runtimeMap[fn.runtime];
}
