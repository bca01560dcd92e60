import { ConfigurationError, imageTargetOptionsShape, ValidationError, z } from '@faasport/core';
import { loadSetting, queueBindingsSchema, strictWithHints, zodIssues } from '@faasport/core/toolkit';

/** A RAM role ARN, `acs:ram::<account>:role/<name>`. */
export const ramRoleArn = z.string().regex(/^acs:ram::\d+:role\/.+$/, {
  error: (i) => `${JSON.stringify(i.input)} is not a RAM role ARN (acs:ram::<account>:role/<name>)`,
});

/**
 * One topic's binding on FC 2.0 (decision 0013): an MNS topic, read by an `mns_topic` trigger.
 *
 * @public
 */
export const fcQueueBinding = strictWithHints({
  mns: strictWithHints({
    /** The MNS topic name when it differs from the model's topic. */
    topic: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,255}$/, {
        error: (i) =>
          `${JSON.stringify(i.input)} is not an MNS topic name (a letter, then letters, digits and "-")`,
      })
      .optional(),
    /** The topic's region (default: the target's). */
    region: z.string().min(1).optional(),
    /** Only messages with this tag invoke the function (`triggerConfig.filterTag`, at most 16 characters). */
    filterTag: z.string().min(1).max(16).optional(),
    /** The RAM role MNS assumes to invoke the function (it must trust mns.aliyuncs.com); default the target's `invocationRole`. */
    invocationRole: ramRoleArn.optional(),
  }),
});

/** A topic's binding on FC. @public */
export type FcQueueBinding = z.output<typeof fcQueueBinding>;

/**
 * The target options FC 2.0 and FC 3.0 share: account, region, credentials, request settings, the
 * default invocation role and the topic bindings. Each adapter adds its endpoint rule and its own options.
 *
 * @public
 */
export const alibabaTargetFields = {
  /** The Alibaba Cloud account id (the endpoint is `<accountId>.<region>.fc.aliyuncs.com`). */
  accountId: z
    .string()
    .regex(/^\d+$/, { error: (i) => `${JSON.stringify(i.input)} is not an account id (digits only)` })
    .optional(),
  /** The region, e.g. `cn-hangzhou`. */
  region: z
    .string()
    .regex(/^[a-z]{2,}-[a-z0-9-]+$/, {
      error: (i) => `${JSON.stringify(i.input)} is not a region id (e.g. cn-hangzhou)`,
    })
    .optional(),
  credentials: z
    .strictObject({
      accessKeyId: z.string().min(1).optional(),
      accessKeySecret: z.string().min(1).optional(),
      /** An STS token; needed with an `STS.` access key. */
      securityToken: z.string().min(1).optional(),
    })
    .optional(),
  /** Request timeout in milliseconds (default 60000). */
  timeoutMs: z.number().int().positive().optional(),
  /** Attempts for retryable errors (throttling, 5xx, network), default 4. */
  maxAttempts: z.number().int().min(1).max(10).optional(),
  /** First backoff in milliseconds, doubled each retry with jitter (default 200). */
  retryBaseMs: z.number().int().min(0).optional(),
  /** The target name shown in errors and results (default: the adapter's name). */
  target: z.string().optional(),
  /**
   * The RAM role OSS (and MNS) assume to invoke functions of storage (and queue) triggers, for every
   * function of this target that sets none in its provider options (FC's CreateTrigger requires one).
   */
  invocationRole: ramRoleArn.optional(),
  /** Where each topic a queue trigger reads lives: `queues.<topic>.mns` (an MNS topic). */
  queues: queueBindingsSchema(fcQueueBinding).optional(),
};

/** Options of {@link createFcAdapter}, validated strictly. @public */
export const fcAdapterOptionsSchema = z.strictObject({
  /** `registry`, `baseImage`, `imagePlatform`: build functions into images and deploy them by digest. */
  ...imageTargetOptionsShape,
  ...alibabaTargetFields,
  /** Overrides the endpoint, e.g. `http://127.0.0.1:9000` for an emulator. Must include the scheme. */
  endpoint: z
    .string()
    .regex(/^https?:\/\/[^/\s]+(\/.*)?$/, {
      error: (i) =>
        `${JSON.stringify(i.input)} is not an http(s) URL (e.g. https://1234.cn-hangzhou.fc.aliyuncs.com)`,
    })
    .optional(),
  /** Use the VPC-internal endpoint (`<region>-internal`); ignored when `endpoint` is set. */
  internal: z.boolean().optional(),
});

/** Options of {@link createFcAdapter}. @public */
export type FcAdapterOptions = z.input<typeof fcAdapterOptionsSchema>;

/** Account, region, credentials and request settings, resolved as both FC targets resolve them. @public */
export interface ResolvedAlibabaSettings {
  accountId: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** Set when a credential is missing: thrown by the first API call. */
  credentialError?: ConfigurationError;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  target: string;
  /** The target's default role for OSS (and MNS) triggers. */
  invocationRole?: string;
  /** The target's topic bindings. */
  queues?: Record<string, FcQueueBinding>;
}

/** Options with credentials and defaults resolved. */
export interface ResolvedFcOptions extends ResolvedAlibabaSettings {
  endpoint: string;
}

