import type { AdapterFactory } from '../adapters';

/** The `knative` adapter: Knative Serving and Eventing through the Kubernetes API. */
export const knativeAdapterFactory: AdapterFactory = async ({ options, env }) => {
  const { createKnativeAdapter } = await import('@faasport/adapter-knative');
  return createKnativeAdapter({ ...options, env } as never);
};
