import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, BinProcess, cleanEnv, repoRoot, runBin, tempDir } from './helpers/bin';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

/** A project whose handler has a typo: the module has only a default export. */
function typoProject(handler = 'index.hanlder'): string {
  const dir = tempDir('faasport-typo-');
  mkdirSync(join(dir, 'functions/hello'), { recursive: true });
  writeFileSync(join(dir, 'functions/hello/index.mjs'), `export default () => 'hi';\n`);
  writeFileSync(
    join(dir, 'faasport.yaml'),
    [
      'name: typo',
      'targets:',
      '  dev: { adapter: local }',
      '  kn: { adapter: knative, namespace: default }',
      '  fc: { adapter: fc, region: cn-hangzhou, accountId: "1234567890" }',
      'functions:',
      '  - name: hello',
      '    source: { dir: ./functions/hello }',
      `    handler: ${handler}`,
      '',
    ].join('\n'),
  );
  return dir;
}

// Run from the repository root, as a user runs `npx faasport ... -c path/to/faasport.yaml`.
const run = (args: string[]) => runBin(args, { cwd: repoRoot, env: cleanEnv() });

describe('a handler that names no export, offline', () => {
  beforeAll(() => assertBuilt());

  it('plan and render exit 1 naming the handler, the module and the exports it has', async () => {
    const config = join(typoProject(), 'faasport.yaml');
    for (const args of [
      ['plan', '--target', 'kn', '-c', config],
      ['render', '--target', 'kn', '-c', config],
      ['render', '--target', 'fc', '-c', config],
    ]) {
      const r = await run(args);
      expect(r.code, `faasport ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('FP_VALIDATION');
      expect(r.stderr).toContain(
        'handler: "index.hanlder": index.mjs has no export "hanlder" (it exports: default)',
      );
    }
    const json = await run(['render', '--target', 'kn', '-c', config, '--json']);
    expect(json.code).toBe(1);
    const { error } = JSON.parse(json.stdout);
    expect(error.code).toBe('FP_VALIDATION');
    expect(error.issues).toEqual([
      {
        path: 'handler',
        message:
          '"index.hanlder": index.mjs has no export "hanlder" (it exports: default) (Set handler to "index.<export>" naming one the module has, or add the export.)',
        rule: 'handler',
      },
    ]);
  });

  it('the same project with the export it has renders', async () => {
    const r = await run([
      'render',
      '--target',
      'kn',
      '-c',
      join(typoProject('index.default'), 'faasport.yaml'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('kind: Service');
  });
});

describe('a handler that only loading shows is missing, on the local target', () => {
  beforeAll(() => assertBuilt());

  it('plan warns, deploy exits 1 naming the export, and the deployed revision keeps serving', async () => {
    const dir = typoProject('index.handle');
    // Exports built by a factory: no lexer can list them, only loading the module does.
    rmSync(join(dir, 'functions/hello/index.mjs'));
    writeFileSync(
      join(dir, 'functions/hello/index.js'),
      "function createApp() { return { handle: () => 'v1 answers' }; }\nmodule.exports = createApp();\n",
    );
    const serve = new BinProcess(['serve', '--port', '0', '--json'], { cwd: dir, env: cleanEnv() });
    try {
      await serve.next((l) => l.type === 'ready');
      const config = join(dir, 'faasport.yaml');
      const first = await run(['deploy', '--yes', '-c', config]);
      expect(first.code, first.stderr).toBe(0);

      writeFileSync(
        config,
        readFileSync(config, 'utf8').replace('handler: index.handle', 'handler: index.handler'),
      );
      const plan = await run(['plan', '-c', config]);
      expect(plan.code, plan.stderr).toBe(0);
      expect(`${plan.stdout}${plan.stderr}`).toContain(
        '"index.handler" was not checked: index.js sets module.exports',
      );

      const deployed = await run(['deploy', '--yes', '-c', config]);
      expect(deployed.code).toBe(1);
      expect(deployed.stderr).toContain(
        'handler "index.handler": index.js has no export "handler" (it exports: handle); did you mean "index.handle"?',
      );
      const answer = await run(['invoke', 'hello', '-c', config]);
      expect(answer.code, answer.stderr).toBe(0);
      expect(answer.stdout).toContain('v1 answers');
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });
});
