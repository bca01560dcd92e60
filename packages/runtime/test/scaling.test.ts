import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cpuSlots } from '../src/executor/cpu-demand';
import { createExecutor, type Executable, type ExecutableSpec, type Executor } from '../src/index';
import { cleanTemp, codeDir, tempDir } from './helpers/fixtures';
import { waitFor } from './helpers/wait';

// Scaling on one machine (docs/decisions/0014-local-scaling.md): instances up to the CPUs, more only
// while they wait rather than compute; short calls held inside busy instances, run one at a time.

let executor: Executor;

beforeAll(() => {
  executor = createExecutor({ warmPool: 1 });
});

afterAll(async () => {
  await executor.close();
  cleanTemp();
});

let counter = 0;
function spec(fields: Partial<ExecutableSpec> & Pick<ExecutableSpec, 'codeDir'>): ExecutableSpec {
  counter++;
  return {
    id: `scaling/${counter}`,
    runtime: 'nodejs20',
    handler: 'index.handler',
    contract: 'web',
    env: {},
    timeoutMs: 30_000,
    memoryMb: 128,
    concurrency: 1,
    // The model's default when `scaling.max` is not set.
    maxInstances: 100,
    functionName: `scaling${counter}`,
    revision: 'r1',
    target: 'local',
    ...fields,
  };
}

async function call(exe: Executable, url = 'http://x/'): Promise<{ status: number; text: string }> {
  const response = await exe.fetch(new Request(url));
  return { status: response.status, text: await response.text() };
}

describe('instances for one machine', () => {
  test('calls that compute start no more instances than the CPUs, wait for them, and all complete', async () => {
    const dir = codeDir({
      'index.js': `exports.handler = () => { const end = Date.now() + 150; while (Date.now() < end); return String(process.pid); };`,
    });
    const exe = await executor.load(spec({ codeDir: dir }));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, exe.stats().instances)), 5);
    const count = cpuSlots() * 2 + 2;
    const replies = await Promise.all(Array.from({ length: count }, () => call(exe)));
    clearInterval(sampler);
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    expect(peak).toBeLessThanOrEqual(cpuSlots());
    expect(exe.stats().started).toBeLessThanOrEqual(cpuSlots());
    await exe.close();
  });

  test('calls that wait (timers, I/O) start instances past the CPUs', async () => {
    const gate = path.join(tempDir('faasport-gate-'), 'open');
    const dir = codeDir({
      'index.js': `const fs = require('node:fs');
        exports.handler = async () => {
          while (!fs.existsSync(process.env.GATE)) await new Promise((r) => setTimeout(r, 10));
          return String(process.pid);
        };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, env: { GATE: gate } }));
    const calls = Promise.all(Array.from({ length: cpuSlots() + 2 }, () => call(exe)));
    await waitFor(() => exe.stats().inFlight > cpuSlots(), 'calls running in more instances than CPUs');
    fs.writeFileSync(gate, '');
    const replies = await calls;
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    expect(new Set(replies.map((reply) => reply.text)).size).toBeGreaterThan(cpuSlots());
    await exe.close();
  });
});

describe('short calls held inside a busy instance', () => {
  test('with concurrency 1 the instance never runs two calls at once, also with calls held in it', async () => {
    const dir = codeDir({
      'index.js': `let running = 0;
        exports.handler = async () => {
          running++;
          const seen = running;
          await new Promise((r) => setImmediate(r));
          await Promise.resolve();
          running--;
          return String(seen);
        };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, maxInstances: 1 }));
    let held = 0;
    const sampler = setInterval(() => (held = Math.max(held, exe.stats().held)), 1);
    const seen: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = 0; i < 25; i++) seen.push((await call(exe)).text);
      }),
    );
    clearInterval(sampler);
    expect(seen).toHaveLength(500);
    expect(new Set(seen)).toEqual(new Set(['1']));
    expect(held).toBeGreaterThan(0);
    await exe.close();
  });

  test('a held call goes to another instance when its own stops before it ran, and starts its timeout when it starts', async () => {
    const dir = codeDir({
      'index.js': `exports.handler = async (req) => {
          const url = new URL(req.url);
          const ms = Number(url.searchParams.get('ms') ?? 0);
          if (url.pathname === '/crash') { await new Promise((r) => setTimeout(r, ms)); process.exit(3); }
          await new Promise((r) => setTimeout(r, ms));
          return String(process.pid);
        };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, maxInstances: 1, timeoutMs: 1000 }));
    const first = await call(exe);
    // Calls are held only while they are short: the first calls of an instance are slower.
    for (let i = 0; i < 30; i++) await call(exe);
    // The instance stops while two calls are held: they never ran there, so a new instance serves them.
    const crash = call(exe, 'http://x/crash?ms=200');
    const rest = [call(exe), call(exe)];
    await waitFor(() => exe.stats().held === 2, 'two calls held behind the crashing one');
    expect((await crash.catch((error) => error)).reason).toBe('crash');
    const served = await Promise.all(rest);
    expect(served.map((reply) => reply.status)).toEqual([200, 200]);
    expect(served[0]!.text).not.toBe(first.text);
    const second = served[0]!.text;
    // Sent together: one runs, two are held. Each held call ends more than the timeout after it was
    // sent, within it after it started.
    const timed = await Promise.all([
      call(exe, 'http://x/?ms=600'),
      call(exe, 'http://x/?ms=500'),
      call(exe, 'http://x/?ms=500'),
    ]);
    expect(timed.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(new Set(timed.map((reply) => reply.text))).toEqual(new Set([second]));
    await exe.close();
  });
});
