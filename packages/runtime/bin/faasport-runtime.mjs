#!/usr/bin/env node
// The `faasport-runtime` executable. A committed file (not a build output) so that `npm install` can link
// it before `prepare` builds dist/: the server itself lives in dist/bin.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'faasport-runtime is not built yet: run `npm run build` in the repository (npm install does it).\n',
  );
  process.exit(1);
}
// A server: it runs in a child process with the V8 flags a runtime should have (bin/relaunch.mjs); help
// and version answers need none.
const { relaunch } = await import('./relaunch.mjs');
const answersOnly = process.argv.slice(2).some((arg) => ['--help', '-h', '--version', '-v'].includes(arg));
if (answersOnly || !relaunch(fileURLToPath(import.meta.url))) await import(built.href);
