import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerSecret } from '@faasport/core';
import { afterEach, describe, expect, test } from 'vitest';
import { LogStore, logLine, type RuntimeLogEntry } from '../src/server/logs';

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

describe('log lines', () => {
  test('are the JSON of their entry: quotes, backslashes, control characters, non-ASCII, unset and structured fields', () => {
    const entries: RuntimeLogEntry[] = [
      line(1),
      line(2, { message: 'said "hi" \\ then\nleft\ttab \u0001 é 😀 \u2028', requestId: undefined }),
      {
        time: '2026-01-01T00:00:00.000Z',
        level: 'error',
        kind: 'invocation',
        function: 'f',
        revision: 'r-1',
        requestId: 'id "quoted"',
        message: 'GET /x 500 12 ms (crashed: boom)',
        status: 500,
        durationMs: 12,
        instance: 'i-1',
        fields: { nested: { list: [1, 'two', null, true] }, 'odd "key"': 'v' },
      },
      // Numbers JSON cannot hold become null, as JSON.stringify writes them.
      { ...line(3), status: Number.NaN, durationMs: Number.POSITIVE_INFINITY },
    ];
    for (const entry of entries) {
      const text = logLine(entry);
      expect(text.endsWith('}\n')).toBe(true);
      expect(text.slice(0, -1)).not.toContain('\n');
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(entry)));
    }
  });
});

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

  test('lines of several functions interleaved in a turn, larger than the buffer, and in the turns after', async () => {
    const dir = dataDir();
    const store = new LogStore(dir);
    const big = 'x'.repeat(400 * 1024);
    const written: Record<string, RuntimeLogEntry[]> = { hello: [], other: [] };
    const write = (entry: RuntimeLogEntry) => {
      store.write(entry);
      written[entry.function]!.push(entry);
    };
    for (let turn = 0; turn < 3; turn++) {
      for (let n = 0; n < 40; n++) {
        const name = n % 3 === 0 ? 'other' : 'hello';
        // Non-ASCII text, and in the first turn a line that grows the buffer past what is kept after a burst.
        write(line(turn * 100 + n, { function: name, message: turn === 0 && n === 7 ? big : `é ${n} ✓` }));
      }
      await turnEnd();
    }
    for (const name of ['hello', 'other'])
      expect(fileLines(dir, name).map((text) => JSON.parse(text))).toEqual(written[name]);
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

  test('a file that reaches its size is rotated: the disk holds at most two files, reads span both', async () => {
    const dir = dataDir();
    const maxFileBytes = 160 * 1024;
    const count = 6600;
    const store = new LogStore(dir, { maxFileBytes });
    // About 127 bytes a line, 100 lines a turn: four rotations, and the last turns land in a new file.
    for (let n = 0; n < count; n++) {
      store.write(line(n));
      if (n % 100 === 99) await turnEnd();
    }
    await turnEnd();
    const files = fs.readdirSync(path.join(dir, 'logs')).sort();
    expect(files).toEqual(['hello.ndjson', 'hello.ndjson.1']);
    for (const file of files) {
      const size = fs.statSync(path.join(dir, 'logs', file)).size;
      // A rotation happens after the write that crosses the size, so a file ends within one turn's lines of it.
      expect(size).toBeLessThan(maxFileBytes + 100 * 130);
      expect(fs.statSync(path.join(dir, 'logs', file)).mode & 0o777).toBe(0o600);
    }
    const current = fileLines(dir, 'hello');
    // The newest lines are in the new file; the read reaches back into the rotated one for the rest.
    expect(current.length).toBeLessThan(2000);
    const lines = store.read({ function: 'hello' });
    expect(lines).toHaveLength(2000);
    expect(lines[0]).toEqual(line(count - 2000));
    expect(lines.at(-1)).toEqual(line(count - 1));
    // Removing the function removes both files.
    store.remove('hello');
    expect(fs.readdirSync(path.join(dir, 'logs'))).toEqual([]);
    await store.close();
  });
});
