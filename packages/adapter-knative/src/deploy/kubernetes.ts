import { createRequire } from 'node:module';
import type * as KubernetesClient from '@kubernetes/client-node';

let loaded: typeof KubernetesClient | undefined;

/**
 * `@kubernetes/client-node`, loaded on first use of a cluster: it is hundreds of modules that
 * checking, planning and rendering manifests (`faasport render`) never need. A synchronous load
 * (Node's `require` of an ES module, Node ≥ 20.19) because the kubeconfig is read from synchronous
 * paths; it is the same module instance an `import` of the package gets.
 */
export function kubernetes(): typeof KubernetesClient {
  loaded ??= createRequire(import.meta.url)('@kubernetes/client-node') as typeof KubernetesClient;
  return loaded;
}
