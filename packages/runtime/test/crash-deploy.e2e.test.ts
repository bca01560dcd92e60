import { defineFunction, deploy, type FunctionConfig } from '@faasport/core';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { createLocalAdapter } from '../src/index';
import { cleanTemp, tempDir } from './helpers/fixtures';
import { type RuntimeProcess, request, startRuntimeProcess } from './helpers/runtime-process';

const running: RuntimeProcess[] = [];
afterEach(async () => {
  for (const runtime of running.splice(0)) await runtime.kill9();
});
afterAll(() => cleanTemp());

/** 50 functions; every other one private. */
const project: FunctionConfig[] = Array.from({ length: 50 }, (_, i) => ({
  name: `fn${i}`,
  source: { inline: `export default () => 'fn${i}';` },
  ...(i % 2 ? { visibility: 'private' as const } : {}),
}));
const isPrivate = (name: string) => Number(name.slice(2)) % 2 === 1;

/** Deploys the project one function after another and kills the runtime (SIGKILL) after `steps` finished steps. */
async function deployUntilKilled(runtime: RuntimeProcess, steps: number): Promise<number> {
  const adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
  let done = 0;
  let killed: Promise<void> | undefined;
  try {
    for (const config of project) {
      await deploy(adapter, defineFunction(config), {
        onEvent: (event) => {
          if (event.type === 'step-end' && ++done === steps) killed = runtime.kill9();
        },
      });
      if (killed) break;
    }
  } catch {
    // The runtime went away under the deploy.
  }
  await (killed ?? runtime.kill9());
  return done;
}

describe('crash safety', () => {
  test('kill -9 at many points of a 50-function deploy: after the restart no private function answers anonymously and traffic is coherent', async () => {
    // A kill after each step of the first two functions (the second is private), then spread over the
    // deploy; each in a fresh data dir.
    for (const steps of [1, 2, 3, 4, 5, 6, 11, 38, 67, 99]) {
      const dataDir = tempDir('faasport-crash-');
      const first = await startRuntimeProcess(dataDir);
      running.push(first);
      const done = await deployUntilKilled(first, steps);
      expect(done).toBeGreaterThanOrEqual(steps);
      const runtime = await startRuntimeProcess(dataDir);
      running.push(runtime);
      const admin = { authorization: `Bearer ${runtime.token}` };
      const list = JSON.parse(
        (await request(`${runtime.url}/_faasport/v1/functions`, { headers: admin })).body,
      ).functions as Array<{ name: string }>;
      expect(list.length, `functions after a kill at step ${steps}`).toBeGreaterThan(0);
      for (const { name } of list) {
        const live = JSON.parse(
          (await request(`${runtime.url}/_faasport/v1/functions/${name}`, { headers: admin })).body,
        ) as { revisions: Array<{ label: string }>; traffic: Array<{ revision: string; percent: number }> };
        const labels = new Set(live.revisions.map((r) => r.label));
        const where = `${name} after a kill at step ${steps}`;
        expect(live.revisions.length, where).toBeGreaterThan(0);
        expect(
          live.traffic.reduce((sum, t) => sum + t.percent, 0),
          where,
        ).toBe(100);
        for (const entry of live.traffic) expect(labels.has(entry.revision), where).toBe(true);
        if (isPrivate(name)) {
          const anonymous = await request(`${runtime.url}/${name}/`);
          expect(`${where}: ${anonymous.status}`).toBe(`${where}: 401`);
        }
      }
      await runtime.kill9();
    }
  }, 600_000);
});
