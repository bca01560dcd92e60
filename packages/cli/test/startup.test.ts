import { spawn } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRuntime } from '@faasport/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'packages', 'cli', 'bin', 'faasport.mjs');

/**
 * Runs the built `faasport` with a module hook that reports every module it loads, and returns their
 * URLs. Start-up is mostly module loading, so what a command loads is what it costs (no timings here).
 * ES modules are reported as they load; CommonJS ones (`require`, which the ESM hook does not see)
 * from the require cache at exit.
 */
async function modulesLoaded(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<string[]> {
  const dir = tempDir('faasport-startup-');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    'export async function load(url, context, next) { process._rawDebug("LOADED " + url); return next(url, context); }\n',
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  writeFileSync(
    join(dir, 'required.cjs'),
    // Node's own modules too (`node:internal/...`, from process.moduleLoadList): fetch is one of them.
    'process.on("exit", () => { for (const file of Object.keys(require.cache)) process._rawDebug("LOADED " + require("node:url").pathToFileURL(file).href); for (const m of process.moduleLoadList) if (m.startsWith("NativeModule ")) process._rawDebug("LOADED node:" + m.slice(13)); });\n',
  );
  const child = spawn(
    process.execPath,
    [
      '--require',
      join(dir, 'required.cjs'),
      '--import',
      pathToFileURL(join(dir, 'register.mjs')).href,
      bin,
      ...args,
    ],
    { cwd, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env } },
  );
  // Asynchronous, so a runtime in this process can answer the command.
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(status, stderr).toBe(0);
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('LOADED '))
    .map((line) => line.slice('LOADED '.length));
}

/** What the benchmark times: coffee-fc3 (an FC 3.0 native handler) has no Knative form. */
const knativeRender = ['render', '--target', 'knative', '--function', 'coffee,coffee-web'];

describe('start-up loads only what a command needs', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'packages', 'cli', 'dist', 'bin.js')))
      throw new Error('build the CLI first: npm run build -w packages/cli');
  });

  it('`faasport --help` loads no command, no core, no zod and no citty', async () => {
    const loaded = await modulesLoaded(['--help'], root);
    expect(loaded.some((url) => url.endsWith('/dist/bin.js'))).toBe(true);
    for (const heavy of [
      '/packages/core/',
      '/node_modules/zod/',
      '/node_modules/citty/',
      '/node_modules/chokidar/',
    ])
      expect(loaded.filter((url) => url.includes(heavy))).toEqual([]);
    // Command chunks are named after their command (render-XXXX.js): none loads to list them.
    expect(
      loaded.filter((url) => /\/dist\/(render|plan|dev|emulate|deploy)-[A-Z0-9]+\.js$/.test(url)),
    ).toEqual([]);
  });

  it('an offline `render --target knative` loads the Knative adapter but not the Kubernetes client', async () => {
    const loaded = await modulesLoaded(knativeRender, join(root, 'examples', 'coffee'));
    expect(loaded.some((url) => url.includes('/packages/adapter-knative/'))).toBe(true);
    for (const heavy of [
      '@kubernetes/client-node',
      '/packages/emulators/',
      '/node_modules/chokidar/',
      '/packages/adapter-fc/',
    ])
      expect(loaded.filter((url) => url.includes(heavy))).toEqual([]);
    expect(loaded.filter((url) => /\/dist\/(plan|dev|emulate|deploy)-[A-Z0-9]+\.js$/.test(url))).toEqual([]);
    // Nothing is sent: no HTTP client and no TLS.
    for (const unneeded of ['node:http', 'node:https', 'node:tls']) expect(loaded).not.toContain(unneeded);
    // The archive library's build without worker threads (this report's module hook runs on one, so
    // node:worker_threads itself cannot be checked here).
    expect(loaded.filter((url) => url.includes('/node_modules/fflate/lib/node.cjs'))).toEqual([]);
  });

  it('a command loads zod and yaml as modules of core, no console library, and no cron library until it computes a schedule', async () => {
    const loaded = await modulesLoaded(knativeRender, join(root, 'examples', 'coffee'));
    // The archive library is CommonJS: the CommonJS part of the report works.
    expect(loaded.some((url) => url.includes('/node_modules/fflate/'))).toBe(true);
    for (const unneeded of [
      '/node_modules/zod/',
      '/node_modules/yaml/',
      '/node_modules/consola/',
      '/node_modules/cron-parser/',
      '/node_modules/luxon/',
    ])
      expect(loaded.filter((url) => url.includes(unneeded))).toEqual([]);
  });

  it('the local target loads the runtime client, not its server, SQLite or executor', async () => {
    const loaded = await modulesLoaded(['render', '--target', 'local'], join(root, 'examples', 'hello'));
    expect(loaded.some((url) => url.includes('/packages/runtime/dist/adapter/'))).toBe(true);
    for (const unneeded of ['/node_modules/better-sqlite3/', '/packages/runtime/dist/index.js'])
      expect(loaded.filter((url) => url.includes(unneeded))).toEqual([]);
  });

  it('`plan` on the local target asks the runtime over node:http, without loading fetch', async () => {
    const dir = tempDir('faasport-startup-plan-');
    cpSync(join(root, 'examples', 'hello'), dir, {
      recursive: true,
      filter: (source) => !source.includes('.faasport'),
    });
    const runtime = await startRuntime({ dataDir: join(dir, 'state'), port: 0, warmPool: 0 });
    try {
      const loaded = await modulesLoaded(['plan', '--target', 'local'], dir, {
        FAASPORT_RUNTIME_URL: runtime.url,
        FAASPORT_RUNTIME_TOKEN: runtime.token,
      });
      expect(loaded).toContain('node:http');
      // undici: the fetch implementation, with a WebAssembly parser that costs more than the command.
      expect(loaded.filter((url) => url.includes('undici'))).toEqual([]);
      // A runtime on plain http needs no TLS; a plan compares code hashes, so no archive is built.
      expect(loaded).not.toContain('node:https');
      expect(loaded.filter((url) => url.includes('/node_modules/fflate/'))).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
