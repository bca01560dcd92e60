import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// In-process tests import every workspace package from its TypeScript source, so a change is
// seen without a rebuild. Tests that spawn a bin use the built `dist/` (npm test builds first).
const alias = [
  { find: /^@faasport\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
  { find: /^@faasport\/core\/handler$/, replacement: src('core/src/handler/index.ts') },
  { find: /^@faasport\/core\/toolkit$/, replacement: src('core/src/toolkit/index.ts') },
  { find: /^@faasport\/core$/, replacement: src('core/src/index.ts') },
  { find: /^@faasport\/runtime\/adapter$/, replacement: src('runtime/src/adapter-entry.ts') },
  { find: /^@faasport\/runtime$/, replacement: src('runtime/src/index.ts') },
  { find: /^@faasport\/image$/, replacement: src('image/src/index.ts') },
  { find: /^@faasport\/emulators\/(.*)$/, replacement: src('emulators/src/$1/index.ts') },
  { find: /^@faasport\/emulators$/, replacement: src('emulators/src/index.ts') },
  { find: /^@faasport\/adapter-([a-z0-9]+)\/runtime$/, replacement: src('adapter-$1/src/runtime/index.ts') },
  { find: /^@faasport\/adapter-([a-z0-9]+)$/, replacement: src('adapter-$1/src/index.ts') },
  { find: /^@faasport\/cli$/, replacement: src('cli/src/index.ts') },
];

const project = (name: string, include: string[], extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, include, ...extra },
});

export default defineConfig({
  resolve: { alias },
  test: {
    // Most test files wait on child processes, emulators and sockets rather than compute: two files
    // at once keep a 2-core machine busy, where vitest's default (CPUs - 1) runs them one by one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      project('core', ['packages/core/test/**/*.test.ts'], {
        typecheck: {
          enabled: true,
          include: ['packages/core/test/**/*.test-d.ts'],
          tsconfig: './packages/core/tsconfig.json',
        },
      }),
      project('runtime', ['packages/runtime/test/**/*.test.ts']),
      project('image', ['packages/image/test/**/*.test.ts']),
      project('emulators', ['packages/emulators/test/**/*.test.ts']),
      project('adapter-knative', ['packages/adapter-knative/test/**/*.test.ts']),
      project('adapter-fc', ['packages/adapter-fc/test/**/*.test.ts']),
      project('adapter-fc3', ['packages/adapter-fc3/test/**/*.test.ts']),
      project('adapter-functiongraph', ['packages/adapter-functiongraph/test/**/*.test.ts']),
      project('adapter-lambda', ['packages/adapter-lambda/test/**/*.test.ts']),
      project('cli', ['packages/cli/test/**/*.test.ts']),
      project('e2e', ['test/**/*.test.ts']),
    ],
  },
});
