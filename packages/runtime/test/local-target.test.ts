import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConfigurationError, defineFunction, planDeploy } from '@faasport/core';
import { describe, expect, it } from 'vitest';
import { adapterModule, createLocalAdapter, localTargetConnection } from '../src';
import { tempDir } from './helpers/fixtures';

describe('finding the local runtime', () => {
  const record = (dir: string, pid: number) => {
    mkdirSync(join(dir, '.faasport'), { recursive: true });
    writeFileSync(
      join(dir, '.faasport', 'runtime.json'),
      JSON.stringify({ url: 'http://127.0.0.1:1234', token: 't'.repeat(32), pid }),
    );
  };

  it('reads the runtime a live process recorded in the project data dir', () => {
    const dir = tempDir();
    record(dir, process.pid);
    expect(localTargetConnection({}, {}, dir)).toEqual({
      url: 'http://127.0.0.1:1234',
      token: 't'.repeat(32),
    });
  });

  it('ignores a record left by a process that is gone', () => {
    const dir = tempDir();
    record(dir, 2 ** 22 + 12345); // above Linux's pid_max default: no such process
    expect(() => localTargetConnection({}, {}, dir)).toThrow(ConfigurationError);
  });

  it('prefers url and token from options or the environment, and names the missing token', () => {
    expect(
      localTargetConnection(
        {},
        { FAASPORT_RUNTIME_URL: 'http://h:1', FAASPORT_RUNTIME_TOKEN: 'x' },
        tempDir(),
      ),
    ).toEqual({ url: 'http://h:1', token: 'x' });
    expect(() => localTargetConnection({ url: 'http://h:1' }, {}, tempDir())).toThrow(
      /FAASPORT_RUNTIME_TOKEN/,
    );
  });

  it('reads dataDir relative to the project, and FAASPORT_DATA_DIR', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'state', '.faasport'), { recursive: true });
    record(join(dir, 'state'), process.pid);
    expect(localTargetConnection({ dataDir: 'state/.faasport' }, {}, dir).url).toBe('http://127.0.0.1:1234');
    expect(localTargetConnection({}, { FAASPORT_DATA_DIR: 'state/.faasport' }, dir).url).toBe(
      'http://127.0.0.1:1234',
    );
  });
});

describe('a stale or broken runtime record', () => {
  const write = (dir: string, text: string) => {
    mkdirSync(join(dir, '.faasport'), { recursive: true });
    writeFileSync(join(dir, '.faasport', 'runtime.json'), text);
  };

  it('a record whose runtime is gone but whose process id is alive (reused) says no runtime is running', async () => {
    // A port nothing listens on: the one a closed server had.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const dir = tempDir();
    const token = 'f'.repeat(64);
    write(dir, JSON.stringify({ url: `http://127.0.0.1:${port}`, token, pid: process.pid }));
    const adapter = await adapterModule.fromTarget({
      targetName: 'local',
      options: {},
      env: {},
      baseDir: dir,
      offline: false,
    });
    const fn = defineFunction({ name: 'hello', source: { inline: 'export default () => "hi"' } });
    const error = await planDeploy(adapter, fn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe('FP_CONFIGURATION');
    expect((error as Error).message).toContain(`No faasport runtime is running at http://127.0.0.1:${port}`);
    expect((error as ConfigurationError).hint).toMatch(/faasport dev.*faasport serve/);
  });

  it.each([
    ['cut short', '{"url":"http://127.0.0.1:1234","token":"s3cret-s3cret-s3', 's3cret'],
    ['without a token', '{"url":"http://127.0.0.1:1234","pid":1}', undefined],
  ])('a record %s is named, with how to start a runtime', (_, text, secret) => {
    const dir = tempDir();
    write(dir, text);
    const error = (() => {
      try {
        localTargetConnection({}, {}, dir);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(
      /No faasport runtime is running for .*runtime\.json is not a runtime's record/,
    );
    if (secret) expect((error as Error).message).not.toContain(secret);
    expect((error as ConfigurationError).hint).toMatch(/faasport dev/);
  });
});

describe('createLocalAdapter({ dataDir }) reads the record as the CLI does', () => {
  const write = (dir: string, text: string) => writeFileSync(join(dir, 'runtime.json'), text);
  const refusal = (dataDir: string) => {
    try {
      createLocalAdapter({ dataDir });
    } catch (error) {
      return error as ConfigurationError;
    }
    throw new Error('createLocalAdapter accepted the data dir');
  };

  it('connects to the runtime a live process recorded', () => {
    const dir = tempDir();
    write(dir, JSON.stringify({ url: 'http://127.0.0.1:1234', token: 'k'.repeat(32), pid: process.pid }));
    expect(createLocalAdapter({ dataDir: dir }).name).toBe('local');
  });

  it.each([
    ['missing', undefined, /runtime\.json is missing/],
    [
      'left by a process that is gone',
      JSON.stringify({ url: 'http://127.0.0.1:1234', token: 'k'.repeat(32), pid: 2 ** 22 + 12345 }),
      /pid 4206649\) has ended/,
    ],
    [
      'cut short',
      '{"url":"http://127.0.0.1:1234","token":"s3cret-s3cret-s3',
      /not a runtime's record \(not JSON\)/,
    ],
  ])('a record %s is refused with FP_CONFIGURATION, never quoting the file', (_, text, why) => {
    const dir = tempDir();
    if (text !== undefined) write(dir, text);
    const error = refusal(dir);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.code).toBe('FP_CONFIGURATION');
    expect(error.message).toMatch(why);
    expect(error.message).not.toContain('s3cret');
    expect(error.hint).toMatch(/faasport-runtime --data-dir/);
  });
});
