#!/usr/bin/env node
// `npm run docs:capabilities`: writes the capability table of each docs/adapters/*.md page from its
// adapter's declared capabilities. The test that checks the pages (test/capability-docs.test.ts)
// runs in write mode, so the pages are generated from the TypeScript sources by the same code.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', 'test/capability-docs.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FAASPORT_WRITE_CAPABILITY_DOCS: '1' },
});
process.exit(run.status ?? 1);
