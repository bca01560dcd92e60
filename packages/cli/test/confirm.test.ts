import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type Runtime, startRuntime } from '@faasport/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli';
import { Capture, tempDir } from './helpers';

/** Runs the CLI as on a terminal, typing `answer` when it asks. */
async function onTerminal(argv: string[], cwd: string, env: Record<string, string>, answer: string) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = new Capture(true);
  const stderr = new Capture(true);
  const asked = new Promise<void>((resolve) => {
    const write = stderr.write.bind(stderr);
    stderr.write = (chunk: string) => {
      if (chunk.includes('[y/N]')) resolve();
      return write(chunk);
    };
  });
  const run = runCli(argv, {
    stdout,
    stderr,
    stdin,
    env: { ...env, NO_COLOR: '1' },
    cwd,
    signal: new AbortController().signal,
  });
  await Promise.race([asked, run]);
  stdin.write(answer);
  const code = await run;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('confirmation on a terminal', () => {
  let runtime: Runtime;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = tempDir();
    mkdirSync(join(dir, 'hello'));
    writeFileSync(join(dir, 'hello', 'index.mjs'), 'export default () => "hi\\n";\n');
    writeFileSync(
      join(dir, 'faasport.yaml'),
      'name: hello\nfunctions:\n  - name: hello\n    source: { dir: ./hello }\n',
    );
    runtime = await startRuntime({ dataDir: join(dir, 'state'), port: 0, warmPool: 0 });
    env = { FAASPORT_RUNTIME_URL: runtime.url, FAASPORT_RUNTIME_TOKEN: runtime.token };
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('deploy shows the plan and deploys nothing when the answer is no', async () => {
    const { code, stderr } = await onTerminal(['deploy'], dir, env, 'n\n');
    expect(code).toBe(0);
    expect(stderr).toContain('hello on local: create');
    expect(stderr).toContain('Deploy 1 function to local? [y/N]');
    expect(stderr).toContain('Nothing was deployed.');
    expect(runtime.writes()).toBe(0);
  });

  it('deploys when the answer is yes; rm asks too', async () => {
    const yes = await onTerminal(['deploy'], dir, env, 'y\n');
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(/^hello {2}r-[0-9a-f]{8}/);
    const writes = runtime.writes();
    expect(writes).toBeGreaterThan(0);
    const keep = await onTerminal(['rm', 'hello'], dir, env, 'no\n');
    expect(keep.stderr).toContain('Remove hello from local? [y/N]');
    expect(keep.stderr).toContain('Nothing was removed.');
    expect(runtime.writes()).toBe(writes);
  });
});
