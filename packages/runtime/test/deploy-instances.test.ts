import fs from 'node:fs';
import { defineFunction, deploy } from '@faasport/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { descendantsOf } from '../src/executor/process-tree';
import { createLocalAdapter } from '../src/index';
import { verifiedKeptWarm } from '../src/server/functions';
import { cleanTemp, tempDir } from './helpers/fixtures';
import { type RuntimeProcess, request, startRuntimeProcess } from './helpers/runtime-process';

// A deploy starts an instance of each revision to check that its code loads. A project of many
// functions must not leave one process per function running for the idle window.

let runtime: RuntimeProcess;

beforeAll(async () => {
  runtime = await startRuntimeProcess(tempDir('faasport-deploy-instances-'));
});

afterAll(async () => {
  await runtime?.stop();
  cleanTemp();
});

/** The Node worker processes below the runtime: its instances and its pooled workers. */
function workers(): number {
  return descendantsOf(runtime.child.pid!).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node-worker.mjs');
    } catch {
      return false; // Ended while the tree was read.
    }
  }).length;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${workers()} workers)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(process.platform !== 'linux')('a deploy of many functions', () => {
  test('keeps the instances of the last few verified revisions only, and every function answers', async () => {
    const adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
    const count = 12;
    for (let i = 0; i < count; i++) {
      await deploy(
        adapter,
        defineFunction({ name: `many${i}`, source: { inline: `export default () => 'many ${i}';\n` } }),
      );
    }
    // The kept instances and the one pooled worker; the others stop once their check is done (a
    // quiet stop: the worker exits when its channel closes).
    const limit = verifiedKeptWarm + 1;
    await until(() => workers() <= limit, `at most ${limit} workers`);
    expect(workers()).toBeLessThan(count);
    for (let i = 0; i < count; i++) {
      const res = await request(`${runtime.url}/many${i}/`);
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: `many ${i}` });
    }
  });
});
