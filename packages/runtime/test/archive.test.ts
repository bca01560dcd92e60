import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '@faasport/core';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, test } from 'vitest';
import { inspectArchive } from '../src/index';
import { CodeDamagedError, CodeStore } from '../src/server/code-store';
import { cleanTemp, tempDir } from './helpers/fixtures';

afterAll(() => cleanTemp());

const text = (value: string) => new TextEncoder().encode(value);

function rejection(zip: Uint8Array): string {
  try {
    inspectArchive(zip);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

describe('code archives', () => {
  test('entries that escape the folder are rejected, naming the entry and the rule', () => {
    expect(rejection(zipSync({ '../x.js': text('1') }))).toContain(
      '"../x.js" escapes the code folder (zip-slip)',
    );
    expect(rejection(zipSync({ 'a/../../x.js': text('1') }))).toContain('zip-slip');
    expect(rejection(zipSync({ '/etc/cron.d/x': text('1') }))).toContain('zip-slip');
    expect(rejection(zipSync({ 'a\\..\\x.js': text('1') }))).toContain('zip-slip');
    expect(
      rejection(zipSync({ 'link.js': [text('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] })),
    ).toContain('symbolic link');
    expect(rejection(new Uint8Array([1, 2, 3]))).toContain('not a readable zip archive');
    expect(rejection(zipSync({}))).toContain('no files');
  });

  test('a good archive is unpacked whole, content-addressed, with executable bits kept', () => {
    const dataDir = tempDir('faasport-code-');
    const store = new CodeStore(dataDir);
    const zip = zipSync({
      'index.js': text('exports.handler = () => 1;'),
      'lib/util.js': text('module.exports = 2;'),
      bootstrap: [text('#!/bin/sh\n'), { os: 3, attrs: (0o100755 << 16) >>> 0 }],
    });
    const hash = store.put(zip);
    expect(hash).toBe(CodeStore.hashOf(zip));
    const dir = store.dirOf(hash);
    expect(fs.readFileSync(path.join(dir, 'lib/util.js'), 'utf8')).toBe('module.exports = 2;');
    expect(fs.statSync(path.join(dir, 'bootstrap')).mode & 0o111).not.toBe(0);
    expect(fs.statSync(path.join(dir, 'index.js')).mode & 0o111).toBe(0);
    // The same code again is not unpacked twice; a bad archive leaves nothing behind.
    expect(store.put(zip)).toBe(hash);
    const before = fs.readdirSync(path.join(dataDir, 'code')).sort();
    expect(() => store.put(zipSync({ 'ok.js': text('1'), '../evil.js': text('2') }))).toThrow(/zip-slip/);
    expect(fs.readdirSync(path.join(dataDir, 'code')).sort()).toEqual(before);
    expect(fs.existsSync(path.join(dataDir, 'evil.js'))).toBe(false);
  });
});

/** A zip whose headers claim every entry inflates to `claimed` bytes, whatever it really holds. */
function underDeclared(files: Record<string, Uint8Array>, claimed: number): Uint8Array {
  const zip = zipSync(files, { level: 9 });
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let i = 0; i + 4 <= zip.length; i++) {
    const signature = view.getUint32(i, true);
    if (signature === 0x04034b50) view.setUint32(i + 22, claimed, true);
    if (signature === 0x02014b50) view.setUint32(i + 24, claimed, true);
  }
  return zip;
}

describe('archive limits and names', () => {
  test('a zip that under-declares its sizes is stopped while inflating, at the real byte count', () => {
    const bomb = underDeclared({ 'big.bin': new Uint8Array(8 * 1024 * 1024) }, 10);
    let message = '';
    try {
      inspectArchive(bomb, 'code', { maxBytes: 1024 * 1024, maxEntries: 10 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('more than 1048576 bytes (stopped while inflating "big.bin")');
    // Under the limit, a size that differs from the header is refused too: the header lied.
    expect(() => inspectArchive(bomb, 'code', { maxBytes: 64 * 1024 * 1024, maxEntries: 10 })).toThrow(
      /declares 10 bytes but holds 8388608/,
    );
  });

  test('a file that is also a folder, and over-long names, are refused naming the entry, not a path here', () => {
    const dataDir = tempDir('faasport-code-');
    const store = new CodeStore(dataDir);
    const cases: Array<[Record<string, Uint8Array>, RegExp]> = [
      [{ x: text('1'), 'x/y': text('2') }, /entry "x\/y" is inside "x", which is also a file/],
      [{ 'a/b': text('1'), a: text('2') }, /entry "a" twice \(or as both a file and a folder\)/],
      [{ [`${'n'.repeat(300)}.js`]: text('1') }, /longer than 255 bytes per segment/],
    ];
    for (const [files, expected] of cases) {
      let error: unknown;
      try {
        store.put(zipSync(files));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(expected);
      expect((error as Error).message).not.toContain(dataDir);
    }
    expect(fs.readdirSync(path.join(dataDir, 'code')).sort()).toEqual(['package.json']);
  });
});

describe('stored code', () => {
  test('a .js file is CommonJS whatever package.json encloses the data dir', () => {
    // The data dir sits in a project whose package.json says "type": "module", as examples/ do.
    const project = tempDir('faasport-project-');
    fs.writeFileSync(path.join(project, 'package.json'), '{"type":"module"}');
    const store = new CodeStore(path.join(project, '.faasport'));
    const hash = store.put(zipSync({ 'index.js': text('module.exports.handler = () => "cjs";') }));
    const file = path.join(store.dirOf(hash), 'index.js');
    const out = execFileSync(
      process.execPath,
      ['-e', `console.log(require(${JSON.stringify(file)}).handler())`],
      {
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe('cjs');
    const esm = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import(${JSON.stringify(file)}).then((m) => console.log(typeof m.default.handler))`,
      ],
      { encoding: 'utf8' },
    );
    expect(esm.trim()).toBe('function');
  });

  test('a changed code folder is unpacked again from its archive; without the archive it is refused', () => {
    const dataDir = tempDir('faasport-code-');
    const store = new CodeStore(dataDir);
    const zip = zipSync({ 'index.mjs': text('export default () => "original";') });
    const hash = store.put(zip);
    const dir = store.dirOf(hash);
    const file = path.join(dir, 'index.mjs');
    expect(fs.statSync(file).mode & 0o222).toBe(0);
    expect(fs.statSync(dir).mode & 0o222).toBe(0);
    expect(store.verify(hash)).toBe('intact');
    // Tampered the way a process with the same uid can: chmod, then write.
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, 'export default () => "tampered";');
    expect(store.verify(hash)).toBe('repaired');
    expect(fs.readFileSync(file, 'utf8')).toBe('export default () => "original";');
    // A new file in the folder counts as a change too.
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, 'extra.js'), '1');
    expect(new CodeStore(dataDir).verify(hash)).toBe('repaired');
    expect(fs.existsSync(path.join(dir, 'extra.js'))).toBe(false);
    // Re-storing the same zip repairs as well.
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, 'x');
    expect(store.put(zip)).toBe(hash);
    expect(fs.readFileSync(file, 'utf8')).toBe('export default () => "original";');
    // Both the folder and its archive changed: refused, never served.
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, 'x');
    fs.writeFileSync(path.join(dataDir, 'artifacts', `${hash}.zip`), 'not the archive');
    expect(() => store.verify(hash)).toThrow(CodeDamagedError);
  });
});
