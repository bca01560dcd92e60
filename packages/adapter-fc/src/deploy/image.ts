import { type ImagePlan, type ImagePlanInput, nodeImagePlan } from '@faasport/core';
import { containerScript } from '../runtime/container-script.generated';
import { envKeys } from './mapping';

/** FC's default port of a custom container (`caPort`, reference A15). */
export const FC_CONTAINER_PORT = 9000;

/**
 * FC's largest custom-container image: "the maximum uncompressed image size is 10 GB for CPU
 * instances" (https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/custom-container),
 * read as GiB so that nothing FC takes is refused early.
 */
export const FC_IMAGE_LIMIT = {
  bytes: 10 * 1024 ** 3,
  source: "Function Compute's 10 GB uncompressed custom-container limit",
};

/** The entry of FC custom-container images, beside the code in `/code` (FC's code folder). */
export const containerFileName = '__faasport_fc_container.mjs';

/**
 * The image of a `web` or `event` function as an FC custom container (FC 2.0 and 3.0 alike): the
 * entry serving FC's custom-container contract on port 9000, the code beside it in `/code`, and the
 * shim's variables; undefined without `registry`, or for a `native` function (its handler needs FC's
 * own runtime). The adapters deploy it as `customContainerConfig` by digest.
 *
 * @public
 */
export function fcImagePlan(input: ImagePlanInput): ImagePlan | undefined {
  const fn = input.fn;
  if (fn.contract === 'native') return undefined;
  return nodeImagePlan(input, {
    contract: 'fc-custom-container',
    codeDir: '/code',
    entry: { file: containerFileName, script: containerScript },
    env: {
      [envKeys.handler]: fn.handler ?? 'index.default',
      [envKeys.contract]: fn.contract,
      ...(fn.initializer ? { [envKeys.initializer]: fn.initializer } : {}),
      FC_SERVER_PORT: String(FC_CONTAINER_PORT),
    },
    port: FC_CONTAINER_PORT,
    imageLimit: FC_IMAGE_LIMIT,
  });
}
