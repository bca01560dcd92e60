/**
 * `@faasport/adapter-lambda/runtime`: the shim deployed with every `web` and `event` function on Lambda,
 * and the text of the standalone file the adapter adds to the code package.
 *
 * @packageDocumentation
 */
import { createLambdaShim, type ShimConfig } from './shim';

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
 * The standalone ES module source of the shim for one function: no dependencies, loaded by Lambda's
 * Node.js runtime as `faasport_shim.mjs`. The user's module is loaded with `import()`, so ES modules and
 * CommonJS both work.
 *
 * @public
 */
export function shimSource(config: ShimConfig): string {
  return [
    '// faasport Lambda shim: runs a portable faasport handler on AWS Lambda. Generated; do not edit.',
    `const config = ${JSON.stringify(config)};`,
    `const shim = (${createLambdaShim.toString()})(config, (file) => import(new URL(file, import.meta.url).href));`,
    'export const handler = shim.handler;',
    '',
  ].join('\n');
}

/** Reads the config written into a shim file by {@link shimSource}, or `undefined` when it is not one. @public */
export function readShimConfig(source: string): ShimConfig | undefined {
  const match = /^const config = (\{.*\});$/m.exec(source);
  if (!match) return undefined;
  try {
    return JSON.parse(match[1]!) as ShimConfig;
  } catch {
    return undefined;
  }
}
