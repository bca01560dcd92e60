import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, cleanEnv, runBin, tempDir } from './helpers/bin';
import { copyExample } from './helpers/project';

// Each test starts several real processes (the CLI, runtimes, function instances); on a busy machine that
// takes seconds, so the limits are generous. No test asserts a duration.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

// The real executable, as a new user runs it (`npx faasport ...`): help, exit codes and JSON.
describe('the faasport executable', () => {
  beforeAll(() => assertBuilt());

  it('--help lists the commands and exits 0; a command --help shows its options', async () => {
    const help = await runBin(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of [
      'init',
      'dev',
      'serve',
      'plan',
      'deploy',
      'render',
      'invoke',
      'logs',
      'ls',
      'rm',
      'traffic',
      'rollout',
      'export',
      'import',
      'migrate',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${cmd} `));
    }
    const dev = await runBin(['dev', '--help']);
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain('Usage: faasport dev [DIR] [options]');
    expect(dev.stdout).toContain('-p, --port <port>');
    expect(dev.stdout).toContain('--data-dir <dir>');
  });

  it('names the missing credential variable, and writes nothing', async () => {
    const dir = copyExample('coffee');
    const r = await runBin(['deploy', '--target', 'fc', '--yes'], {
      cwd: dir,
      env: cleanEnv({ ALIBABA_CLOUD_ACCOUNT_ID: '1234567890' }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FP_CONFIGURATION');
    expect(r.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
    expect(r.stdout).toBe('');
  });

  it('exits 2 on a usage error, 1 on a bad faasport.yaml, and prints JSON errors with --json', async () => {
    expect((await runBin(['depoly'])).code).toBe(2);
    const dir = tempDir();
    writeFileSync(
      join(dir, 'faasport.yaml'),
      'name: x\nfunctions:\n  - name: f\n    source: { dir: ./f }\n    memory: 512\n',
    );
    const bad = await runBin(['plan', '--json'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error.issues).toEqual([
      expect.objectContaining({
        path: 'functions[0]',
        message: expect.stringContaining('unknown key "memory"'),
      }),
    ]);
  });
});
