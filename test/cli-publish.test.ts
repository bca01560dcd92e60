import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Runtime, startRuntime } from '@faasport/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, BinProcess, cleanEnv, runBin, tempDir } from './helpers/bin';
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
        '',
      ].join('\n'),
      'orders/index.mjs':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the handler's own source, a template literal.
        'export default (event, ctx) => { ctx.log.info(`got ${event.id} ${event.datacontenttype} ${JSON.stringify(event.data)}`); };\n',
      'order.json': '{"id":"o-7","total":7}\n',
    });
    const deployed = await runBin(['deploy', '--target', 'local', '--yes', '--json'], { cwd: dir, env });
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('sends --file as the data of a CloudEvent the trigger gets', async () => {
    const logs = new BinProcess(['logs', 'orders', '--target', 'local', '--follow', '--json'], {
      cwd: dir,
      env,
    });
    try {
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
    } finally {
      await logs.stop();
    }
  });

  it('gives each event a new id by default, and text that is not JSON goes as text/plain', async () => {
    const logs = new BinProcess(['logs', 'orders', '--target', 'local', '--follow', '--json'], {
      cwd: dir,
      env,
    });
    try {
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
    } finally {
      await logs.stop();
    }
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
