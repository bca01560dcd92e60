import { afterEach, expect, test } from 'vitest';
import type { WorkerProcess } from '../src/executor/instance';
import { workerPath } from '../src/executor/paths';
import { WarmPool, type WorkerKind } from '../src/executor/pool';

const kind: WorkerKind = {
  kind: 'node',
  script: workerPath('node-worker.mjs'),
  env: { PATH: process.env.PATH ?? '' },
};
const started: WorkerProcess[] = [];
let pool: WarmPool | undefined;

afterEach(async () => {
  pool?.close();
  await Promise.all(
    started.splice(0).map(
      (worker) =>
        new Promise<void>((resolve) => {
          worker.onExit(() => resolve());
          worker.kill('closed');
        }),
    ),
  );
});

test('a cold start takes the pooled worker that is still starting instead of spawning a process of its own', async () => {
  pool = new WarmPool(1);
  pool.fill(kind);
  // The pool's worker has not reported ready yet: nothing is idle.
  expect(pool.idleCount).toBe(0);
  const { worker, fromPool } = await pool.take(kind);
  started.push(worker);
  expect(fromPool).toBe(true);
  // It went to the cold start, not to the pool as well.
  expect(pool.idleCount).toBe(0);
});

test('two cold starts and one starting worker: the second spawns its own', async () => {
  pool = new WarmPool(1);
  pool.fill(kind);
  const taken = await Promise.all([pool.take(kind), pool.take(kind)]);
  for (const { worker } of taken) started.push(worker);
  expect(taken.map((t) => t.fromPool)).toEqual([true, false]);
  expect(taken[0]!.worker).not.toBe(taken[1]!.worker);
});
