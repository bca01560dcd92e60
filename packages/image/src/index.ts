/**
 * Container images without a container engine: deterministic layers, a small OCI distribution
 * client, and {@link buildImage}, which builds on a base image and pushes by digest.
 *
 * @packageDocumentation
 */
export { type BuildImageInput, type BuiltImage, buildImage, type ImageSettings } from './build';
export {
  type BlobPush,
  type Descriptor,
  type FetchedManifest,
  mediaTypes,
  type Platform,
  RegistryClient,
  type RegistryClientOptions,
} from './client';
export {
  type CloudRegistry,
  cloudCredentials,
  cloudLoginHint,
  cloudRegistryOf,
  type EcrLogin,
  ecrCredentials,
  swrCredentials,
  swrLoginKey,
} from './cloud';
export { dockerCredentials, type RegistryCredentials } from './credentials';
export {
  buildLayer,
  type Layer,
  type LayerFile,
  type LayerOwner,
  layerTar,
  sha256Digest,
  zipFiles,
} from './layer';
export type { ImageLimits, SizeLimit } from './limits';
export { ENTRY_LABEL, type ImageOverrides, layerFiles, type PulledEntry, pullFaasportEntry } from './pull';
export { formatImageReference, type ImageReference, parseImageReference } from './reference';
