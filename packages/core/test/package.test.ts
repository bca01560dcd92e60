import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { defineFunction, desiredStateOf, isSafeEntryName, packageSource, ValidationError } from '../src';

const root = mkdtempSync(join(tmpdir(), 'faasport-pkg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function makeFolder(name: string, mtime: Date): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'index.mjs'), 'export default () => "hi";\n');
  writeFileSync(join(dir, 'lib', 'util.js'), 'module.exports = 1;\n');
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'run.sh'), 0o755);
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref');
  for (const f of ['index.mjs', 'lib/util.js', 'run.sh', 'lib', '.']) utimesSync(join(dir, f), mtime, mtime);
  return dir;
}

describe('packageSource', () => {
  it('gives the same bytes and hash for the same folder with different mtimes', () => {
    const a = makeFolder('a', new Date('2001-01-01T00:00:00Z'));
    const b = makeFolder('b', new Date('2024-06-15T12:34:56Z'));
    const pa = packageSource(defineFunction({ name: 'f', source: { dir: a } }));
    const pb = packageSource(defineFunction({ name: 'f', source: { dir: b } }));
    expect(Buffer.from(pa.zip!).equals(Buffer.from(pb.zip!))).toBe(true);
    expect(pa.codeHash).toBe(pb.codeHash);
    expect(pa.files).toEqual(['index.mjs', 'lib/util.js', 'run.sh']);
    const entries = unzipSync(pa.zip!);
    expect(new TextDecoder().decode(entries['index.mjs'])).toContain('hi');
  });

  it('changes the hash when content or the executable bit changes', () => {
    const dir = makeFolder('c', new Date());
    const before = packageSource(defineFunction({ name: 'f', source: { dir } })).codeHash;
    chmodSync(join(dir, 'run.sh'), 0o644);
    const notExecutable = packageSource(defineFunction({ name: 'f', source: { dir } })).codeHash;
    writeFileSync(join(dir, 'index.mjs'), 'export default () => "changed";\n');
    const changed = packageSource(defineFunction({ name: 'f', source: { dir } })).codeHash;
    expect(new Set([before, notExecutable, changed]).size).toBe(3);
  });

  it('re-packs archives deterministically and rejects entries that escape the root', () => {
    const good = join(root, 'good.zip');
    writeFileSync(
      good,
      zipSync(
        { 'b.js': new TextEncoder().encode('b'), 'a.js': new TextEncoder().encode('a') },
        { mtime: new Date('2010-01-01') },
      ),
    );
    const pa = packageSource(defineFunction({ name: 'f', source: { archive: good } }));
    expect(pa.files).toEqual(['a.js', 'b.js']);
    const evil = join(root, 'evil.zip');
    writeFileSync(evil, zipSync({ '../../etc/cron.d/x': new TextEncoder().encode('boom') }));
    expect(() => packageSource(defineFunction({ name: 'f', source: { archive: evil } }))).toThrow(
      /escapes the archive root/,
    );
    expect(isSafeEntryName('a/../../b')).toBe(false);
    expect(isSafeEntryName('/etc/passwd')).toBe(false);
    expect(isSafeEntryName('C:/x')).toBe(false);
    expect(isSafeEntryName('lib/a.js')).toBe(true);
  });

  it('rejects symlinks that leave the folder, and missing folders, with the path', () => {
    const dir = makeFolder('d', new Date());
    symlinkSync('/etc/hostname', join(dir, 'leak'));
    expect(() => packageSource(defineFunction({ name: 'f', source: { dir } }))).toThrow(
      /"leak" links outside the folder/,
    );
    const missing = join(root, 'nope');
    const err = (() => {
      try {
        packageSource(defineFunction({ name: 'f', source: { dir: missing } }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]!.path).toBe('source.dir');
  });

  it('names inline code after the handler and its module system', () => {
    const esm = packageSource(defineFunction({ name: 'f', source: { inline: 'export default () => 1' } }));
    const cjs = packageSource(
      defineFunction({
        name: 'f',
        contract: 'native',
        source: { inline: 'module.exports.handler = () => 1' },
      }),
    );
    const py = packageSource(
      defineFunction({
        name: 'f',
        runtime: 'python3.11',
        handler: 'main.handler',
        source: { inline: 'def handler(r, c): return 1' },
      }),
    );
    expect(esm.files).toEqual(['index.mjs']);
    expect(cjs.files).toEqual(['index.js']);
    expect(py.files).toEqual(['main.py']);
  });
});

describe('desired state hashes', () => {
  it('labels revisions by content, and secret values change the hash without appearing in it', () => {
    const base = {
      name: 'f',
      source: { inline: 'export default () => 1' },
      secrets: { TOKEN: { fromEnv: 'MY_TOKEN' } },
    };
    const a = desiredStateOf(defineFunction(base), { env: { MY_TOKEN: 'secret-one' } });
    const b = desiredStateOf(defineFunction(base), { env: { MY_TOKEN: 'secret-one' } });
    const c = desiredStateOf(defineFunction(base), { env: { MY_TOKEN: 'secret-two' } });
    expect(a.revisionLabel).toBe(b.revisionLabel);
    expect(a.revisionLabel).toMatch(/^r-[0-9a-f]{8}$/);
    expect(c.revisionHash).not.toBe(a.revisionHash);
    expect(JSON.stringify({ ...a, secretValues: undefined })).not.toContain('secret-one');
    expect(() => desiredStateOf(defineFunction(base), { env: {} })).toThrow(/MY_TOKEN, which is not set/);
    const triggersOnly = desiredStateOf(
      defineFunction({ ...base, triggers: [{ schedule: { cron: '0 * * * *' } }] }),
      { env: { MY_TOKEN: 'secret-one' } },
    );
    expect(triggersOnly.revisionHash).toBe(a.revisionHash);
    expect(triggersOnly.specHash).not.toBe(a.specHash);
  });
});

describe('archive sources are limited before they are sent', () => {
  it('refuses an archive file larger than the runtime takes, without reading it', () => {
    const file = join(root, 'huge.zip');
    // A sparse file: its size says 513 MiB, the disk holds nothing.
    writeFileSync(file, '');
    truncateSync(file, 513 * 1024 * 1024);
    let error: unknown;
    try {
      packageSource(defineFunction({ name: 'f', source: { archive: file } }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({
      path: 'source.archive',
      rule: 'archive-size',
    });
    expect((error as Error).message).toContain('at most 536870912');
  });

  it('refuses an archive whose entries lie about their sizes', () => {
    const zip = zipSync({ 'index.js': new Uint8Array(4096) });
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (let i = 0; i + 4 <= zip.length; i++)
      if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + 24, 1, true);
    const file = join(root, 'liar.zip');
    writeFileSync(file, zip);
    expect(() => packageSource(defineFunction({ name: 'f', source: { archive: file } }))).toThrow(
      /declares 1 bytes but holds 4096/,
    );
  });
});

describe('environment values with NUL', () => {
  it('are refused, naming the variable, instead of being cut at the NUL', () => {
    let error: unknown;
    try {
      defineFunction({ name: 'f', source: { inline: 'x' }, env: { GREETING: 'hello\0world' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe('env.GREETING');
    expect((error as Error).message).toContain('contains a NUL character');
  });

  it('in a secret value are refused, naming the secret', () => {
    const fn = defineFunction({
      name: 'f',
      source: { inline: 'x' },
      secrets: { TOKEN: { fromEnv: 'TOKEN_VALUE' } },
    });
    expect(() => desiredStateOf(fn, { env: { TOKEN_VALUE: 'abc\0def' } })).toThrow(
      /Secret TOKEN of function "f" contains a NUL character/,
    );
  });
});
