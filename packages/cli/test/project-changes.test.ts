import { renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectChanges } from '../src/project-changes';
import { tempDir } from './helpers';

// The real watcher `faasport dev` uses, on real files: each step awaits the watcher's report of the
// previous file operation, so the order of events is the one chokidar gives, not a guess.
let dir: string;
let watcher: FSWatcher;
let changes: ProjectChanges;
/** Every event so far, with what `record` answered (whether it calls for a pass). */
let seen: Array<{ event: string; file: string; pass: boolean }>;
let waiters: Array<{ event: string; file: string; done: () => void }>;

/** Resolves once the watcher has reported `event` for `file` (at once if it has already). */
function reported(event: string, file: string): Promise<{ event: string; file: string; pass: boolean }> {
  const find = () => seen.find((s) => s.event === event && s.file === file);
  return new Promise((resolve) => {
    const found = find();
    if (found) resolve(found);
    else waiters.push({ event, file, done: () => resolve(find()!) });
  });
}

beforeEach(async () => {
  dir = tempDir('faasport-changes-');
  writeFileSync(join(dir, 'index.mjs'), 'export default () => "a";\n');
  writeFileSync(join(dir, 'old.mjs'), 'export const old = 1;\n');
  changes = new ProjectChanges();
  seen = [];
  waiters = [];
  watcher = watch(dir, { ignoreInitial: true });
  watcher.on('all', (event, file) => {
    seen.push({ event, file, pass: changes.record(event, file) });
    waiters = waiters.filter((w) => {
      if (w.event !== event || w.file !== file) return true;
      w.done();
      return false;
    });
  });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
});

afterEach(async () => {
  await watcher.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the changes between dev passes', () => {
  it("a rename-save names the file saved, and the editor's temporary file going away starts no pass", async () => {
    const file = join(dir, 'index.mjs');
    const temp = join(dir, 'index.mjs.tmp');
    writeFileSync(temp, 'export default () => "b";\n');
    expect((await reported('add', temp)).pass).toBe(true);
    renameSync(temp, file);
    expect((await reported('change', file)).pass).toBe(true);
    // The pass starts here (dev waits 100 ms after the last event): the temporary file is already gone.
    expect(changes.startPass()).toEqual([file]);
    // chokidar reports the removal about 100 ms after the rename: no pass deployed that file.
    expect((await reported('unlink', temp)).pass).toBe(false);
    expect(changes.startPass()).toEqual([]);
  });

  it('a rename-save whose temporary file is reported gone before the pass starts: the pass names the file saved', async () => {
    const file = join(dir, 'index.mjs');
    const temp = join(dir, 'index.mjs.tmp');
    writeFileSync(temp, 'export default () => "c";\n');
    await reported('add', temp);
    renameSync(temp, file);
    await reported('change', file);
    expect((await reported('unlink', temp)).pass).toBe(false);
    expect(changes.startPass()).toEqual([file]);
  });

  it('a file that a pass saw starts a pass when it is removed, and is named', async () => {
    const file = join(dir, 'helper.mjs');
    writeFileSync(file, 'export const helper = 1;\n');
    expect((await reported('add', file)).pass).toBe(true);
    expect(changes.startPass()).toEqual([file]);
    unlinkSync(file);
    expect((await reported('unlink', file)).pass).toBe(true);
    expect(changes.startPass()).toEqual([file]);
  });

  it('a file that was there before dev started starts a pass when it is removed', async () => {
    const file = join(dir, 'old.mjs');
    unlinkSync(file);
    expect((await reported('unlink', file)).pass).toBe(true);
    expect(changes.startPass()).toEqual([file]);
  });
});
