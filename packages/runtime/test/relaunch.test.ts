import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/wait';

// The `faasport-runtime` executable as npm links it: bin/faasport-runtime.mjs, which runs the server in a
// child process started with the runtime's V8 flags (bin/relaunch.mjs).
const launcher = fileURLToPath(new URL('../bin/faasport-runtime.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/bin.js', import.meta.url)));
// Children are found with `pgrep -P` and their flags read from /proc: Linux only. Windows does not relaunch.
const linux = process.platform === 'linux';

interface Launched {
  launcher: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  dataDir: string;
}

const started: Launched[] = [];

function launch(env: Record<string, string | undefined> = {}): Launched {
  const dataDir = mkdtempSync(join(tmpdir(), 'faasport-relaunch-'));
  const child = spawn(process.execPath, [launcher, '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, FAASPORT_RELAUNCH: undefined, NODE_OPTIONS: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const launched = { launcher: child, output: () => output, exited, dataDir };
  started.push(launched);
  return launched;
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
}

afterEach(async () => {
  for (const { launcher: child, exited, dataDir } of started.splice(0)) {
    for (const pid of childrenOf(child.pid!)) process.kill(pid, 'SIGKILL');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe.skipIf(!linux || !built)('faasport-runtime relaunch (Linux, built dist)', () => {
  it('serves from a child started with a 2 MB young generation; SIGINT to the launcher drains it once', async () => {
    const run = launch();
    await waitFor(() => run.output().includes('listening on'), 'the runtime to listen');
    const [server] = childrenOf(run.launcher.pid!);
    expect(server).toBeDefined();
    const argv = readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain('--max-semi-space-size=2');
    const url = /listening on (\S+)/.exec(run.output())![1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    run.launcher.kill('SIGINT');
    expect(await run.exited).toBe(0);
    // One signal reached the server: it drained; a second would have made it exit at once.
    expect(run.output()).toContain('SIGINT: draining calls in flight');
    expect(run.output()).not.toContain('again');
    expect(alive(server!)).toBe(false);
  });

  it('a server whose launcher is killed with SIGKILL drains and exits rather than keep its port', async () => {
    const run = launch();
    await waitFor(() => run.output().includes('listening on'), 'the runtime to listen');
    const [server] = childrenOf(run.launcher.pid!);
    expect(server).toBeDefined();
    run.launcher.kill('SIGKILL');
    await run.exited;
    await waitFor(() => !alive(server!), 'the orphaned server to exit');
    expect(run.output()).toContain('SIGTERM: draining calls in flight');
  });

  it.each([
    ['NODE_OPTIONS sets the flag', { NODE_OPTIONS: '--max-semi-space-size=4' }],
    ['FAASPORT_RELAUNCH=0', { FAASPORT_RELAUNCH: '0' }],
  ])('runs in the launcher itself when %s', async (_, env) => {
    const run = launch(env);
    await waitFor(() => run.output().includes('listening on'), 'the runtime to listen');
    // The pooled worker is the only child: no Node process between the launcher and the runtime.
    for (const pid of childrenOf(run.launcher.pid!))
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('faasport-runtime.mjs');
    run.launcher.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });
});
