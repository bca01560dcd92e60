import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DeployEvent, defineFunction, deploy, invoke, rollout, setTraffic } from '@faasport/core';
import { createLocalAdapter, startRuntime } from '@faasport/runtime';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from './helpers/bin';

vi.setConfig({ testTimeout: 90_000 });

// The library example of the README (docs/readme-draft.md), step by step, with its paths in a temp folder.
describe('the README library example', () => {
  const dir = tempDir();
  let close: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await close?.();
  });

  it('deploys v1, invokes it, adds v2 at 0 % under a tag, rolls out and rolls back', async () => {
    mkdirSync(join(dir, 'hello'));
    writeFileSync(
      join(dir, 'hello', 'index.mjs'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the handler's own source, a template literal.
      'export default (req, ctx) => `${ctx.env.GREETING ?? "Hello"} ${new URL(req.url).searchParams.get("name")} from ${ctx.revision}`;\n',
    );
    const runtime = await startRuntime({ dataDir: join(dir, '.faasport'), port: 0 });
    close = () => runtime.close();
    const local = createLocalAdapter({ url: runtime.url, token: runtime.token });

    const hello = { name: 'hello', source: { dir: join(dir, 'hello') } } as const;
    const events: DeployEvent['type'][] = [];
    const result = await deploy(local, defineFunction({ ...hello, revision: 'v1' }), {
      onEvent: (event) => events.push(event.type),
    });
    expect(result.url).toBeTruthy();
    expect(events[0]).toBe('plan-start');
    expect(events).toContain('step-end');
    expect(events[events.length - 1]).toBe('done');
    expect(await (await invoke(local, 'hello', { path: '/?name=Ada' })).text()).toBe('Hello Ada from v1');

    await deploy(
      local,
      defineFunction({
        ...hello,
        revision: 'v2',
        env: { GREETING: 'Hi' },
        traffic: [
          { revision: 'v1', percent: 100 },
          { revision: 'latest', percent: 0, tag: 'candidate' },
        ],
      }),
    );
    expect(await (await invoke(local, 'hello', { path: '/?name=Ada' }, { tag: 'candidate' })).text()).toBe(
      'Hi Ada from v2',
    );
    const rolled = await rollout(local, 'hello', { revision: 'v2', steps: [10, 50, 100], samples: 2 });
    expect(rolled.traffic).toEqual([{ revision: 'v2', percent: 100 }]);
    expect(await (await invoke(local, 'hello', { path: '/?name=Ada' })).text()).toBe('Hi Ada from v2');
    await setTraffic(local, 'hello', [{ revision: 'v1', percent: 100 }]);
    expect(await (await invoke(local, 'hello', { path: '/?name=Ada' })).text()).toBe('Hello Ada from v1');
  });
});
