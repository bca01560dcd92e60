/**
 * The Lambda adapter's control plane against moto_server, an AWS emulator nobody here wrote: create,
 * update code and configuration, versions, alias weights, function URL, reserved concurrency, an SQS
 * event source mapping, an EventBridge Scheduler schedule, an S3 bucket notification, export and remove. What the adapter wrote is
 * read back with the aws CLI, a client of its own. moto runs no code (so no invocations here) and has no
 * provisioned-concurrency API.
 */

import {
  GetAliasCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  type AdapterContext,
  defineFunction,
  deploy,
  type FunctionConfig,
  planDeploy,
  remove,
  renderFunction,
} from '@faasport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaAdapter, type LambdaAdapter } from '../src';
import { hasMoto, type Moto, motoQuery, startMoto, testEnv } from './moto';

const skip = hasMoto ? undefined : 'moto_server is not installed (pip install "moto[server]")';
const ctx: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};
const handler = `export default async (request, ctx) => new Response(ctx.env.GREETING + ' from ' + ctx.functionName);\n`;

describe.skipIf(skip)(
  `lambda adapter against moto_server${skip ? ` (skipped: ${skip})` : ''}`,
  { shuffle: false },
  () => {
    let moto: Moto;
    let adapter: LambdaAdapter;
    let role: string;
    let queueArn: string;
    const saved: Record<string, string | undefined> = {};
    // moto's own state, read with the SDK's clients directly (not through the adapter).
    let lambda: LambdaClient;
    let scheduler: SchedulerClient;
    let s3: S3Client;
    const config = (name: string) => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    const alias = (name: string, aliasName: string) =>
      lambda.send(new GetAliasCommand({ FunctionName: name, Name: aliasName }));
    const versionsOf = async (name: string) =>
      (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }))).Versions ?? [];
    const fn = (name: string, extra: Partial<FunctionConfig> = {}) =>
      defineFunction({
        name,
        source: { inline: handler },
        runtime: 'nodejs22',
        env: { GREETING: 'hello' },
        resources: { memory: 256, timeout: 30 },
        ...extra,
      } as FunctionConfig);

    beforeAll(async () => {
      moto = await startMoto();
      // The SDK's default provider chain reads these, as it would on a developer's machine.
      for (const [k, v] of Object.entries(testEnv)) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
      const client = { region: testEnv.AWS_REGION, endpoint: moto.url };
      lambda = new LambdaClient(client);
      scheduler = new SchedulerClient(client);
      s3 = new S3Client({ ...client, forcePathStyle: true });
      // moto checks that Lambda may assume the role and that the queue exists.
      const trust = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      });
      const roleXml = await motoQuery(moto.url, 'iam', {
        Action: 'CreateRole',
        Version: '2010-05-08',
        RoleName: 'fn-exec',
        AssumeRolePolicyDocument: trust,
      });
      role = /<Arn>([^<]+)<\/Arn>/.exec(roleXml)![1]!;
      await motoQuery(moto.url, 'sqs', { Action: 'CreateQueue', Version: '2012-11-05', QueueName: 'orders' });
      queueArn = 'arn:aws:sqs:us-east-1:123456789012:orders';
      adapter = createLambdaAdapter({ endpoint: moto.url, role, queues: { orders: { arn: queueArn } } });
    }, 120_000);
    afterAll(async () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      lambda?.destroy();
      scheduler?.destroy();
      s3?.destroy();
      await moto?.close();
    });

    it('creates a function with a version, the main alias and a public function URL', async () => {
      const result = await deploy(adapter, fn('hello', { revision: 'v1' }));
      expect(result.changed).toBe(true);
      const live0 = await config('hello');
      expect(live0).toMatchObject({
        Runtime: 'nodejs22.x',
        MemorySize: 256,
        Timeout: 30,
        Role: role,
        Handler: 'faasport_shim.handler',
      });
      expect(live0.Environment?.Variables).toEqual({ GREETING: 'hello' });
      const versions = await versionsOf('hello');
      expect(versions.map((v) => v.Version)).toEqual(['$LATEST', '1']);
      expect(versions[1]!.Description).toMatch(/^faasport v1 [0-9a-f]{64} [0-9a-f]{16}$/);
      expect((await alias('hello', 'main')).FunctionVersion).toBe('1');
      const url = await lambda.send(
        new GetFunctionUrlConfigCommand({ FunctionName: 'hello', Qualifier: 'main' }),
      );
      expect(url.AuthType).toBe('NONE');
      const policy = JSON.parse(
        (await lambda.send(new GetPolicyCommand({ FunctionName: 'hello', Qualifier: 'main' }))).Policy!,
      );
      expect(policy.Statement).toEqual([
        expect.objectContaining({
          Sid: 'faasport-url-public',
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
        }),
      ]);
      const live = await adapter.read('hello', ctx);
      expect(live?.traffic).toEqual([{ revision: 'v1', percent: 100 }]);
      expect(live?.url).toBe(url.FunctionUrl);
    });

    it('plans nothing for an unchanged function', async () => {
      const { plan } = await planDeploy(adapter, fn('hello', { revision: 'v1' }));
      expect(plan.steps.map((s) => s.summary)).toEqual([]);
      expect(plan.kind).toBe('none');
    });

    it('updates code and configuration as a new version, and splits traffic between two with alias weights', async () => {
      const v2 = fn('hello', {
        revision: 'v2',
        env: { GREETING: 'bonjour' },
        resources: { memory: 512, timeout: 30 },
        traffic: [
          { revision: 'v1', percent: 90, tag: 'stable' },
          { revision: 'latest', percent: 10, tag: 'canary' },
        ],
      });
      const { plan } = await planDeploy(adapter, v2);
      // The shim names the revision, so the code changes with the label as well as the configuration.
      expect(plan.steps.map((s) => s.id)).toEqual(['code', 'config', 'version', 'traffic']);
      expect(plan.edits.map((c) => c.path).sort()).toEqual(['env', 'resources']);
      await deploy(adapter, v2);
      const updated = await config('hello');
      expect(updated.MemorySize).toBe(512);
      expect(updated.Environment?.Variables?.GREETING).toBe('bonjour');
      const main = await alias('hello', 'main');
      expect(main.FunctionVersion).toBe('1');
      expect(main.RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.1 });
      expect((await alias('hello', 'canary')).FunctionVersion).toBe('2');
      expect((await alias('hello', 'stable')).FunctionVersion).toBe('1');
      const live = await adapter.read('hello', ctx);
      expect(live?.traffic).toEqual([
        { revision: 'v1', percent: 90, tag: 'stable' },
        { revision: 'v2', percent: 10, tag: 'canary' },
      ]);
      expect(live?.revisions.map((r) => [r.label, r.id])).toEqual([
        ['v1', '1'],
        ['v2', '2'],
      ]);
    });

    it('refuses a split over three versions before any write', async () => {
      const three = fn('hello', {
        revision: 'v3',
        traffic: [
          { revision: 'latest', percent: 34 },
          { revision: 'v1', percent: 33 },
          { revision: 'v2', percent: 33 },
        ],
      });
      await expect(deploy(adapter, three)).rejects.toThrow(/at most 2/);
      expect(await versionsOf('hello')).toHaveLength(3);
    });

    it('makes the URL IAM-authenticated for auth: private and reserves concurrency for scaling.max', async () => {
      await deploy(
        adapter,
        fn('private-fn', { triggers: [{ http: { auth: 'private' } }], scaling: { max: 5 } }),
      );
      const url = await lambda.send(
        new GetFunctionUrlConfigCommand({ FunctionName: 'private-fn', Qualifier: 'main' }),
      );
      expect(url.AuthType).toBe('AWS_IAM');
      const concurrency = await lambda.send(
        new GetFunctionConcurrencyCommand({ FunctionName: 'private-fn' }),
      );
      expect(concurrency.ReservedConcurrentExecutions).toBe(5);
      const { plan } = await planDeploy(
        adapter,
        fn('private-fn', { triggers: [{ http: { auth: 'private' } }], scaling: { max: 5 } }),
      );
      expect(plan.steps).toEqual([]);
    });

    it('maps a queue trigger to an SQS event source mapping on the main alias', async () => {
      await deploy(
        adapter,
        fn('worker', {
          contract: 'event',
          triggers: [{ queue: { topic: 'orders', batchSize: 5 } }],
        }),
      );
      const mappings = (
        await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'worker:main' }))
      ).EventSourceMappings;
      expect(mappings).toHaveLength(1);
      expect(mappings![0]).toMatchObject({ EventSourceArn: queueArn, BatchSize: 5 });
      // moto records the version the alias points at; Lambda keeps the alias ARN.
      expect(mappings![0]!.FunctionArn).toMatch(/:function:worker:(main|1)$/);
      const { plan } = await planDeploy(
        adapter,
        fn('worker', { contract: 'event', triggers: [{ queue: { topic: 'orders', batchSize: 5 } }] }),
      );
      expect(plan.steps).toEqual([]);
    });

    it('maps a schedule trigger to an EventBridge Scheduler schedule in its time zone', async () => {
      const ticker = fn('ticker', {
        contract: 'event',
        triggers: [{ schedule: { cron: '30 9 * * 1-5', timezone: 'Europe/Paris', payload: { n: 1 } } }],
      });
      await deploy(adapter, ticker);
      const schedule = await scheduler.send(new GetScheduleCommand({ Name: 'ticker-schedule' }));
      expect(schedule).toMatchObject({
        ScheduleExpression: 'cron(30 9 ? * 2-6 *)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
      });
      expect(schedule.Target?.Arn).toMatch(/:function:ticker:main$/);
      expect(JSON.parse(schedule.Target!.Input!)).toMatchObject({ faasport: 'schedule', payload: { n: 1 } });
      expect((await planDeploy(adapter, ticker)).plan.steps).toEqual([]);
    });

    it('exports a live function: traffic from aliases, the URL, schedules and mappings', async () => {
      const hello = await adapter.export('hello', ctx);
      expect(hello.config).toMatchObject({
        name: 'hello',
        runtime: 'nodejs22',
        env: { GREETING: 'bonjour' },
        resources: { memory: 512, timeout: 30 },
        triggers: [{ http: { auth: 'anonymous' } }],
        traffic: [
          { revision: 'v1', percent: 90, tag: 'stable' },
          { revision: 'v2', percent: 10, tag: 'canary' },
        ],
      });
      expect(defineFunction(hello.config).name).toBe('hello');
      const exportedTicker = await adapter.export('ticker', ctx);
      expect(exportedTicker.config.triggers).toEqual([
        { schedule: { cron: '30 9 * * 1-5', timezone: 'Europe/Paris', payload: { n: 1 } } },
      ]);
      const worker = await adapter.export('worker', ctx);
      expect(worker.config.triggers).toEqual([{ queue: { topic: 'orders', batchSize: 5 } }]);
      expect(worker.notes.join('\n')).toContain(queueArn);
    });

    it('sets secrets as environment variables and never shows their values in a plan or render', async () => {
      const secret = 'sup3r-s3cret-value';
      const withSecret = fn('with-secret', { secrets: { API_KEY: { fromEnv: 'FAASPORT_TEST_API_KEY' } } });
      const env = { FAASPORT_TEST_API_KEY: secret };
      const { plan } = await planDeploy(adapter, withSecret, { env });
      expect(JSON.stringify(plan)).not.toContain(secret);
      const rendered = renderFunction(adapter, withSecret, { env });
      expect(JSON.stringify(rendered)).not.toContain(secret);
      expect(JSON.stringify(rendered)).toContain(`\${secret:API_KEY}`);
      await deploy(adapter, withSecret, { env });
      // This is how it reaches the function: a variable, encrypted at rest by Lambda.
      expect((await config('with-secret')).Environment?.Variables?.API_KEY).toBe(secret);
      const exported = await adapter.export('with-secret', ctx);
      expect(JSON.stringify(exported)).not.toContain(secret);
      expect(exported.config.secrets).toEqual({ API_KEY: { fromEnv: 'API_KEY' } });
    });

    it("maps a storage trigger to an S3 bucket notification with the invoke permission, keeping the bucket's other entries", async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
      // Someone else's entry on the bucket: it must survive every faasport write.
      const foreign = {
        Id: 'audit-queue',
        QueueArn: queueArn,
        Events: ['s3:ObjectRemoved:*' as const],
      };
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'uploads',
          NotificationConfiguration: { QueueConfigurations: [foreign] },
        }),
      );
      const store = fn('store', {
        contract: 'event',
        triggers: [
          { storage: { bucket: 'uploads', events: ['created', 'deleted'], prefix: 'in/', suffix: '.txt' } },
        ],
      });
      const { plan } = await planDeploy(adapter, store);
      expect(plan.steps.find((s) => s.id === 'storage:uploads')).toMatchObject({ action: 'create' });
      await deploy(adapter, store);
      const notifications = () =>
        s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'uploads' }));
      const live = await notifications();
      expect(live.QueueConfigurations).toMatchObject([foreign]);
      expect(live.LambdaFunctionConfigurations).toHaveLength(1);
      const entry = live.LambdaFunctionConfigurations![0]!;
      expect(entry).toMatchObject({
        Id: 'faasport-store-storage',
        LambdaFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:store:main',
        Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
      });
      expect(
        Object.fromEntries(entry.Filter!.Key!.FilterRules!.map((r) => [r.Name!.toLowerCase(), r.Value])),
      ).toEqual({ prefix: 'in/', suffix: '.txt' });
      const policy = JSON.parse(
        (await lambda.send(new GetPolicyCommand({ FunctionName: 'store', Qualifier: 'main' }))).Policy!,
      );
      const statement = policy.Statement.find((s: { Sid: string }) => s.Sid === 'faasport-s3-uploads');
      expect(statement).toMatchObject({
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
      });
      expect(JSON.stringify(statement.Condition)).toContain('arn:aws:s3:::uploads');
      expect(JSON.stringify(statement.Condition)).toContain('123456789012');
      // Unchanged: nothing to write.
      expect((await planDeploy(adapter, store)).plan.steps).toEqual([]);
      const exported = await adapter.export('store', ctx);
      expect(exported.config.triggers).toEqual([
        { storage: { bucket: 'uploads', events: ['created', 'deleted'], prefix: 'in/', suffix: '.txt' } },
      ]);
      // Without the trigger: faasport's entry and permission go, the foreign entry stays.
      await deploy(adapter, fn('store', { contract: 'event', triggers: [] }));
      const after = await notifications();
      expect(after.LambdaFunctionConfigurations ?? []).toEqual([]);
      expect(after.QueueConfigurations).toMatchObject([foreign]);
      const statements = await lambda
        .send(new GetPolicyCommand({ FunctionName: 'store', Qualifier: 'main' }))
        .then(
          (r) => JSON.parse(r.Policy!).Statement as Array<{ Sid: string }>,
          () => [],
        );
      expect(statements.map((s) => s.Sid)).not.toContain('faasport-s3-uploads');
      // remove() takes the notification with the function.
      await deploy(adapter, store);
      expect((await notifications()).LambdaFunctionConfigurations).toHaveLength(1);
      await remove(adapter, 'store');
      expect((await notifications()).LambdaFunctionConfigurations ?? []).toEqual([]);
      expect((await notifications()).QueueConfigurations).toMatchObject([foreign]);
    });

    // Provisioned concurrency is not a case here: moto 5.2 has no provisioned-concurrency API. It is tested
    // against the faasport emulator (emulator.test.ts, "sets provisioned concurrency on the main alias").

    it('removes a function with its schedule and event source mapping', async () => {
      await remove(adapter, 'ticker');
      await remove(adapter, 'worker');
      expect(await adapter.read('ticker', ctx)).toBeUndefined();
      const schedules = (await scheduler.send(new ListSchedulesCommand({}))).Schedules ?? [];
      expect(schedules.map((s) => s.Name)).not.toContain('ticker-schedule');
      const mappings = (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings;
      expect(mappings).toEqual([]);
      await remove(adapter, 'ticker');
    });
  },
);
