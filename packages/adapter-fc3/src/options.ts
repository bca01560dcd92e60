import { type FcQueueBinding, fcEnvVars, fcQueueBinding, ramRoleArn } from '@faasport/adapter-fc';
import { ConfigurationError, imageTargetOptionsShape, ValidationError } from '@faasport/core';
import { loadSetting, queueBindingsSchema, zodIssues } from '@faasport/core/toolkit';
import { z } from 'zod';

/** Options of {@link createFc3Adapter} (the `fc3` target), validated strictly. @public */
export const fc3AdapterOptionsSchema = z.strictObject({
  /** `registry`, `baseImage`, `imagePlatform`: build functions into images and deploy them by digest. */
  ...imageTargetOptionsShape,
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
  /** Overrides the endpoint, e.g. `http://127.0.0.1:9000` for an emulator. Must include the scheme. */
  endpoint: z
    .string()
    .regex(/^https?:\/\/[^/\s]+\/?$/, {
      error: (i) =>
        `${JSON.stringify(i.input)} is not an http(s) origin (e.g. https://1234.cn-hangzhou.fc.aliyuncs.com)`,
    })
    .optional(),
  /** The RAM role every function of this target assumes unless `providers.fc3.role` says otherwise. */
  role: ramRoleArn.optional(),
  /** The RAM role OSS assumes to invoke functions of storage triggers (FC requires one for OSS triggers). */
  invocationRole: ramRoleArn.optional(),
  /** Where each topic a queue trigger reads lives: `queues.<topic>.mns` (an MNS topic), as for `fc`. */
  queues: queueBindingsSchema(fcQueueBinding).optional(),
  /** Request timeout in milliseconds (default 60000). */
  timeoutMs: z.number().int().positive().optional(),
  /** Attempts for retryable errors (throttling, 5xx, network), default 4. */
  maxAttempts: z.number().int().min(1).max(10).optional(),
  /** First backoff in milliseconds, doubled each retry with jitter (default 200). */
  retryBaseMs: z.number().int().min(0).optional(),
  /** The target name shown in errors and results (default `fc3`). */
  target: z.string().optional(),
});

/** Options of {@link createFc3Adapter}. @public */
export type Fc3AdapterOptions = z.input<typeof fc3AdapterOptionsSchema>;

/** Options with credentials and defaults resolved. */
export interface ResolvedFc3Options {
  accountId: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** Set when a credential is missing: thrown by the first API call. */
  credentialError?: ConfigurationError;
  /** The origin, `https://<accountId>.<region>.fc.aliyuncs.com` unless overridden. */
  endpoint: string;
  role?: string;
  invocationRole?: string;
  /** The target's topic bindings. */
  queues?: Record<string, FcQueueBinding>;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  target: string;
}

/**
 * Validates the options and fills account, region and credentials from the `ALIBABA_CLOUD_*` variables
 * (the same names as the `fc` target). Secrets are registered, so they never show in errors or logs.
 *
 * @throws {@link ValidationError} for a malformed option; {@link ConfigurationError} naming each missing
 * setting when the account id or region is missing. A missing credential alone is thrown by the first call.
 */
export function resolveFc3Options(
  input: unknown,
  env: Record<string, string | undefined> = process.env,
): ResolvedFc3Options {
  const parsed = fc3AdapterOptionsSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success)
    throw new ValidationError(
      zodIssues(parsed.error, {
        message: (issue) => (issue.path[0] === 'credentials' ? 'is not valid' : issue.message),
      }),
      { subject: 'fc3 adapter options', adapter: 'fc3' },
    );
  const o = parsed.data;
  const setting = (name: string, envNames: readonly string[], secret = false) =>
    loadSetting({ name, options: o, env, envNames, secret });
  const accountId = setting('accountId', fcEnvVars.accountId) ?? '';
  const region = setting('region', fcEnvVars.region) ?? '';
  const accessKeyId = setting('credentials.accessKeyId', fcEnvVars.accessKeyId) ?? '';
  const accessKeySecret = setting('credentials.accessKeySecret', fcEnvVars.accessKeySecret, true) ?? '';
  const securityToken = setting('credentials.securityToken', fcEnvVars.securityToken, true);
  const missingCredentials = [
    ...(accessKeyId
      ? []
      : [
          {
            what: 'the Alibaba Cloud access key id',
            option: 'credentials.accessKeyId',
            envVar: fcEnvVars.accessKeyId[0],
          },
        ]),
    ...(accessKeySecret
      ? []
      : [
          {
            what: 'the Alibaba Cloud access key secret',
            option: 'credentials.accessKeySecret',
            envVar: fcEnvVars.accessKeySecret[0],
          },
        ]),
    ...(accessKeyId.startsWith('STS.') && !securityToken
      ? [
          {
            what: 'the STS security token (the access key id is a temporary STS key)',
            option: 'credentials.securityToken',
            envVar: fcEnvVars.securityToken[0],
          },
        ]
      : []),
  ];
  const missingTarget = [
    ...(accountId
      ? []
      : [{ what: 'the Alibaba Cloud account id', option: 'accountId', envVar: fcEnvVars.accountId[0] }]),
    ...(region ? [] : [{ what: 'the FC region', option: 'region', envVar: fcEnvVars.region[0] }]),
  ];
  if (missingTarget.length)
    throw ConfigurationError.missingAll([...missingTarget, ...missingCredentials], 'fc3');
  const credentialError = missingCredentials.length
    ? ConfigurationError.missingAll(missingCredentials, 'fc3')
    : undefined;
  // The FC 3.0 endpoint devsapp/fc3 uses (src/resources/fc/impl/client.ts): <accountId>.<region>.fc.aliyuncs.com.
  const endpoint = (o.endpoint ?? `https://${accountId}.${region}.fc.aliyuncs.com`).replace(/\/+$/, '');
  return {
    accountId,
    region,
    accessKeyId,
    accessKeySecret,
    ...(securityToken ? { securityToken } : {}),
    ...(credentialError ? { credentialError } : {}),
    endpoint,
    ...(o.role ? { role: o.role } : {}),
    ...(o.invocationRole ? { invocationRole: o.invocationRole } : {}),
    ...(o.queues ? { queues: o.queues } : {}),
    timeoutMs: o.timeoutMs ?? 60_000,
    maxAttempts: o.maxAttempts ?? 4,
    retryBaseMs: o.retryBaseMs ?? 200,
    target: o.target ?? 'fc3',
  };
}
