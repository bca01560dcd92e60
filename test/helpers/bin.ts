import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The built `faasport` executable (`npm test` builds every package before vitest runs). */
export const binPath = join(repoRoot, 'packages/cli/bin/faasport.mjs');

/** Fails early with a clear message when the packages were not built. */
export function assertBuilt(): void {
  for (const file of [
    binPath,
    join(repoRoot, 'packages/core/dist/index.js'),
    join(repoRoot, 'packages/runtime/dist/index.js'),
  ]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run \`npm run build\` (npm test does it) before the e2e tests`);
  }
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'faasport-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The environment the bin runs with: no colour, no inherited faasport or cloud settings. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(FAASPORT_|ALIBABA_CLOUD_|HUAWEICLOUD_|KUBECONFIG|FORCE_COLOR)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs `faasport ...args` to completion. */
export function runBin(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** One line of output: JSON when it is JSON (NDJSON), else `{ type: 'text', text }` (e.g. a pretty-printed error). */
function parseLine(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { type: 'text', text };
  }
}

/**
 * A long-running `faasport` (dev, serve) that prints NDJSON with --json: await lines by predicate,
 * stop it with SIGINT.
 */
export class BinProcess {
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, unknown>> = [];
  stderr = '';
  private waiters: Array<{
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
    from: number;
  }> = [];
  private exited: Promise<number>;

  constructor(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
    this.child = spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    this.child.stdout!.on('data', (chunk) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl !== -1) {
        const text = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (text) this.push(parseLine(text));
        nl = buffer.indexOf('\n');
      }
    });
    this.child.stderr!.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code ?? -1)));
  }

  private push(line: Record<string, unknown>): void {
    this.lines.push(line);
    const index = this.lines.length - 1;
    this.waiters = this.waiters.filter((w) => {
      if (index >= w.from && w.match(line)) {
        w.resolve(line);
        return false;
      }
      return true;
    });
  }

  /** The next line (from index `from`, default: any so far) matching `match`. */
  next(match: (line: Record<string, unknown>) => boolean, from = 0): Promise<Record<string, unknown>> {
    const found = this.lines.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve, from });
      void this.exited.then((code) =>
        reject(
          new Error(
            `faasport exited with ${code} before the line came.\nstderr:\n${this.stderr}\nlines:\n${JSON.stringify(this.lines)}`,
          ),
        ),
      );
    });
  }

  /** Interrupts the process (like Ctrl-C) and waits for its exit code. */
  async stop(): Promise<number> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    return this.exited;
  }
}

/**
 * Runs `faasport logs <args> --follow --json` while `body` runs (it awaits the function's log lines with
 * `logs.next`), and stops it after, whatever `body` did.
 */
export async function followingLogs<T>(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> },
  body: (logs: BinProcess) => Promise<T>,
): Promise<T> {
  const logs = new BinProcess(['logs', ...args, '--follow', '--json'], options);
  try {
    return await body(logs);
  } finally {
    await logs.stop();
  }
}

/**
 * Runs `node <script>` (a path from the repository root, as a README says to run it) to completion with a
 * clean environment. Past `limitMs` the script is killed, so a script that never exits fails with a code.
 */
export function runNode(
  script: string,
  limitMs = 90_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd: repoRoot,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
