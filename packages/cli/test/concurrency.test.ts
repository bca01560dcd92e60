import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers';

let fg: FunctionGraphEmulator;
beforeAll(async () => {
  fg = await startFunctionGraphEmulator();
});
afterAll(async () => {
  await fg?.close();
});

const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];

/** A project of five inline functions on the FunctionGraph emulator. */
function project(): { dir: string; env: Record<string, string> } {
  const dir = tempDir();
  const functions = names
    .map(
      (name) => `  - name: ${name}\n    source: { inline: "export default () => new Response('${name}')" }`,
    )
    .join('\n');
  writeFileSync(
    join(dir, 'faasport.yaml'),
    `name: many\ntargets:\n  hw: { adapter: functiongraph, region: ${fg.region}, projectId: "${fg.projectId}", endpoint: "${fg.url}" }\nfunctions:\n${functions}\n`,
  );
  return { dir, env: { HUAWEICLOUD_SDK_AK: fg.accessKeyId, HUAWEICLOUD_SDK_SK: fg.secretAccessKey } };
}

describe('--concurrency', () => {
  for (const command of ['plan', 'deploy']) {
    it(`${command}: refuses a value that is not a positive whole number, naming the flag, before any call`, async () => {
      const { dir, env } = project();
      const requests = fg.requests().length;
      for (const value of ['0', '-2', '1.5', 'many']) {
        const argv = [command, ...(command === 'deploy' ? ['--yes'] : []), `--concurrency=${value}`];
        const { code, stderr } = await cli(argv, { cwd: dir, env });
        expect(code, stderr).toBe(2);
        expect(stderr).toContain(`--concurrency ${JSON.stringify(value)} is not a number of functions`);
        expect(stderr).toContain(`faasport ${command} --help`);
      }
      expect(fg.requests().length).toBe(requests);
    });
  }

  it('deploys the functions in parallel and prints each one in project order', async () => {
    const { dir, env } = project();
    const planned = await cli(['plan', '--concurrency', '3', '--json'], { cwd: dir, env });
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    expect(JSON.parse(planned.stdout).functions.map((p: { functionName: string }) => p.functionName)).toEqual(
      names,
    );
    const { code, stdout, stderr } = await cli(['deploy', '--yes', '--concurrency', '3'], { cwd: dir, env });
    expect(code, stderr).toBe(0);
    const done = stderr.split('\n').filter((line) => / deployed to functiongraph /.test(line));
    expect(done.map((line) => names.find((n) => line.includes(` ${n} `)))).toEqual(names);
    expect(
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(names);
    const again = await cli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(JSON.parse(again.stdout).functions.map((f: { changed: boolean }) => f.changed)).toEqual(
      names.map(() => false),
    );
  });
});
