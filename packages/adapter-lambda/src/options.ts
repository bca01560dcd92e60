import { ConfigurationError, imageTargetOptionsShape, ValidationError, z } from '@faasport/core';
import { loadSetting, zodIssues } from '@faasport/core/toolkit';

/** An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<path/name>`. */
const roleArn = z.string().regex(/^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, {
  error: (i) => `${JSON.stringify(i.input)} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)`,
});

/** An SQS queue ARN: `arn:<partition>:sqs:<region>:<account>:<queue>`. */
const queueArn = z.string().regex(/^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}(\.fifo)?$/, {
  error: (i) =>
    `${JSON.stringify(i.input)} is not an SQS queue ARN (arn:aws:sqs:us-east-1:123456789012:orders)`,
});

/**
 * Options of the Lambda adapter: the `targets.<t>` block of faasport.yaml (without `adapter`). Unknown keys
 * are errors. Credentials are never options: they come from the AWS SDK's default provider chain
 * (environment, shared config and profiles, SSO, web identity, container and instance metadata).
 *
 * @public
 */
export const lambdaOptionsSchema = z.strictObject({
  /** `registry`, `baseImage`, `imagePlatform`: build functions into images and deploy them by digest. */
  ...imageTargetOptionsShape,
  /** The region, e.g. `eu-west-1`; default `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, {
      error: (i) => `${JSON.stringify(i.input)} is not an AWS region (e.g. us-east-1, eu-west-1)`,
    })
    .optional(),
  /** The API endpoint, for an emulator (`faasport emulate lambda`, moto); default the region's. */
  endpoint: z.url({ error: (i) => `${JSON.stringify(i.input)} is not a URL` }).optional(),
  /** The execution role functions run with; a function may override it with `providers.lambda.role`. */
  role: roleArn.optional(),
  /** Queue bindings of `queue` triggers: `{ <topic>: { arn: <SQS queue ARN> } }`. */
  queues: z.record(z.string(), z.strictObject({ arn: queueArn })).optional(),
  /** Retries of throttled and failed calls (the SDK's own retry strategy; default 3 attempts). */
  retry: z.strictObject({ attempts: z.number().int().min(1).max(10).optional() }).optional(),
  /** The environment to read settings from (default `process.env`). */
  env: z.record(z.string(), z.string().optional()).optional(),
  /** The deploy target's name, shown in results (default `lambda`). */
  target: z.string().min(1).optional(),
});

/** What `createLambdaAdapter` takes. @public */
export type LambdaAdapterOptions = z.input<typeof lambdaOptionsSchema>;

/** The options after validation and environment fallbacks. */
export interface ResolvedOptions {
  region: string;
  endpoint?: string;
  role?: string;
  queues: Record<string, { arn: string }>;
  attempts: number;
  target: string;
  env: Readonly<Record<string, string | undefined>>;
}

const adapter = 'lambda';

/** Validates the options and applies environment fallbacks. @internal */
export function resolveOptions(input: unknown): ResolvedOptions {
  const parsed = lambdaOptionsSchema.safeParse(input ?? {});
  if (!parsed.success)
    throw new ValidationError(zodIssues(parsed.error), { subject: 'the lambda adapter options', adapter });
  const o = parsed.data;
  const env = o.env ?? process.env;
  const region = loadSetting({
    name: 'region',
    options: o,
    env,
    envNames: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  });
  if (!region)
    throw ConfigurationError.missingAll(
      [{ what: 'the AWS region', option: 'region', envVar: 'AWS_REGION' }],
      adapter,
    );
  return {
    region,
    ...(o.endpoint ? { endpoint: o.endpoint.replace(/\/+$/, '') } : {}),
    ...(o.role ? { role: o.role } : {}),
    queues: o.queues ?? {},
    attempts: o.retry?.attempts ?? 3,
    target: o.target ?? adapter,
    env,
  };
}
