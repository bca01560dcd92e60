import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
function modulesLoaded(args: string[], cwd: string): string[] {
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
    'process.on("exit", () => { for (const file of Object.keys(require.cache)) process._rawDebug("LOADED " + require("node:url").pathToFileURL(file).href); });\n',
  );
  const run = spawnSync(
    process.execPath,
    [
      '--require',
      join(dir, 'required.cjs'),
      '--import',
      pathToFileURL(join(dir, 'register.mjs')).href,
      bin,
      ...args,
    ],
    {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NO_COLOR: '1' },
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stderr
    .split('\n')
    .filter((line) => line.startsWith('LOADED '))
    .map((line) => line.slice('LOADED '.length));
}

describe('start-up loads only what a command needs', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'packages', 'cli', 'dist', 'bin.js')))
      throw new Error('build the CLI first: npm run build -w packages/cli');
  });

  it('`faasport --help` loads no command, no core, no zod and no citty', () => {
    const loaded = modulesLoaded(['--help'], root);
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

  it('an offline `render --target knative` loads the Knative adapter but not the Kubernetes client', () => {
    const loaded = modulesLoaded(['render', '--target', 'knative'], join(root, 'examples', 'coffee'));
    expect(loaded.some((url) => url.includes('/packages/adapter-knative/'))).toBe(true);
    for (const heavy of [
      '@kubernetes/client-node',
      '/packages/emulators/',
      '/node_modules/chokidar/',
      '/packages/adapter-fc/',
    ])
      expect(loaded.filter((url) => url.includes(heavy))).toEqual([]);
    expect(loaded.filter((url) => /\/dist\/(plan|dev|emulate|deploy)-[A-Z0-9]+\.js$/.test(url))).toEqual([]);
  });

  it('a command loads zod as one module of core, no console library, and no cron library until it computes a schedule', () => {
    const loaded = modulesLoaded(['render', '--target', 'knative'], join(root, 'examples', 'coffee'));
    // The project file is read (yaml) and checked (zod): the CommonJS part of the report works.
    expect(loaded.some((url) => url.includes('/node_modules/yaml/dist/'))).toBe(true);
    for (const unneeded of ['/node_modules/consola/', '/node_modules/cron-parser/', '/node_modules/luxon/'])
      expect(loaded.filter((url) => url.includes(unneeded))).toEqual([]);
  });

  it('the local target loads the runtime client, not its server, SQLite or executor', () => {
    const loaded = modulesLoaded(['render', '--target', 'local'], join(root, 'examples', 'hello'));
    expect(loaded.some((url) => url.includes('/packages/runtime/dist/adapter/'))).toBe(true);
    for (const unneeded of ['/node_modules/better-sqlite3/', '/packages/runtime/dist/index.js'])
      expect(loaded.filter((url) => url.includes(unneeded))).toEqual([]);
  });
});
