import {
  alibabaTargetFields,
  type ResolvedAlibabaSettings,
  ramRoleArn,
  resolveAlibabaSettings,
} from '@faasport/adapter-fc';
import { imageTargetOptionsShape } from '@faasport/core';
import { z } from 'zod';

/**
 * Options of {@link createFc3Adapter} (the `fc3` target), validated strictly: the options the `fc`
 * target has too (account, region, credentials, request settings, `invocationRole`, `queues`), its
 * endpoint, and the role every function assumes. @public
 */
export const fc3AdapterOptionsSchema = z.strictObject({
  /** `registry`, `baseImage`, `imagePlatform`: build functions into images and deploy them by digest. */
  ...imageTargetOptionsShape,
  ...alibabaTargetFields,
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
});

/** Options of {@link createFc3Adapter}. @public */
export type Fc3AdapterOptions = z.input<typeof fc3AdapterOptionsSchema>;

/** Options with credentials and defaults resolved. */
export interface ResolvedFc3Options extends ResolvedAlibabaSettings {
  /** The origin, `https://<accountId>.<region>.fc.aliyuncs.com` unless overridden. */
  endpoint: string;
  role?: string;
}

/**
 * Validates the options and fills account, region and credentials from the `ALIBABA_CLOUD_*` variables,
 * as the `fc` target does (`resolveAlibabaSettings` of `@faasport/adapter-fc`). Secrets are registered,
 * so they never show in errors or logs.
 *
 * @throws {@link ValidationError} for a malformed option; {@link ConfigurationError} naming each missing
 * setting when the account id or region is missing. A missing credential alone is thrown by the first call.
 */
export function resolveFc3Options(
  input: unknown,
  env: Record<string, string | undefined> = process.env,
): ResolvedFc3Options {
  const { options: o, settings } = resolveAlibabaSettings(fc3AdapterOptionsSchema, input, env, 'fc3');
  // The FC 3.0 endpoint devsapp/fc3 uses (src/resources/fc/impl/client.ts): <accountId>.<region>.fc.aliyuncs.com.
  const endpoint = (o.endpoint ?? `https://${settings.accountId}.${settings.region}.fc.aliyuncs.com`).replace(
    /\/+$/,
    '',
  );
  return { ...settings, endpoint, ...(o.role ? { role: o.role } : {}) };
}