/**
 * Environment variables read for each setting, first match wins. `ALIBABA_CLOUD_*` are the names the
 * Alibaba Cloud CLI and SDKs use; `ALICLOUD_*` are the older names (Terraform provider, Serverless Devs).
 */
export const fcEnvVars = {
  accessKeyId: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY'],
  accessKeySecret: ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY'],
  securityToken: ['ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECURITY_TOKEN'],
  accountId: ['ALIBABA_CLOUD_ACCOUNT_ID', 'ALICLOUD_ACCOUNT_ID', 'FC_ACCOUNT_ID'],
  region: ['ALIBABA_CLOUD_REGION', 'ALICLOUD_REGION', 'FC_REGION'],
} as const;

/**
 * Validates a target's options against its adapter's schema and fills account, region and credentials
 * from the environment (`fcEnvVars`). Every credential is registered as a secret, so it never shows in
 * an error or a log line.
 *
 * @throws {@link ValidationError} for a malformed option; {@link ConfigurationError} naming each option
 * and environment variable that is missing when the account id or region is (credentials included). A
 * missing credential alone is kept in `credentialError` and thrown by the first API call.
 * @public
 */
export function resolveAlibabaSettings<
  T extends z.ZodType<z.output<z.ZodObject<typeof alibabaTargetFields>>>,
>(
  schema: T,
  input: unknown,
  env: Record<string, string | undefined>,
  adapter: 'fc' | 'fc3',
): { options: z.output<T>; settings: ResolvedAlibabaSettings } {
  const parsed = schema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success)
    throw new ValidationError(
      // Never echo credential values.
      zodIssues(parsed.error, {
        message: (issue) => (issue.path[0] === 'credentials' ? 'is not valid' : issue.message),
      }),
      { subject: `${adapter} adapter options`, adapter },
    );
  const o = parsed.data as z.output<z.ZodObject<typeof alibabaTargetFields>>;
  const setting = (name: string, envNames: readonly string[], secret = false) =>
    loadSetting({ name, options: o, env, envNames, secret });
  const accountId = setting('accountId', fcEnvVars.accountId) ?? '';
  const region = setting('region', fcEnvVars.region) ?? '';
  const accessKeyId = setting('credentials.accessKeyId', fcEnvVars.accessKeyId) ?? '';
  const accessKeySecret = setting('credentials.accessKeySecret', fcEnvVars.accessKeySecret, true) ?? '';
  const securityToken = setting('credentials.securityToken', fcEnvVars.securityToken, true);
  const missing = (ok: unknown, what: string, option: string, envVar: string) =>
    ok ? [] : [{ what, option, envVar }];
  const missingCredentials = [
    ...missing(
      accessKeyId,
      'the Alibaba Cloud access key id',
      'credentials.accessKeyId',
      fcEnvVars.accessKeyId[0],
    ),
    ...missing(
      accessKeySecret,
      'the Alibaba Cloud access key secret',
      'credentials.accessKeySecret',
      fcEnvVars.accessKeySecret[0],
    ),
    ...missing(
      !accessKeyId.startsWith('STS.') || securityToken,
      'the STS security token (the access key id is a temporary STS key)',
      'credentials.securityToken',
      fcEnvVars.securityToken[0],
    ),
  ];
  const missingTarget = [
    ...missing(accountId, 'the Alibaba Cloud account id', 'accountId', fcEnvVars.accountId[0]),
    ...missing(region, 'the FC region', 'region', fcEnvVars.region[0]),
  ];
  // Without an account and region there is no endpoint: fail now, naming every missing setting at once.
  if (missingTarget.length)
    throw ConfigurationError.missingAll([...missingTarget, ...missingCredentials], adapter);
  // Credentials are checked when the first API call is made, so render() and check() work offline.
  const credentialError = missingCredentials.length
    ? ConfigurationError.missingAll(missingCredentials, adapter)
    : undefined;
  return {
    options: parsed.data,
    settings: {
      accountId,
      region,
      accessKeyId,
      accessKeySecret,
      ...(securityToken ? { securityToken } : {}),
      ...(credentialError ? { credentialError } : {}),
      timeoutMs: o.timeoutMs ?? 60_000,
      maxAttempts: o.maxAttempts ?? 4,
      retryBaseMs: o.retryBaseMs ?? 200,
      target: o.target ?? adapter,
      ...(o.invocationRole ? { invocationRole: o.invocationRole } : {}),
      ...(o.queues ? { queues: o.queues } : {}),
    },
  };
}

/** Validates the `fc` target's options and resolves its settings and endpoint (see {@link resolveAlibabaSettings}). */
export function resolveFcOptions(
  input: unknown,
  env: Record<string, string | undefined> = process.env,
): ResolvedFcOptions {
  const { options: o, settings } = resolveAlibabaSettings(fcAdapterOptionsSchema, input, env, 'fc');
  const endpoint = (
    o.endpoint ??
    `https://${settings.accountId}.${settings.region}${o.internal ? '-internal' : ''}.fc.aliyuncs.com`
  ).replace(/\/+$/, '');
  return { ...settings, endpoint };
}
