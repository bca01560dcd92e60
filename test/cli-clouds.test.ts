import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FcEmulator, startFcEmulator } from '@faasport/emulators/fc';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import {
  type KubernetesEmulator,
  startKubernetesEmulator,
  validateManifest,
} from '@faasport/emulators/kubernetes';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { assertBuilt, cleanEnv, runBin, tempDir } from './helpers/bin';
import { copyExample, getWithHost } from './helpers/project';

// Each test starts several real processes (the CLI, runtimes, function instances); on a busy machine that
// takes seconds, so the limits are generous. No test asserts a duration.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

/** A Kubernetes object as rendered. */
interface KubeDoc {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

let kube: KubernetesEmulator;
let fc: FcEmulator;
let fg: FunctionGraphEmulator;

beforeAll(async () => {
  assertBuilt();
  [kube, fc, fg] = await Promise.all([
    startKubernetesEmulator(),
    startFcEmulator(),
    startFunctionGraphEmulator(),
  ]);
});

afterAll(async () => {
  await Promise.all([kube?.close(), fc?.close(), fg?.close()]);
});

/** The coffee example with its fc and knative targets pointed at the emulators. */
function coffeeOnEmulators(): { dir: string; env: Record<string, string> } {
  const dir = copyExample('coffee');
  writeFileSync(join(dir, 'kubeconfig.yaml'), kube.kubeConfig);
  const yaml = readFileSync(join(dir, 'faasport.yaml'), 'utf8')
    .replace(
      'fc: { adapter: fc, region: cn-hangzhou }',
      `fc: { adapter: fc, region: ${fc.region}, endpoint: "${fc.url}" }`,
    )
    .replace(
      'knative: { adapter: knative, namespace: default }',
      `knative: { adapter: knative, namespace: default, kubeconfig: ./kubeconfig.yaml, ingress: "${kube.url}" }`,
    );
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

describe('render --target knative', () => {
  it('prints YAML that the Knative emulator accepts and serves, with no cluster configured', async () => {
    const dir = copyExample('hello');
    const r = await runBin(['render', '--target', 'knative'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeDoc);
    expect(docs.map((d) => d.kind)).toContain('Service');
    for (const doc of docs) expect(validateManifest(doc), doc.kind).toEqual([]);

    // Create each object as `kubectl create -f -` would (POST to its collection), then call the route
    // through the ingress.
    for (const doc of docs) {
      const [group, version] = doc.apiVersion!.includes('/')
        ? doc.apiVersion!.split('/')
        : ['', doc.apiVersion!];
      const plural = `${doc.kind!.toLowerCase()}s`;
      const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
      const res = await fetch(
        `${kube.url}${base}/namespaces/${doc.metadata?.namespace ?? 'default'}/${plural}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(doc),
        },
      );
      expect(res.status, `${doc.kind}: ${await res.clone().text()}`).toBe(201);
    }
    await kube.idle();
    const res = await getWithHost(`${kube.url}/?name=knative`, 'hello.default.example.com');
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^Hello knative from hello \(revision r-[0-9a-f]{8}\)\n$/);
  });
});

describe('deploy to the FunctionGraph emulator', () => {
  it('deploys coffee-web with a function URL, invokes it, and re-deploys with no writes', async () => {
    const { dir } = coffeeOnEmulators();
    const yaml = readFileSync(join(dir, 'faasport.yaml'), 'utf8').replace(
      'targets:\n',
      `targets:\n  hw: { adapter: functiongraph, region: ${fg.region}, projectId: "${fg.projectId}", endpoint: "${fg.url}" }\n`,
    );
    writeFileSync(join(dir, 'faasport.yaml'), yaml);
    const env = cleanEnv({ HUAWEICLOUD_SDK_AK: fg.accessKeyId, HUAWEICLOUD_SDK_SK: fg.secretAccessKey });
    const deployed = await runBin(
      ['deploy', '--target', 'hw', '--function', 'coffee-web', '--yes', '--json'],
      { cwd: dir, env },
    );
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    const result = JSON.parse(deployed.stdout);
    expect(result).toMatchObject({ target: 'hw', adapter: 'functiongraph', deployed: true });
    expect(result.functions[0]).toMatchObject({ functionName: 'coffee-web', changed: true });
    // No API group needed: the http trigger is a function URL that answers on its own.
    const url = result.functions[0].url as string;
    expect(url).toMatch(/\/_url\//);
    expect(await (await fetch(url)).text()).toBe('Hello coffee-default\n');
    const invoked = await runBin(['invoke', 'coffee-web', '--target', 'hw', '--json'], { cwd: dir, env });
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(JSON.parse(invoked.stdout).body).toBe('Hello coffee-default\n');
    const writes = fg.writes();
    const again = await runBin(['deploy', '--target', 'hw', '--function', 'coffee-web', '--yes', '--json'], {
      cwd: dir,
      env,
    });
    expect(JSON.parse(again.stdout).functions[0].changed).toBe(false);
    expect(fg.writes()).toBe(writes);
  });
});

describe('secrets in FunctionGraph invoke errors', () => {
  it('a function error quoting a secret is printed with the value redacted', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'faasport.yaml'),
      `name: leaky\ntargets:\n  hw: { adapter: functiongraph, region: ${fg.region}, projectId: "${fg.projectId}", endpoint: "${fg.url}" }\n` +
        'functions:\n  - name: leaky\n    contract: event\n    secrets: { DB_PASSWORD: { fromEnv: LEAKY_DB_PASSWORD } }\n' +
        '    source:\n      inline: |\n        export default async (event, ctx) => {\n' +
        "          throw new Error('cannot connect with ' + ctx.env.DB_PASSWORD);\n        };\n",
    );
    const secret = 'hunter2-fg-5c9a';
    const env = cleanEnv({
      HUAWEICLOUD_SDK_AK: fg.accessKeyId,
      HUAWEICLOUD_SDK_SK: fg.secretAccessKey,
      LEAKY_DB_PASSWORD: secret,
    });
    const deployed = await runBin(['deploy', '--target', 'hw', '--yes', '--json'], { cwd: dir, env });
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    for (const json of [false, true]) {
      const invoked = await runBin(
        ['invoke', 'leaky', '--target', 'hw', '--event', '--data', '{}', ...(json ? ['--json'] : [])],
        { cwd: dir, env },
      );
      expect(invoked.code).toBe(1);
      const printed = invoked.stdout + invoked.stderr;
      expect(printed).toContain('cannot connect with ***');
      expect(printed).not.toContain('5c9a');
    }
  });
});

describe('plan against the Knative emulator', () => {
  it('shows the capability warning of a limited feature, and writes nothing', async () => {
    const { dir, env } = coffeeOnEmulators();
    const writes = kube.writes();
    const r = await runBin(['plan', '--target', 'knative', '--function', 'coffee'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('coffee on knative: create');
    expect(r.stdout).toMatch(
      /⚠ the native handler contract is limited on target "knative": only with providers\.knative\.workloadClass: fc/,
    );
    const json = await runBin(['plan', '--target', 'knative', '--function', 'coffee', '--json'], {
      cwd: dir,
      env,
    });
    expect(JSON.parse(json.stdout).functions[0].warnings).toEqual(
      expect.arrayContaining([expect.objectContaining({ severity: 'warning', feature: 'contract.native' })]),
    );
    expect(kube.writes()).toBe(writes);
  });
});

describe('migrate from the FC emulator to the Knative emulator', () => {
  it('exports coffee-web from FC, deploys it to Knative, and both answer the same', async () => {
    const { dir, env } = coffeeOnEmulators();
    const deployed = await runBin(
      ['deploy', '--target', 'fc', '--function', 'coffee-web', '--yes', '--json'],
      { cwd: dir, env },
    );
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    const onFc = await runBin(['invoke', 'coffee-web', '--target', 'fc', '--json'], { cwd: dir, env });
    expect(onFc.code, onFc.stderr).toBe(0);
    expect(JSON.parse(onFc.stdout).body).toBe('Hello coffee-default\n');

    const writesBefore = kube.writes();
    const dry = await runBin(
      ['migrate', 'coffee-web', '--from', 'fc', '--to', 'knative', '--dry-run', '--json'],
      { cwd: dir, env },
    );
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan).toMatchObject({ function: 'coffee-web', from: 'fc', to: 'knative', deployed: false });
    expect(plan.plan.kind).toBe('create');
    expect(kube.writes()).toBe(writesBefore);

    const migrated = await runBin(
      ['migrate', 'coffee-web', '--from', 'fc', '--to', 'knative', '--yes', '--json'],
      { cwd: dir, env },
    );
    expect(migrated.code, migrated.stdout + migrated.stderr).toBe(0);
    const result = JSON.parse(migrated.stdout);
    expect(result).toMatchObject({ function: 'coffee-web', from: 'fc', to: 'knative', deployed: true });
    expect(Array.isArray(result.notes)).toBe(true);

    const onKnative = await runBin(['invoke', 'coffee-web', '--target', 'knative', '--json'], {
      cwd: dir,
      env,
    });
    expect(onKnative.code, onKnative.stderr).toBe(0);
    expect(JSON.parse(onKnative.stdout).body).toBe(JSON.parse(onFc.stdout).body);
  });

  it('export prints the neutral faasport.yaml of a live FC function', async () => {
    const { dir, env } = coffeeOnEmulators();
    expect(
      (await runBin(['deploy', '--target', 'fc', '--function', 'coffee-web', '--yes'], { cwd: dir, env }))
        .code,
    ).toBe(0);
    const out = join(dir, 'exported');
    const r = await runBin(['export', 'coffee-web', '--target', 'fc', '-o', out], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const yaml = readFileSync(join(out, 'faasport.yaml'), 'utf8');
    expect(yaml).toContain('name: coffee-web');
    expect(yaml).toContain('VERSION: coffee-default');
    // The exported project is a valid project: plan reads it (and reaches the target).
    const plan = await runBin(['plan', '--target', 'fc', '--json'], { cwd: out, env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).functions[0].functionName).toBe('coffee-web');
  });

  it('refuses to move what the destination cannot do, naming it, before writing anything', async () => {
    const { dir, env } = coffeeOnEmulators();
    writeFileSync(join(dir, 'web', 'thumbs.mjs'), 'export default (event) => ({ seen: event.subject });\n');
    writeFileSync(
      join(dir, 'storage.yaml'),
      readFileSync(join(dir, 'faasport.yaml'), 'utf8').replace(
        /functions:[\s\S]*$/,
        [
          'functions:',
          '  - name: thumbs',
          '    source: { dir: ./web }',
          '    handler: thumbs.default',
          '    contract: event',
          '    triggers:',
          '      - storage: { bucket: uploads, events: [created], prefix: img/ }',
          '    providers: { fc: { role: "acs:ram::1234567890:role/fc", invocationRole: "acs:ram::1234567890:role/oss" } }',
          '',
        ].join('\n'),
      ),
    );
    const deployed = await runBin(['deploy', '--config', 'storage.yaml', '--target', 'fc', '--yes'], {
      cwd: dir,
      env,
    });
    expect(deployed.code, deployed.stderr).toBe(0);
    const writes = kube.writes();
    const r = await runBin(
      ['migrate', 'thumbs', '--config', 'storage.yaml', '--from', 'fc', '--to', 'knative', '--yes'],
      { cwd: dir, env },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FP_UNSUPPORTED_FEATURE');
    expect(r.stderr).toContain('trigger.storage');
    expect(kube.writes()).toBe(writes);
  });
});
