import { type ImagePlan, type ImagePlanInput, nodeImagePlan } from '@faasport/core';
import { containerScript } from '../runtime/container-script.generated';

/** Where Lambda images keep the function's code (`LAMBDA_TASK_ROOT` of the AWS base images). */
export const LAMBDA_TASK_ROOT = '/var/task';

/**
 * Lambda's largest image: "Container image code package size: 10 GB (maximum uncompressed image size,
 * including all layers)" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html),
 * read as GiB so that nothing Lambda takes is refused early.
 */
export const LAMBDA_IMAGE_LIMIT = {
  bytes: 10 * 1024 ** 3,
  source: "Lambda's 10 GB uncompressed image limit",
};

/**
 * The image of a `web` or `event` function as a Lambda container image: the entry (a Runtime API
 * client around the Lambda shim) and the code in `/var/task`, with the AWS base images' convention
 * of an ENTRYPOINT that runs the runtime interface client and a CMD naming the handler
 * (https://docs.aws.amazon.com/lambda/latest/dg/images-create.html); undefined without `registry`,
 * or for a `native` function. The adapter deploys it as `PackageType: Image` by digest.
 *
 * @public
 */
export function lambdaImagePlan(input: ImagePlanInput): ImagePlan | undefined {
  const fn = input.fn;
  if (fn.contract === 'native') return undefined;
  return nodeImagePlan(input, {
    contract: 'lambda-runtime-api',
    codeDir: LAMBDA_TASK_ROOT,
    entry: { file: 'faasport_bootstrap.mjs', script: containerScript },
    cmd: [fn.handler ?? 'index.default'],
    env: {
      LAMBDA_TASK_ROOT,
      FAASPORT_CONTRACT: fn.contract,
      ...(fn.revision ? { FAASPORT_REVISION: fn.revision } : {}),
    },
    imageLimit: LAMBDA_IMAGE_LIMIT,
  });
}
