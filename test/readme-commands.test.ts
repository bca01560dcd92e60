import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, cleanEnv, repoRoot, tempDir } from './helpers/bin';
import { codeBlocks, pattern, type ShellCommand, shellCommands } from './helpers/readme';

// Every ```sh block of README.md and of each examples/*/README.md, run from the repository root the
// way a reader does: each block is
// a fresh terminal (in the clone's root), `cd` and `export` carry over to the block's next lines, and
// `faasport dev` keeps running in the background for the rest of its section ("in another terminal").
// What differs from a reader's machine, and why:
// - `faasport dev` gets `--port <free port>` and `localhost:8080` becomes that port, so parallel runs
//   never collide; FAASPORT_DATA_DIR and HOME point at temporary folders, so the clone stays clean.
// - A folder `faasport init <folder>` creates in the clone is removed afterwards.
// - Commands that need a cloud, or state only another example has, are listed in `skipped` with why.
// The expected output a command's comment shows (`curl ...  # Hello ...`, or the comment line after
// it) is checked for `curl` and `faasport invoke`; every command must exit 0.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const skipped: Record<string, string> = {
  'npm install': 'installs and builds the packages: done before any test runs',
  'npm test': 'runs this very suite',
  'npx faasport plan --target fc':
    'needs Alibaba Cloud credentials: test/examples.test.ts checks that it names the missing ones, test/cli-clouds.test.ts plans against the FC emulator',
  'npx faasport emulate fc3 --port 9300':
    "listens on a fixed port (the example's fc3-emulator target names it): test/cli-fc3.test.ts runs the emulator on a free port",
  'npx faasport deploy --target fc3-emulator --yes':
    'needs the fc3 emulator on port 9300: test/cli-fc3.test.ts deploys examples/coffee-fc3 to the fc3 emulator and calls its HTTP trigger URL',
  'npx faasport invoke coffee-fc3 --target fc3-emulator':
    'needs the fc3 emulator on port 9300: test/cli-fc3.test.ts calls coffee-fc3 on the fc3 emulator',
  'npx faasport deploy --target knative --yes':
    'needs a Kubernetes cluster with Knative: test/cli-clouds.test.ts deploys to the Knative emulator',
  'npx faasport traffic coffee-web v1=90 v2=10':
    'needs revisions labelled v1 and v2: test/examples.test.ts walks examples/blue-green, which has them',
  'npx faasport rollout coffee-web --steps 10,50,100':
    'needs a second revision: test/examples.test.ts rolls out v2 of examples/blue-green',
  'npx faasport build --target knative':
    'needs a registry in the target: packages/cli/test/images.test.ts builds and deploys through a real one',
  'npx faasport migrate coffee --from fc --to knative':
    'needs both clouds: test/examples.test.ts runs examples/migrate against the bundled emulators',
  'npx faasport import service.yaml -o faasport.yaml':
    "needs a manifest of the reader's: packages/cli/test/import.test.ts imports each format",
  'cd examples/time-source && npx faasport logs logger --follow':
    'follows until interrupted: test/examples.test.ts awaits its tick line on a runtime whose clock it moves',
  // examples/migrate/README.md lists what run.mjs runs in its copy of the folder (the block before runs it).
  'faasport deploy --target fc --yes': 'run by examples/migrate/run.mjs against the FC emulator',
  'faasport invoke coffee --target fc': 'run by examples/migrate/run.mjs against the FC emulator',
  'faasport migrate coffee --from fc --to knative --dry-run': 'run by examples/migrate/run.mjs',
  'faasport migrate coffee --from fc --to knative --yes': 'run by examples/migrate/run.mjs',
  'faasport invoke coffee --target knative': 'run by examples/migrate/run.mjs against the Knative emulator',
  // examples/lambda-migrate/README.md lists what its run.mjs runs (the block before runs it), likewise.
  'faasport deploy --target lambda --yes':
    'run by examples/lambda-migrate/run.mjs against the Lambda emulator',
  "faasport invoke orders --target lambda --path '/?name=Ada'":
    'run by examples/lambda-migrate/run.mjs against the Lambda emulator',
  'faasport migrate orders --from lambda --to knative --dry-run': 'run by examples/lambda-migrate/run.mjs',
  'faasport migrate orders --from lambda --to knative --yes': 'run by examples/lambda-migrate/run.mjs',
  "faasport invoke orders --target knative --path '/?name=Ada'":
    'run by examples/lambda-migrate/run.mjs against the Knative emulator',
};

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A terminal: a working folder and exported variables that carry from one command to the next. */
class Terminal {
  private readonly stateDir = tempDir('faasport-readme-shell-');
  cwd = repoRoot;

  constructor(private readonly env: Record<string, string>) {}

