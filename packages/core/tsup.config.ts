import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { defineConfig } from 'tsup';
import { projectJsonSchema } from './src/model/json-schema';

export default defineConfig({
  // `handler` is the Web-only part (no zod, no Node APIs) that runtime shims bundle into their images.
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'handler/index': 'src/handler/index.ts',
    'toolkit/index': 'src/toolkit/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Error classes name themselves from `new.target.name`: keep it (esbuild would print `_ConfigurationError`).
  keepNames: true,
  // import.meta.url (lazy dependencies are required relative to it) in the CommonJS build too.
  shims: true,
  external: ['vitest'],
  // zod and yaml each in one module of core's build instead of ~100 and ~75 files to load (see `z` in
  // src/index.ts and `stringifyYaml`: the other packages take both from core).
  noExternal: ['zod', 'yaml'],
  esbuildOptions(options) {
    // yaml's ES module build (its "default" export condition; the "node" one is CommonJS, whose
    // `require('process')` an ES module bundle cannot run). The same code, only its warnings go to
    // console.warn instead of process.emitWarning.
    const yamlRoot = dirname(dirname(createRequire(`${process.cwd()}/`).resolve('yaml')));
    options.alias = { ...options.alias, yaml: join(yamlRoot, 'browser', 'index.js') };
  },
  esbuildPlugins: [
    {
      name: 'zod-english-only',
      setup(build) {
        build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
          args.importer.includes(`${sep}zod${sep}`) ? { path: resolve('build/zod-locales.ts') } : undefined,
        );
      },
    },
  ],
  async onSuccess() {
    // The JSON Schema of faasport.yaml, generated from the zod model at build time, without adapters
    // (they depend on core): @faasport/cli/schema.json adds the bundled adapters' options.
    mkdirSync('dist', { recursive: true });
    writeFileSync('dist/schema.json', `${JSON.stringify(projectJsonSchema(), null, 2)}\n`);
  },
});
