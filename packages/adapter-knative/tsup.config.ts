import { defineConfig } from 'tsup';

// Two builds run side by side, so neither cleans: the package's build script empties dist first.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    // import.meta.url in the CommonJS build (the lazy require of @kubernetes/client-node).
    shims: true,
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    // The runtime shim becomes the image's standalone runtime.mjs: core's Web-only handler helpers
    // are bundled in, so the image needs no node_modules.
    entry: { 'runtime/index': 'src/runtime/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    noExternal: ['@faasport/core'],
  },
]);