  /** The bash script that runs `command` in this terminal and records its folder and exports. */
  private script(command: string, record = true): string {
    const envFile = join(this.stateDir, 'env');
    const lines = [
      `cd ${JSON.stringify(this.cwd)}`,
      existsSync(envFile) ? `. ${JSON.stringify(envFile)}` : '',
      command,
    ];
    if (record)
      lines.push(
        '__status=$?',
        `pwd > ${JSON.stringify(join(this.stateDir, 'cwd'))}`,
        `export -p > ${JSON.stringify(envFile)}`,
        'exit $__status',
      );
    return lines.join('\n');
  }

  run(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', this.script(command)], { env: this.env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        this.cwd = readFileSync(join(this.stateDir, 'cwd'), 'utf8').trim();
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  /** Starts a long-running command in its own process group, resolving once `ready` is printed. */
  background(command: string, ready: string): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn('bash', ['-c', this.script(`exec ${command}`, false)], {
      env: this.env,
      detached: true,
    });
    let output = '';
    return new Promise((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d;
        if (output.includes(ready)) resolve({ child, output: () => output });
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('close', (code) => reject(new Error(`\`${command}\` exited with ${code}:\n${output}`)));
    });
  }

  close(): void {
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** Interrupts a background command's whole process group (npx and the CLI under it), as Ctrl-C does. */
function interrupt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('close', () => resolve());
    process.kill(-child.pid!, 'SIGINT');
  });
}

/** The output a command's README comment promises, for the commands whose output the README shows. */
function promised(command: ShellCommand): string | undefined {
  if (!/^curl\b/.test(command.command) && !/\bfaasport invoke\b/.test(command.command)) return undefined;
  return command.comment || command.following[0] || undefined;
}

const files = [
  'README.md',
  ...readdirSync(join(repoRoot, 'examples'))
    .filter((name) => existsSync(join(repoRoot, 'examples', name, 'README.md')))
    .map((name) => `examples/${name}/README.md`),
];
/** Each file's sections (its `##` headings) with their sh blocks: a section shares its background commands. */
const sections = new Map<string, string[]>();
for (const file of files)
  for (const block of codeBlocks(file).filter((b) => b.lang === 'sh')) {
    const key = `${file}${block.section ? ` > ${block.section}` : ''}`;
    sections.set(key, [...(sections.get(key) ?? []), block.text]);
  }

beforeAll(() => assertBuilt());

describe('every sh command of the READMEs', () => {
  it('lists only commands the READMEs have among the skipped ones', () => {
    const all = [...sections.values()].flat().flatMap((b) => shellCommands(b).map((c) => c.command));
    for (const command of Object.keys(skipped)) expect(all, command).toContain(command);
  });

  for (const [section, blocks] of sections) {
    describe(section, () => {
      const dataDir = tempDir('faasport-readme-data-');
      const home = tempDir('faasport-readme-home-');
      const background: ChildProcess[] = [];
      const created: string[] = [];
      let port: number | undefined;
      afterAll(async () => {
        await Promise.all(background.map(interrupt));
        for (const dir of created) rmSync(dir, { recursive: true, force: true });
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(home, { recursive: true, force: true });
      });

      blocks.forEach((block, index) => {
        it(`block ${index + 1} runs as written`, async () => {
          const terminal = new Terminal(cleanEnv({ FAASPORT_DATA_DIR: dataDir, HOME: home }));
          try {
            for (const command of shellCommands(block)) {
              const why = skipped[command.command];
              if (why) continue;
              const line = port
                ? command.command.replaceAll('localhost:8080', `localhost:${port}`)
                : command.command;
              if (/\bfaasport dev\b/.test(line)) {
                port = await freePort();
                const dev = await terminal.background(`${line} --port ${port}`, 'for changes; Ctrl-C stops');
                background.push(dev.child);
                expect(dev.output(), line).not.toMatch(/\berror\b/);
                continue;
              }
              if (/\bfaasport emulate\b/.test(line)) {
                // An emulator runs until Ctrl-C (on a free port unless --port is given), like `dev`.
                const kubeconfig = /--kubeconfig (\S+)/.exec(line)?.[1];
                if (kubeconfig) created.push(join(terminal.cwd, kubeconfig));
                const emulator = await terminal.background(line, 'Ctrl-C stops');
                background.push(emulator.child);
                expect(emulator.output(), line).toContain('emulator on https://127.0.0.1:');
                if (kubeconfig) expect(existsSync(join(terminal.cwd, kubeconfig)), kubeconfig).toBe(true);
                continue;
              }
              const init = /\bfaasport init (\S+)/.exec(line)?.[1];
              if (init && terminal.cwd === repoRoot && !existsSync(join(repoRoot, init)))
                created.push(join(repoRoot, init));
              const r = await terminal.run(line);
              expect(r.code, `${command.command}\n${r.stdout}${r.stderr}`).toBe(0);
              const expected = promised(command);
              if (expected) expect(r.stdout, command.command).toMatch(pattern(expected));
            }
          } finally {
            terminal.close();
          }
        });
      });
    });
  }
});
