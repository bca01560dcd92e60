// Starts a long-running faasport server (`faasport dev`, `faasport serve`, `faasport-runtime`) in a child
// Node process with the V8 flags a runtime process should have, and mirrors it: signals go to it, its exit
// is this process's exit. V8 reads these flags only when a process starts, so the launcher that owns the
// process is the only place to give them (docs/decisions/0020-runtime-process-flags.md).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * V8 flags of a runtime process:
 * - a young generation of 2 MB per semi-space instead of 16: under load the runtime's minor collections then
 *   promote almost nothing and pause it about 0.5 ms instead of 3-4 ms, which halved p99 latency at 50
 *   connections in the benchmark;
 * - no memory reducer: after a few idle seconds it shrinks the heap's limits, and the next burst of calls then
 *   ran about 20 full collections in 8 s (p99 back to 21 ms) where a warm heap runs one.
 */
export const runtimeNodeFlags = ['--max-semi-space-size=2', '--no-memory-reducer'];

/** Runs in the child before its entry: it stops (as on SIGTERM) once the launcher is gone, even by SIGKILL. */
const watchLauncher = fileURLToPath(new URL('./relaunched.mjs', import.meta.url));

/** Whether the flags were given already, on the command line or in NODE_OPTIONS (the user's choice wins). */
function flagsGiven() {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((flag) => /^--max[-_]semi[-_]space[-_]size\b/.test(flag));
}

/**
 * Runs `entry` with `args` in a child process started with {@link runtimeNodeFlags}. Returns `false`, doing
 * nothing, when this process should run `entry` itself: the flags are set already, `FAASPORT_RELAUNCH=0`, or
 * on Windows (which has no signals to pass on).
 *
 * @param {string} entry - the module to run (a file path)
 * @param {string[]} [args] - its arguments
 * @returns {boolean} whether a child runs it
 */
export function relaunch(entry, args = process.argv.slice(2)) {
  if (process.platform === 'win32' || process.env.FAASPORT_RELAUNCH === '0' || flagsGiven()) return false;
  const child = spawn(
    process.execPath,
    [...runtimeNodeFlags, '--import', watchLauncher, ...process.execArgv, entry, ...args],
    // Its own process group: a terminal's Ctrl-C reaches this process only, which passes it on once (the
    // server takes a second Ctrl-C as "exit now, do not drain").
    { stdio: 'inherit', detached: true },
  );
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.on('error', (error) => {
    process.stderr.write(`faasport: could not start ${entry}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
  return true;
}
