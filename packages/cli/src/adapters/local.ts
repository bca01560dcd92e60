import type { AdapterFactory } from '../adapters';
import { localTargetConnection } from '../local-runtime';

/**
 * The `local` adapter: a client of a running bundled runtime (`faasport dev` or `faasport serve`).
 * Offline (render) it needs no runtime: nothing is called.
 */
export const localAdapterFactory: AdapterFactory = async ({ options, env, baseDir, offline }) => {
  const { createLocalAdapter } = await import('@faasport/runtime/adapter');
  if (offline) return createLocalAdapter({ url: 'http://127.0.0.1:0', token: 'offline'.padEnd(16, '-') });
  return createLocalAdapter(localTargetConnection(options, env, baseDir));
};
