import { fcEnvVars, fcImagePlan } from '@faasport/adapter-fc';
import { defineAdapterModule } from '@faasport/core';
import { offlinePlaceholders } from '@faasport/core/toolkit';
import { createFc3Adapter } from './adapter';
import { fc3ProviderSchema } from './mapping';
import { fc3AdapterOptionsSchema } from './options';

/**
 * The `fc3` adapter module (specification v1.1): Alibaba Cloud Function Compute 3.0. Account, region
 * and credentials come from the target's options or the ALIBABA_CLOUD_* variables, as for `fc`; offline
 * (render) they may be absent and placeholders stand in, since nothing is called.
 *
 * @public
 */
export const adapterModule = defineAdapterModule({
  specificationVersion: 'v1.1',
  name: 'fc3',
  description: 'Alibaba Cloud Function Compute 3.0',
  optionsSchema: fc3AdapterOptionsSchema,
  providerOptionsSchema: fc3ProviderSchema,
  // FC 3.0 runs the same custom containers as FC 2.0 (customContainerConfig {image, port}).
  imagePlan: fcImagePlan,
  secretOptions: {
    credentials: [
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'ALIBABA_CLOUD_SECURITY_TOKEN (STS keys only)',
    ],
  },
  fromTarget({ targetName, options, env, offline }) {
    const o = options as Record<string, any>;
    const placeholders = offlinePlaceholders(
      { offline, options: o, env },
      {
        accountId: { envNames: fcEnvVars.accountId, value: '0000000000' },
        region: { envNames: fcEnvVars.region, value: 'cn-hangzhou' },
      },
    );
    return createFc3Adapter({ target: targetName, ...placeholders, ...o, env: { ...env } });
  },
});
