import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  archiveLimits,
  isSafeEntryName,
  readZip,
  ValidationError,
  ZipError,
  type ZipLimits,
} from '@faasport/core';

/** Longest name of one path segment on common file systems (ext4, APFS, NTFS), in bytes. */
const maxSegmentBytes = 255;
/** Longest entry name (below Linux PATH_MAX once the code folder is in front of it). */
const maxNameBytes = 1024;

/**
 * The `package.json` at the root of the stored code: Node looks for the nearest one above a `.js` file
 * to tell CommonJS from an ES module, and it must not find the user's project (or whatever folder
 * holds the data dir). A `.js` file is CommonJS unless the code's own package.json says otherwise,
 * as on FC, FunctionGraph and Lambda, where the archive is unpacked into a folder of its own.
 */
const moduleBoundary = `${JSON.stringify({ type: 'commonjs', private: true }, null, 2)}\n`;

function reject(field: string, message: string, rule: string): never {
  throw new ValidationError([{ path: field, message, rule }]);
}

/** A file of a code archive, checked. */
export interface ArchiveFile {
  data: Uint8Array;
  executable: boolean;
}

/**
 * Checks a code archive without writing anything: every entry must stay inside the folder it is
 * unpacked into (no absolute paths, no `..`, no symlinks, no duplicates, no file that is also a
 * folder, no over-long names), within size limits enforced while inflating. Messages name the entry,
 * never a path on this machine.
 */
export function inspectArchive(
  zip: Uint8Array,
  field = 'code',
  limits: ZipLimits = archiveLimits,
): Record<string, ArchiveFile> {
  let entries: ReturnType<typeof readZip>;
  try {
    entries = readZip(zip, limits);
  } catch (error) {
    if (error instanceof ZipError && error.rule === 'archive-size')
      reject(field, error.message, 'archive-size');
    reject(field, `the code is not a readable zip archive: ${(error as Error).message}`, 'archive');
  }
  const files = new Set<string>();
  const folders = new Set<string>();
  const out: Record<string, ArchiveFile> = {};
  const encoder = new TextEncoder();
  for (const entry of entries) {
    const name = entry.name;
    if (!isSafeEntryName(name)) {
      reject(
        field,
        `the archive entry ${JSON.stringify(name)} escapes the code folder (zip-slip); rebuild the archive without it`,
        'zip-slip',
      );
    }
    if (entry.mode !== undefined && (entry.mode & 0o170000) === 0o120000) {
      reject(
        field,
        `the archive entry ${JSON.stringify(name)} is a symbolic link; links are not unpacked (copy the file in instead)`,
        'symlink',
      );
    }
    const normalized = path.posix.normalize(name).replace(/\/$/, '');
    const segments = normalized.split('/').filter((s) => s !== '.' && s !== '');
    if (
      encoder.encode(normalized).length > maxNameBytes ||
      segments.some((s) => encoder.encode(s).length > maxSegmentBytes)
    ) {
      reject(
        field,
        `the archive entry ${JSON.stringify(`${name.slice(0, 60)}…`)} has a name longer than ${maxSegmentBytes} bytes per segment or ${maxNameBytes} in all; shorten it`,
        'name-length',
      );
    }
    const isFolder = name.endsWith('/');
    if (
      files.has(normalized) ||
      (!isFolder && folders.has(normalized)) ||
      (isFolder && files.has(normalized))
    )
      reject(
        field,
        `the archive has the entry ${JSON.stringify(name)} twice (or as both a file and a folder)`,
        'duplicate',
      );
    // Every parent of an entry is a folder: a file of the same name cannot be unpacked beside it.
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (files.has(parent))
        reject(
          field,
          `the archive entry ${JSON.stringify(name)} is inside ${JSON.stringify(parent)}, which is also a file; rebuild the archive without one of them`,
          'duplicate',
        );
      folders.add(parent);
    }
    if (isFolder) {
      folders.add(normalized);
      continue;
    }
    files.add(normalized);
    out[normalized] = {
      data: entry.data,
      executable: entry.mode !== undefined && (entry.mode & 0o111) !== 0,
    };
  }
  if (Object.keys(out).length === 0) reject(field, 'the archive has no files', 'empty');
  return out;
}

/** What is recorded of an unpacked folder, to tell later whether anything in it changed. */
interface FolderRecord {
  /** sha256 over every file's name, mode and content. */
  digest: string;
  /** Per file: inode, change time and size. A change time cannot be set back, so a write always shows. */
  stats: Record<string, [number, number, number]>;
}

/** What {@link CodeStore.verify} found. */
export type CodeCheck = 'intact' | 'repaired';

