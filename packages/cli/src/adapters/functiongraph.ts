import type { AdapterFactory } from '../adapters';

/** The `functiongraph` adapter: Huawei Cloud FunctionGraph v2. */
export const functionGraphAdapterFactory: AdapterFactory = async ({ options, env }) => {
  const { createFunctionGraphAdapter } = await import('@faasport/adapter-functiongraph');
  return createFunctionGraphAdapter({ ...options, env } as never);
};
