import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '@faasport/core';
import { describe, expect, it } from 'vitest';
import { localTargetConnection } from '../src';
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
