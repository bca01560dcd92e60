import { inflateRawSync } from 'node:zlib';

/** One entry of a zip archive as {@link readZip} returns it. @public */
export interface ZipEntry {
  /** The name as stored (`/`-separated; folders end with `/`). */
  name: string;
  /** The Unix mode from the external attributes, when the archive was made on Unix. */
  mode?: number;
  /** The inflated bytes (empty for folders). */
  data: Uint8Array;
}

/** Limits {@link readZip} enforces while it reads. @public */
export interface ZipLimits {
  /** Most bytes all entries may inflate to, counted as they inflate (declared sizes are not trusted). */
  maxBytes: number;
  /** Most entries. */
  maxEntries: number;
}

/** The limits code archives are read with, by the CLI before sending and by the local runtime. @public */
export const archiveLimits: ZipLimits = { maxBytes: 512 * 1024 * 1024, maxEntries: 20_000 };

/** Why an archive was refused: `rule` is `archive` (unreadable) or `archive-size` (over a limit). @public */
export class ZipError extends Error {
  constructor(
    readonly rule: 'archive' | 'archive-size',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a zip archive from its central directory (APPNOTE 6.3.10, sections 4.3.7, 4.3.12, 4.3.16),
 * inflating entries one by one with a byte budget: an archive whose headers under-declare the sizes
 * is stopped during inflation, as soon as the real output passes `maxBytes`, never after.
 * Stored (0) and deflated (8) entries only; zip64 archives are refused.
 *
 * @throws {@link ZipError}
 * @public
 */
export function readZip(zip: Uint8Array, limits: ZipLimits): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('archive', 'not a zip archive (no end of central directory)');
  const count = view.getUint16(eocd + 10, true);
  if (count === 0xffff) throw new ZipError('archive', 'zip64 archives are not supported');
  if (count > limits.maxEntries)
    throw new ZipError('archive-size', `the archive has ${count} entries (at most ${limits.maxEntries})`);
  let offset = view.getUint32(eocd + 16, true);
  const decoder = new TextDecoder();
  const out: ZipEntry[] = [];
  let budget = limits.maxBytes;
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || view.getUint32(offset, true) !== 0x02014b50)
      throw new ZipError('archive', 'corrupt central directory');
    const madeBy = view.getUint16(offset + 4, true) >> 8;
    const method = view.getUint16(offset + 10, true);
    const compressedSize = view.getUint32(offset + 20, true);
    const declaredSize = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const external = view.getUint32(offset + 38, true);
    const local = view.getUint32(offset + 42, true);
    const name = decoder.decode(zip.subarray(offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
    if (compressedSize === 0xffffffff || declaredSize === 0xffffffff || local === 0xffffffff)
      throw new ZipError('archive', 'zip64 archives are not supported');
    if (local + 30 > zip.length || view.getUint32(local, true) !== 0x04034b50)
      throw new ZipError('archive', `corrupt local header of ${JSON.stringify(name)}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressedSize > zip.length)
      throw new ZipError('archive', `entry ${JSON.stringify(name)} runs past the end of the archive`);
    const raw = zip.subarray(start, start + compressedSize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        // zlib stops as soon as the output passes the budget (ERR_BUFFER_TOO_LARGE): a bomb is cut short.
        data = raw.length ? inflateRawSync(raw, { maxOutputLength: Math.max(1, budget) }) : new Uint8Array();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
          throw new ZipError(
            'archive-size',
            `the archive unpacks to more than ${limits.maxBytes} bytes (stopped while inflating ${JSON.stringify(name)})`,
          );
        throw new ZipError('archive', `entry ${JSON.stringify(name)} cannot be inflated`);
      }
    } else throw new ZipError('archive', `entry ${JSON.stringify(name)} uses compression method ${method}`);
    if (data.length > budget)
      throw new ZipError('archive-size', `the archive unpacks to more than ${limits.maxBytes} bytes`);
    if (data.length !== declaredSize)
      throw new ZipError(
        'archive',
        `entry ${JSON.stringify(name)} declares ${declaredSize} bytes but holds ${data.length}`,
      );
    budget -= data.length;
    out.push({ name, mode: madeBy === 3 ? external >>> 16 : undefined, data });
  }
  return out;
}
