/**
 * The file deployed next to the user's code on FunctionGraph (`faasport_shim.js`, handler
 * `faasport_shim.handler`): the shim for one function. FunctionGraph's Node.js runtime loads it as
 * CommonJS. The function's settings are the `config` line that `shimSource(config)` writes above this
 * bundle, where `readShimConfig` finds them again on export. The user's module is loaded with
 * `import()`, so ES modules and CommonJS both work. Bundled with core's handler helpers into one file
 * by `npm run bundle-shim -w packages/adapter-functiongraph`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createFunctionGraphShim, type ShimConfig } from './shim';

/** The function's settings: the line `shimSource(config)` writes above this bundle. */
declare const config: ShimConfig;

const shim = createFunctionGraphShim(config, (file) => import(pathToFileURL(join(__dirname, file)).href));

export const handler = shim.handler;
