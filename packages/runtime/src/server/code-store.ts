import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isSafeEntryName, ValidationError } from '@faasport/core';
import { unzipSync } from 'fflate';

/** Largest total unpacked size of one code archive. */
const maxUnpackedBytes = 512 * 1024 * 1024;
/** Most entries in one code archive. */
const maxEntries = 20_000;

interface CentralEntry {
  name: string;
  /** Unix mode from the external attributes, when the archive was made on Unix. */
  mode?: number;
  uncompressedSize: number;
}

/** Reads the central directory of a zip: names, Unix modes and sizes (fflate does not expose modes). */
function centralDirectory(zip: Uint8Array): CentralEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const out: CentralEntry[] = [];
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || view.getUint32(offset, true) !== 0x02014b50)
      throw new Error('corrupt central directory');
    const madeBy = view.getUint16(offset + 4, true) >> 8;
    const uncompressedSize = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const external = view.getUint32(offset + 38, true);
    const name = decoder.decode(zip.subarray(offset + 46, offset + 46 + nameLength));
    out.push({ name, mode: madeBy === 3 ? external >>> 16 : undefined, uncompressedSize });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

function reject(field: string, message: string, rule: string): never {
  throw new ValidationError([{ path: field, message, rule }]);
}

/**
 * Checks a code archive without writing anything: every entry must stay inside the folder it is
 * unpacked into (no absolute paths, no `..`, no symlinks, no duplicates), within size limits.
 */
export function inspectArchive(
  zip: Uint8Array,
  field = 'code',
): Record<string, { data: Uint8Array; executable: boolean }> {
  let entries: CentralEntry[];
  let files: Record<string, Uint8Array>;
  try {
    entries = centralDirectory(zip);
    if (entries.length > maxEntries)
      reject(field, `the archive has ${entries.length} entries (at most ${maxEntries})`, 'archive-size');
    const declared = entries.reduce((total, e) => total + e.uncompressedSize, 0);
    if (declared > maxUnpackedBytes)
      reject(field, `the archive unpacks to ${declared} bytes (at most ${maxUnpackedBytes})`, 'archive-size');
    files = unzipSync(zip);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    reject(field, `the code is not a readable zip archive: ${(error as Error).message}`, 'archive');
  }
  const seen = new Set<string>();
  const out: Record<string, { data: Uint8Array; executable: boolean }> = {};
  for (const entry of entries) {
    if (!isSafeEntryName(entry.name)) {
      reject(
        field,
        `the archive entry ${JSON.stringify(entry.name)} escapes the code folder (zip-slip); rebuild the archive without it`,
        'zip-slip',
      );
    }
    if (entry.mode !== undefined && (entry.mode & 0o170000) === 0o120000) {
      reject(
        field,
        `the archive entry ${JSON.stringify(entry.name)} is a symbolic link; links are not unpacked (copy the file in instead)`,
        'symlink',
      );
    }
    const normalized = path.posix.normalize(entry.name);
    if (seen.has(normalized))
      reject(field, `the archive has the entry ${JSON.stringify(entry.name)} twice`, 'duplicate');
    seen.add(normalized);
    if (entry.name.endsWith('/')) continue;
    const data = files[entry.name];
    if (!data) continue;
    out[entry.name] = { data, executable: entry.mode !== undefined && (entry.mode & 0o111) !== 0 };
  }
  if (Object.keys(out).length === 0) reject(field, 'the archive has no files', 'empty');
  return out;
}

/**
 * Code stored content-addressed on disk: `code/<sha256 of the zip>/`. A folder appears whole or not at
 * all (unpacked in a temp folder, then renamed).
 */
export class CodeStore {
  private readonly root: string;
  /** Code in use by a deploy that has not stored its revision yet: never collected. */
  private readonly pinned = new Map<string, number>();

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'code');
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    for (const name of fs.readdirSync(this.root)) {
      // Leftovers of an unpack interrupted by a crash.
      if (name.startsWith('.tmp-')) fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
    }
  }

  /** The folder of a stored code hash. */
  dirOf(codeHash: string): string {
    if (!/^[a-f0-9]{64}$/.test(codeHash)) throw new Error(`invalid code hash ${codeHash}`);
    return path.join(this.root, codeHash);
  }

  /** The hash the code is stored under. */
  static hashOf(zip: Uint8Array): string {
    return createHash('sha256').update(zip).digest('hex');
  }

  /** Checks and unpacks a zip; returns its hash. Nothing is written when the archive is rejected. */
  put(zip: Uint8Array, field = 'code'): string {
    const hash = CodeStore.hashOf(zip);
    const dir = this.dirOf(hash);
    if (fs.existsSync(dir)) return hash;
    const files = inspectArchive(zip, field);
    const tmp = path.join(this.root, `.tmp-${randomUUID()}`);
    try {
      fs.mkdirSync(tmp, { mode: 0o700 });
      for (const [name, file] of Object.entries(files)) {
        const target = path.resolve(tmp, name);
        if (!target.startsWith(tmp + path.sep))
          reject(field, `the archive entry ${JSON.stringify(name)} escapes the code folder`, 'zip-slip');
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.data, { mode: file.executable ? 0o755 : 0o644 });
      }
      fs.renameSync(tmp, dir);
    } catch (error) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (fs.existsSync(dir)) return hash;
      throw error;
    }
    return hash;
  }

  /** The original zip bytes are not kept; this re-reads the folder's files (for export). */
  files(codeHash: string): Array<{ name: string; data: Uint8Array }> {
    const dir = this.dirOf(codeHash);
    const out: Array<{ name: string; data: Uint8Array }> = [];
    const walk = (current: string) => {
      for (const name of fs.readdirSync(current).sort()) {
        const full = path.join(current, name);
        const stat = fs.lstatSync(full);
        if (stat.isDirectory()) walk(full);
        else if (stat.isFile())
          out.push({ name: path.relative(dir, full).split(path.sep).join('/'), data: fs.readFileSync(full) });
      }
    };
    walk(dir);
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

  /** Removes code folders no revision uses (and no deploy in progress holds). */
  collect(keep: Set<string>): void {
    for (const name of fs.readdirSync(this.root)) {
      if (!name.startsWith('.tmp-') && !keep.has(name) && !this.pinned.has(name))
        fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
    }
  }
}
