import { isAbsolute, resolve } from 'node:path';
import { defineAdapterModule } from '@faasport/core';
import { createKnativeAdapter } from './deploy/adapter';
import { knativeImagePlan } from './deploy/image';
import { knativeAdapterOptionsSchema } from './deploy/options';
import { knativeProviderSchema } from './deploy/provider-options';

/**
 * The `knative` adapter module (specification v1.1): Knative Serving and Eventing through the
 * Kubernetes API. The cluster comes from the target's `kubeconfig` (relative to the project) and
 * `context`, or KUBECONFIG; render needs none of it (the client connects on first use).
 *
 * @public
 */
export const adapterModule = defineAdapterModule({
  specificationVersion: 'v1.1',
  name: 'knative',
  description: 'Knative Serving and Eventing on Kubernetes',
  // A loaded KubeConfig object and the environment are for programs: faasport.yaml names a file.
  optionsSchema: knativeAdapterOptionsSchema.omit({ kubeConfig: true, env: true }),
  providerOptionsSchema: knativeProviderSchema,
  imagePlan: knativeImagePlan,
  fromTarget({ targetName, options, env, baseDir }) {
    const o = { ...options } as Record<string, any>;
    if (typeof o.kubeconfig === 'string' && !isAbsolute(o.kubeconfig))
      o.kubeconfig = resolve(baseDir, o.kubeconfig);
    return createKnativeAdapter({ target: targetName, ...o, env: { ...env } });
  },
});
