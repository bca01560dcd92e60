// The Lambda shim file (src/runtime/entry.ts bundled into one ES module): `npm run bundle-shim -w
// packages/adapter-lambda` writes it into src/runtime/shim-script.generated.ts, and the Runtime API
// entry of faasport-built images (src/runtime/container.ts) into
// src/runtime/container-script.generated.ts; test/shim.test.ts fails while either file is stale.
import { pathToFileURL } from 'node:url';
import { writeShimBundle } from '../../../scripts/shim-bundler.mjs';

/** @type {import('../../../scripts/shim-bundler.mjs').ShimBundle} */
export const lambdaShimBundle = {
  packageUrl: new URL('../', import.meta.url).href,
  entry: 'src/runtime/entry.ts',
  out: 'src/runtime/shim-script.generated.ts',
  format: 'esm',
  exportName: 'shimScript',
  summary:
    "faasport's Lambda shim, one ES module with core's handler helpers bundled in (no imports); `shimSource` puts the function's `config` line above it.",
};

/** @type {import('../../../scripts/shim-bundler.mjs').ShimBundle} */
export const lambdaContainerBundle = {
  packageUrl: new URL('../', import.meta.url).href,
  entry: 'src/runtime/container.ts',
  out: 'src/runtime/container-script.generated.ts',
  format: 'esm',
  exportName: 'containerScript',
  summary:
    "faasport's entry of Lambda container images, one ES module with the shim bundled in (Node.js built-ins only): the Runtime API loop.",
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeShimBundle(lambdaShimBundle);
  writeShimBundle(lambdaContainerBundle);
}
