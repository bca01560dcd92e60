import type { ResolvedFunction } from '@faasport/core';
import { CODE_MOUNT_PATH, DEFAULT_PORT, defaultRuntimeImage, ENTRY_FILE } from './constants';
import { entryScript } from './entry-script.generated';
import { parseOptions } from './options';

/** The label that marks an image built by faasport, valued with the contract its entry serves. @public */
export const IMAGE_ENTRY_LABEL = 'dev.faasport.entry';

/** How a function becomes an image for Knative: where it goes, what it builds on, its layers and settings. @public */
export interface KnativeImagePlan {
  /** `host/path/<function>:latest`. */
  target: string;
  insecure: boolean;
  base: string;
  platform: { os: string; architecture: string; variant?: string };
  /** Layers, each a list of files: faasport's entry first (it changes least), the code second. */
  layers: Array<Array<{ path: string; data: Uint8Array | string }>>;
  settings: {
    entrypoint: string[];
    env: Record<string, string>;
    exposedPorts: string[];
    workingDir: string;
    labels: Record<string, string>;
  };
  /** The port the image listens on, for the Service. */
  port: number;
  /** `registry.maxLayerBytes`, when set. */
  maxLayerBytes?: number;
}

/**
 * The image of an inline / dir / archive function for a target with `registry`, or undefined without
 * one: the entry script at the path the ConfigMap mounts today, the code zip beside it (the entry
 * unpacks it as it does from the ConfigMap), and the variables the Service would otherwise set.
 *
 * @public
 */
export function knativeImagePlan(
  fn: ResolvedFunction,
  codeZip: Uint8Array,
  targetOptions: unknown,
): KnativeImagePlan | undefined {
  const options = parseOptions(targetOptions);
  if (!options.registry) return undefined;
  const [os, architecture, variant] = options.imagePlatform.split('/') as [string, string, string?];
  const env: Record<string, string> = {
    PORT: String(DEFAULT_PORT),
    FAASPORT_HANDLER: fn.handler ?? 'index.default',
    FAASPORT_CONTRACT: fn.contract,
    FAASPORT_RUNTIME: fn.runtime,
    FAASPORT_TIMEOUT_SECONDS: String(fn.resources.timeout),
    ...(fn.initializer ? { FAASPORT_INITIALIZER: fn.initializer } : {}),
  };
  return {
    target: `${options.registry.url}/${fn.name}:latest`,
    insecure: options.registry.insecure,
    base: options.baseImage ?? options.runtimeImage ?? defaultRuntimeImage(fn.runtime),
    platform: { os, architecture, ...(variant ? { variant } : {}) },
    layers: [
      [{ path: `${CODE_MOUNT_PATH}/${ENTRY_FILE}`, data: entryScript }],
      [{ path: `${CODE_MOUNT_PATH}/code.zip`, data: codeZip }],
    ],
    settings: {
      entrypoint: ['node', `${CODE_MOUNT_PATH}/${ENTRY_FILE}`],
      env,
      exposedPorts: [`${DEFAULT_PORT}/tcp`],
      workingDir: CODE_MOUNT_PATH,
      labels: { [IMAGE_ENTRY_LABEL]: 'knative' },
    },
    port: DEFAULT_PORT,
    ...(options.registry.maxLayerBytes ? { maxLayerBytes: options.registry.maxLayerBytes } : {}),
  };
}
