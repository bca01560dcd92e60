import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Runtime, startRuntime } from '@faasport/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, BinProcess, cleanEnv, repoRoot, runBin, tempDir } from './helpers/bin';
import { copyExample, text } from './helpers/project';

// Each test starts several real processes (the CLI, runtimes, function instances); on a busy machine that
// takes seconds, so the limits are generous. No test asserts a duration.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface Deployed {
  type: 'deployed';
  functions: Array<{ name: string; revision: string; url: string }>;
}

/** `faasport dev <copy of the example> --port 0 --json`, as each example's README runs it. */
async function devExample(
  name: string,
): Promise<{ dir: string; dev: BinProcess; deployed: Deployed; runtimeUrl: string }> {
  const dir = copyExample(name);
  const dev = new BinProcess(['dev', dir, '--port', '0', '--json']);
  const ready = await dev.next((l) => l.type === 'ready');
  const deployed = (await dev.next(
    (l) => l.type === 'deployed' || l.type === 'error',
  )) as unknown as Deployed;
  expect(deployed.type, JSON.stringify(deployed)).toBe('deployed');
  return { dir, dev, deployed, runtimeUrl: String(ready.url) };
}

beforeAll(() => assertBuilt());

describe('examples/coffee on local', () => {
  let run: Awaited<ReturnType<typeof devExample>>;
  beforeAll(async () => {
    run = await devExample('coffee');
  });
  afterAll(async () => {
    expect(await run?.dev.stop()).toBe(0);
  });

  it('the FC-native handler and the web handler answer the same greeting', async () => {
    const urls = Object.fromEntries(run.deployed.functions.map((f) => [f.name, f.url]));
    expect(await text(urls.coffee!)).toEqual({ status: 200, body: 'Hello coffee-default\n' });
    expect(await text(urls['coffee-web']!)).toEqual({ status: 200, body: 'Hello coffee-default\n' });
  });

  it('renders the Knative-on-FC form of the guide for the native handler', async () => {
    const r = await runBin(['render', '--target', 'knative', '--function', 'coffee'], { cwd: run.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('workload.serving.knative.aliyun.com/class: fc');
    expect(r.stdout).toContain('fc.revision.serving.knative.aliyun.com/code-space: inline');
    expect(r.stdout).toContain("var respBody = Buffer.from('Hello ' + version + '\\n');");
  });
});

describe('examples/custom-image on local', () => {
  let run: Awaited<ReturnType<typeof devExample>>;
  beforeAll(async () => {
    run = await devExample('custom-image');
  });
  afterAll(async () => {
    expect(await run?.dev.stop()).toBe(0);
  });

  it('runs the Express server as a command: /invoke answers over HTTP and as an event', async () => {
    const url = run.deployed.functions[0]!.url;
    expect(await text(`${url}invoke`, { method: 'POST' })).toEqual({ status: 200, body: 'Hello invoke\n' });
    const event = await runBin(['invoke', 'custom-image', '--event', '--data', '{"k":1}', '--json'], {
      cwd: run.dir,
    });
    expect(event.code, event.stderr).toBe(0);
    expect(JSON.parse(event.stdout).body).toBe('Hello invoke\n');
  });
});

describe('examples/events on local', () => {
  let run: Awaited<ReturnType<typeof devExample>>;
  beforeAll(async () => {
    run = await devExample('events');
  });
  afterAll(async () => {
    expect(await run?.dev.stop()).toBe(0);
  });

  const publish = (type: string, id: string) =>
    fetch(`${run.runtimeUrl}/_faasport/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${readFileSync(join(run.dir, '.faasport', 'token'), 'utf8').trim()}`,
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/shop',
        'ce-type': type,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ id, total: 42 }),
    });

  it('delivers only the events its trigger filter matches', async () => {
    const logs = new BinProcess(['logs', 'orders', '--follow', '--json'], { cwd: run.dir });
    try {
      const other = await publish('com.example.order.shipped', 'o-0');
      expect(other.status).toBe(202);
      expect((await other.json()).deliveries).toEqual([]);
      const matched = await publish('com.example.order.created', 'o-1');
      expect(matched.status).toBe(202);
      expect((await matched.json()).deliveries).toEqual(['orders/event']);
      const line = await logs.next((l) => String(l.message).startsWith('order created'));
      // With --json the log call's fields stay fields.
      expect(line.message).toBe('order created');
      expect(line.fields).toMatchObject({ order: 'o-1', total: 42, source: '/shop' });
      expect(logs.lines.some((l) => String(l.message).includes('o-0'))).toBe(false);
    } finally {
      await logs.stop();
    }
  });
});

describe('examples/time-source', () => {
  let runtime: Runtime;
  let now = Date.UTC(2026, 0, 1, 12, 0, 30);
  let env: Record<string, string>;
  beforeAll(async () => {
    // The runtime's clock is the test's, so a minute passes without waiting for one.
    runtime = await startRuntime({
      dataDir: tempDir(),
      port: 0,
      clock: () => now,
      schedulerIntervalMs: 3_600_000,
      warmPool: 0,
    });
    env = cleanEnv({ FAASPORT_RUNTIME_URL: runtime.url, FAASPORT_RUNTIME_TOKEN: runtime.token });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('the cron trigger posts the time to the logger once per minute', async () => {
    const dir = copyExample('time-source');
    const deployed = await runBin(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    const logs = new BinProcess(['logs', 'logger', '--follow', '--json'], { cwd: dir, env });
    try {
      expect(runtime.tick()).toEqual([]); // the first look only starts the count
      now += 60_000;
      expect(runtime.tick()).toEqual([
        { function: 'logger', trigger: 'schedule', at: '2026-01-01T12:01:00.000Z' },
      ]);
      const line = await logs.next((l) => String(l.message).startsWith('tick '));
      expect(line.message).toBe('tick 2026-01-01T12:01:00.000Z');
      expect(line.fields).toMatchObject({
        source: '/faasport/schedule/logger/schedule',
        type: 'dev.faasport.schedule',
      });
    } finally {
      await logs.stop();
    }
  });
});

describe('examples/migrate', () => {
  it('`node examples/migrate/run.mjs` moves coffee from the FC emulator to the Knative emulator', async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [join(repoRoot, 'examples/migrate/run.mjs')], {
        cwd: repoRoot,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.resume();
      child.on('close', (c) => resolve({ code: c ?? -1, stdout: out }));
    });
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('Hello coffee-default from fc\n');
    expect(stdout).toContain('Hello coffee-default from knative\n');
    expect(stdout).toContain('The same greeting on both targets.');
  });
});
