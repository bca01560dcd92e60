import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'fc/index': 'src/fc/index.ts',
    'fc3/index': 'src/fc3/index.ts',
    'functiongraph/index': 'src/functiongraph/index.ts',
    'kubernetes/index': 'src/kubernetes/index.ts',
    'lambda/index': 'src/lambda/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
