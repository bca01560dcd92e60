import { defineConfig } from 'tsup';

export default defineConfig({
  // `bin` keeps the shebang of src/bin.ts; tsup marks it executable. Commands and adapters are
  // dynamic imports, so they become chunks loaded on first use.
  entry: { index: 'src/index.ts', bin: 'src/bin.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // citty is bundled so that its consola import goes to a small stand-in: the CLI uses citty's
  // `runCommand` only, and consola at import costs every command start-up time.
  noExternal: ['citty'],
  esbuildOptions(options) {
    options.alias = { consola: './src/citty-consola.ts', 'consola/utils': './src/citty-consola.ts' };
  },
  async onSuccess() {
    // The JSON Schema of faasport.yaml with the bundled adapters' options (core alone knows none).
    const { writeFileSync } = await import('node:fs');
    const { bundledProjectJsonSchema } = await import(`${process.cwd()}/dist/index.js`);
    writeFileSync('dist/schema.json', `${JSON.stringify(await bundledProjectJsonSchema(), null, 2)}\n`);
  },
});
