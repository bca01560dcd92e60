import { defineConfig } from 'tsup';

export default defineConfig({
  // `adapter` is the local adapter alone (an HTTP client of a running runtime): the CLI loads it
  // without the server, SQLite or the executor.
  entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'adapter/index': 'src/adapter-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // import.meta.url locates the worker scripts; shims make it work in the CommonJS build too.
  shims: true,
  target: 'node20',
});
