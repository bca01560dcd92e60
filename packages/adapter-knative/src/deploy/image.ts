import { IMAGE_ENTRY_LABEL, type ImagePlan, type ImagePlanInput, imagePlanTarget } from '@faasport/core';
import { CODE_MOUNT_PATH, DEFAULT_PORT, defaultRuntimeImage, ENTRY_FILE } from './constants';
import { entryScript } from './entry-script.generated';
import { parseOptions } from './options';

/** The label that marks an image built by faasport, valued with the contract its entry serves. @public */
export { IMAGE_ENTRY_LABEL };

/**
 * The image of an inline / dir / archive function for a target with `registry`, or undefined without
 * one: the entry script at the path the ConfigMap mounts today, the code zip beside it (the entry
 * unpacks it as it does from the ConfigMap), and the variables the Service would otherwise set.
 *
 * @public
 */
export function knativeImagePlan({ fn, codeZip, targetOptions }: ImagePlanInput): ImagePlan | undefined {
  const options = parseOptions(targetOptions);
  const where = imagePlanTarget(fn, options, options.runtimeImage ?? defaultRuntimeImage(fn.runtime));
  if (!where) return undefined;
  const env: Record<string, string> = {
    PORT: String(DEFAULT_PORT),
    FAASPORT_HANDLER: fn.handler ?? 'index.default',
    FAASPORT_CONTRACT: fn.contract,
    FAASPORT_RUNTIME: fn.runtime,
    FAASPORT_TIMEOUT_SECONDS: String(fn.resources.timeout),
    ...(fn.initializer ? { FAASPORT_INITIALIZER: fn.initializer } : {}),
  };
  return {
    ...where,
    layers: [
      { files: [{ path: `${CODE_MOUNT_PATH}/${ENTRY_FILE}`, data: entryScript }] },
      { files: [{ path: `${CODE_MOUNT_PATH}/code.zip`, data: codeZip }] },
    ],
    settings: {
      entrypoint: ['node', `${CODE_MOUNT_PATH}/${ENTRY_FILE}`],
      env,
      exposedPorts: [`${DEFAULT_PORT}/tcp`],
      workingDir: CODE_MOUNT_PATH,
      labels: { [IMAGE_ENTRY_LABEL]: 'knative' },
    },
    port: DEFAULT_PORT,
  };
}
