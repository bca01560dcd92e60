#!/usr/bin/env node
import { runCli } from './cli';

/**
 * The `faasport` executable: runs the command line against the real process streams and exits
 * with its code (0 success, 1 failure, 2 usage error). Ctrl-C aborts the running command cleanly
 * (servers close, child processes stop); a second Ctrl-C exits at once.
 */
const controller = new AbortController();
let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A closed pipe (`faasport logs --follow | head`) ends the command quietly, as it does for other tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // Long-running commands have closed their servers by now; leave nothing behind.
    if (interrupted || code !== 0) setTimeout(() => process.exit(code), 50).unref();
  },
  (error) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
