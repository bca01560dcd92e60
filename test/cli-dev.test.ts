import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, BinProcess, cleanEnv, runBin, tempDir } from './helpers/bin';
import { atomicSave, type Deployed, untilServes } from './helpers/dev';
import { copyExample, text, writeFiles } from './helpers/project';

// Each test starts several real processes (the CLI, runtimes, function instances); on a busy machine that
// takes seconds, so the limits are generous. No test asserts a duration.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 90_000 });

beforeAll(() => assertBuilt());

/** `faasport dev <dir> --port 0 --json [...extra]`, awaited until its first deploy line. */
async function startDev(dir: string, extra: string[] = []): Promise<{ dev: BinProcess; first: Deployed }> {
  const dev = new BinProcess(['dev', dir, '--port', '0', '--json', ...extra], { env: cleanEnv() });
  await dev.next((l) => l.type === 'ready');
  // A function's own error comes before the `deployed` line; an error of the whole project ends the pass.
  const first = await dev.next((l) => l.type === 'deployed' || (l.type === 'error' && !l.function));
  if (first.type !== 'deployed') {
    await dev.stop();
    throw new Error(`faasport dev did not deploy: ${JSON.stringify(first)}`);
  }
  return { dev, first: first as unknown as Deployed };
}

describe('faasport dev examples/hello', () => {
  let dir: string;
  let dev: BinProcess;
  let first: Deployed;

  beforeAll(async () => {
    dir = copyExample('hello');
    ({ dev, first } = await startDev(dir));
    expect(first.type, JSON.stringify(first)).toBe('deployed');
  });

  afterAll(async () => {
    const code = await dev?.stop();
    expect(code).toBe(0);
  });

  it('serves the function and its URL answers (what curl sees)', async () => {
    const hello = first.functions.find((f) => f.name === 'hello')!;
    expect(hello.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    const res = await text(`${hello.url}?name=curl`);
    expect(res.status).toBe(200);
    expect(res.body).toBe(`Hello curl from hello (revision ${hello.revision})\n`);
  });

  it('reaches the same runtime through the local target from the project folder', async () => {
    const invoked = await runBin(['invoke', 'hello', '--path', '/?name=cli', '--json'], { cwd: dir });
    expect(invoked.code, invoked.stderr).toBe(0);
    const result = JSON.parse(invoked.stdout);
    expect(result.status).toBe(200);
    expect(result.body).toContain('Hello cli from hello');

    const ls = await runBin(['ls', '--json'], { cwd: dir });
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).functions.map((f: { name: string }) => f.name)).toEqual(['hello']);
  });

  it('deploys a new revision when a file changes, and the URL answers with it', async () => {
    const file = join(dir, 'hello', 'index.mjs');
    const from = dev.lines.length;
    writeFileSync(file, readFileSync(file, 'utf8').replace('return `Hello ', 'return `Howdy '));
    const hello = await untilServes(
      dev,
      from,
      'hello',
      (fn) => `Howdy world from hello (revision ${fn.revision})\n`,
      'an edit of hello/index.mjs',
    );
    expect(hello.changed).toBe(true);
    expect(hello.revision).not.toBe(first.functions[0]!.revision);
  });

  it('keeps serving when an edit breaks faasport.yaml, and reports the field', async () => {
    const yaml = join(dir, 'faasport.yaml');
    const good = readFileSync(yaml, 'utf8');
    const from = dev.lines.length;
    writeFileSync(yaml, good.replace('handler: index.default', 'handler: index'));
    const error = await dev.next((l) => l.type === 'error', from);
    expect(JSON.stringify(error)).toContain('functions[0].handler');
    const still = await text(`${first.functions[0]!.url}`);
    expect(still.status).toBe(200);
    const back = dev.lines.length;
    writeFileSync(yaml, good);
    await untilServes(
      dev,
      back,
      'hello',
      (fn) => `Howdy world from hello (revision ${fn.revision})\n`,
      'faasport.yaml was repaired',
    );
  });
});

