// The processes a benchmark starts, and stopping them however the benchmark ends: a normal finish, an
// exception, Ctrl-C (SIGINT), SIGTERM, or a reader that went away (`node bench/run.mjs | head`: EPIPE
// on stdout). Servers start processes of their own (the runtime's instances and pooled workers, in
// process groups of their own), so a server is stopped with its whole tree, found through /proc
// before the server goes (its children are re-parented once it has exited).
import fs from 'node:fs';

const tracked = new Set();

/** Registers a child process to be stopped, with its descendants, whenever the benchmark ends. */
export function track(child) {
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
  return child;
}

/** Process ids of `pid` and all its descendants (Linux /proc; just `pid` elsewhere). */
export function treePids(pid) {
  const children = new Map();
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [pid];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const walk = (p) => {
    out.push(p);
    for (const child of children.get(p) ?? []) walk(child);
  };
  walk(pid);
  return out;
}

function signal(pids, name) {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

const running = (child) => child.exitCode === null && child.signalCode === null;

/**
 * Stops a child and everything it started: SIGTERM to the child (a server then stops its own
 * processes), then SIGKILL after `graceMs` to whatever of the tree, as it was before, still runs.
 */
export async function stopTree(child, graceMs = 5000) {
  if (!running(child) || child.pid === undefined) return;
  const tree = treePids(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  let timer;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  signal(tree, 'SIGKILL');
}

/** Stops every tracked process (in parallel). */
export function stopAll(graceMs) {
  return Promise.all([...tracked].map((child) => stopTree(child, graceMs)));
}

let stdoutBroken = false;

/** Whether stdout's reader went away (EPIPE): nothing more is written there. */
export function outputClosed() {
  return stdoutBroken;
}

let finishing = false;

/** Whether the benchmark is stopping early: what fails from here on is the stop's doing. */
export function stopping() {
  return finishing;
}

/**
 * Makes the benchmark stop what it started however it ends. `finish(code)` runs once, for a signal
 * (130 for SIGINT, 143 for SIGTERM), a closed stdout (141, as a shell reports SIGPIPE) or an uncaught
 * error (1), and should stop the processes and remove temporary files; the process then exits with
 * that code. At exit, whatever is still tracked is killed outright, with its tree.
 */
export function onEarlyExit(finish) {
  const end = (code, error) => {
    if (error && !stdoutBroken) process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    if (finishing) return;
    finishing = true;
    Promise.resolve()
      .then(() => finish(code))
      .catch(() => undefined)
      .finally(() => process.exit(code));
  };
  process.once('SIGINT', () => end(130));
  process.once('SIGTERM', () => end(143));
  process.once('SIGHUP', () => end(129));
  process.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE') return end(1, error);
    stdoutBroken = true;
    end(141);
  });
  process.on('uncaughtException', (error) => end(1, error));
  process.on('unhandledRejection', (error) => end(1, error));
  process.on('exit', () => {
    for (const child of tracked)
      if (running(child) && child.pid !== undefined) signal(treePids(child.pid), 'SIGKILL');
  });
}
