import { createHash } from 'node:crypto';
/**
 * The Lambda emulator as outside clients see it: the aws CLI (botocore's SigV4) lists and invokes functions,
 * a wrong secret is refused as AWS refuses it, function URLs answer over HTTP (AWS_IAM ones only when
 * signed), Invoke follows alias weights, an SQS message and an S3 object write reach an event function as
 * CloudEvents (S3 refusing a notification the function's policy does not allow), and
 * provisioned concurrency (which moto lacks) is set on the main alias.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  GetProvisionedConcurrencyConfigCommand,
  LambdaClient,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  ListBucketsCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { defineFunction, deploy, type FunctionConfig, invoke, planDeploy } from '@faasport/core';
import { type LambdaEmulator, startLambdaEmulator } from '@faasport/emulators/lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaAdapter, type LambdaAdapter } from '../src';
import { aws, hasAwsCli } from './moto';

const web = `export default async (request, ctx) => {
  const url = new URL(request.url);
  return new Response(ctx.env.GREETING + ' ' + request.method + ' ' + url.pathname + url.search, {
    headers: { 'set-cookie': 'a=1', 'x-revision': ctx.revision },
  });
};\n`;
const events = `export default async (event) => ({ type: event.type, data: event.data, source: event.source });\n`;

let emulator: LambdaEmulator;
let adapter: LambdaAdapter;
let dir: string;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
const fn = (name: string, extra: Partial<FunctionConfig> = {}) =>
  defineFunction({
    name,
    runtime: 'nodejs22',
    source: { inline: web },
    env: { GREETING: 'hi' },
    ...extra,
  } as FunctionConfig);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faasport-lambda-emu-'));
  // Always the same pick: 0.05 falls in a 10 % additional-version weight.
  emulator = await startLambdaEmulator({ random: () => 0.05 });
  process.env.AWS_ACCESS_KEY_ID = emulator.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = emulator.secretAccessKey;
  adapter = createLambdaAdapter({
    region: emulator.region,
    endpoint: emulator.url,
    role: `arn:aws:iam::${emulator.accountId}:role/fn`,
    queues: { orders: { arn: `arn:aws:sqs:${emulator.region}:${emulator.accountId}:orders` } },
  });
  await deploy(adapter, fn('hello', { revision: 'v1' }));
}, 60_000);
afterAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = saved.id;
  process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cliEnv = () => ({
  AWS_ACCESS_KEY_ID: emulator.accessKeyId,
  AWS_SECRET_ACCESS_KEY: emulator.secretAccessKey,
  AWS_DEFAULT_REGION: emulator.region,
});

describe.skipIf(!hasAwsCli)(
  `the aws CLI against the emulator${hasAwsCli ? '' : ' (skipped: the aws CLI is not installed)'}`,
  () => {
    it('lists and invokes functions', async () => {
      const listed = await aws(emulator.url, cliEnv(), 'lambda', 'list-functions');
      expect(listed.Functions.map((f: { FunctionName: string }) => f.FunctionName)).toContain('hello');
      const out = join(dir, 'out.json');
      const answer = await aws(
        emulator.url,
        cliEnv(),
        'lambda',
        'invoke',
        '--function-name',
        'hello',
        '--qualifier',
        'main',
        '--payload',
        '{"version":"1"}',
        out,
      );
      expect(answer).toMatchObject({ StatusCode: 200, ExecutedVersion: '1' });
      const result = JSON.parse(readFileSync(out, 'utf8'));
      // Not a function-URL event, so the web shim answers it as a POST of the payload.
      expect(result).toMatchObject({ statusCode: 200, body: 'hi POST /' });
    });

    it('refuses a wrong secret as AWS does', async () => {
      const error = await aws(
        emulator.url,
        { ...cliEnv(), AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
        'lambda',
        'list-functions',
      ).then(
        () => undefined,
        (e: { stderr?: string }) => e.stderr ?? String(e),
      );
      expect(error).toMatch(/InvalidSignatureException/);
    });
  },
);

describe('the emulator', () => {
  it('refuses a wrong secret from the SDK and a key it does not know', async () => {
    const client = (secret: string, id = emulator.accessKeyId) =>
      new LambdaClient({
        region: emulator.region,
        endpoint: emulator.url,
        credentials: { accessKeyId: id, secretAccessKey: secret },
        maxAttempts: 1,
      });
    await expect(client(emulator.secretAccessKey).send(new ListFunctionsCommand({}))).resolves.toMatchObject({
      Functions: [expect.anything()],
    });
    await expect(client('wrong').send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      client(emulator.secretAccessKey, 'AKIDUNKNOWN').send(new ListFunctionsCommand({})),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('serves a function URL over HTTP with cookies, and an AWS_IAM one only when signed', async () => {
    const url = (await adapter.read('hello'))!.url!;
    const response = await fetch(`${url}path/x?q=1`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hi POST /path/x?q=1');
    expect(response.headers.get('set-cookie')).toBe('a=1');
    await deploy(adapter, fn('private', { triggers: [{ http: { auth: 'private' } }] }));
    const privateUrl = new URL((await adapter.read('private'))!.url!);
    expect((await fetch(privateUrl)).status).toBe(403);
    const { Sha256 } = await sha256Class();
    const signed = await new SignatureV4({
      credentials: { accessKeyId: emulator.accessKeyId, secretAccessKey: emulator.secretAccessKey },
      region: emulator.region,
      service: 'lambda',
      sha256: Sha256,
    }).sign({
      method: 'GET',
      protocol: 'http:',
      hostname: privateUrl.hostname,
      port: Number(privateUrl.port),
      path: privateUrl.pathname,
      headers: { host: privateUrl.host },
      query: {},
    });
    const ok = await fetch(privateUrl, { headers: signed.headers as Record<string, string> });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('hi GET /');
  });

  it('follows alias weights and qualifiers on Invoke', async () => {
    await deploy(
      adapter,
      fn('hello', {
        revision: 'v2',
        env: { GREETING: 'hey' },
        traffic: [
          { revision: 'v1', percent: 90 },
          { revision: 'latest', percent: 10, tag: 'canary' },
        ],
      }),
    );
    // The emulator's random pick is 0.05: inside v2's 10 %.
    expect(await (await invoke(adapter, 'hello')).text()).toBe('hey GET /');
    expect(await (await invoke(adapter, 'hello', {}, { revision: 'v1' })).text()).toBe('hi GET /');
    expect(await (await invoke(adapter, 'hello', {}, { tag: 'canary' })).text()).toBe('hey GET /');
  });

  it('delivers an SQS message to an event function as a CloudEvent', async () => {
    await deploy(
      adapter,
      fn('worker', {
        contract: 'event',
        source: { inline: events },
        triggers: [{ queue: { topic: 'orders' } }],
      }),
    );
    const [delivery, ...more] = await emulator.sendSqsMessage(
      `arn:aws:sqs:${emulator.region}:${emulator.accountId}:orders`,
      '{"id":7}',
    );
    expect(more).toEqual([]);
    expect(delivery?.error).toBeUndefined();
    expect(JSON.parse(delivery!.result)).toEqual({
      type: 'dev.faasport.queue.message',
      data: { id: 7 },
      source: '/faasport/topics/orders',
    });
  });

  it('fires schedules for the span the clock is advanced, not for wall time that passed before', async () => {
    // The emulator's clock starts 1 ms before a five-minute mark, which the deploy's own wall time passes.
    const mark = Math.ceil(Date.now() / 300_000) * 300_000 + 300_000;
    const clocked = await startLambdaEmulator({ startTime: new Date(mark - 1) });
    try {
      const scheduled = createLambdaAdapter({
        region: clocked.region,
        endpoint: clocked.url,
        role: `arn:aws:iam::${clocked.accountId}:role/fn`,
      });
      process.env.AWS_ACCESS_KEY_ID = clocked.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = clocked.secretAccessKey;
      await deploy(
        scheduled,
        fn('tick', {
          source: { inline: events },
          contract: 'event',
          triggers: [{ schedule: { cron: '*/5 * * * *' } }],
        }),
      );
      // Ten minutes of advance hold exactly two marks; the one crossed during the deploy fires nothing.
      expect((await clocked.advanceClock(10 * 60_000)).map((d) => d.function)).toEqual(['tick', 'tick']);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = emulator.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = emulator.secretAccessKey;
      await clocked.close();
    }
  });

  it('fires a storage trigger from an S3 object write, after S3 checked the function lets it invoke', async () => {
    const s3 = new S3Client({ region: emulator.region, endpoint: emulator.url, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
    // As on S3, a notification to a function whose policy does not let S3 call it is refused.
    await expect(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'photos',
          NotificationConfiguration: {
            LambdaFunctionConfigurations: [
              {
                LambdaFunctionArn: `arn:aws:lambda:${emulator.region}:${emulator.accountId}:function:hello:main`,
                Events: ['s3:ObjectCreated:*'],
              },
            ],
          },
        }),
      ),
    ).rejects.toThrow(/Unable to validate the following destination configurations/);
    const photos = fn('photos', {
      contract: 'event',
      source: { inline: events },
      triggers: [{ storage: { bucket: 'photos', suffix: '.jpg' } }],
    });
    await deploy(adapter, photos);
    const writes = emulator.writes();
    expect((await planDeploy(adapter, photos)).plan.steps).toEqual([]);
    await deploy(adapter, photos);
    expect(emulator.writes()).toBe(writes);
    // An object written through S3's own API.
    const put = await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'cats/a.jpg', Body: 'jpeg' }));
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    // The record's key is URL-encoded with "+" for spaces; the function gets it decoded.
    const [delivery, ...more] = await emulator.putObject('photos', 'dogs/c d.jpg', 'jpg!');
    expect(more).toEqual([]);
    expect(delivery?.error).toBeUndefined();
    expect(JSON.parse(delivery!.result)).toMatchObject({
      type: 'dev.faasport.storage.object.created',
      data: { bucket: 'photos', key: 'dogs/c d.jpg', size: 4 },
    });
    expect(await emulator.putObject('photos', 'notes.txt', 'x')).toEqual([]);
    // ListBuckets, and an upload the SDK streams as aws-chunked (a body of known length but no bytes yet).
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toContain('photos');
    const streamed = await s3.send(
      new PutObjectCommand({
        Bucket: 'photos',
        Key: 'streamed.jpg',
        Body: Readable.from([Buffer.from('strea'), Buffer.from('med')]),
        ContentLength: 8,
      }),
    );
    // The ETag is the MD5 of the object's bytes: the chunk framing was taken off.
    expect(streamed.ETag).toBe(`"${createHash('md5').update('streamed').digest('hex')}"`);
    s3.destroy();
  });

  it('runs a python3.12 handler through the Python worker: Invoke and its function URL', async () => {
    const code = join(dir, 'py');
    mkdirSync(code);
    writeFileSync(
      join(code, 'main.py'),
      [
        'import sys',
        'def handler(event, context):',
        '    who = (event.get("queryStringParameters") or {}).get("who", "world")',
        '    return {"statusCode": 201, "headers": {"x-python": "%d.%d" % sys.version_info[:2]},',
        '            "cookies": ["b=2"], "body": "hello " + who + " from " + context.function_name + " " + context.function_version}',
        '',
      ].join('\n'),
    );
    await deploy(
      adapter,
      defineFunction({
        name: 'py',
        runtime: 'python3.12',
        contract: 'native',
        handler: 'main.handler',
        source: { dir: code },
        triggers: [{ http: {} }],
      }),
    );
    const invoked = await invoke(adapter, 'py', new Request('http://fn/?who=sdk'));
    expect(invoked.status).toBe(201);
    expect(await invoked.text()).toBe('hello sdk from py 1');
    const response = await fetch(`${(await adapter.read('py'))!.url!}?who=url`);
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('hello url from py 1');
    expect(response.headers.get('set-cookie')).toBe('b=2');
    expect(response.headers.get('x-python')).toMatch(/^3\.\d+$/);
  });

  it('sets provisioned concurrency on the main alias for scaling.min', async () => {
    await deploy(adapter, fn('warm', { scaling: { min: 2, max: 5 } }));
    const client = new LambdaClient({ region: emulator.region, endpoint: emulator.url });
    const config = await client.send(
      new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: 'main' }),
    );
    expect(config.RequestedProvisionedConcurrentExecutions).toBe(2);
    const exported = await adapter.export('warm', {
      emit() {},
      logger: { debug() {}, info() {}, warn() {} },
      signal: new AbortController().signal,
    });
    expect(exported.config.scaling).toEqual({ min: 2, max: 5 });
  });
});

/** sha256 for the test's own signer, on node:crypto. */
async function sha256Class() {
  const { createHash, createHmac } = await import('node:crypto');
  class Sha256 {
    private readonly hash;
    constructor(secret?: unknown) {
      this.hash = secret ? createHmac('sha256', Buffer.from(secret as Uint8Array)) : createHash('sha256');
    }
    update(data: string | Uint8Array): void {
      this.hash.update(data);
    }
    async digest(): Promise<Uint8Array> {
      return new Uint8Array(this.hash.digest());
    }
  }
  return { Sha256 };
}
