// What the migrate examples' run.mjs scripts share: a copy of the example's folder whose targets point
// at emulators, and `faasport` run the way a terminal shows it. Each run.mjs says which emulators it
// starts, how its faasport.yaml changes and which commands it runs.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const faasport = fileURLToPath(new URL('../../packages/cli/bin/faasport.mjs', import.meta.url));

/**
 * Copies `exampleDir` (without its `.faasport` state) to a new temp folder, writes `files` into it and
 * applies each `[text, replacement]` of `edits` to its faasport.yaml. Returns the folder.
 */
export function copyWithTargets(exampleDir, { prefix, files = {}, edits = [] }) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(exampleDir, dir, { recursive: true, filter: (src) => !src.includes('.faasport') });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  let yaml = readFileSync(join(dir, 'faasport.yaml'), 'utf8');
  for (const [text, replacement] of edits) yaml = yaml.replace(text, replacement);
  writeFileSync(join(dir, 'faasport.yaml'), yaml);
  return dir;
}

/**
 * A function `run(title, args)` that runs `faasport ...args` in `dir` with `env`, printing
 * `$ faasport ... # title` and the command's output (its stderr too: progress and warnings go with its
 * answer), and resolves with its stdout; it rejects when the command fails. Asynchronous on purpose:
 * the emulators answer from this same process.
 */
export function faasportIn(dir, env) {
  return (title, args) =>
    new Promise((resolve, reject) => {
      process.stdout.write(`\n$ faasport ${args.join(' ')}    # ${title}\n`);
      const child = spawn(process.execPath, [faasport, ...args], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        process.stdout.write(chunk);
      });
      child.stderr.on('data', (chunk) => process.stdout.write(chunk));
      child.on('close', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`faasport ${args[0]} exited with ${code}`)),
      );
    });
}
