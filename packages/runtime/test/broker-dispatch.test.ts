import fs from 'node:fs';
import path from 'node:path';
import { defineFunction, deploy, type FunctionConfig } from '@faasport/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, marksDir, marksRoot, tempDir } from './helpers/fixtures';
import { request } from './helpers/runtime-process';
import { waitFor } from './helpers/wait';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({
    dataDir: tempDir('faasport-broker-'),
    port: 0,
    retry: { attempts: 4, backoffMs: 50 },
    sandbox: { writable: [marksRoot()] },
  });
});

afterAll(async () => {
  await runtime?.close();
  cleanTemp();
});

const ship = (config: FunctionConfig) =>
  deploy(createLocalAdapter({ url: runtime.url, token: runtime.token }), defineFunction(config));

function publish(type: string, id: string, data: unknown = {}) {
  return request(`${runtime.url}/_faasport/v1/events`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${runtime.token}`,
      'ce-id': id,
      'ce-source': '/broker-test',
      'ce-type': type,
      'ce-specversion': '1.0',
      'content-type': 'application/json',
    },
    body: JSON.stringify(data),
  });
}

/** Publishes `count` events (ids `<prefix><n>`), `parallel` at a time; every one must be acknowledged. */
async function publishMany(type: string, prefix: string, count: number, parallel = 16): Promise<void> {
  let next = 0;
  const publisher = async () => {
    while (next < count) {
      const n = next++;
      const reply = await publish(type, `${prefix}${n}`, { n });
      expect(reply.status).toBe(202);
    }
  };
  await Promise.all(Array.from({ length: parallel }, publisher));
}

/** Lines a consumer appended: `<event id> <pid>`. */
const lines = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
const idsOf = (file: string) => lines(file).map((line) => line.split(' ')[0]!);

async function pendingEvents(): Promise<number> {
  const text = (
    await request(`${runtime.url}/metrics`, { headers: { authorization: `Bearer ${runtime.token}` } })
  ).body;
  return Number(/^faasport_events_pending(?:\{\})? (\d+)/m.exec(text)?.[1]);
}

/** An event consumer appending `<id> <pid>` to $MARKS after $DELAY ms; event 0 of a run waits for $GATE. */
const consumer = `import fs from 'node:fs';
export default async (event, ctx) => {
  if (ctx.env.GATE && event.data.n === 0)
    while (!fs.existsSync(ctx.env.GATE)) await new Promise((r) => setTimeout(r, 20));
  if (ctx.env.DELAY) await new Promise((r) => setTimeout(r, Number(ctx.env.DELAY)));
  fs.appendFileSync(ctx.env.MARKS, event.id + ' ' + process.pid + '\\n');
  return { ok: true };
};`;

describe('broker dispatch', () => {
  test('a burst reaches a fast consumer once per event and leaves the queue empty', async () => {
    const marks = path.join(marksDir(), 'marks.txt');
    await ship({
      name: 'burst',
      contract: 'event',
      source: { inline: consumer },
      env: { MARKS: marks },
      triggers: [{ event: { filter: { type: 'test.burst' } } }],
      scaling: { max: 4, concurrency: 16 },
    });
    await publishMany('test.burst', 'b', 400);
    await waitFor(() => lines(marks).length >= 400, '400 deliveries');
    const ids = idsOf(marks);
    expect(new Set(ids).size).toBe(400);
    expect(ids).toHaveLength(400);
    // Delivered marks commit just after the consumer answers.
    await waitFor(async () => (await pendingEvents()) === 0, 'an empty queue');
  }, 60_000);

  test('more deliveries than the broker keeps in memory wait in SQLite and all arrive once', async () => {
    const dir = marksDir();
    const marks = path.join(dir, 'marks.txt');
    const gate = path.join(dir, 'gate');
    await ship({
      name: 'gated',
      contract: 'event',
      source: { inline: consumer },
      env: { MARKS: marks, GATE: gate },
      triggers: [{ event: { filter: { type: 'test.gated' } } }],
      scaling: { max: 1, concurrency: 1 },
    });
    // Event 0 holds the only slot until the gate opens; everything after it piles up.
    expect((await publish('test.gated', 'g0', { n: 0 })).status).toBe(202);
    await publishMany('test.gated', 'g', 1200, 16);
    expect(await pendingEvents()).toBeGreaterThan(1100);
    fs.writeFileSync(gate, '');
    await waitFor(() => new Set(idsOf(marks)).size >= 1200, '1200 distinct deliveries');
    const ids = idsOf(marks);
    // g0 was published twice (the second publish is a duplicate and is not queued again).
    expect(new Set(ids).size).toBe(1200);
    expect(ids).toHaveLength(1200);
  }, 90_000);

  test('a consumer failing every first attempt still gets every event once from the retry queue', async () => {
    const dir = marksDir();
    const marks = path.join(dir, 'marks.txt');
    const attempts = path.join(dir, 'attempts');
    fs.mkdirSync(attempts);
    await ship({
      name: 'flaky',
      contract: 'event',
      source: {
        inline: `import fs from 'node:fs';
import path from 'node:path';
export default async (event, ctx) => {
  const seen = path.join(ctx.env.ATTEMPTS, event.id);
  if (!fs.existsSync(seen)) { fs.writeFileSync(seen, ''); throw new Error('first attempt of ' + event.id); }
  fs.appendFileSync(ctx.env.MARKS, event.id + ' ' + process.pid + '\\n');
};`,
      },
      env: { MARKS: marks, ATTEMPTS: attempts },
      triggers: [{ event: { filter: { type: 'test.flaky' } } }],
    });
    await publishMany('test.flaky', 'f', 60);
    await waitFor(() => lines(marks).length >= 60, '60 deliveries after retries');
    expect(new Set(idsOf(marks)).size).toBe(60);
    expect(fs.readdirSync(attempts)).toHaveLength(60);
    const dead = await request(`${runtime.url}/_faasport/v1/deadletters?function=flaky`, {
      headers: { authorization: `Bearer ${runtime.token}` },
    });
    expect(JSON.parse(dead.body).deadLetters).toEqual([]);
  }, 60_000);

  test('a backlog the running instance does not clear within a second starts more instances', async () => {
    // Every delivery notes its pid in $STARTED and holds until $GATE exists, so the backlog stays
    // whatever the machine's speed; the gate opens once a second instance has taken a delivery.
    const dir = marksDir();
    const marks = path.join(dir, 'marks.txt');
    const started = path.join(dir, 'started.txt');
    const gate = path.join(dir, 'gate');
    await ship({
      name: 'slow',
      contract: 'event',
      source: {
        inline: `import fs from 'node:fs';
export default async (event, ctx) => {
  fs.appendFileSync(ctx.env.STARTED, process.pid + '\\n');
  while (!fs.existsSync(ctx.env.GATE)) await new Promise((r) => setTimeout(r, 20));
  fs.appendFileSync(ctx.env.MARKS, event.id + ' ' + process.pid + '\\n');
  return { ok: true };
};`,
      },
      env: { MARKS: marks, STARTED: started, GATE: gate },
      triggers: [{ event: { filter: { type: 'test.slow' } } }],
      scaling: { max: 3, concurrency: 1 },
    });
    await publishMany('test.slow', 's', 10, 10);
    await waitFor(() => new Set(lines(started)).size >= 2, 'a second instance taking deliveries');
    fs.writeFileSync(gate, '');
    await waitFor(() => lines(marks).length >= 10, '10 slow deliveries');
    expect(new Set(idsOf(marks)).size).toBe(10);
    const pids = new Set(lines(marks).map((line) => line.split(' ')[1]));
    expect(pids.size).toBeGreaterThan(1);
  }, 60_000);

  test("a slow function's backlog does not hold back another function's events", async () => {
    const dir = marksDir();
    const slowMarks = path.join(dir, 'slow.txt');
    const fastMarks = path.join(dir, 'fast.txt');
    const common = { contract: 'event' as const, source: { inline: consumer } };
    await ship({
      ...common,
      name: 'backlogged',
      env: { MARKS: slowMarks, DELAY: '300' },
      triggers: [{ event: { filter: { type: 'test.backlogged' } } }],
      scaling: { max: 1, concurrency: 1 },
    });
    await ship({
      ...common,
      name: 'unblocked',
      env: { MARKS: fastMarks },
      triggers: [{ event: { filter: { type: 'test.unblocked' } } }],
    });
    await publishMany('test.backlogged', 'w', 100);
    await publishMany('test.unblocked', 'u', 20);
    await waitFor(() => lines(fastMarks).length >= 20, '20 deliveries to the other function');
    // 100 deliveries of 300 ms each on one instance take 30 s; the other function did not wait for them.
    expect(lines(slowMarks).length).toBeLessThan(100);
    expect(new Set(idsOf(fastMarks)).size).toBe(20);
  }, 60_000);
});
