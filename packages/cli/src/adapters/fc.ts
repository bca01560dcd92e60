import type { AdapterFactory } from '../adapters';

/** The `fc` adapter: Alibaba Cloud Function Compute 2.0. */
export const fcAdapterFactory: AdapterFactory = async ({ options, env }) => {
  const { createFcAdapter } = await import('@faasport/adapter-fc');
  return createFcAdapter({ ...options, env } as never);
};
