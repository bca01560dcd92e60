#!/usr/bin/env node
// The `faasport-runtime` executable. A committed file (not a build output) so that `npm install` can link
// it before `prepare` builds dist/: the server itself lives in dist/bin.js.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'faasport-runtime is not built yet: run `npm run build` in the repository (npm install does it).\n',
  );
  process.exit(1);
}
await import(built.href);
