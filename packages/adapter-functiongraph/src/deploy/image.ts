import { type ImagePlan, type ImagePlanInput, nodeImagePlan } from '@faasport/core';
import { containerScript } from '../runtime/container-script.generated';
import { shimConfigOf } from './function-body';

/** The one port FunctionGraph calls a custom image on. */
export const CUSTOM_IMAGE_PORT = 8000;

/** The user and group FunctionGraph runs custom images as (overridable, never root). */
export const CUSTOM_IMAGE_OWNER = { uid: 1003, gid: 1003 };

/**
 * FunctionGraph's largest custom image: "Image ≤ 10 GB"
 * (https://docs.otc.t-systems.com/function-graph/umn/creating_a_function/creating_a_function_with_an_image.html),
 * read as GiB so that nothing FunctionGraph takes is refused early.
 */
export const FUNCTIONGRAPH_IMAGE_LIMIT = {
  bytes: 10 * 1024 ** 3,
  source: "FunctionGraph's 10 GB custom-image limit",
};

/**
 * The image of a `web` or `event` function as a FunctionGraph custom image: the entry serving port
 * 8000 (`/init`, `/invoke`, and HTTP calls) with the shim, the code beside it in `/code`, every file
 * owned by 1003:1003 and the image running as that user, as FunctionGraph runs it; undefined without
 * `registry`, or for a `native` function. The adapter deploys it as `custom_image` by digest.
 *
 * @public
 */
export function functionGraphImagePlan(input: ImagePlanInput): ImagePlan | undefined {
  const fn = input.fn;
  if (fn.contract === 'native') return undefined;
  const config = shimConfigOf(
    fn,
    input.codeFiles.map((f) => f.path),
    fn.revision ?? 'latest',
  );
  return nodeImagePlan(input, {
    contract: 'functiongraph-custom-image',
    codeDir: '/code',
    // `.cjs`: the user's code may hold a package.json of `"type": "module"`.
    entry: { file: 'faasport_container.cjs', script: containerScript },
    env: {
      FAASPORT_SHIM_CONFIG: JSON.stringify(config),
      ...(fn.initializer ? { FAASPORT_INITIALIZER: fn.initializer } : {}),
    },
    port: CUSTOM_IMAGE_PORT,
    owner: CUSTOM_IMAGE_OWNER,
    imageLimit: FUNCTIONGRAPH_IMAGE_LIMIT,
  });
}
