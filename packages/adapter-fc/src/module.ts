import { defineAdapterModule } from '@faasport/core';
import { loadSetting, offlinePlaceholders } from '@faasport/core/toolkit';
import { createFcAdapter } from './deploy/adapter';
import { fcImagePlan } from './deploy/image';
import { fcProviderSchema } from './deploy/mapping';
import { fcAdapterOptionsSchema, fcEnvVars } from './deploy/options';

/**
 * The `fc` adapter module (specification v1.1): Alibaba Cloud Function Compute 2.0. Credentials,
 * account and region come from the target's options or the ALIBABA_CLOUD_* variables; offline (render)
 * they may be absent and placeholders stand in, since nothing is called.
 *
 * @public
 */
export const adapterModule = defineAdapterModule({
  specificationVersion: 'v1.1',
  name: 'fc',
  description: 'Alibaba Cloud Function Compute 2.0',
  optionsSchema: fcAdapterOptionsSchema,
  providerOptionsSchema: fcProviderSchema,
  imagePlan: fcImagePlan,
  // The names resolveFcOptions reads (fcEnvVars), as the Alibaba Cloud CLI and SDKs do.
  secretOptions: {
    credentials: [
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'ALIBABA_CLOUD_SECURITY_TOKEN (STS keys only)',
    ],
  },
  fromTarget({ targetName, options, env, offline }) {
    const o = options as Record<string, any>;
    const has = (name: string, envNames: readonly string[]) =>
      Boolean(loadSetting({ name, options: o, env, envNames }));
    const placeholders = offlinePlaceholders(
      { offline, options: o, env },
      {
        accountId: { envNames: fcEnvVars.accountId, value: '0000000000' },
        region: { envNames: fcEnvVars.region, value: 'cn-hangzhou' },
      },
    );
    // FC 2.0's options require keys when the adapter is made; offline, stand-ins fill the pair.
    if (
      offline &&
      !o.credentials &&
      !(
        has('credentials.accessKeyId', fcEnvVars.accessKeyId) &&
        has('credentials.accessKeySecret', fcEnvVars.accessKeySecret)
      )
    )
      placeholders.credentials = { accessKeyId: 'offline', accessKeySecret: 'offline' };
    return createFcAdapter({ target: targetName, ...placeholders, ...o, env: { ...env } });
  },
});
