import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, BinProcess, cleanEnv, runBin } from './helpers/bin';
import { copyExample, getWithHost } from './helpers/project';

// Each test starts several real processes (the CLI, runtimes, function instances); on a busy machine that
// takes seconds, so the limits are generous. No test asserts a duration.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

/** `faasport serve` in a project folder, so commands run there reach it through the local target. */
async function serveIn(dir: string): Promise<BinProcess> {
  const serve = new BinProcess(['serve', '--port', '0', '--json'], { cwd: dir, env: cleanEnv() });
  await serve.next((l) => l.type === 'ready');
  return serve;
}

const json = async (args: string[], cwd: string) => {
  const r = await runBin([...args, '--json'], { cwd });
  expect(r.code, `faasport ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};

describe('plan, deploy, plan again on the local target', () => {
  let dir: string;
  let serve: BinProcess;
  beforeAll(async () => {
    assertBuilt();
    dir = copyExample('hello');
    serve = await serveIn(dir);
  });
  afterAll(async () => {
    expect(await serve?.stop()).toBe(0);
  });

  it('plans a create, deploys it with progress per step, then plans no changes', async () => {
    const before = await json(['plan'], dir);
    expect(before.changes).toBe(1);
    expect(before.functions[0]).toMatchObject({ functionName: 'hello', kind: 'create' });
    expect(before.functions[0].steps.length).toBeGreaterThan(0);

    const human = await runBin(['deploy', '--yes'], { cwd: dir });
    expect(human.code, human.stderr).toBe(0);
    // Progress comes from the engine's events: one line per finished step, then the done line.
    for (const step of before.functions[0].steps) expect(human.stderr).toContain(`✓ ${step.summary}`);
    expect(human.stderr).toMatch(/✓ hello deployed to local/);
    expect(human.stdout).toMatch(/^hello {2}r-[0-9a-f]{8} {2}http:\/\//);

    const after = await json(['plan'], dir);
    expect(after.changes).toBe(0);
    expect(after.functions[0]).toMatchObject({ functionName: 'hello', kind: 'none', steps: [] });
    const text = await runBin(['plan'], { cwd: dir });
    expect(text.stdout).toContain('No changes.');

    const again = await json(['deploy', '--yes'], dir);
    expect(again.functions[0].changed).toBe(false);
  });

  it('rm removes the function; ls shows it gone', async () => {
    expect((await json(['ls'], dir)).functions.map((f: { name: string }) => f.name)).toEqual(['hello']);
    expect(await json(['rm', 'hello', '--yes'], dir)).toEqual({
      target: 'local',
      function: 'hello',
      removed: true,
    });
    expect((await json(['ls'], dir)).functions).toEqual([]);
    const invoke = await runBin(['invoke', 'hello', '--json'], { cwd: dir });
    expect(invoke.code).toBe(1);
    expect(JSON.parse(invoke.stdout).status).toBe(404);
  });
});

describe('examples/blue-green as its README runs it: v1, v2 at 0 % tagged, 50/50, rollout to 100 %, rollback', () => {
  let dir: string;
  let dev: BinProcess;
  let url: string;
  beforeAll(async () => {
    assertBuilt();
    dir = copyExample('blue-green');
    // `npx faasport dev examples/blue-green` deploys v1; the other commands run in the example's folder.
    dev = new BinProcess(['dev', dir, '--port', '0', '--json'], { env: cleanEnv() });
    const first = await dev.next((l) => l.type === 'deployed' || l.type === 'error');
    expect(first.type, JSON.stringify(first)).toBe('deployed');
    url = (first.functions as Array<{ url: string }>)[0]!.url;
  });
  afterAll(async () => {
    expect(await dev?.stop()).toBe(0);
  });

  const body = async (args: string[] = []) =>
    (await json(['invoke', 'helloworld', ...args], dir)).body as string;
  const v1 = 'Hello Yeah, it works!!!\n';
  const v2 = 'Hello Yeah, it still works - version 2 !!!\n';

  it('walks the whole blue-green sequence', async () => {
    expect(await body()).toBe(v1);

    const second = await json(['deploy', '--yes', '--config', 'v2.yaml'], dir);
    expect(second.functions[0].traffic).toEqual([
      { revision: 'v1', percent: 100 },
      { revision: 'v2', percent: 0, tag: 'v2' },
    ]);
    expect(await body()).toBe(v1);
    expect(await body(['--tag', 'v2'])).toBe(v2);
    expect(await body(['--revision', 'v1'])).toBe(v1);

    const split = await json(['traffic', 'helloworld', 'v1=50', 'v2=50', '--tag', 'v2=v2'], dir);
    expect(split.traffic).toEqual([
      { revision: 'v1', percent: 50 },
      { revision: 'v2', percent: 50, tag: 'v2' },
    ]);
    // What `curl` sees through the gateway: the split serves both revisions.
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) seen.add(await (await fetch(url)).text());
    expect(seen).toEqual(new Set([v1, v2]));

    const rolled = await json(
      ['rollout', 'helloworld', '--revision', 'v2', '--steps', '75,100', '--samples', '3'],
      dir,
    );
    expect(rolled.traffic).toEqual([{ revision: 'v2', percent: 100 }]);
    expect(await body()).toBe(v2);

    const back = await json(['traffic', 'helloworld', 'v1=100'], dir);
    expect(back.traffic).toEqual([{ revision: 'v1', percent: 100 }]);
    expect(await body()).toBe(v1);
  });

  it('rejects a split that does not sum to 100 or names an unknown revision, changing nothing', async () => {
    const bad = await runBin(['traffic', 'helloworld', 'v1=60', 'v2=30'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('sum to 90');
    const unknown = await runBin(['traffic', 'helloworld', 'v1=50', 'v9=50', '--json'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).error.message).toContain('"v9" does not exist');
    expect(await body()).toBe(v1);
  });

  it('prints the progress of a rollout step by step', async () => {
    const r = await runBin(
      ['rollout', 'helloworld', '--revision', 'v2', '--steps', '50,100', '--samples', '2'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('rollout helloworld: 50% to v2');
    expect(r.stderr).toContain('rollout helloworld: 100% to v2');
    expect(r.stderr).toMatch(/✓ check: 0\/2 requests failed/);
    expect(r.stdout).toContain('rolled out v2');
  });
});

describe('serve --public-metrics', () => {
  it('opens /metrics without the token to loopback host names only; without the flag it needs the token', async () => {
    const dir = copyExample('hello');
    const open = new BinProcess(['serve', '--port', '0', '--json', '--public-metrics'], {
      cwd: dir,
      env: cleanEnv(),
    });
    try {
      const { url } = (await open.next((l) => l.type === 'ready')) as { url: string };
      const port = new URL(url).port;
      const local = await getWithHost(`${url}/metrics`, `localhost:${port}`);
      expect(local.status).toBe(200);
      expect(local.body).toContain('faasport_events_pending');
      const rebound = await getWithHost(`${url}/metrics`, `attacker.example:${port}`);
      expect(rebound.status).toBe(403);
    } finally {
      expect(await open.stop()).toBe(0);
    }
    const closed = await serveIn(copyExample('hello'));
    try {
      const { url } = (await closed.next((l) => l.type === 'ready')) as { url: string };
      expect((await getWithHost(`${url}/metrics`, 'localhost')).status).toBe(401);
    } finally {
      expect(await closed.stop()).toBe(0);
    }
  });
});
