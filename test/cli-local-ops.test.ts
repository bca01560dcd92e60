import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, BinProcess, cleanEnv, runBin, tempDir } from './helpers/bin';

// Each test starts several real processes (the CLI, the runtime, function instances); on a busy machine that
// takes seconds, so the limits are generous. No test asserts a duration.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const handler = (greeting: string) => `export default async (request, ctx) => {
  ctx.log.info('greeted', { name: 'Ada', n: 1 });
  return '${greeting} from ' + ctx.revision;
};
`;

const yaml = (revision: string, traffic: string, env = 'A') => `name: shop
targets:
  local: { adapter: local }
functions:
  - name: hello
    source: { dir: ./hello }
    env: { GREETING: ${env} }
    revision: ${revision}
${traffic}`;

// A person's session on the local runtime: `faasport serve` in the project, every other command run from
// elsewhere (the repository root) naming the project folder, as `faasport dev DIR` does.
describe('working with deployed functions on the local target', () => {
  let dir: string;
  let serve: BinProcess;
  const run = (args: string[]) => runBin(args, { env: cleanEnv() });
  const ok = async (args: string[]) => {
    const r = await run(args);
    expect(r.code, `faasport ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };

  beforeAll(async () => {
    assertBuilt();
    dir = tempDir('faasport-ops-');
    mkdirSync(join(dir, 'hello'));
    writeFileSync(join(dir, 'hello', 'index.mjs'), handler('Hello'));
    writeFileSync(join(dir, 'faasport.yaml'), yaml('v1', ''));
    serve = new BinProcess(['serve', '--port', '0', '--json'], { cwd: dir, env: cleanEnv() });
    await serve.next((l) => l.type === 'ready');
  });
  afterAll(async () => {
    expect(await serve?.stop()).toBe(0);
  });

  it('plan and deploy take the project folder as an argument; invoke output ends with a newline', async () => {
    const plan = JSON.parse((await ok(['plan', dir, '--json'])).stdout);
    expect(plan.functions[0]).toMatchObject({ functionName: 'hello', kind: 'create' });
    await ok(['deploy', dir, '--yes']);
    const invoked = await ok(['invoke', 'hello', '--config', dir]);
    expect(invoked.stdout).toBe('Hello from v1\n');
  });

  it('logs --json keeps a log call fields as fields; --tail keeps the last lines', async () => {
    await ok(['invoke', 'hello', '--config', dir]);
    const lines = (await ok(['logs', 'hello', '--config', dir, '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const own = lines.filter((l) => l.message === 'greeted');
    expect(own.length).toBeGreaterThanOrEqual(2);
    expect(own[0].fields).toMatchObject({ name: 'Ada', n: 1 });
    const tail = (await ok(['logs', 'hello', '--config', dir, '--json', '--tail', '2'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(tail).toEqual(lines.slice(-2));
    const bad = await run(['logs', 'hello', '--config', dir, '--tail', 'ten']);
    expect(bad.code).toBe(2);
  });

  it('plan says "changed in faasport.yaml" for the user\'s own edit, not "changed outside faasport"', async () => {
    writeFileSync(join(dir, 'faasport.yaml'), yaml('v1b', '', 'B'));
    const plan = await ok(['plan', dir]);
    expect(plan.stdout).toContain('changed in faasport.yaml: env: {"GREETING":"A"} → {"GREETING":"B"}');
    expect(plan.stdout).not.toContain('changed outside faasport');
    writeFileSync(join(dir, 'faasport.yaml'), yaml('v1', ''));
    expect((await ok(['plan', dir])).stdout).toContain('No changes.');
  });

  it('ls shows each revision with its traffic, tags and URLs', async () => {
    writeFileSync(join(dir, 'hello', 'index.mjs'), handler('Howdy'));
    writeFileSync(
      join(dir, 'faasport.yaml'),
      yaml(
        'v2',
        '    traffic:\n      - { revision: v1, percent: 90 }\n      - { revision: latest, percent: 10, tag: canary }\n',
      ),
    );
    await ok(['deploy', dir, '--yes']);
    const listed = JSON.parse((await ok(['ls', '--config', dir, '--json'])).stdout);
    const hello = listed.functions.find((f: { name: string }) => f.name === 'hello');
    expect(hello.url).toMatch(/^http:\/\//);
    expect(hello.revisions).toEqual([
      expect.objectContaining({
        label: 'v2',
        percent: 10,
        tags: ['canary'],
        urls: [expect.stringMatching(/canary/)],
      }),
      expect.objectContaining({ label: 'v1', percent: 90, tags: [], urls: [] }),
    ]);
    const human = (await ok(['ls', '--config', dir])).stdout;
    expect(human).toMatch(/v2 +10% +canary +http:\/\/\S*canary/);
    expect(human).toMatch(/v1 +90%/);
  });

  it('rollout without --revision rolls out the revision of the current code, and refuses when it is not deployed', async () => {
    const done = JSON.parse(
      (await ok(['rollout', 'hello', '--config', dir, '--steps', '100', '--json'])).stdout,
    );
    expect(done.revision).toBe('v2');
    expect(done.traffic).toEqual([expect.objectContaining({ revision: 'v2', percent: 100 })]);
    // An edit that was not deployed: the newest deployed revision is not the current code.
    writeFileSync(
      join(dir, 'hello', 'index.mjs'),
      readFileSync(join(dir, 'hello', 'index.mjs'), 'utf8').replace('Howdy', 'Hi'),
    );
    writeFileSync(join(dir, 'faasport.yaml'), yaml('v3', ''));
    const refused = await run(['rollout', 'hello', '--config', dir, '--steps', '100']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('The current code (revision v3) is not deployed on local');
    expect(refused.stderr).toContain('Pass --revision with one of: v1, v2');
  });

  it('rm of a function that does not exist says it was not found', async () => {
    const r = await run(['rm', 'nope', '--config', dir, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FP_NOT_FOUND');
    expect(r.stderr).toContain('Function "nope" does not exist on target "local"');
    await ok(['rm', 'nope', '--config', dir, '--yes', '--ignore-not-found']);
  });
});