/** Stored code that is damaged and cannot be restored from its archive. */
export class CodeDamagedError extends Error {
  constructor(readonly codeHash: string) {
    super(
      `the stored code ${codeHash.slice(0, 12)} was changed after it was deployed and its archive is gone; deploy the function again`,
    );
  }
}

/**
 * Code stored content-addressed on disk: `code/<sha256 of the zip>/`, read-only (files 0444 or 0555,
 * folders 0555). The archive itself is kept in `artifacts/<hash>.zip` with a record of the unpacked
 * files, so a folder that changed after deploy is noticed before an instance loads it and unpacked
 * again from the archive. A folder appears whole or not at all (unpacked in a temp folder, then renamed).
 */
export class CodeStore {
  private readonly root: string;
  private readonly artifacts: string;
  /** Code in use by a deploy that has not stored its revision yet: never collected. */
  private readonly pinned = new Map<string, number>();

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'code');
    this.artifacts = path.join(dataDir, 'artifacts');
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.artifacts, { recursive: true, mode: 0o700 });
    const boundary = path.join(this.root, 'package.json');
    if (!fs.existsSync(boundary) || fs.readFileSync(boundary, 'utf8') !== moduleBoundary)
      fs.writeFileSync(boundary, moduleBoundary, { mode: 0o444 });
    for (const name of fs.readdirSync(this.root)) {
      // Leftovers of an unpack interrupted by a crash.
      if (name.startsWith('.tmp-')) removeTree(path.join(this.root, name));
    }
  }

  /** The folder of a stored code hash. */
  dirOf(codeHash: string): string {
    if (!/^[a-f0-9]{64}$/.test(codeHash)) throw new Error(`invalid code hash ${codeHash}`);
    return path.join(this.root, codeHash);
  }

  /** The folder that holds every code folder (and the module-type boundary). */
  get codeRoot(): string {
    return this.root;
  }

  /** The hash the code is stored under. */
  static hashOf(zip: Uint8Array): string {
    return createHash('sha256').update(zip).digest('hex');
  }

  /**
   * Checks and unpacks a zip; returns its hash. Nothing is written when the archive is rejected. Code
   * stored before is checked, and unpacked again when it changed.
   */
  put(zip: Uint8Array, field = 'code'): string {
    const hash = CodeStore.hashOf(zip);
    const files = inspectArchive(zip, field);
    const artifact = this.artifactOf(hash);
    if (!fs.existsSync(artifact)) writeAtomic(artifact, zip);
    if (fs.existsSync(this.dirOf(hash)) && this.check(hash) === 'intact') return hash;
    this.unpack(hash, files);
    return hash;
  }

  /**
   * Makes sure a code folder holds what was deployed, before an instance loads it: a changed folder is
   * unpacked again from its archive.
   *
   * @throws {@link CodeDamagedError} when it changed and its archive is missing or changed too.
   */
  verify(codeHash: string): CodeCheck {
    if (this.check(codeHash) === 'intact') return 'intact';
    const artifact = this.artifactOf(codeHash);
    let zip: Uint8Array;
    try {
      zip = fs.readFileSync(artifact);
    } catch {
      throw new CodeDamagedError(codeHash);
    }
    if (CodeStore.hashOf(zip) !== codeHash) throw new CodeDamagedError(codeHash);
    this.unpack(codeHash, inspectArchive(zip));
    return 'repaired';
  }

  /** Compares a folder with its record: by file stats first, by content when they moved. */
  private check(codeHash: string): 'intact' | 'changed' {
    const dir = this.dirOf(codeHash);
    const recordFile = path.join(this.artifacts, `${codeHash}.json`);
    let record: FolderRecord | undefined;
    try {
      record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as FolderRecord;
    } catch {
      record = undefined;
    }
    let current: FolderRecord;
    try {
      current = recordOf(dir, false);
    } catch {
      return 'changed';
    }
    if (!record) {
      // Code unpacked by an older version: what is there now is taken as deployed (and recorded).
      if (!fs.existsSync(this.artifactOf(codeHash))) {
        writeAtomic(recordFile, JSON.stringify(recordOf(dir, true)));
        return 'intact';
      }
      return 'changed';
    }
    if (sameStats(record.stats, current.stats)) return 'intact';
    const full = recordOf(dir, true);
    if (full.digest !== record.digest) return 'changed';
    writeAtomic(recordFile, JSON.stringify(full));
    return 'intact';
  }

  private artifactOf(codeHash: string): string {
    this.dirOf(codeHash);
    return path.join(this.artifacts, `${codeHash}.zip`);
  }

  /** Unpacks checked files into a fresh folder and swaps it in place of the old one, if any. */
  private unpack(hash: string, files: Record<string, ArchiveFile>): void {
    const dir = this.dirOf(hash);
    const tmp = path.join(this.root, `.tmp-${randomUUID()}`);
    try {
      fs.mkdirSync(tmp, { mode: 0o700 });
      for (const [name, file] of Object.entries(files)) {
        const target = path.resolve(tmp, name);
        if (!target.startsWith(tmp + path.sep))
          reject('code', `the archive entry ${JSON.stringify(name)} escapes the code folder`, 'zip-slip');
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.data, { mode: file.executable ? 0o555 : 0o444 });
      }
      makeReadOnly(tmp);
      if (fs.existsSync(dir)) {
        const old = path.join(this.root, `.tmp-${randomUUID()}`);
        fs.renameSync(dir, old);
        fs.renameSync(tmp, dir);
        removeTree(old);
      } else fs.renameSync(tmp, dir);
    } catch (error) {
      removeTree(tmp);
      if (!fs.existsSync(dir)) throw error;
    }
    writeAtomic(path.join(this.artifacts, `${hash}.json`), JSON.stringify(recordOf(dir, true)));
  }

  /** The stored files of a code hash, from the folder (for export). */
  files(codeHash: string): Array<{ name: string; data: Uint8Array }> {
    const dir = this.dirOf(codeHash);
    const out: Array<{ name: string; data: Uint8Array }> = [];
    walk(dir, (full, name) => out.push({ name, data: fs.readFileSync(full) }));
    return out;
  }

  /** Keeps a code folder from {@link CodeStore.collect} until the returned function is called. */
  pin(codeHash: string): () => void {
    this.pinned.set(codeHash, (this.pinned.get(codeHash) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const count = (this.pinned.get(codeHash) ?? 1) - 1;
      if (count > 0) this.pinned.set(codeHash, count);
      else this.pinned.delete(codeHash);
    };
  }

  /** Removes code folders and archives no revision uses (and no deploy in progress holds). */
  collect(keep: Set<string>): void {
    const kept = (hash: string) => keep.has(hash) || this.pinned.has(hash);
    for (const name of fs.readdirSync(this.root)) {
      if (name.startsWith('.tmp-') || name === 'package.json' || kept(name)) continue;
      removeTree(path.join(this.root, name));
    }
    for (const name of fs.readdirSync(this.artifacts)) {
      if (!kept(name.replace(/\.(zip|json)$/, '')))
        fs.rmSync(path.join(this.artifacts, name), { force: true });
    }
  }
}

