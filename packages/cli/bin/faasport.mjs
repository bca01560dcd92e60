#!/usr/bin/env node
// The `faasport` executable. A committed file (not a build output) so that `npm install` can link it
// before `prepare` builds dist/: the command itself lives in dist/bin.js.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ keeps the compiled code of the modules a command loads on disk and reuses it on the next
// start (most of start-up is compiling modules); older versions have no such API and compile each time.
module.enableCompileCache?.();

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'faasport is not built yet: run `npm run build` in the repository (npm install does it).\n',
  );
  process.exit(1);
}
await import(built.href);
