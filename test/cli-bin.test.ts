import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runBin, tempDir } from './helpers/bin';

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
