import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { entryScript } from '../src/deploy/entry-script.generated';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });

/** The entry script running as a container runs it, and how to stop it. */
export interface EntryProcess {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the entry script as the container does (`node /var/faasport/code/entry.mjs` in a stock Node.js
 * image, the ConfigMap's entry.mjs and code.zip side by side), and resolves once it listens.
 */
export async function startEntry(
  files: Record<string, string>,
  env: Record<string, string>,
): Promise<EntryProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-kn-entry-'));
  const codeDir = join(dir, 'code');
  mkdirSync(codeDir, { recursive: true });
  writeFileSync(join(codeDir, 'entry.mjs'), entryScript);
  writeFileSync(
    join(codeDir, 'code.zip'),
    zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)]))),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(codeDir, 'entry.mjs')], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), FAASPORT_WORK_DIR: join(dir, 'work'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c));
      child.stdout!.on('data', (c: Buffer) => {
        if (String(c).includes('serving')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`entry exited with ${code}: ${err}`)));
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, close };
}
