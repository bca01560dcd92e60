#!/usr/bin/env node
// The `faasport` executable. A committed file (not a build output) so that `npm install` can link it
// before `prepare` builds dist/: the command itself lives in dist/bin.js.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

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
// `dev` and `serve` host the runtime: they run in a child process with the V8 flags a runtime should have
// (@faasport/runtime/relaunch). Other commands, and help, start as they are (start-up time matters there).
const [command, ...rest] = process.argv.slice(2);
const hostsRuntime =
  (command === 'dev' || command === 'serve') && !rest.some((arg) => arg === '--help' || arg === '-h');
let relaunched = false;
if (hostsRuntime) {
  const { relaunch } = await import('@faasport/runtime/relaunch');
  relaunched = relaunch(fileURLToPath(import.meta.url));
}
if (!relaunched) await import(built.href);