/** Calls `visit` for every regular file below `dir`, in name order, with its `/`-separated name. */
function walk(dir: string, visit: (full: string, name: string, stat: fs.Stats) => void): void {
  const go = (current: string) => {
    for (const name of fs.readdirSync(current).sort()) {
      const full = path.join(current, name);
      const stat = fs.lstatSync(full);
      if (stat.isDirectory()) go(full);
      else visit(full, path.relative(dir, full).split(path.sep).join('/'), stat);
    }
  };
  go(dir);
}

function recordOf(dir: string, withDigest: boolean): FolderRecord {
  const hash = createHash('sha256');
  const stats: FolderRecord['stats'] = {};
  walk(dir, (full, name, stat) => {
    stats[name] = [stat.ino, stat.ctimeMs, stat.size];
    if (!withDigest) return;
    const kind = stat.isFile() ? ((stat.mode & 0o111) !== 0 ? 'x' : '-') : 'other';
    const content = stat.isFile() ? createHash('sha256').update(fs.readFileSync(full)).digest('hex') : '';
    hash.update(`${name}\0${kind}\0${content}\n`);
  });
  return { digest: withDigest ? hash.digest('hex') : '', stats };
}

function sameStats(a: FolderRecord['stats'], b: FolderRecord['stats']): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => {
    const x = a[name];
    const y = b[name];
    return y !== undefined && x![0] === y[0] && x![1] === y[1] && x![2] === y[2];
  });
}

/** Folders 0555 from the bottom up: nothing can be added, renamed or removed without a chmod first. */
function makeReadOnly(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    if (fs.lstatSync(full).isDirectory()) makeReadOnly(full);
  }
  fs.chmodSync(dir, 0o555);
}

/** Removes a folder tree, read-only folders included. */
function removeTree(dir: string): void {
  const open = (current: string) => {
    try {
      fs.chmodSync(current, 0o700);
    } catch {
      return;
    }
    for (const name of fs.readdirSync(current)) {
      const full = path.join(current, name);
      if (fs.lstatSync(full).isDirectory()) open(full);
    }
  };
  open(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
