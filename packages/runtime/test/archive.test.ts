import fs from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, test } from 'vitest';
import { inspectArchive } from '../src/index';
import { CodeStore } from '../src/server/code-store';
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
