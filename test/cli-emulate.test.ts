import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { assertBuilt, BinProcess, cleanEnv, runBin, tempDir } from './helpers/bin';
import { copyExample, getWithHost } from './helpers/project';

// Each test starts the CLI and an emulator as real processes, then more CLI processes against it; on a
// busy machine that takes seconds, so the limits are generous. No test asserts an upper bound on time.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const run = promisify(execFile);
const kubectl = await run('kubectl', ['version', '--client'])
  .then(() => true)
  .catch(() => false);

/** What `faasport emulate --json` prints. */
interface Started {
  emulator: string;
  endpoint: string;
  region: string | null;
  target: Record<string, unknown>;
  env: Record<string, string>;
}

const running: BinProcess[] = [];

function emulate(args: string[]): { child: BinProcess; started: Promise<Started> } {
  const child = new BinProcess(['emulate', ...args, '--json']);
  running.push(child);
  return { child, started: child.next((l) => 'endpoint' in l) as Promise<unknown> as Promise<Started> };
}

/** A project whose only target is the one `emulate` printed. */
function projectWith(started: Started, example = 'hello'): string {
  const dir = copyExample(example);
  const yaml = readFileSync(join(dir, 'faasport.yaml'), 'utf8').replace(
    /targets:\n(?: {2}.*\n)+/,
    `${stringify({ targets: { emu: started.target } })}`,
  );
  writeFileSync(join(dir, 'faasport.yaml'), yaml);
  return dir;
}

/** Whether anything accepts connections at `url`. */
const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
    () => true,
    () => false,
  );

beforeAll(() => assertBuilt());

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

describe('faasport emulate kubernetes', () => {
  it('prints a ready knative target and a kubeconfig that kubectl and `faasport deploy` use, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const kubeconfig = join(dir, 'kubeconfig');
    const latency = 300;
    const { child, started } = emulate([
      'kubernetes',
      '--kubeconfig',
      kubeconfig,
      '--latency',
      String(latency),
    ]);
    const line = await started;
    expect(line).toMatchObject({
      emulator: 'kubernetes',
      region: null,
      env: { KUBECONFIG: kubeconfig },
      target: { adapter: 'knative', kubeconfig, context: 'emulator', namespace: 'default' },
    });
    expect(line.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // The kubeconfig holds the token: only its owner may read it.
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    const config = readFileSync(kubeconfig, 'utf8');
    expect(config).toContain(`server: ${line.endpoint}`);
    expect(config).toContain('certificate-authority-data: ');
    expect(config).not.toContain('insecure-skip-tls-verify');
    // A lower bound only: every API call waits --latency before it is answered (here a 401 without the token).
    const begun = performance.now();
    expect((await fetch(`${String(line.target.ingress)}/version`)).status).toBe(401);
    expect(performance.now() - begun).toBeGreaterThanOrEqual(latency - 5);

    if (kubectl) {
      const ns = await run('kubectl', ['get', 'namespaces', '-o', 'name'], {
        env: { ...cleanEnv(), ...line.env },
      });
      expect(ns.stdout.split('\n')).toContain('namespace/default');
    } else console.warn('kubectl is not installed: the kubectl half of this test did not run');

    // A user's deploy script: the printed target and env, unchanged.
    const project = projectWith(line);
    const env = cleanEnv(line.env);
    const deployed = await runBin(['deploy', '--target', 'emu', '--yes', '--json'], { cwd: project, env });
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    const url = JSON.parse(deployed.stdout).functions[0].url as string;
    const routed = await getWithHost(`${String(line.target.ingress)}/?name=emu`, new URL(url).host);
    expect(routed.body).toMatch(/^Hello emu from hello/);

    const exited = new Promise((resolve) => child.child.once('close', resolve));
    child.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await answers(String(line.target.ingress))).toBe(false);
  });
});

