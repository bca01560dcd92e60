/**
 * `@faasport/adapter-lambda/runtime`: the shim deployed with every `web` and `event` function on Lambda,
 * and the text of the standalone file the adapter adds to the code package.
 *
 * @packageDocumentation
 */

import { readShimConfig as readShimConfigText, shimFileText } from '@faasport/core/handler';
import type { ShimConfig } from './shim';
import { shimScript } from './shim-script.generated';

export { type FunctionUrlEventOptions, functionUrlEvent } from './function-url';
export {
  createLambdaShim,
  type FunctionUrlResult,
  type LambdaContext,
  type LambdaShim,
  type ShimConfig,
} from './shim';

/** The file name of the shim inside the code package; the function's handler is `faasport_shim.handler`. @public */
export const shimFileName = 'faasport_shim.mjs';

/** The Lambda handler string that runs the shim. @public */
export const shimHandler = 'faasport_shim.handler';

/**
 * The standalone ES module source of the shim for one function: the function's `config` line above
 * `src/runtime/entry.ts`, which is bundled with core's handler helpers at build time (no imports).
 * Lambda's Node.js runtime loads it as `faasport_shim.mjs`. The user's module is loaded with `import()`,
 * so ES modules and CommonJS both work.
 *
 * @public
 */
export function shimSource(config: ShimConfig): string {
  return shimFileText(
    '// faasport Lambda shim: runs a portable faasport handler on AWS Lambda. Generated; do not edit.',
    config,
    shimScript,
  );
}

/** Reads the config written into a shim file by {@link shimSource}, or `undefined` when it is not one. @public */
export function readShimConfig(source: string): ShimConfig | undefined {
  return readShimConfigText<ShimConfig>(source);
}
