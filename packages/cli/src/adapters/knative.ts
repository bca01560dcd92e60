import { isAbsolute, resolve } from 'node:path';
import type { AdapterFactory } from '../adapters';

/**
 * The `knative` adapter: Knative Serving and Eventing through the Kubernetes API. The cluster comes
 * from the target's `kubeconfig` (relative to the project) and `context`, or KUBECONFIG; render needs
 * none of it.
 */
export const knativeAdapterFactory: AdapterFactory = async ({ options, env, baseDir }) => {
  const { createKnativeAdapter } = await import('@faasport/adapter-knative');
  const o = { ...options } as Record<string, any>;
  if (typeof o.kubeconfig === 'string' && !isAbsolute(o.kubeconfig))
    o.kubeconfig = resolve(baseDir, o.kubeconfig);
  return createKnativeAdapter({ ...o, env: { ...env } });
};
