import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Runtime, startRuntime } from '@faasport/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  assertBuilt,
  BinProcess,
  cleanEnv,
  followingLogs,
  repoRoot,
  runBin,
  runNode,
  tempDir,
} from './helpers/bin';
import { atomicSave, type Deployed, untilServes } from './helpers/dev';
import { text } from './helpers/project';

// Every example runs where it lives, from the repository root, as its README says: `faasport dev
// examples/<name>` keeps its state in `examples/<name>/.faasport`, and the other commands run in the
// example's folder. Only the port differs (`--port 0`, so parallel runs never collide). Each test
// removes the data dir it created.
//
// Each test starts several real processes (the CLI, runtimes, function instances); on a busy machine that
// takes seconds, so the limits are generous. No test asserts a duration.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

/** An example's folder in the repository. */
const exampleDir = (name: string) => join(repoRoot, 'examples', name);

/** An example served by `faasport dev` in place. */
interface DevRun {
  dir: string;
  dev: BinProcess;
  deployed: Deployed;
  runtimeUrl: string;
  urls: Record<string, string | undefined>;
  /** Stops `faasport dev` (its exit code) and removes the data dir it created. */
  stop: () => Promise<number>;
}

/** `npx faasport dev examples/<name>` from the repository root (on a free port), until its first deploy. */
async function devInPlace(name: string): Promise<DevRun> {
  const dir = exampleDir(name);
  const dataDir = join(dir, '.faasport');
  const existed = existsSync(dataDir);
  const dev = new BinProcess(['dev', `examples/${name}`, '--port', '0', '--json'], { cwd: repoRoot });
  const stop = async () => {
    const code = await dev.stop();
    if (!existed) rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  try {
    const ready = await dev.next((l) => l.type === 'ready');
    expect(ready.dataDir).toBe(dataDir);
    const deployed = (await dev.next(
      (l) => l.type === 'deployed' || l.type === 'error',
    )) as unknown as Deployed;
    expect(deployed.type, JSON.stringify(deployed)).toBe('deployed');
    const urls = Object.fromEntries(deployed.functions.map((f) => [f.name, f.url]));
    return { dir, dev, deployed, runtimeUrl: String(ready.url), urls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * {@link devInPlace} for the tests of a describe block: started before them, stopped after them (and
 * `faasport dev` must exit 0). The object is filled in when the block starts.
 */
function devInPlaceForBlock(name: string): DevRun {
  const run = {} as DevRun;
  beforeAll(async () => {
    Object.assign(run, await devInPlace(name));
  });
  afterAll(async () => {
    expect(await run.stop?.()).toBe(0);
  });
  return run;
}

/** `npx faasport ...args --json` in `cwd`, parsed; fails the test with stderr when it exits non-zero. */
async function json(args: string[], cwd: string): Promise<any> {
  const r = await runBin([...args, '--json'], { cwd });
  expect(r.code, `faasport ${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(() => assertBuilt());

describe('examples/hello in place', () => {
  const run = devInPlaceForBlock('hello');

  it("answers curl, and `invoke` and `logs` reach it from the example's folder", async () => {
    const { revision } = run.deployed.functions[0]!;
    expect(await text(`${run.urls.hello}?name=Ada`)).toEqual({
      status: 200,
      body: `Hello Ada from hello (revision ${revision})\n`,
    });
    expect((await json(['invoke', 'hello', '--path', '/?name=cli'], run.dir)).body).toBe(
      `Hello cli from hello (revision ${revision})\n`,
    );
    const logs = await runBin(['logs', 'hello'], { cwd: run.dir });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('greeting {"name":"cli"}');
  });
  it('redeploys on each save of hello/index.mjs, the way vim saves (write a temp file, rename it over)', async () => {
    // The greeting stays the same (other tests may be reading this example): a comment changes the
    // code, so each save makes a new revision, and the original is saved back at the end.
    const file = join(run.dir, 'hello', 'index.mjs');
    const original = readFileSync(file, 'utf8');
    const greeting = (fn: { revision: string }) => `Hello world from hello (revision ${fn.revision})\n`;
    const seen = new Set([run.deployed.functions[0]!.revision]);
    try {
      for (const save of ['first', 'second']) {
        const from = run.dev.lines.length;
        atomicSave(file, `${original}// ${save} save\n`);
        const fn = await untilServes(run.dev, from, 'hello', greeting, `the ${save} atomic save`);
        expect(seen.has(fn.revision), fn.revision).toBe(false);
        seen.add(fn.revision);
      }
    } finally {
      const from = run.dev.lines.length;
      atomicSave(file, original);
      await untilServes(run.dev, from, 'hello', greeting, 'saving the original back');
    }
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});

describe('examples/coffee in place', () => {
  const run = devInPlaceForBlock('coffee');

  it('the FC-native handler and the web handler answer the same greeting', async () => {
    expect(await text(run.urls.coffee!)).toEqual({ status: 200, body: 'Hello coffee-default\n' });
    expect(await text(run.urls['coffee-web']!)).toEqual({ status: 200, body: 'Hello coffee-default\n' });
  });

  it('renders the Knative-on-FC form of the guide for the native handler', async () => {
    const r = await runBin(['render', '--target', 'knative', '--function', 'coffee'], { cwd: run.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('workload.serving.knative.aliyun.com/class: fc');
    expect(r.stdout).toContain('fc.revision.serving.knative.aliyun.com/code-space: inline');
    expect(r.stdout).toContain("var respBody = Buffer.from('Hello ' + version + '\\n');");
  });

  it('`plan --target fc` without credentials names the variables its README lists', async () => {
    const r = await runBin(['plan', '--target', 'fc', '--json'], { cwd: run.dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'FP_CONFIGURATION',
      envVar: expect.stringMatching(/^ALIBABA_CLOUD_(ACCESS_KEY_ID|ACCESS_KEY_SECRET|ACCOUNT_ID)$/),
    });
  });
});

describe('examples/blue-green in place', () => {
  const run = devInPlaceForBlock('blue-green');

  it('walks its README: v2 at 0 % under a tag, 50/50, rollout to 100 %, rollback', async () => {
    const v1 = 'Hello Yeah, it works!!!\n';
    const v2 = 'Hello Yeah, it still works - version 2 !!!\n';
    expect(await text(run.urls.helloworld!)).toEqual({ status: 200, body: v1 });
    const second = await json(['deploy', '--config', 'v2.yaml', '--yes'], run.dir);
    expect(second.functions[0].traffic).toEqual([
      { revision: 'v1', percent: 100 },
      { revision: 'v2', percent: 0, tag: 'v2' },
    ]);
    expect((await json(['invoke', 'helloworld', '--tag', 'v2'], run.dir)).body).toBe(v2);
    const split = await json(['traffic', 'helloworld', 'v1=50', 'v2=50', '--tag', 'v2=v2'], run.dir);
    expect(split.traffic).toEqual([
      { revision: 'v1', percent: 50 },
      { revision: 'v2', percent: 50, tag: 'v2' },
    ]);
    const rolled = await json(['rollout', 'helloworld', '--revision', 'v2', '--steps', '75,100'], run.dir);
    expect(rolled.traffic).toEqual([{ revision: 'v2', percent: 100 }]);
    expect(await text(run.urls.helloworld!)).toEqual({ status: 200, body: v2 });
    const back = await json(['traffic', 'helloworld', 'v1=100'], run.dir);
    expect(back.traffic).toEqual([{ revision: 'v1', percent: 100 }]);
    expect(await text(run.urls.helloworld!)).toEqual({ status: 200, body: v1 });
  });
});

describe('examples/custom-image in place', () => {
  const run = devInPlaceForBlock('custom-image');

  it('runs the Express server as a command: /invoke answers over HTTP and as an event', async () => {
    expect(await text(`${run.urls['custom-image']}invoke`, { method: 'POST' })).toEqual({
      status: 200,
      body: 'Hello invoke\n',
    });
    const event = await json(['invoke', 'custom-image', '--event', '--data', '{"k":1}'], run.dir);
    expect(event.body).toBe('Hello invoke\n');
  });
});

describe('examples/events in place', () => {
  const run = devInPlaceForBlock('events');

  it('has no URL: its only trigger is the broker', () => {
    expect(run.deployed.functions.map((f) => f.name)).toEqual(['orders']);
    expect(run.urls.orders).toBeUndefined();
  });

  it('`faasport publish` delivers only the events its trigger filter matches', async () => {
    /** `faasport publish` of an order event from /shop. */
    const publishOrder = (type: string, id: string, data: string) => [
      'publish',
      '--type',
      type,
      '--source',
      '/shop',
      '--id',
      id,
      '--data',
      data,
    ];
    await followingLogs(['orders'], { cwd: run.dir }, async (logs) => {
      const other = await json(publishOrder('com.example.order.shipped', 'o-0', '{"id":"o-0"}'), run.dir);
      expect(other).toEqual({
        id: 'o-0',
        type: 'com.example.order.shipped',
        source: '/shop',
        deliveries: [],
      });
      const matched = await runBin(
        publishOrder('com.example.order.created', 'o-1', '{"id":"o-1","total":42}'),
        { cwd: run.dir },
      );
      expect(matched.code, matched.stderr).toBe(0);
      expect(matched.stdout).toContain('published o-1 (com.example.order.created from /shop)');
      expect(matched.stdout).toContain('queued for orders/event');
      const line = await logs.next((l) => String(l.message).startsWith('order created'));
      // With --json the log call's fields stay fields.
      expect(line.message).toBe('order created');
      expect(line.fields).toMatchObject({ order: 'o-1', total: 42, source: '/shop' });
      expect(logs.lines.some((l) => String(l.message).includes('o-0'))).toBe(false);
    });
  });
});

describe('examples/time-source in place', () => {
  it('`faasport dev examples/time-source` deploys the logger, which has no URL', async () => {
    const run = await devInPlace('time-source');
    try {
      expect(run.deployed.functions.map((f) => f.name)).toEqual(['logger']);
      expect(run.urls.logger).toBeUndefined();
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });

  describe('on a runtime whose clock the test moves', () => {
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
      const dir = exampleDir('time-source');
      const deployed = await runBin(['deploy', '--yes', '--json'], { cwd: dir, env });
      expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
      await followingLogs(['logger'], { cwd: dir, env }, async (logs) => {
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
      });
    });
  });
});

describe('examples/migrate', () => {
  it('`node examples/migrate/run.mjs` moves coffee from the FC emulator to the Knative emulator', async () => {
    const { code, stdout } = await runNode('examples/migrate/run.mjs');
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('Hello coffee-default from fc\n');
    expect(stdout).toContain('Hello coffee-default from knative\n');
    expect(stdout).toContain('The same greeting on both targets.');
    // `migrate` prints each note once: no warning repeats within one command's output, with or without
    // the function's name in front.
    for (const section of stdout.split(/^\$ /m).filter((s) => s.startsWith('faasport migrate'))) {
      const notes = section
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.startsWith('⚠'))
        .map((line) => line.replace(/^⚠ (coffee: )?/, ''));
      expect(notes.length, section).toBeGreaterThan(0);
      expect(new Set(notes).size, section).toBe(notes.length);
    }
  });
});

describe('examples/lambda-migrate', () => {
  it('`node examples/lambda-migrate/run.mjs` moves orders from the Lambda emulator to the Knative emulator', async () => {
    const { code, stdout } = await runNode('examples/lambda-migrate/run.mjs');
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('cron(0 9 ? * 2-6 *) Europe/Paris');
    expect(stdout).toContain('Hello Ada, welcome from lambda\n');
    expect(stdout).toContain('create PingSource orders-schedule');
    expect(stdout).toContain('Hello Ada, welcome from knative\n');
    expect(stdout).toContain('The same greeting on both targets.');
  });
});

describe('examples/queues in place', () => {
  const run = devInPlaceForBlock('queues');

  it('`faasport publish orders` reaches the queue trigger as the portable message event', async () => {
    await followingLogs(['orders'], { cwd: run.dir }, async (logs) => {
      const published = await json(['publish', 'orders', '{"id":"o-1","total":42}', '--id', 'm-1'], run.dir);
      expect(published).toEqual({
        topic: 'orders',
        messages: [{ id: 'm-1', deliveries: ['orders/queue'], stored: true }],
      });
      const line = await logs.next((l) => l.message === 'order received');
      expect(line.fields).toMatchObject({ order: 'o-1', total: 42, topic: 'orders', attempt: 1 });
    });
  });

  it('renders the same trigger as a KafkaSource for knative and a KAFKA trigger for functiongraph', async () => {
    const knative = await runBin(['render', '--target', 'knative'], { cwd: run.dir });
    expect(knative.code, knative.stderr).toBe(0);
    expect(knative.stdout).toContain('kind: KafkaSource');
    expect(knative.stdout).toContain('consumerGroup: shop-orders');
    const fg = await runBin(['render', '--target', 'functiongraph'], { cwd: run.dir });
    expect(fg.code, fg.stderr).toBe(0);
    expect(fg.stdout).toContain('"trigger_type_code": "KAFKA"');
    expect(fg.stdout).toContain('"batch_size": 10');
  });
});
