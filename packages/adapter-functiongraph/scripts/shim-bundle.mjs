// The FunctionGraph shim file (src/runtime/entry.ts bundled into one CommonJS module):
// `npm run bundle-shim -w packages/adapter-functiongraph` writes it into
// src/runtime/shim-script.generated.ts, and the custom-image entry of faasport-built images
// (src/runtime/container.ts) into src/runtime/container-script.generated.ts;
// test/runtime-shim.test.ts fails while either file is stale.
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

/** @type {import('../../../scripts/shim-bundler.mjs').ShimBundle} */
export const functionGraphContainerBundle = {
  packageUrl: new URL('../', import.meta.url).href,
  entry: 'src/runtime/container.ts',
  out: 'src/runtime/container-script.generated.ts',
  format: 'cjs',
  exportName: 'containerScript',
  summary:
    "faasport's entry of FunctionGraph custom images, one CommonJS module with the shim bundled in (Node.js built-ins only), serving port 8000.",
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeShimBundle(functionGraphShimBundle);
  writeShimBundle(functionGraphContainerBundle);
}
