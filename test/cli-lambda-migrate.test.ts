/**
 * `faasport migrate --from lambda --to fc | functiongraph | local` through the CLI bin: a function lives on
 * the Lambda emulator (deployed by the CLI, plus an alias someone made by hand), each migration reports
 * what does not carry over, and the migrated function answers on the FC and FunctionGraph emulators and
 * on `faasport serve`. Each emulator starts once for the file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { type FcEmulator, startFcEmulator } from '@faasport/emulators/fc';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { type LambdaEmulator, startLambdaEmulator } from '@faasport/emulators/lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, BinProcess, cleanEnv, runBin, tempDir } from './helpers/bin';

// Every step starts the real CLI (a Node process); on a busy machine that takes seconds. No test asserts a duration.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let lambda: LambdaEmulator;
let fc: FcEmulator;
let fg: FunctionGraphEmulator;
let serve: BinProcess | undefined;
let dir: string;
let env: Record<string, string>;

/** `faasport <args> --json` in the project, parsed; fails with the output when it exits non-zero. */
async function json(args: string[]) {
  const r = await runBin([...args, '--json'], { cwd: dir, env });
  expect(r.code, `faasport ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

/** What the function answers on a target (`faasport invoke`). */
const answer = async (target: string) =>
  (await json(['invoke', 'orders', '--target', target, '--path', '/?name=Ada'])).body as string;

beforeAll(async () => {
  assertBuilt();
  [lambda, fc, fg] = await Promise.all([
    startLambdaEmulator(),
    startFcEmulator(),
    startFunctionGraphEmulator(),
  ]);
  dir = tempDir('faasport-lambda-migrate-');
  mkdirSync(join(dir, 'orders'));
  writeFileSync(
    join(dir, 'orders', 'index.mjs'),
    'export default (request, ctx) =>\n  new Response("Hello " + new URL(request.url).searchParams.get("name") + ", " + ctx.env.GREETING);\n',
  );
  // runtime nodejs20 (faasport's default): Lambda runs it on nodejs22.x, FC 2.0 has no nodejs22.
  writeFileSync(
    join(dir, 'faasport.yaml'),
    `name: shop
targets:
  lambda: { adapter: lambda, region: ${lambda.region}, endpoint: "${lambda.url}", role: "arn:aws:iam::${lambda.accountId}:role/orders" }
  fc: { adapter: fc, region: ${fc.region}, endpoint: "${fc.url}" }
  functiongraph: { adapter: functiongraph, region: ${fg.region}, projectId: "${fg.projectId}", endpoint: "${fg.url}" }
  local: { adapter: local }
functions:
  - name: orders
    runtime: nodejs20
    source: { dir: ./orders }
    env: { GREETING: welcome }
    triggers:
      - http: {}
`,
  );
  // Credentials reach each SDK from the environment only, never from faasport.yaml.
  env = cleanEnv({
    AWS_ACCESS_KEY_ID: lambda.accessKeyId,
    AWS_SECRET_ACCESS_KEY: lambda.secretAccessKey,
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    ALIBABA_CLOUD_ACCESS_KEY_ID: fc.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: fc.accessKeySecret,
    ALIBABA_CLOUD_ACCOUNT_ID: fc.accountId,
    HUAWEICLOUD_SDK_AK: fg.accessKeyId,
    HUAWEICLOUD_SDK_SK: fg.secretAccessKey,
  });
  await json(['deploy', '--target', 'lambda', '--yes']);
  // An alias made outside faasport: the export leaves it out and says so.
  const client = new LambdaClient({
    region: lambda.region,
    endpoint: lambda.url,
    credentials: { accessKeyId: lambda.accessKeyId, secretAccessKey: lambda.secretAccessKey },
  });
  await client.send(new CreateAliasCommand({ FunctionName: 'orders', Name: 'legacy', FunctionVersion: '1' }));
  client.destroy();
});

afterAll(async () => {
  if (serve) expect(await serve.stop()).toBe(0);
  await Promise.all([lambda?.close(), fc?.close(), fg?.close()]);
});

/** The notes every migration of orders reports: what the Lambda export could not carry over. */
function expectLambdaNotes(notes: string[]) {
  expect(notes).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/runtime nodejs20 ran on Lambda's nodejs22\.x/),
      expect.stringMatching(/alias legacy \(version 1\) is not managed by faasport and was left out/),
    ]),
  );
}

describe('faasport migrate --from lambda', () => {
  it('--to fc: reports what does not carry over, deploys, and answers on FC', async () => {
    const onLambda = await answer('lambda');
    expect(onLambda).toBe('Hello Ada, welcome');
    const migrated = await json(['migrate', 'orders', '--from', 'lambda', '--to', 'fc', '--yes']);
    expect(migrated).toMatchObject({ function: 'orders', from: 'lambda', to: 'fc', deployed: true });
    expectLambdaNotes(migrated.notes);
    expect(await answer('fc')).toBe(onLambda);
  });

  it('--to functiongraph: the same report, and it answers on FunctionGraph', async () => {
    const migrated = await json(['migrate', 'orders', '--from', 'lambda', '--to', 'functiongraph', '--yes']);
    expect(migrated).toMatchObject({ to: 'functiongraph', deployed: true });
    expectLambdaNotes(migrated.notes);
    expect(await answer('functiongraph')).toBe('Hello Ada, welcome');
  });

  it('--to local: it answers on faasport serve', async () => {
    serve = new BinProcess(['serve', '--port', '0', '--json'], { cwd: dir, env });
    await serve.next((l) => l.type === 'ready');
    const migrated = await json(['migrate', 'orders', '--from', 'lambda', '--to', 'local', '--yes']);
    expect(migrated).toMatchObject({ to: 'local', deployed: true });
    expectLambdaNotes(migrated.notes);
    expect(await answer('local')).toBe('Hello Ada, welcome');
  });
});
