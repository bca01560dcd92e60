import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Runtime, startRuntime } from '@faasport/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, cleanEnv, followingLogs, runBin, tempDir } from './helpers/bin';
import { writeFiles } from './helpers/project';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

// `faasport publish` against a real runtime: from a project folder whose `local` target is that runtime
// (FAASPORT_RUNTIME_URL / _TOKEN, as for every local command), with an event function deployed by the CLI.
describe('faasport publish', () => {
  let runtime: Runtime;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    assertBuilt();
    runtime = await startRuntime({ dataDir: tempDir(), port: 0, warmPool: 0 });
    env = cleanEnv({ FAASPORT_RUNTIME_URL: runtime.url, FAASPORT_RUNTIME_TOKEN: runtime.token });
    dir = tempDir('faasport-publish-');
    mkdirSync(join(dir, 'orders'));
    mkdirSync(join(dir, 'jobs'));
    writeFiles(dir, {
      'faasport.yaml': [
        'name: shop',
        'targets:',
        '  local: { adapter: local }',
        '  cluster: { adapter: knative }',
        'functions:',
        '  - name: orders',
        '    source: { dir: ./orders }',
        '    contract: event',
        '    triggers: [{ event: { filter: { type: com.example.order.created } } }]',
        '  - name: jobs',
        '    source: { dir: ./jobs }',
        '    contract: event',
        '    triggers: [{ queue: { topic: jobs } }]',
        '',
      ].join('\n'),
      'orders/index.mjs':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the handler's own source, a template literal.
        'export default (event, ctx) => { ctx.log.info(`got ${event.id} ${event.datacontenttype} ${JSON.stringify(event.data)}`); };\n',
      'order.json': '{"id":"o-7","total":7}\n',
      'jobs/index.mjs':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the handler's own source, a template literal.
        'export default (event, ctx) => { ctx.log.info(`job ${event.faasportmessageid} ${event.type} ${event.faasporttopic} ${JSON.stringify(event.data ?? event.data_base64)}`); };\n',
      'jobs.ndjson': '{"n":2}\n\nnot json\n',
    });
    const deployed = await runBin(['deploy', '--target', 'local', '--yes', '--json'], { cwd: dir, env });
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('sends --file as the data of a CloudEvent the trigger gets', async () => {
    await followingLogs(['orders', '--target', 'local'], { cwd: dir, env }, async (logs) => {
      const r = await runBin(
        [
          'publish',
          '--type',
          'com.example.order.created',
          '--source',
          '/shop',
          '--id',
          'e-1',
          '--file',
          'order.json',
          '--target',
          'local',
          '--json',
        ],
        { cwd: dir, env },
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({
        id: 'e-1',
        type: 'com.example.order.created',
        source: '/shop',
        deliveries: ['orders/event'],
      });
      const line = await logs.next((l) => String(l.message).startsWith('got e-1'));
      expect(line.message).toBe('got e-1 application/json {"id":"o-7","total":7}');
    });
  });

  it('gives each event a new id by default, and text that is not JSON goes as text/plain', async () => {
    await followingLogs(['orders', '--target', 'local'], { cwd: dir, env }, async (logs) => {
      const r = await runBin(
        [
          'publish',
          '--type',
          'com.example.order.created',
          '--source',
          '/shop',
          '--data',
          'plain words',
          '--target',
          'local',
          '--json',
        ],
        { cwd: dir, env },
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const { id } = JSON.parse(r.stdout);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const line = await logs.next((l) => String(l.message).startsWith(`got ${id}`));
      expect(line.message).toBe(`got ${id} text/plain "plain words"`);
    });
  });

  it('publishes a message on a topic, and each line of an NDJSON file, to the queue trigger', async () => {
    await followingLogs(['jobs', '--target', 'local'], { cwd: dir, env }, async (logs) => {
      const one = await runBin(
        ['publish', 'jobs', '{"n":1}', '--id', 'job-1', '--target', 'local', '--json'],
        {
          cwd: dir,
          env,
        },
      );
      expect(one.code, one.stdout + one.stderr).toBe(0);
      expect(JSON.parse(one.stdout)).toEqual({
        topic: 'jobs',
        messages: [{ id: 'job-1', deliveries: ['jobs/queue'], stored: true }],
      });
      const line = await logs.next((l) => String(l.message).startsWith('job job-1'));
      expect(line.message).toBe('job job-1 dev.faasport.queue.message jobs {"n":1}');

      const file = await runBin(['publish', 'jobs', '--file', 'jobs.ndjson', '--target', 'local', '--json'], {
        cwd: dir,
        env,
      });
      expect(file.code, file.stdout + file.stderr).toBe(0);
      const [json, text] = JSON.parse(file.stdout).messages as Array<{ id: string; deliveries: string[] }>;
      expect([json?.deliveries, text?.deliveries]).toEqual([['jobs/queue'], ['jobs/queue']]);
      const first = await logs.next((l) => String(l.message).startsWith(`job ${json!.id}`));
      expect(first.message).toBe(`job ${json!.id} dev.faasport.queue.message jobs {"n":2}`);
      const second = await logs.next((l) => String(l.message).startsWith(`job ${text!.id}`));
      expect(second.message).toBe(
        `job ${text!.id} dev.faasport.queue.message jobs "${Buffer.from('not json').toString('base64')}"`,
      );

      const mixed = await runBin(['publish', 'jobs', 'x', '--type', 't', '--target', 'local', '--json'], {
        cwd: dir,
        env,
      });
      expect(mixed.code).toBe(2);
      expect(JSON.parse(mixed.stdout).error.message).toContain('--type is a CloudEvent attribute');
      const none = await runBin(['publish', 'jobs', '--target', 'local', '--json'], { cwd: dir, env });
      expect(none.code).toBe(2);
      expect(JSON.parse(none.stdout).error.hint).toContain('--file messages.ndjson');
    });
  });

  it('refuses bad input before sending anything, naming the option and the fix', async () => {
    const both = await runBin(
      [
        'publish',
        '--type',
        't',
        '--source',
        '/s',
        '--data',
        '{}',
        '--file',
        'order.json',
        '--target',
        'local',
      ],
      { cwd: dir, env },
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--data or --file, not both');

    const noType = await runBin(['publish', '--source', '/s', '--target', 'local', '--json'], {
      cwd: dir,
      env,
    });
    expect(noType.code).toBe(2);
    expect(JSON.parse(noType.stdout).error.message).toMatch(/type/);

    const missing = await runBin(
      ['publish', '--type', 't', '--source', '/s', '--file', 'nope.json', '--target', 'local', '--json'],
      { cwd: dir, env },
    );
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error.message).toContain('nope.json');

    const cloud = await runBin(
      ['publish', '--type', 't', '--source', '/s', '--target', 'cluster', '--json'],
      {
        cwd: dir,
        env,
      },
    );
    expect(cloud.code).toBe(1);
    expect(JSON.parse(cloud.stdout).error).toMatchObject({ code: 'FP_CONFIGURATION', option: '--target' });
  });

  it('without a running runtime, says how to start one', async () => {
    const r = await runBin(['publish', '--type', 't', '--source', '/s', '--target', 'local', '--json'], {
      cwd: dir,
      env: cleanEnv(),
    });
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stdout);
    expect(error.message).toContain('No faasport runtime is running');
    expect(error.hint).toContain('faasport dev');
  });
});
