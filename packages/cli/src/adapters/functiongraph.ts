import { loadSetting } from '@faasport/core/toolkit';
import type { AdapterFactory } from '../adapters';

/**
 * The `functiongraph` adapter: Huawei Cloud FunctionGraph v2. Credentials, project and region come
 * from the target's options or the HUAWEICLOUD_SDK_* variables; offline (render) they may be absent.
 */
export const functionGraphAdapterFactory: AdapterFactory = async ({ targetName, options, env, offline }) => {
  const { createFunctionGraphAdapter, envVars } = await import('@faasport/adapter-functiongraph');
  const o = options as Record<string, any>;
  const has = (name: string, envNames: readonly string[]) =>
    Boolean(loadSetting({ name, options: o, env, envNames }));
  const placeholders = offline
    ? {
        ...(has('region', envVars.region) ? {} : { region: 'cn-north-4' }),
        ...(has('projectId', envVars.projectId) ? {} : { projectId: '<project-id>' }),
      }
    : {};
  return createFunctionGraphAdapter({ target: targetName, ...placeholders, ...o, env: { ...env } });
};
