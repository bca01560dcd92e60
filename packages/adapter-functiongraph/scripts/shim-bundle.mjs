// The FunctionGraph shim file (src/runtime/entry.ts bundled into one CommonJS module):
// `npm run bundle-shim -w packages/adapter-functiongraph` writes it into
// src/runtime/shim-script.generated.ts; test/runtime-shim.test.ts fails while that file is stale.
import { pathToFileURL } from 'node:url';
import { writeShimBundle } from '../../../scripts/shim-bundler.mjs';

/** @type {import('../../../scripts/shim-bundler.mjs').ShimBundle} */
export const functionGraphShimBundle = {
  packageUrl: new URL('../', import.meta.url).href,
  entry: 'src/runtime/entry.ts',
  out: 'src/runtime/shim-script.generated.ts',
  format: 'cjs',
  exportName: 'shimScript',
  summary:
    "faasport's FunctionGraph shim, one CommonJS module with core's handler helpers bundled in (Node.js built-ins only); `shimSource` puts the function's `config` line above it.",
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) writeShimBundle(functionGraphShimBundle);
