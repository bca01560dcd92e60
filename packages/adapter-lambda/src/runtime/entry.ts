/**
 * The file deployed next to the user's code on Lambda (`faasport_shim.mjs`, handler
 * `faasport_shim.handler`): the shim for one function. The function's settings are the `config` line
 * that `shimSource(config)` writes above this bundle, where `readShimConfig` finds them again on export.
 * The user's module is loaded with `import()`, so ES modules and CommonJS both work. Bundled with core's
 * handler helpers into one file by `npm run bundle-shim -w packages/adapter-lambda`.
 */
import { createLambdaShim, type ShimConfig } from './shim';

/** The function's settings: the line `shimSource(config)` writes above this bundle. */
declare const config: ShimConfig;

const shim = createLambdaShim(config, (file) => import(new URL(`./${file}`, import.meta.url).href));

export const handler = shim.handler;
