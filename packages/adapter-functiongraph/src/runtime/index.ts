/**
 * `@faasport/adapter-functiongraph/runtime`: the shim deployed with every `web` and `event` function on
 * FunctionGraph, and the text of the standalone file the adapter adds to the code package.
 *
 * @packageDocumentation
 */

import { readShimConfig as readShimConfigText, shimFileText } from '@faasport/core/handler';
import type { ShimConfig } from './shim';
import { shimScript } from './shim-script.generated';

export {
  type ApigResult,
  apigResultFrom,
  cloudEventsFrom,
  createFunctionGraphShim,
  type FunctionGraphContext,
  type FunctionGraphShim,
  requestFromApigEvent,
  type ShimConfig,
} from './shim';

/** The file name of the shim inside the code package; the function's handler is `faasport_shim.handler`. @public */
export const shimFileName = 'faasport_shim.js';

/** The FunctionGraph handler string that runs the shim. @public */
export const shimHandler = 'faasport_shim.handler';

/**
 * The standalone CommonJS source of the shim for one function: the function's `config` line above
 * `src/runtime/entry.ts`, which is bundled with core's handler helpers at build time (Node.js built-ins
 * only). FunctionGraph's Node.js runtime loads it as `faasport_shim.js`. The user's module is loaded
 * with `import()`, so ES modules and CommonJS both work.
 *
 * @public
 */
export function shimSource(config: ShimConfig): string {
  return shimFileText(
    '// faasport FunctionGraph shim: runs a portable faasport handler on FunctionGraph. Generated; do not edit.',
    config,
    shimScript,
    ["'use strict';"],
  );
}

/** Reads the config written into a shim file by {@link shimSource}, or `undefined` when it is not one. @public */
export function readShimConfig(source: string): ShimConfig | undefined {
  return readShimConfigText<ShimConfig>(source);
}
