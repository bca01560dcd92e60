import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Zippable } from 'fflate';
import type { Artifact } from '../adapter';
import { ValidationError } from '../errors';
import { lazyRequire } from '../lazy-require';
import type { ResolvedFunction } from '../model';
import { archiveLimits, readZip, type ZipEntry, ZipError } from './unzip';

/**
 * fflate, loaded when an archive is built or read (not with core). Its `browser` build: the same
 * synchronous code and bytes, without the Node build's `worker_threads` import (only its
 * asynchronous API, unused here, runs workers). @internal
 */
export const fflate = lazyRequire<typeof import('fflate')>('fflate/browser');

/** Every entry gets this timestamp, so the same files always give the same bytes. */
const fixedTime = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));
/** Folders never packaged. */
const skipped = new Set(['.git', '.faasport', '.DS_Store']);

interface Entry {
  name: string;
  data: Uint8Array;
  executable: boolean;
}

/**
 * Packages a function's code deterministically: entries sorted by name, fixed timestamps, fixed
 * compression, executable bits kept. The same files give the same bytes and the same `codeHash`
 * whatever their mtimes. `bucket` and `image` sources are hashed by their reference (no zip).
 *
 * @throws {@link ValidationError} when a folder or archive is missing, empty, or escapes its root.
 * @public
 */
export function packageSource(fn: ResolvedFunction): Artifact {
  const source = fn.source;
  switch (source.kind) {
    case 'inline':
      return zipEntries([
        { name: inlineFileName(fn), data: new TextEncoder().encode(source.code), executable: false },
      ]);
    case 'dir':
      return zipEntries(readDir(source.path));
    case 'archive':
      return zipEntries(readArchive(source.path));
    case 'bucket':
      return {
        codeHash: sha256(
          `bucket:${source.endpoint ?? ''}:${source.region ?? ''}:${source.name}/${source.key}`,
        ),
      };
    case 'image':
      return { codeHash: sha256(`image:${source.ref}`) };
  }
}

/**
 * The file name inline code is stored under: the handler's module with the runtime's extension
 * (`index.mjs` for ES modules, `index.js` for CommonJS, `index.py` for Python).
 *
 * @public
 */
export function inlineFileName(fn: ResolvedFunction): string {
  const module = (fn.handler ?? 'index.default').replace(/\.[^.]+$/, '');
  if (fn.runtime.startsWith('python')) return `${module}.py`;
  const code = fn.source.kind === 'inline' ? fn.source.code : '';
  const esm = /^\s*(export\s|import\s[^(])/m.test(code);
  return `${module}.${esm ? 'mjs' : 'js'}`;
}

/**
 * Zips entries deterministically and hashes their names, modes and contents. The hash is computed at
 * once; the zip on first read of `zip` (memoized), so a plan or an offline render that only compares
 * hashes loads no compressor and compresses nothing. @public
 */
export function zipEntries(entries: Entry[]): Artifact {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const zippable: Zippable = {};
  const hash = createHash('sha256');
  for (const e of sorted) {
    zippable[e.name] = [
      e.data,
      { mtime: fixedTime, level: 6, os: 3, attrs: ((e.executable ? 0o100755 : 0o100644) << 16) >>> 0 },
    ];
    hash.update(`${e.name}\0${e.executable ? 'x' : '-'}\0${sha256(e.data)}\n`);
  }
  const artifact: Artifact = { codeHash: hash.digest('hex'), files: sorted.map((e) => e.name) };
  let zip: Uint8Array | undefined;
  Object.defineProperty(artifact, 'zip', {
    enumerable: true,
    configurable: true,
    get: () => (zip ??= fflate().zipSync(zippable)),
    set: (value: Uint8Array) => {
      zip = value;
    },
  });
  return artifact;
}

function readDir(root: string): Entry[] {
  let rootReal: string;
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a folder');
    rootReal = realpathSync(root);
  } catch {
    throw new ValidationError([
      { path: 'source.dir', message: `${JSON.stringify(root)} is not a folder that exists`, rule: 'exists' },
    ]);
  }
  const out: Entry[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (skipped.has(name)) continue;
      const full = join(dir, name);
      const st = lstatSync(full);
      let target = st;
      if (st.isSymbolicLink()) {
        // A link is packaged as what it points to, only when that stays inside the folder.
        const real = realpathSync(full);
        if (real !== rootReal && !real.startsWith(rootReal + sep)) {
          throw new ValidationError([
            {
              path: 'source.dir',
              message: `${JSON.stringify(relative(root, full))} links outside the folder (to ${real}); copy the file in instead`,
              rule: 'symlink',
            },
          ]);
        }
        target = statSync(full);
      }
      if (target.isDirectory()) walk(full);
      else if (target.isFile()) {
        out.push({
          name: relative(root, full).split(sep).join('/'),
          data: readFileSync(full),
          executable: (target.mode & 0o111) !== 0,
        });
      }
    }
  };
  walk(root);
  if (out.length === 0) {
    throw new ValidationError([
      { path: 'source.dir', message: `${JSON.stringify(root)} has no files to deploy`, rule: 'empty' },
    ]);
  }
  return out;
}

function readArchive(path: string): Entry[] {
  let files: ZipEntry[];
  try {
    // Checked before reading: neither the file nor what it inflates to may pass the runtime's limits.
    const size = statSync(path).size;
    if (size > archiveLimits.maxBytes)
      throw new ZipError('archive-size', `the file is ${size} bytes (at most ${archiveLimits.maxBytes})`);
    files = readZip(readFileSync(path), archiveLimits);
  } catch (error) {
    const rule = error instanceof ZipError ? error.rule : 'archive';
    throw new ValidationError([
      {
        path: 'source.archive',
        message: `${JSON.stringify(path)} ${rule === 'archive-size' ? 'is too large' : 'cannot be read as a zip archive'}: ${(error as Error).message}`,
        rule,
      },
    ]);
  }
  const out: Entry[] = [];
  for (const { name, data } of files) {
    if (name.endsWith('/')) continue;
    if (!isSafeEntryName(name)) {
      throw new ValidationError([
        {
          path: 'source.archive',
          message: `${JSON.stringify(path)} has an entry ${JSON.stringify(name)} that escapes the archive root; rebuild the archive without it`,
          rule: 'zip-slip',
        },
      ]);
    }
    out.push({ name, data, executable: false });
  }
  if (out.length === 0) {
    throw new ValidationError([
      { path: 'source.archive', message: `${JSON.stringify(path)} has no files`, rule: 'empty' },
    ]);
  }
  return out;
}

/**
 * True when a zip entry name stays inside the folder it is unpacked into: relative, no `..` segment,
 * no drive letter or backslash tricks. Use it wherever archives are unpacked.
 *
 * @public
 */
export function isSafeEntryName(name: string): boolean {
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\0')
  )
    return false;
  return !name.split('/').some((part) => part === '..');
}

/** sha256 hex of text or bytes. @public */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