describe('faasport dev sees every way editors save', () => {
  let dir: string;
  let dev: BinProcess;
  const code = (word: string) => `export default (req, ctx) => \`${word} \${ctx.env.GREETING}\\n\`;\n`;
  const yaml = (greeting: string) =>
    `name: saves\nfunctions:\n  - name: greet\n    source: { dir: ./greet }\n    env: { GREETING: ${greeting} }\n`;

  beforeAll(async () => {
    dir = tempDir('faasport-saves-');
    mkdirSync(join(dir, 'greet'));
    writeFiles(dir, { 'faasport.yaml': yaml('one'), 'greet/index.mjs': code('a') });
    let first: Deployed;
    ({ dev, first } = await startDev(dir));
    expect(first.functions.map((f) => f.name)).toEqual(['greet']);
    expect(await text(first.functions[0]!.url!)).toEqual({ status: 200, body: 'a one\n' });
  });

  afterAll(async () => {
    expect(await dev?.stop()).toBe(0);
  });

  /**
   * Saves `file` every way editors do, each time with new content, and awaits the answer it must give:
   * two atomic saves in a row, a plain overwrite, then delete (returns what dev printed) and recreate.
   */
  async function saveEveryWay(
    file: string,
    content: (step: number) => string,
    answer: (step: number) => string,
  ): Promise<Record<string, unknown>> {
    const saves: Array<[string, (text: string) => void]> = [
      ['the first atomic save', (text) => atomicSave(file, text)],
      ['the second atomic save', (text) => atomicSave(file, text)],
      ['a plain overwrite after atomic saves', (text) => writeFileSync(file, text)],
    ];
    for (const [step, [what, save]] of saves.entries()) {
      const from = dev.lines.length;
      save(content(step));
      await untilServes(dev, from, 'greet', answer(step), `${what} of ${basename(file)}`);
    }
    let from = dev.lines.length;
    unlinkSync(file);
    const afterDelete = await dev.next((l) => l.type === 'deployed' || l.type === 'error', from);
    from = dev.lines.length;
    writeFileSync(file, content(saves.length));
    await untilServes(dev, from, 'greet', answer(saves.length), `deleting and recreating ${basename(file)}`);
    return afterDelete;
  }

  it('a handler file: two atomic saves in a row, a plain overwrite, then delete and recreate', async () => {
    const words = ['b', 'c', 'd', 'e'];
    await saveEveryWay(
      join(dir, 'greet', 'index.mjs'),
      (step) => code(words[step]!),
      (step) => `${words[step]} one\n`,
    );
  });

  it('faasport.yaml: two atomic saves in a row, a plain overwrite, then delete and recreate', async () => {
    const greetings = ['two', 'three', 'four', 'five'];
    const afterDelete = await saveEveryWay(
      join(dir, 'faasport.yaml'),
      (step) => yaml(greetings[step]!),
      (step) => `e ${greetings[step]}\n`,
    );
    // Without its project file, the project cannot load: dev says so and keeps serving.
    expect(afterDelete.type).toBe('error');
    expect(JSON.stringify(afterDelete)).toContain('faasport.yaml');
  });
});

describe('faasport dev deploys what it can', () => {
  /** A project of three functions, in a folder of its own (so each test starts with an empty runtime). */
  const mixedProject = () => {
    const dir = tempDir('faasport-mixed-');
    for (const name of ['web', 'orders', 'jobs']) mkdirSync(join(dir, name));
    writeFiles(dir, {
      'faasport.yaml': [
        'name: mixed',
        'functions:',
        '  - name: web',
        '    source: { dir: ./web }',
        // Its archive does not exist: this function cannot be deployed, the others can.
        '  - name: jobs',
        '    source: { archive: ./jobs.zip }',
        '    contract: event',
        '    triggers: [{ queue: { topic: jobs } }]',
        '  - name: orders',
        '    source: { dir: ./orders }',
        '    contract: event',
        '    triggers: [{ event: { filter: { type: com.example.order.created } } }]',
        '',
      ].join('\n'),
      'web/index.mjs': 'export default () => "web\\n";\n',
      'jobs/index.mjs': 'export default () => {};\n',
      'orders/index.mjs': 'export default () => {};\n',
    });
    return dir;
  };

  it('reports the function that cannot run on local and deploys the others; no URL without an http trigger', async () => {
    const { dev, first } = await startDev(mixedProject());
    try {
      const error = await dev.next((l) => l.type === 'error');
      expect(error.function).toBe('jobs');
      expect(JSON.stringify(error.error)).toMatch(/jobs\.zip/);
      expect(first.failed).toEqual(['jobs']);
      expect(first.functions.map((f) => f.name)).toEqual(['web', 'orders']);
      const [web, orders] = first.functions;
      expect(await text(web!.url!)).toEqual({ status: 200, body: 'web\n' });
      expect(orders).not.toHaveProperty('url');
      expect(orders).not.toHaveProperty('hostUrl');
    } finally {
      expect(await dev.stop()).toBe(0);
    }
  });

  it('--function deploys only the functions named', async () => {
    const dir = mixedProject();
    const { dev, first } = await startDev(dir, ['--function', 'web']);
    try {
      expect(first.functions.map((f) => f.name)).toEqual(['web']);
      expect(first.failed).toEqual([]);
      const ls = await runBin(['ls', '--json'], { cwd: dir });
      expect(ls.code, ls.stderr).toBe(0);
      expect(JSON.parse(ls.stdout).functions.map((f: { name: string }) => f.name)).toEqual(['web']);
    } finally {
      expect(await dev.stop()).toBe(0);
    }
  });

  it('an unknown --function name stops before anything starts, naming the functions there are', async () => {
    const r = await runBin(['dev', mixedProject(), '--port', '0', '--function', 'wbe', '--json']);
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stdout);
    expect(error.message).toContain('"wbe"');
    expect(error.message).toContain('web, jobs, orders');
  });
});
