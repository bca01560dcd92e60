import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, cleanEnv, repoRoot, runBin, tempDir } from './helpers/bin';

// Each test starts the real CLI (a Node process); on a busy machine that takes seconds. No test asserts a duration.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/** A project folder with one web function and the given targets and function lines. */
function project(targets: string, functionLines = ''): string {
  const dir = tempDir('faasport-checks-');
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'web', 'index.mjs'), 'export default () => "hi";\n');
  writeFileSync(
    join(dir, 'faasport.yaml'),
    `name: shop\ntargets:\n${targets}\nfunctions:\n  - name: web\n    source: { dir: ./web }\n${functionLines}`,
  );
  return dir;
}

const split801010 = `    revision: v3
    traffic:
      - { revision: v1, percent: 80 }
      - { revision: v2, percent: 10 }
      - { revision: latest, percent: 10 }
`;

beforeAll(() => assertBuilt());

// `render` runs the same offline check as `plan` and `deploy` (one function in core: assertDeployable).
describe('render checks what plan checks, offline', () => {
  it('a typo under providers.knative is an error with a did-you-mean, for render and plan alike', async () => {
    const dir = project(
      '  k8s: { adapter: knative }',
      '    providers:\n      knative: { workloadClas: fc }\n',
    );
    // As a person runs it: from the repository root, naming the project folder.
    for (const command of ['render', 'plan']) {
      const r = await runBin([command, dir, '--target', 'k8s']);
      expect(r.code, `${command}\n${r.stderr}`).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('FP_VALIDATION');
      expect(r.stderr).toContain(
        'providers.knative: unknown key "workloadClas"; did you mean "workloadClass"?',
      );
      expect(r.stderr).toContain(
        'hint: Rename providers.knative.workloadClas to providers.knative.workloadClass.',
      );
      expect(r.stderr).not.toContain('does not support');
    }
    const json = await runBin(['render', dir, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      name: 'ValidationError',
      code: 'FP_VALIDATION',
      issues: [expect.objectContaining({ path: 'providers.knative', rule: 'unrecognized_keys' })],
    });
  });

  it('a typo under providers.fc and providers.functiongraph suggests the key too', async () => {
    const dir = project(
      '  fc: { adapter: fc, region: cn-hangzhou }\n  hw: { adapter: functiongraph, region: cn-north-4 }',
      '    providers:\n      fc: { servise: shop }\n      functiongraph: { apigGroupID: g1 }\n',
    );
    const fc = await runBin(['render', dir, '--target', 'fc']);
    expect(fc.code).toBe(1);
    expect(fc.stderr).toContain('providers.fc: unknown key "servise"; did you mean "service"?');
    const hw = await runBin(['render', dir, '--target', 'hw']);
    expect(hw.code).toBe(1);
    expect(hw.stderr).toContain(
      'providers.functiongraph: unknown key "apigGroupID"; did you mean "apigGroupId"?',
    );
  });

  it('a typo in a target option or a providers key names the nearest one, before any adapter call', async () => {
    const dir = project(
      '  fc: { adapter: fc, regoin: cn-hangzhou }',
      '    providers:\n      functiongrap: {}\n',
    );
    const r = await runBin(['render', dir, '--target', 'fc']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      'functions[0].providers: unknown key "functiongrap"; did you mean "functiongraph"? (allowed: local, knative, fc, fc3, functiongraph',
    );
    writeFileSync(
      join(dir, 'faasport.yaml'),
      'name: shop\ntargets:\n  fc: { adapter: fc, regoin: cn-hangzhou }\nfunctions:\n  - name: web\n    source: { dir: ./web }\n',
    );
    const json = await runBin(['render', dir, '--target', 'fc', '--json']);
    expect(json.code, json.stderr).toBe(1);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: 'FP_VALIDATION',
      hint: 'Rename targets.fc.regoin to targets.fc.region.',
      issues: [
        {
          path: 'targets.fc',
          message: expect.stringContaining('unknown key "regoin"; did you mean "region"?'),
          rule: 'unrecognized_keys',
        },
      ],
    });
  });

  it('an 80/10/10 split is an error for FC and FunctionGraph, with nothing printed or written', async () => {
    const dir = project(
      '  fc: { adapter: fc, region: cn-hangzhou }\n  hw: { adapter: functiongraph, region: cn-north-4 }',
      `${split801010}    triggers: [{ schedule: { cron: "0 * * * *", timezone: UTC } }]\n`,
    );
    for (const target of ['fc', 'hw']) {
      const out = join(dir, `out-${target}`);
      const r = await runBin(['render', dir, '--target', target, '-o', out]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('FP_UNSUPPORTED_FEATURE');
      expect(r.stderr).toContain('splits traffic over 3 revisions');
      expect(r.stderr).toMatch(/routes to at most 2 at once/);
      expect(existsSync(out)).toBe(false);
    }
    // Knative routes to any number of revisions: the same project renders there.
    writeFileSync(
      join(dir, 'faasport.yaml'),
      `name: shop\ntargets:\n  k8s: { adapter: knative }\nfunctions:\n  - name: web\n    source: { dir: ./web }\n${split801010}`,
    );
    const k8s = await runBin(['render', dir]);
    expect(k8s.code, k8s.stderr).toBe(0);
    expect(k8s.stdout).toContain('percent: 80');
  });

  it('render defaults to the only target and asks for one when there are several', async () => {
    const only = await runBin(['render', 'examples/hello', '--json']);
    expect(only.code, only.stderr).toBe(0);
    expect(JSON.parse(only.stdout)[0]).toMatchObject({ name: 'hello.revision.json' });
    const several = await runBin(['render', 'examples/coffee']);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('needs --target');
    expect(several.stderr).toContain('local, fc, fc3, knative');
    const named = await runBin([
      'render',
      'examples/coffee',
      '--target',
      'knative',
      '--function',
      'coffee-web',
    ]);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toContain('kind: Service');
  });
});