describe('faasport emulate fc and functiongraph', () => {
  let busy: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (busy ? busy.close(resolve) : resolve(undefined)));
    busy = undefined;
  });

  it('serves FC on the chosen port, delays each call by --latency, and answers the printed credentials', async () => {
    // A free port: bind 0, read it, release it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const latency = 400;
    const { started } = emulate(['fc', '--port', String(port), '--latency', String(latency)]);
    const line = await started;
    expect(line).toMatchObject({
      emulator: 'fc',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'cn-hangzhou',
      target: { adapter: 'fc', endpoint: `http://127.0.0.1:${port}`, region: 'cn-hangzhou' },
    });
    expect(Object.keys(line.env).sort()).toEqual([
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    ]);

    // A lower bound only: the delay is added before the emulator sees the call.
    const begun = performance.now();
    const unsigned = await fetch(`${line.endpoint}/2016-08-15/services`);
    expect(unsigned.ok).toBe(false);
    expect(performance.now() - begun).toBeGreaterThanOrEqual(latency - 5);

    // Signed calls through the forwarding port: the printed target and env work unchanged.
    const project = projectWith(line);
    const listed = await runBin(['ls', '--target', 'emu', '--json'], {
      cwd: project,
      env: cleanEnv(line.env),
    });
    expect(listed.code, listed.stdout + listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ target: 'emu', functions: [] });
    const wrongKey = await runBin(['ls', '--target', 'emu', '--json'], {
      cwd: project,
      env: cleanEnv({ ...line.env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' }),
    });
    expect(wrongKey.code).toBe(1);
  });

  it('serves FunctionGraph with SDK-signed calls from the printed target and env, and stops on SIGINT', async () => {
    const { child, started } = emulate(['functiongraph']);
    const line = await started;
    expect(line).toMatchObject({
      emulator: 'functiongraph',
      region: 'cn-north-4',
      target: { adapter: 'functiongraph', region: 'cn-north-4', endpoint: line.endpoint },
      env: { HUAWEICLOUD_SDK_AK: expect.any(String), HUAWEICLOUD_SDK_SK: expect.any(String) },
    });
    const project = projectWith(line);
    const listed = await runBin(['ls', '--target', 'emu', '--json'], {
      cwd: project,
      env: cleanEnv(line.env),
    });
    expect(listed.code, listed.stdout + listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).functions).toEqual([]);
    expect(await child.stop()).toBe(0);
    expect(await answers(line.endpoint)).toBe(false);
  });

  it('serves Lambda to the printed target and env: deploy and invoke through the CLI, a wrong secret refused', async () => {
    const { started } = emulate(['lambda']);
    const line = await started;
    expect(line).toMatchObject({
      emulator: 'lambda',
      region: 'us-east-1',
      target: {
        adapter: 'lambda',
        region: 'us-east-1',
        endpoint: line.endpoint,
        role: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//),
      },
      env: {
        AWS_ACCESS_KEY_ID: expect.any(String),
        AWS_SECRET_ACCESS_KEY: expect.any(String),
        AWS_REGION: 'us-east-1',
      },
    });
    const project = projectWith(line);
    // The AWS SDK's default chain reads the printed variables; no shared config file may interfere.
    const env = cleanEnv({
      ...line.env,
      AWS_CONFIG_FILE: join(project, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(project, 'none'),
    });
    const deployed = await runBin(['deploy', '--target', 'emu', '--yes', '--json'], { cwd: project, env });
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    const invoked = await runBin(['invoke', 'hello', '--target', 'emu', '--path', '/?name=Ada'], {
      cwd: project,
      env,
    });
    expect(invoked.code, invoked.stdout + invoked.stderr).toBe(0);
    expect(invoked.stdout).toContain('Ada');
    const wrongKey = await runBin(['ls', '--target', 'emu', '--json'], {
      cwd: project,
      env: { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toContain('InvalidSignatureException');
  });

  it('names the option when the port is taken, and rejects bad arguments as usage errors', async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy!.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    const taken = await runBin(['emulate', 'fc', '--port', String(port), '--json']);
    expect(taken.code).toBe(1);
    expect(JSON.parse(taken.stdout).error).toMatchObject({ code: 'FP_CONFIGURATION' });
    expect(JSON.parse(taken.stdout).error.message).toContain(`127.0.0.1:${port}`);

    const unknown = await runBin(['emulate', 'azure']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('kubernetes, fc, fc3, functiongraph, lambda');
    const misplaced = await runBin(['emulate', 'fc', '--kubeconfig', 'x']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--kubeconfig');
    const latency = await runBin(['emulate', 'fc', '--latency', 'soon']);
    expect(latency.code).toBe(2);
    expect(latency.stderr).toContain('--latency "soon"');
  });
});
