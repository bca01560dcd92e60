import type { AdapterFactory } from '../adapters';
import { localTargetConnection } from '../local-runtime';

/** The `local` adapter: a client of a running bundled runtime (`faasport dev` or `faasport serve`). */
export const localAdapterFactory: AdapterFactory = async ({ options, env, baseDir }) => {
  const { createLocalAdapter } = await import('@faasport/runtime');
  return createLocalAdapter(localTargetConnection(options, env, baseDir));
};