describe('credentials', () => {
  it('every missing FC setting is named at once, and JSON names ConfigurationError', async () => {
    const dir = project('  prod: { adapter: fc, region: cn-hangzhou }');
    const r = await runBin(['plan', dir, '--target', 'prod', '--json'], { env: cleanEnv() });
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stdout);
    expect(error.name).toBe('ConfigurationError');
    expect(error.missing).toEqual([
      { option: 'accountId', envVar: 'ALIBABA_CLOUD_ACCOUNT_ID' },
      { option: 'credentials.accessKeyId', envVar: 'ALIBABA_CLOUD_ACCESS_KEY_ID' },
      { option: 'credentials.accessKeySecret', envVar: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' },
    ]);
    const human = await runBin(['plan', dir, '--target', 'prod'], {
      env: cleanEnv({ ALIBABA_CLOUD_ACCOUNT_ID: '1234567890' }),
    });
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
    expect(human.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  });

  it('every missing FunctionGraph setting is named at once', async () => {
    const dir = project('  hw: { adapter: functiongraph }');
    const r = await runBin(['deploy', dir, '--target', 'hw', '--yes', '--json']);
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stdout);
    expect(error.name).toBe('ConfigurationError');
    expect(error.missing.map((m: { envVar: string }) => m.envVar)).toEqual([
      'HUAWEICLOUD_SDK_REGION',
      'HUAWEICLOUD_SDK_PROJECT_ID',
      'HUAWEICLOUD_SDK_AK',
      'HUAWEICLOUD_SDK_SK',
    ]);
  });

  it('credentials written in faasport.yaml are refused, naming the field and the variables, never the value', async () => {
    const dir = project(
      '  prod:\n    adapter: fc\n    region: cn-hangzhou\n    accountId: "1234567890"\n    credentials: { accessKeyId: LTAIexample, accessKeySecret: s3cr3t-value }',
    );
    for (const command of ['plan', 'render']) {
      const r = await runBin([command, dir, '--target', 'prod']);
      expect(r.code, `${command}\n${r.stderr}`).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('FP_CONFIGURATION');
      expect(r.stderr).toContain('targets.prod.credentials');
      expect(r.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
      expect(r.stderr).not.toContain('s3cr3t-value');
      expect(r.stderr).not.toContain('LTAIexample');
    }
  });
});

describe('provider errors read well', () => {
  it('a host that does not resolve is named with a space and a hint about the region', async () => {
    // `.invalid` never resolves (RFC 6761).
    const dir = project(
      '  prod: { adapter: fc, region: cn-hangzhou, accountId: "1234567890", endpoint: "http://faasport-test.invalid", maxAttempts: 1 }',
    );
    const r = await runBin(['plan', dir, '--target', 'prod'], {
      env: cleanEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret' }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/(ENOTFOUND|EAI_AGAIN) faasport-test\.invalid \(the host name/);
    expect(r.stderr).not.toMatch(/invalid(GET|POST)/);
    expect(r.stderr).toContain('hint: Check the region "cn-hangzhou"');
  });

  describe('a cluster without Knative', () => {
    let server: Server;
    let kubeconfig: string;
    const writes: string[] = [];
    beforeAll(async () => {
      // A Kubernetes API server with no Knative installed: every Knative path is an unknown resource,
      // answered as kube-apiserver answers it (a 404 Status without details).
      server = createServer((req, res) => {
        if (req.method !== 'GET') writes.push(`${req.method} ${req.url}`);
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: 'the server could not find the requested resource',
            reason: 'NotFound',
            details: {},
            code: 404,
          }),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      kubeconfig = join(tempDir('faasport-kube-'), 'kubeconfig.yaml');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1
kind: Config
clusters: [{ name: bare, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: bare, user: { token: t0k3n } }]
contexts: [{ name: bare, context: { cluster: bare, user: bare, namespace: default } }]
current-context: bare
`,
      );
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    });

    it('says Knative Serving is not installed, before any write', async () => {
      const dir = project('  k8s: { adapter: knative }');
      const r = await runBin(['deploy', dir, '--target', 'k8s', '--yes'], {
        env: cleanEnv({ KUBECONFIG: kubeconfig }),
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Knative Serving is not installed in this cluster');
      expect(r.stderr).toContain('serving.knative.dev/v1');
      expect(writes).toEqual([]);
    });
  });
});

describe('import notes the defaults it applied', () => {
  it('an OpenFunction Function without memory, timeout or concurrency says what faasport will use', async () => {
    const dir = tempDir('faasport-import-');
    writeFileSync(
      join(dir, 'function.yaml'),
      `apiVersion: core.openfunction.io/v1beta2
kind: Function
metadata:
  name: sample-node
spec:
  image: openfunctiondev/sample-node:v1
  serving:
    triggers:
      http:
        port: 8080
`,
    );
    const r = await runBin([
      'import',
      join(dir, 'function.yaml'),
      '-o',
      join(dir, 'faasport.yaml'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { notes } = JSON.parse(r.stdout);
    expect(notes).toEqual([
      'no memory limit on the container: faasport will set its default (256 MB)',
      'no timeout: faasport will set its default (30 s)',
      'containerConcurrency 0 (unlimited) has no neutral equivalent: concurrency defaults to 1; set scaling.concurrency',
    ]);
  });
});

describe('error names', () => {
  it('every error class of the built packages is named as it is exported (JSON errors print the name)', async () => {
    for (const entry of [
      'packages/core/dist/index.js',
      'packages/core/dist/index.cjs',
      'packages/cli/dist/index.js',
    ]) {
      const exported = (await import(join(repoRoot, entry))) as Record<string, unknown>;
      const classes = Object.entries(exported).filter(
        ([name, value]) => typeof value === 'function' && /Error$/.test(name),
      );
      expect(classes.length, entry).toBeGreaterThan(0);
      for (const [name, value] of classes)
        expect((value as { name: string }).name, `${entry} ${name}`).toBe(name);
    }
  });
});
