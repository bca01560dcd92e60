import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FcEmulator, startFcEmulator } from '@faasport/emulators/fc';
import { type Fc3Emulator, startFc3Emulator } from '@faasport/emulators/fc3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, cleanEnv, runBin } from './helpers/bin';
import { copyExample, text } from './helpers/project';

// examples/coffee-fc3 on FC 3.0, and `faasport migrate --from fc --to fc3`, through the CLI bin against the
// FC 2.0 and FC 3.0 emulators (one of each for the file, with the same account and access key, as one
// Alibaba Cloud account has both APIs).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

let fc: FcEmulator;
let fc3: Fc3Emulator;

beforeAll(async () => {
  assertBuilt();
  fc = await startFcEmulator();
  fc3 = await startFc3Emulator({
    accountId: fc.accountId,
    region: fc.region,
    accessKeyId: fc.accessKeyId,
    accessKeySecret: fc.accessKeySecret,
  });
});

afterAll(async () => {
  await Promise.all([fc?.close(), fc3?.close()]);
});

/** A copy of examples/coffee (or coffee-fc3) whose fc and fc3 targets are the emulators. */
function coffeeOnEmulators(example = 'coffee'): { dir: string; env: Record<string, string> } {
  const dir = copyExample(example);
  const yaml = readFileSync(join(dir, 'faasport.yaml'), 'utf8')
    .replace(
      'fc: { adapter: fc, region: cn-hangzhou }',
      `fc: { adapter: fc, region: ${fc.region}, endpoint: "${fc.url}" }`,
    )
    .replace(
      'fc3: { adapter: fc3, region: cn-hangzhou }',
      `fc3: { adapter: fc3, region: ${fc3.region}, endpoint: "${fc3.url}" }`,
    )
    // The README's emulator listens on 9300; this one on a free port.
    .replace('http://127.0.0.1:9300', fc3.url);
  writeFileSync(join(dir, 'faasport.yaml'), yaml);
  return {
    dir,
    env: cleanEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: fc.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: fc.accessKeySecret,
      ALIBABA_CLOUD_ACCOUNT_ID: fc.accountId,
    }),
  };
}

/** The lines of a command's output that are warnings (`⚠ ...`). */
const warnings = (output: string) => output.split('\n').filter((line) => line.includes('⚠'));

describe('examples/coffee-fc3 on the FC 3.0 emulator', () => {
  it('deploys the FC 3.0 native handler as its README does; it answers through its HTTP trigger URL', async () => {
    const { dir, env } = coffeeOnEmulators('coffee-fc3');
    const r = await runBin(['deploy', '--target', 'fc3-emulator', '--yes', '--json'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      deployed: boolean;
      functions: Array<{ functionName: string; url?: string }>;
    };
    expect(result.deployed).toBe(true);
    const urls = Object.fromEntries(result.functions.map((f) => [f.functionName, f.url]));
    expect(Object.keys(urls)).toEqual(['coffee-fc3']);
    for (const name of ['coffee-fc3']) {
      expect(urls[name], name).toMatch(new RegExp(`^${fc3.url}/fcapp/${name}-[0-9a-f]{10}$`));
      expect(await text(`${urls[name]}/`), name).toEqual({ status: 200, body: 'Hello coffee-default\n' });
    }
    const invoked = await runBin(['invoke', 'coffee-fc3', '--target', 'fc3-emulator'], { cwd: dir, env });
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(invoked.stdout).toBe('Hello coffee-default\n');
    // The native handler's POST is the same event: its answer does not depend on the method.
    expect(await text(`${urls['coffee-fc3']}/order`, { method: 'POST', body: 'latte' })).toEqual({
      status: 200,
      body: 'Hello coffee-default\n',
    });
  });
});

describe('faasport migrate --from fc --to fc3', () => {
  it('plans with --dry-run and writes nothing, refuses an FC 2.0 HTTP handler, then moves a web function; it answers on FC 3.0 and each note shows once', async () => {
    const { dir, env } = coffeeOnEmulators();
    // A name of its own: the test above deploys coffee-web to the same FC 3.0 emulator.
    const yaml = join(dir, 'faasport.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('- name: coffee-web', '- name: mocha'));
    const deployed = await runBin(['deploy', '--target', 'fc', '--function', 'coffee,mocha', '--yes'], {
      cwd: dir,
      env,
    });
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);

    const writes = fc3.writes();
    const dry = await runBin(['migrate', 'mocha', '--from', 'fc', '--to', 'fc3', '--dry-run', '--json'], {
      cwd: dir,
      env,
    });
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan).toMatchObject({ function: 'mocha', from: 'fc', to: 'fc3', deployed: false });
    // The report: FC 2.0 keeps several versions and aliases; the export takes the one with the traffic.
    expect(plan.notes).toEqual([
      expect.stringMatching(
        /^the code and configuration are those of revision r-[0-9a-f]{8} \(FC version 1\), which takes the main traffic$/,
      ),
    ]);
    expect(plan.plan.kind).toBe('create');
    expect(fc3.writes()).toBe(writes);

    // The FC 2.0 HTTP handler (request, response, context) has nothing to run it on FC 3.0: refused,
    // before any write, with what to do instead.
    const refused = await runBin(['migrate', 'coffee', '--from', 'fc', '--to', 'fc3', '--dry-run'], {
      cwd: dir,
      env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("FC 2.0's HTTP handler (request, response, context)");
    expect(refused.stderr).toContain('providers.local.contract: fc3-event');
    expect(fc3.writes()).toBe(writes);

    const moved = await runBin(['migrate', 'mocha', '--from', 'fc', '--to', 'fc3', '--yes'], {
      cwd: dir,
      env,
    });
    expect(moved.code, moved.stdout + moved.stderr).toBe(0);
    const output = moved.stdout + moved.stderr;
    expect(warnings(output)).toContain(`⚠ not carried over: ${plan.notes[0]}`);
    expect(new Set(warnings(output)).size).toBe(warnings(output).length);
    const url = /migrated from fc to fc3\s+(\S+)/.exec(moved.stdout)?.[1];
    expect(url).toMatch(new RegExp(`^${fc3.url}/fcapp/mocha-[0-9a-f]{10}$`));
    expect(await text(`${url}/`)).toEqual({ status: 200, body: 'Hello coffee-default\n' });
  });
});
