// The bundling of the Knative entry script, shared by scripts/bundle-entry.mjs and the test that checks
// the generated file is current.

import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

/** The entry script as one ES module: the shim and core's Web-only handler helpers bundled in. */
export function bundleEntryScript() {
  const result = buildSync({
    entryPoints: [fileURLToPath(new URL('../src/runtime/entry.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node18',
    write: false,
    // Fixed, so the path comments in the output do not depend on where it runs.
    absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
    legalComments: 'none',
    alias: {
      '@faasport/core/handler': fileURLToPath(new URL('../../core/src/handler/index.ts', import.meta.url)),
    },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
