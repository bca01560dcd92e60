// The Knative entry script (src/runtime/entry.ts with the runtime shim, bundled into one ES module):
// `npm run bundle-shim -w packages/adapter-knative` writes it into src/deploy/entry-script.generated.ts,
// which the adapter puts into each function's ConfigMap; test/runtime-image.test.ts fails while it is stale.
import { pathToFileURL } from 'node:url';
import { writeShimBundle } from '../../../scripts/shim-bundler.mjs';

/** @type {import('../../../scripts/shim-bundler.mjs').ShimBundle} */
export const knativeShimBundle = {
  packageUrl: new URL('../', import.meta.url).href,
  entry: 'src/runtime/entry.ts',
  out: 'src/deploy/entry-script.generated.ts',
  format: 'esm',
  exportName: 'entryScript',
  summary:
    "faasport's Knative entry script, one ES module with the runtime shim bundled in (Node.js built-ins only).",
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) writeShimBundle(knativeShimBundle);
