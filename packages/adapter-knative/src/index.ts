/**
 * `@faasport/adapter-knative`: deploy faasport functions to Knative Serving (and Eventing) with
 * `@kubernetes/client-node`, render them as Kubernetes manifests, export live Services back to the
 * neutral model, and import OpenFunction Functions, Knative `func.yaml` files and Service YAML.
 *
 * @packageDocumentation
 */
export { createKnativeAdapter, type KnativeAdapter } from './deploy/adapter';
export { knativeCapabilities } from './deploy/capabilities';
export { defaultRuntimeImage } from './deploy/constants';
export { exportFromObjects, exportServiceYaml } from './deploy/export';
export { IMAGE_ENTRY_LABEL, knativeImagePlan } from './deploy/image';
export { type KnativeAdapterOptions, knativeAdapterOptionsSchema } from './deploy/options';
export { type KnativeProviderOptions, knativeProviderSchema } from './deploy/provider-options';
export { toYaml } from './deploy/yaml';
export { type ImportResult, importFuncYaml, importManifest, importOpenFunction } from './import';
export { adapterModule } from './module';
