import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerSecret } from '@faasport/core';
import { afterEach, describe, expect, test } from 'vitest';
import { LogStore, type RuntimeLogEntry } from '../src/server/logs';

const dirs: string[] = [];
function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faasport-logs-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const turnEnd = () => new Promise((resolve) => setImmediate(resolve));
const fileLines = (dir: string, name: string) =>
  fs
    .readFileSync(path.join(dir, 'logs', `${name}.ndjson`), 'utf8')
    .split('\n')
    .filter(Boolean);

function line(n: number, extra: Partial<RuntimeLogEntry> = {}): RuntimeLogEntry {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(),
    level: 'info',
    kind: 'log',
    function: 'hello',
    requestId: `r-${n}`,
    message: `line ${n}`,
    ...extra,
  };
}

describe('the log store', () => {
  test("a turn's lines are in the function's file, in order, when the turn ends", async () => {
    const dir = dataDir();
    const store = new LogStore(dir);
    for (let n = 0; n < 3; n++) store.write(line(n, { fields: { n } }));
    store.write(line(3, { function: 'other' }));
    await turnEnd();
    expect(fileLines(dir, 'hello').map((text) => JSON.parse(text))).toEqual([
      line(0, { fields: { n: 0 } }),
      line(1, { fields: { n: 1 } }),
      line(2, { fields: { n: 2 } }),
    ]);
    expect(fileLines(dir, 'other')).toHaveLength(1);
    await store.close();
  });

  test('reads give the last 2000 lines of each function, oldest first, across a restart and a cut line', async () => {
    const dir = dataDir();
    const first = new LogStore(dir);
    for (let n = 0; n < 2500; n++) first.write(line(n));
    await first.close();
    // A crash cut the last line written.
    fs.appendFileSync(path.join(dir, 'logs', 'hello.ndjson'), '{"time":"2026-01-01T00:00:09');
    const store = new LogStore(dir);
    store.write(line(2500));
    // Read in the same turn: lines not yet written are read too.
    const lines = store.read({ function: 'hello' });
    expect(lines).toHaveLength(2000);
    expect(lines[0]).toEqual(line(501));
    expect(lines.at(-1)).toEqual(line(2500));
    expect(store.read({ function: 'hello', requestId: 'r-2400' })).toEqual([line(2400)]);
    expect(store.read({ limit: 2 }).map((entry) => entry.message)).toEqual(['line 2499', 'line 2500']);
    await store.close();
  });

  test('registered secrets never reach the file, in the message or in the fields', async () => {
    const dir = dataDir();
    const store = new LogStore(dir);
    registerSecret('s3cr3t-"value"');
    store.write(line(0, { message: 'token s3cr3t-"value" here', fields: { nested: ['s3cr3t-"value"'] } }));
    // A field named after the secret, with no secret in any value.
    store.write(line(1, { fields: { headers: { 's3cr3t-"value"': true } } }));
    await turnEnd();
    const [text, keyed] = fileLines(dir, 'hello');
    expect(text).not.toContain('s3cr3t');
    expect(JSON.parse(text!)).toMatchObject({ message: 'token *** here', fields: { nested: ['***'] } });
    expect(keyed).not.toContain('s3cr3t');
    expect(JSON.parse(keyed!)).toMatchObject({ fields: { headers: { '***': true } } });
    await store.close();
  });
});
