import fs from 'node:fs';
import path from 'node:path';
import { defineFunction, deploy } from '@faasport/core';
import { afterAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, marksDir, marksRoot, tempDir } from './helpers/fixtures';
import { waitFor } from './helpers/wait';

afterAll(() => cleanTemp());

/** A clock the test moves by hand. */
function testClock(iso: string) {
  let now = Date.parse(iso);
  return { now: () => now, set: (value: string) => (now = Date.parse(value)) };
}

const recorder = `import fs from 'node:fs';
export default async (event, ctx) => { fs.appendFileSync(ctx.env.MARKS, event.time + ' ' + JSON.stringify(event.data) + '\\n'); };`;

describe('the cron scheduler (test clock)', () => {
  test('fires once per tick, timezone aware, and never twice for a tick across a restart', async () => {
    const dataDir = tempDir('faasport-cron-');
    const file = path.join(marksDir(), 'marks.txt');
    const lines = () =>
      fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
    const clock = testClock('2026-03-01T00:59:30Z');
    let runtime: Runtime = await startRuntime({
      dataDir,
      port: 0,
      clock: clock.now,
      schedulerIntervalMs: 60_000,
      sandbox: { writable: [marksRoot()] },
    });
    const adapter = () => createLocalAdapter({ url: runtime.url, token: runtime.token });
    await deploy(
      adapter(),
      defineFunction({
        name: 'morning',
        contract: 'event',
        source: { inline: recorder },
        env: { MARKS: file },
        triggers: [
          // 09:00 in Shanghai is 01:00 UTC; the UTC 09:00 schedule must not fire at 01:00 UTC.
          {
            schedule: {
              name: 'shanghai',
              cron: '0 9 * * *',
              timezone: 'Asia/Shanghai',
              payload: { zone: 'shanghai' },
            },
          },
          { schedule: { name: 'utc', cron: '0 9 * * *', timezone: 'UTC', payload: { zone: 'utc' } } },
        ],
      }),
    );
    expect(runtime.tick()).toEqual([]);

    clock.set('2026-03-01T01:00:00.500Z');
    expect(runtime.tick()).toEqual([
      { function: 'morning', trigger: 'shanghai', at: '2026-03-01T01:00:00.000Z' },
    ]);
    expect(runtime.tick()).toEqual([]);
    await waitFor(() => lines().length === 1, 'the first firing');
    expect(lines()[0]).toBe('2026-03-01T01:00:00.000Z {"zone":"shanghai"}');

    // A restart at the same moment does not fire the same tick again.
    await runtime.close();
    runtime = await startRuntime({
      dataDir,
      port: 0,
      clock: clock.now,
      schedulerIntervalMs: 60_000,
      sandbox: { writable: [marksRoot()] },
    });
    expect(runtime.tick()).toEqual([]);

    // Days of downtime collapse into one firing of the latest missed tick.
    clock.set('2026-03-04T02:00:00Z');
    const fired = runtime.tick();
    expect(fired).toEqual([
      { function: 'morning', trigger: 'shanghai', at: '2026-03-04T01:00:00.000Z' },
      { function: 'morning', trigger: 'utc', at: '2026-03-03T09:00:00.000Z' },
    ]);
    await waitFor(() => lines().length === 3, 'the catch-up firings');
    await runtime.close();
  });
});
