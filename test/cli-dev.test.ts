import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertBuilt, BinProcess, cleanEnv, runBin } from './helpers/bin';
import { copyExample, text } from './helpers/project';

// Each test starts several real processes (the CLI, runtimes, function instances); on a busy machine that
// takes seconds, so the limits are generous. No test asserts a duration.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface Deployed {
  type: 'deployed';
  functions: Array<{ name: string; revision: string; changed: boolean; url: string }>;
}

describe('faasport dev examples/hello', () => {
  let dir: string;
  let dev: BinProcess;
  let first: Deployed;

  beforeAll(async () => {
    assertBuilt();
    dir = copyExample('hello');
    dev = new BinProcess(['dev', dir, '--port', '0', '--json'], { env: cleanEnv() });
    await dev.next((l) => l.type === 'ready');
    first = (await dev.next((l) => l.type === 'deployed' || l.type === 'error')) as unknown as Deployed;
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
    const next = (await dev.next(
      (l) => l.type === 'deployed' || l.type === 'error',
      from,
    )) as unknown as Deployed;
    expect(next.type, JSON.stringify(next)).toBe('deployed');
    const hello = next.functions.find((f) => f.name === 'hello')!;
    expect(hello.changed).toBe(true);
    expect(hello.revision).not.toBe(first.functions[0]!.revision);
    const res = await text(`${hello.url}?name=again`);
    expect(res.body).toBe(`Howdy again from hello (revision ${hello.revision})\n`);
  });

  it('keeps serving when an edit breaks faasport.yaml, and reports the field', async () => {
    const yaml = join(dir, 'faasport.yaml');
    const good = readFileSync(yaml, 'utf8');
    const from = dev.lines.length;
    writeFileSync(yaml, good.replace('handler: index.default', 'handler: index'));
    const error = await dev.next((l) => l.type === 'error' || l.type === 'deployed', from);
    expect(error.type).toBe('error');
    expect(JSON.stringify(error)).toContain('functions[0].handler');
    const still = await text(`${first.functions[0]!.url}`);
    expect(still.status).toBe(200);
    const back = dev.lines.length;
    writeFileSync(yaml, good);
    const again = await dev.next((l) => l.type === 'deployed' || l.type === 'error', back);
    expect(again.type).toBe('deployed');
  });
});
