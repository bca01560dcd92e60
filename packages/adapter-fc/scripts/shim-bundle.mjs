// The FC shim file (src/runtime/entry.ts bundled into one ES module): `npm run bundle-shim -w packages/adapter-fc`
// writes it into src/runtime/shim-script.generated.ts, and the custom-container entry of faasport-built
// images (src/runtime/container.ts) into src/runtime/container-script.generated.ts; test/shim.test.ts
// fails while either file is stale.
import { pathToFileURL } from 'node:url';
import { writeShimBundle } from '../../../scripts/shim-bundler.mjs';

/** @type {import('../../../scripts/shim-bundler.mjs').ShimBundle} */
export const fcShimBundle = {
  packageUrl: new URL('../', import.meta.url).href,
  entry: 'src/runtime/entry.ts',
  out: 'src/runtime/shim-script.generated.ts',
  format: 'esm',
  exportName: 'shimScript',
  banner:
    '// faasport FC shim: runs a portable faasport handler on Alibaba Cloud Function Compute 2.0. Generated; do not edit.',
  summary:
    "faasport's FC 2.0 shim, one ES module with core's handler helpers bundled in (no imports): `__faasport_fc.mjs`.",
};

/** @type {import('../../../scripts/shim-bundler.mjs').ShimBundle} */
export const fcContainerBundle = {
  packageUrl: new URL('../', import.meta.url).href,
  entry: 'src/runtime/container.ts',
  out: 'src/runtime/container-script.generated.ts',
  format: 'esm',
  exportName: 'containerScript',
  banner:
    '// faasport FC custom-container entry: serves a portable faasport handler on caPort. Generated; do not edit.',
  summary:
    "faasport's entry of FC custom-container images, one ES module with the FC shim bundled in (Node.js built-ins only).",
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeShimBundle(fcShimBundle);
  writeShimBundle(fcContainerBundle);
}
