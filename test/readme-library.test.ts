import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repoRoot, runNode } from './helpers/bin';
import { codeBlocks, pattern } from './helpers/readme';

vi.setConfig({ testTimeout: 120_000 });

// README.md's "Use it from code" says: save the block as hello.mjs in the clone's root and run it with
// node. This test does exactly that with the README's text (under a name of its own, so a hello.mjs of
// yours is safe), then checks what it printed against the block's own `// output` comments.
describe("README.md's library example", () => {
  const file = join(repoRoot, `.readme-hello-${process.pid}.mjs`);
  const dataDir = join(repoRoot, '.faasport');
  const hadDataDir = existsSync(dataDir);
  afterAll(() => {
    rmSync(file, { force: true });
    if (!hadDataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('is plain .mjs that Node runs as it is, prints what its comments say, and exits', async () => {
    const [block, ...more] = codeBlocks('README.md').filter((b) => b.section === 'Use it from code');
    expect(more).toEqual([]);
    expect(block?.lang).toBe('js');
    writeFileSync(file, block!.text);

    // A script that never closes its runtime never exits: runNode stops it, and the exit code says so.
    const { code, stdout, stderr } = await runNode(file);
    expect(code, stderr).toBe(0);

    const lines = stdout.trimEnd().split('\n');
    const events = lines.filter((l) => /^[a-z]+(-[a-z]+)*$/.test(l));
    const printed = lines.filter((l) => !events.includes(l));
    // `onEvent: (event) => console.log(event.type), // plan-start, step-start, ...`
    const eventComment = /console\.log\(event\.type\), \/\/ (.*)$/m.exec(block!.text)![1]!;
    for (const type of eventComment.split(', ')) expect(events).toContain(type);
    expect(events[0]).toBe('plan-start');
    expect(events.at(-1)).toBe('done');
    // Every other `console.log(...); // output` line, in order.
    const expected = [...block!.text.matchAll(/^console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]!);
    expect(expected).toEqual([
      'http://helloworld.default.localhost:…/ Hello v1',
      'Hello v2',
      'Hello v2',
      'Hello v1',
    ]);
    expect(printed).toHaveLength(expected.length);
    for (const [i, line] of printed.entries()) expect(line).toMatch(pattern(expected[i]!, true));
  });
});
