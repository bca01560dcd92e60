import { createHash } from 'node:crypto';
import { gzipSync, unzipSync } from 'fflate';

/** One file of a layer. Directories are added for every parent path. @public */
export interface LayerFile {
  /** The path inside the image, absolute or relative to `/` (`var/faasport/entry.mjs`). */
  path: string;
  data: Uint8Array | string;
  /** Whether the file is executable (mode 0755 instead of 0644). */
  executable?: boolean;
}

/** Who owns a layer's entries: `0:0` by default, FunctionGraph's custom images run as 1003. @public */
export interface LayerOwner {
  uid: number;
  gid: number;
}

/** A finished layer: the gzipped tar, its digest, and the digest of the tar itself (the config's diff_id). @public */
export interface Layer {
  /** The gzipped tar, as pushed. */
  blob: Uint8Array;
  /** `sha256:` of {@link Layer.blob}. */
  digest: string;
  /** `sha256:` of the uncompressed tar (the image config's `rootfs.diff_ids`). */
  diffId: string;
  /** The size of the uncompressed tar, in bytes (what a platform's image size limit counts). */
  tarSize?: number;
  /** What the layer holds, for messages: its file, or its first file and how many more. */
  name?: string;
}

/** `sha256:<hex>` of some bytes, the content address of the OCI specs. @public */
export const sha256Digest = (data: Uint8Array | string): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

const encoder = new TextEncoder();

/** Writes `value` as a NUL-terminated octal field of `length` bytes (ustar). */
function octal(header: Uint8Array, offset: number, length: number, value: number): void {
  header.set(encoder.encode(`${value.toString(8).padStart(length - 1, '0')}\0`), offset);
}

/** Splits a path over ustar's `prefix` (155) and `name` (100) fields. */
function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new RangeError(`the path ${path} is too long for a tar entry (name 100, prefix 155 bytes)`);
}

/**
 * A ustar header (POSIX.1-1988, as in https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html
 * "ustar Interchange Format"): mtime 0, no user or group names, so nothing about the machine that
 * built it goes in.
 */
function header(path: string, type: '0' | '5', size: number, mode: number, owner: LayerOwner): Uint8Array {
  const h = new Uint8Array(512);
  const { name, prefix } = splitName(path);
  h.set(encoder.encode(name), 0);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, owner.uid);
  octal(h, 116, 8, owner.gid);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0);
  h.fill(0x20, 148, 156); // The checksum is computed with its own field as spaces.
  h[156] = type.charCodeAt(0);
  h.set(encoder.encode('ustar\0'), 257);
  h.set(encoder.encode('00'), 263);
  h.set(encoder.encode(prefix), 345);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return h;
}

/** Normalises a path inside the image: no leading `/`, no `.` or `..` parts, forward slashes. */
function imagePath(path: string): string {
  const parts = path
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..'))
    throw new RangeError(`the layer path ${JSON.stringify(path)} is not a file path inside the image`);
  return parts.join('/');
}

/**
 * The tar of a layer, byte for byte the same for the same files: entries sorted by path, each
 * parent directory once, mtime 0, fixed modes and the given owner, no user or group names.
 *
 * @public
 */
export function layerTar(files: LayerFile[], owner: LayerOwner = { uid: 0, gid: 0 }): Uint8Array {
  const entries = new Map<string, LayerFile | 'dir'>();
  for (const file of files) {
    const path = imagePath(file.path);
    if (entries.has(path) && entries.get(path) !== 'dir')
      throw new RangeError(`the layer lists ${path} twice`);
    entries.set(path, file);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!entries.has(dir)) entries.set(dir, 'dir');
    }
  }
  const chunks: Uint8Array[] = [];
  for (const path of [...entries.keys()].sort()) {
    const entry = entries.get(path)!;
    if (entry === 'dir') {
      chunks.push(header(`${path}/`, '5', 0, 0o755, owner));
      continue;
    }
    const data = typeof entry.data === 'string' ? encoder.encode(entry.data) : entry.data;
    chunks.push(header(path, '0', data.length, entry.executable ? 0o755 : 0o644, owner));
    chunks.push(data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) chunks.push(new Uint8Array(pad));
  }
  chunks.push(new Uint8Array(1024)); // Two zero blocks end the archive.
  return Buffer.concat(chunks);
}

/**
 * A layer from files: the deterministic {@link layerTar}, gzipped by fflate (a pinned pure-JS
 * deflate, so the bytes do not depend on the machine's zlib) with a fixed header: mtime 0, no file
 * name, OS byte 3 (Unix). The same files give the same digest on every machine.
 *
 * @public
 */
export function buildLayer(files: LayerFile[], owner?: LayerOwner): Layer {
  const tar = layerTar(files, owner);
  const blob = gzipSync(tar, { level: 9, mtime: 0 });
  const paths = files.map((f) => `/${f.path.replace(/^\/+/, '')}`).sort();
  const name = paths.length > 1 ? `${paths[0]} and ${paths.length - 1} more` : paths[0];
  return {
    blob,
    digest: sha256Digest(blob),
    diffId: sha256Digest(tar),
    tarSize: tar.length,
    ...(name ? { name } : {}),
  };
}

/** The files of a zip (a function's code package), by path, directories left out. @public */
export function zipFiles(zip: Uint8Array): Array<{ path: string; data: Uint8Array }> {
  return Object.entries(unzipSync(zip))
    .filter(([path]) => !path.endsWith('/'))
    .map(([path, data]) => ({ path, data }));
}
