import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgsDef } from 'citty';
import { describe, expect, it } from 'vitest';
import { subCommandsOf } from '../src/help';
import { mainCommand } from '../src/main';
import { cli, tempDir } from './helpers';

const ansi = new RegExp(String.fromCharCode(27) + '\\[');

describe('help', () => {
  it('lists every command with its description', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    const subs = await subCommandsOf(mainCommand);
    expect(Object.keys(subs).sort()).toEqual(
      [
        'build',
        'deploy',
        'dev',
        'emulate',
        'export',
        'import',
        'init',
        'invoke',
        'logs',
        'ls',
        'migrate',
        'plan',
        'publish',
        'render',
        'rm',
        'rollout',
        'serve',
        'traffic',
      ].sort(),
    );
    for (const [name, sub] of Object.entries(subs)) {
      const meta = sub.meta as { description: string };
      expect(stdout).toMatch(
        new RegExp(`\\n  ${name} +${meta.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    }
    expect(stdout).not.toMatch(ansi); // a pipe gets no colour
  });

  it('groups every command under exactly one heading', async () => {
    const subs = await subCommandsOf(mainCommand);
    const grouped = (mainCommand.groups ?? []).flatMap(([, names]) => names);
    expect([...grouped].sort()).toEqual(Object.keys(subs).sort());
    const { stdout } = await cli(['--help']);
    for (const title of ['Develop:', 'Deploy:', 'Operate:', 'Move:', 'Test:'])
      expect(stdout).toContain(`\n${title}\n`);
  });

  it("shows each command's own arguments and options, all of which the parser accepts", async () => {
    const subs = await subCommandsOf(mainCommand);
    for (const [name, sub] of Object.entries(subs)) {
      const { code, stdout } = await cli([name, '--help']);
      expect(code, name).toBe(0);
      expect(stdout.startsWith(`faasport ${name} — `), name).toBe(true);
      const args = sub.args as ArgsDef;
      for (const [arg, def] of Object.entries(args)) {
        if (def.type === 'positional') expect(stdout, `${name} ${arg}`).toContain(arg.toUpperCase());
        else expect(stdout, `${name} --${arg}`).toContain(`--${arg}`);
      }
      expect(stdout, name).toContain('--json');
    }
  });

  it('colours help on a terminal, and not when NO_COLOR is set', async () => {
    expect((await cli(['plan', '--help'], { tty: true })).stdout).toMatch(ansi);
    expect((await cli(['plan', '--help'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ansi);
  });

  it('prints the version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect((await cli(['--version'])).stdout.trim()).toBe(pkg.version);
    expect(JSON.parse((await cli(['--version', '--json'])).stdout)).toEqual({ version: pkg.version });
  });
});

describe('usage errors exit 2', () => {
  it('rejects an unknown command with a suggestion', async () => {
    const { code, stderr } = await cli(['delpoy']);
    expect(code).toBe(2);
    expect(stderr).toContain('FP_USAGE');
    expect(stderr).toContain('did you mean `deploy`');
  });

  it('rejects an unknown option, naming the nearest one', async () => {
    const { code, stderr } = await cli(['plan', '--taget', 'prod']);
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown option --taget');
    expect(stderr).toContain('did you mean --target');
  });

  it('rejects a missing argument, a missing value and extra arguments', async () => {
    expect((await cli(['invoke'])).code).toBe(2);
    const noValue = await cli(['plan', '--target']);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain('--target needs a value');
    const extra = await cli(['ls', 'extra']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('takes no arguments');
  });

  it('rejects a missing required option and a malformed traffic split', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'faasport.yaml'),
      'name: x\ntargets:\n  a: { adapter: knative }\n  b: { adapter: fc }\nfunctions:\n  - name: f\n    source: { inline: "export default () => 1" }\n',
    );
    // With several targets render cannot guess one.
    const render = await cli(['render'], { cwd: dir });
    expect(render.code).toBe(2);
    expect(render.stderr).toContain('--target');
    const traffic = await cli(['traffic', 'hello', 'v1:90']);
    expect(traffic.code).toBe(2);
    expect(traffic.stderr).toContain('"v1:90" is not REVISION=PERCENT');
  });

  it('reports usage errors as JSON with --json', async () => {
    const { code, stdout } = await cli(['rollout', 'hello', '--steps', '10,abc', '--json']);
    expect(code).toBe(2);
    expect(JSON.parse(stdout).error).toMatchObject({ code: 'FP_USAGE' });
  });

  it('with no command, shows help and exits 2', async () => {
    const { code, stderr } = await cli([]);
    expect(code).toBe(2);
    expect(stderr).toContain('Develop:');
  });
});

describe('init', () => {
  it('scaffolds a project that validates, and refuses to overwrite it', async () => {
    const dir = tempDir();
    const first = await cli(['init', '--name', 'greeter', '--json'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      function: 'greeter',
      contract: 'web',
      files: ['faasport.yaml', join('functions', 'greeter', 'index.mjs')],
    });
    const yaml = readFileSync(join(dir, 'faasport.yaml'), 'utf8');
    expect(yaml).toContain('name: greeter');
    // The scaffold plans cleanly as far as loading goes: plan reaches the target, not a validation error.
    const plan = await cli(['plan', '--json'], { cwd: dir });
    expect(JSON.parse(plan.stdout).error.code).not.toBe('FP_VALIDATION');

    writeFileSync(join(dir, 'functions', 'greeter', 'index.mjs'), '// edited\n');
    const again = await cli(['init', '--name', 'greeter'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exist');
    expect(again.stderr).toContain('--force');
    expect(readFileSync(join(dir, 'functions', 'greeter', 'index.mjs'), 'utf8')).toBe('// edited\n');
  });

  it('rejects a contract it does not know', async () => {
    const dir = tempDir();
    const { code, stderr } = await cli(['init', '--contract', 'grpc'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('"grpc" is not a contract');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a bad faasport.yaml', () => {
  const bad = `name: shop
targets:
  dev: { adapter: local }
functions:
  - name: coffee
    source: { dir: ./coffee }
    runtime: nodejs9
    resources: { memroy: 512 }
    triggers:
      - schedule: { cron: "every minute" }
`;

  for (const command of [
    ['plan'],
    ['deploy', '--yes'],
    ['render', '--target', 'knative'],
    ['dev', '.', '--port', '0'],
  ]) {
    it(`${command[0]}: prints every field error, exits 1 and touches nothing`, async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'faasport.yaml'), bad);
      const { code, stderr, stdout } = await cli(command, { cwd: dir });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain('FP_VALIDATION');
      expect(stderr).toContain('functions[0].runtime: "nodejs9" is not a known runtime');
      expect(stderr).toContain('functions[0].resources');
      expect(stderr).toContain('did you mean "memory"');
      expect(stderr).toContain('functions[0].triggers[0].schedule.cron');
      expect(readdirSync(dir)).toEqual(['faasport.yaml']);
      expect(readFileSync(join(dir, 'faasport.yaml'), 'utf8')).toBe(bad);
    });
  }

  it('gives the issues as JSON with --json', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'faasport.yaml'), bad);
    const { code, stdout } = await cli(['plan', '--json'], { cwd: dir });
    expect(code).toBe(1);
    const { error } = JSON.parse(stdout);
    expect(error.code).toBe('FP_VALIDATION');
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['functions[0].runtime', 'functions[0].triggers[0].schedule.cron']),
    );
  });

  it('names the project functions when --function names one it does not have, and touches nothing', async () => {
    const dir = tempDir();
    const good =
      'name: shop\nfunctions:\n  - name: coffee\n    source: { inline: "export default () => 1" }\n';
    writeFileSync(join(dir, 'faasport.yaml'), good);
    const { code, stderr } = await cli(['plan', '--target', 'knative', '--function', 'tea'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('FP_CONFIGURATION');
    expect(stderr).toContain('Function "tea" is not in');
    expect(stderr).toContain('(functions: coffee)');
    expect(stderr).toContain("Pass one of the project's function names to `--function`");
    expect(readdirSync(dir)).toEqual(['faasport.yaml']);
  });

  it('says when there is no project file at all', async () => {
    const dir = tempDir();
    const { code, stderr } = await cli(['plan'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('FP_CONFIGURATION');
    expect(stderr).toContain('faasport init');
  });
});

describe('targets', () => {
  it('names the known targets when --target matches none', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'faasport.yaml'),
      'name: p\ntargets:\n  prod: { adapter: fc }\nfunctions:\n  - name: f\n    source: { inline: "export default () => 1" }\n',
    );
    const { code, stderr } = await cli(['plan', '--target', 'staging'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('Unknown target "staging"');
    expect(stderr).toContain('prod');
  });

  it('names an adapter it does not know, and where it is set', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'faasport.yaml'),
      'name: p\ntargets:\n  aws: { adapter: lambada }\nfunctions:\n  - name: f\n    source: { inline: "export default () => 1" }\n',
    );
    const { code, stderr } = await cli(['plan'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('adapter "lambada"');
    expect(stderr).toContain('targets.aws.adapter');
  });

  it('says how to reach the local runtime when none is running', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'faasport.yaml'),
      'name: p\nfunctions:\n  - name: f\n    source: { inline: "export default () => 1" }\n',
    );
    const { code, stderr } = await cli(['plan'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('No faasport runtime is running');
    expect(stderr).toContain('faasport dev');
    expect(stderr).toContain('FAASPORT_RUNTIME_URL');
    expect(existsSync(join(dir, '.faasport'))).toBe(false);
  });
});
