import { defineAdapterModule } from '@faasport/core';
import { offlinePlaceholders } from '@faasport/core/toolkit';
import { createFunctionGraphAdapter } from './deploy/adapter';
import { functionGraphProviderSchema } from './deploy/capabilities';
import { functionGraphImagePlan } from './deploy/image';
import { envVars, functionGraphOptionsSchema } from './options';

/**
 * The `functiongraph` adapter module (specification v1.1): Huawei Cloud FunctionGraph v2. Credentials,
 * project and region come from the target's options or the HUAWEICLOUD_SDK_* variables; offline (render)
 * region and project may be absent and placeholders stand in, since nothing is called.
 *
 * @public
 */
export const adapterModule = defineAdapterModule({
  specificationVersion: 'v1.1',
  name: 'functiongraph',
  description: 'Huawei Cloud FunctionGraph v2',
  // `env` is the process environment, which fromTarget passes: faasport.yaml does not set it.
  optionsSchema: functionGraphOptionsSchema.omit({ env: true }),
  providerOptionsSchema: functionGraphProviderSchema,
  imagePlan: functionGraphImagePlan,
  // The names resolveOptions reads (envVars), as Huawei Cloud's SDKs do.
  secretOptions: {
    credentials: [
      'HUAWEICLOUD_SDK_AK',
      'HUAWEICLOUD_SDK_SK',
      'HUAWEICLOUD_SDK_SECURITY_TOKEN (temporary keys only)',
    ],
  },
  fromTarget({ targetName, options, env, offline }) {
    const o = options as Record<string, any>;
    const placeholders = offlinePlaceholders(
      { offline, options: o, env },
      {
        region: { envNames: envVars.region, value: 'cn-north-4' },
        projectId: { envNames: envVars.projectId, value: '<project-id>' },
      },
    );
    return createFunctionGraphAdapter({ target: targetName, ...placeholders, ...o, env: { ...env } });
  },
});
