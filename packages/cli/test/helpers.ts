import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli';

/** A captured output stream. */
export class Capture {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Runs the CLI in-process with captured output, in `cwd`, with only the given environment. */
export async function cli(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {},
) {
  const stdout = new Capture(options.tty);
  const stderr = new Capture(options.tty);
  const code = await runCli(argv, {
    stdout,
    stderr,
    env: { PATH: process.env.PATH, ...(options.env ?? {}) },
    cwd: options.cwd ?? process.cwd(),
    signal: new AbortController().signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'faasport-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
