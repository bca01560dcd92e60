import fs from 'node:fs';
import path from 'node:path';
import { defineFunction, deploy, type FunctionConfig } from '@faasport/core';
import { afterAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, tempDir } from './helpers/fixtures';
import { request } from './helpers/runtime-process';

const runtimes: Runtime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  cleanTemp();
});

async function start(dataDir: string): Promise<Runtime> {
  const runtime = await startRuntime({ dataDir, port: 0, warmPool: 0 });
  runtimes.push(runtime);
  return runtime;
}

function ship(runtime: Runtime, config: FunctionConfig, env: Record<string, string> = {}) {
  return deploy(createLocalAdapter({ url: runtime.url, token: runtime.token }), defineFunction(config), {
    env,
  });
}

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('files and permissions', () => {
  test('an existing data dir others can read is made private; the database and its WAL files are 0600', async () => {
    const dataDir = path.join(tempDir('faasport-modes-'), 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    const runtime = await start(dataDir);
    await ship(
      runtime,
      {
        name: 'holder',
        source: { inline: 'export default () => "ok";' },
        secrets: { KEY: { fromEnv: 'KEY' } },
      },
      { KEY: 'secret-value-1234' },
    );
    expect(modeOf(dataDir)).toBe('700');
    for (const name of ['state.db', 'state.db-wal', 'state.db-shm', 'token'])
      expect(`${name} ${modeOf(path.join(dataDir, name))}`).toBe(`${name} 600`);
  });
});
