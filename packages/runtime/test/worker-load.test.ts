import { type ChildProcess, spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { encodeFrame, FrameChannel } from '../src/executor/frames';
import { workerPath } from '../src/executor/paths';
import { cleanTemp, codeDir } from './helpers/fixtures';

// The Node worker's side of a cold start: the executor sends the first calls right behind the load
// message, in the same write, and the worker holds them until the code has loaded.

let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  cleanTemp();
});

/** A generic worker, ready for code; `messages` collects what it sends, in order. */
async function startWorker() {
  child = spawn(process.execPath, [workerPath('node-worker.mjs')], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const messages: Array<Record<string, unknown>> = [];
  const listeners: Array<() => void> = [];
  const pipe = child.stdio[3] as unknown as Duplex;
  new FrameChannel(
    pipe,
    (message) => {
      messages.push(message);
      for (const listener of listeners.splice(0)) listener();
    },
    (reason) => {
      throw new Error(reason);
    },
  );
  const until = (check: () => boolean) =>
    new Promise<void>((resolve) => {
      const test = () => (check() ? resolve() : listeners.push(test));
      test();
    });
  await until(() => messages.some((m) => m.t === 'ready'));
  messages.length = 0;
  return { pipe, messages, until };
}

function load(dir: string, handler: string) {
  return {
    t: 'load',
    spec: {
      codeDir: dir,
      handler,
      contract: 'web',
      env: {},
      baseEnv: {},
      functionName: 'f',
      revision: 'r1',
      target: 'local',
      timeoutMs: 5000,
      memoryMb: 128,
      concurrency: 1,
    },
  };
}

const call = (id: number) => ({
  t: 'http',
  id,
  rid: `r${id}`,
  method: 'GET',
  url: 'http://f.local/',
  headers: [['host', 'f.local']],
  deadline: 0,
});

describe('a cold start in one write', () => {
  test('calls sent behind the load run once the code has loaded, one at a time with concurrency 1', async () => {
    const dir = codeDir({
      'index.mjs': `let running = 0;
        export default async () => {
          running++;
          const seen = running;
          await new Promise((resolve) => setTimeout(resolve, 20));
          running--;
          return String(seen);
        };`,
    });
    const worker = await startWorker();
    worker.pipe.write(
      Buffer.concat([encodeFrame(load(dir, 'index.default')), encodeFrame(call(1)), encodeFrame(call(2))]),
    );
    await worker.until(() => worker.messages.filter((m) => m.t === 'res').length === 2);
    expect(worker.messages.map((m) => m.t)).toEqual(['loaded', 'res', 'res']);
    const bodies = worker.messages
      .filter((m) => m.t === 'res')
      .map((m) => ({ id: m.id, status: m.status, body: Buffer.from(m.body as Uint8Array).toString() }));
    expect(bodies).toEqual([
      { id: 1, status: 200, body: '1' },
      { id: 2, status: 200, body: '1' },
    ]);
  });

  test('when the code does not load, the load error comes back and the calls behind it never run', async () => {
    const dir = codeDir({ 'index.mjs': `export const other = () => 'never';` });
    const worker = await startWorker();
    worker.pipe.write(Buffer.concat([encodeFrame(load(dir, 'index.default')), encodeFrame(call(1))]));
    await worker.until(() => worker.messages.some((m) => m.t === 'loadError'));
    expect(worker.messages.map((m) => m.t)).toEqual(['loadError']);
    expect((worker.messages[0]!.error as { message: string }).message).toMatch(/has no export "default"/);
  });
});
