import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { IMAGE_ENTRY_LABEL } from '@faasport/core';
import { gunzipSync } from 'fflate';
import { mediaTypes, RegistryClient } from './client';
import { parseImageReference } from './reference';

/** The label faasport sets on the images it builds, valued with the contract their entry serves. @public */
export const ENTRY_LABEL = IMAGE_ENTRY_LABEL;

/** The regular files of a gzipped ustar layer, by path without a leading `/`. */
export function layerFiles(blob: Uint8Array): Map<string, Uint8Array> {
  const tar = gunzipSync(blob);
  const files = new Map<string, Uint8Array>();
  const text = (from: number, length: number) =>
    Buffer.from(tar.subarray(from, from + length))
      .toString('utf8')
      .replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = text(offset, 100);
    if (!name) break;
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[offset + 156] ?? 0);
    const prefix = text(offset + 345, 155);
    const path = (prefix ? `${prefix}/${name}` : name).replace(/^\.?\//, '');
    if (type === '0' || type === '\0') files.set(path, tar.slice(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** A faasport-built image unpacked on this machine, ready to run with the local Node.js. @public */
export interface PulledEntry {
  /** The folder the entry's files were written to (delete it when done). */
  dir: string;
  /** The image's entrypoint and command (CMD) with `node` as the local Node.js and its paths inside `dir`. */
  command: string[];
  /** The image's working dir inside `dir` (`dir` itself when the image names none). */
  workdir: string;
  /** The image config's environment. */
  env: Record<string, string>;
}

/**
 * What a platform may set in place of the image's own settings (Lambda's `ImageConfig`: "configuration
 * values that override the container image Dockerfile settings",
 * https://docs.aws.amazon.com/lambda/latest/dg/API_ImageConfig.html). Each one given replaces its
 * counterpart alone. @public
 */
export interface ImageOverrides {
  /** In place of ENTRYPOINT; it must still run `node`, which the local Node.js stands in for. */
  entrypoint?: string[];
  /** In place of CMD. */
  cmd?: string[];
  /** In place of WORKDIR. */
  workdir?: string;
}

/**
 * Pulls a faasport-built Node.js image (its config has the {@link ENTRY_LABEL} label and a `node`
 * entrypoint) from a registry on loopback, and writes the files under the entry's folder to a temp
 * folder; the base image's layers are not needed, since the local Node.js stands in for its `node`.
 * Anything else (another registry, another image, no such image, an `overrides.entrypoint` that does
 * not run `node`) gives undefined. `overrides` replace the image's entrypoint, command and working dir.
 *
 * @public
 */
export async function pullFaasportEntry(
  reference: string,
  overrides: ImageOverrides = {},
): Promise<PulledEntry | undefined> {
  let ref: ReturnType<typeof parseImageReference>;
  try {
    ref = parseImageReference(reference);
  } catch {
    return undefined;
  }
  if (!/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(ref.registry)) return undefined;
  try {
    const client = new RegistryClient(ref.registry, { insecure: true, env: {}, retry: { attempts: 1 } });
    let manifest = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
    if (manifest.mediaType === mediaTypes.ociIndex || manifest.mediaType === mediaTypes.dockerList) {
      const entry = manifest.json.manifests?.find((m) => m.platform?.os === 'linux');
      if (!entry) return undefined;
      manifest = await client.getManifest(ref.repository, entry.digest);
    }
    const config = JSON.parse(
      new TextDecoder().decode(await client.getBlob(ref.repository, manifest.json.config!.digest)),
    ) as {
      config?: {
        Entrypoint?: string[];
        Cmd?: string[] | null;
        Env?: string[];
        WorkingDir?: string;
        Labels?: Record<string, string>;
      };
    };
    const imageEntrypoint = config.config?.Entrypoint ?? [];
    if (!config.config?.Labels?.[ENTRY_LABEL] || imageEntrypoint[0] !== 'node' || !imageEntrypoint[1])
      return undefined;
    const entrypoint = overrides.entrypoint ?? imageEntrypoint;
    if (entrypoint[0] !== 'node') return undefined;
    // The files under the image's own entry folder are the function; the base image's are not needed.
    const entryDir = posix.dirname(imageEntrypoint[1]).replace(/^\//, '');
    const dir = mkdtempSync(join(tmpdir(), 'faasport-image-'));
    for (const layer of manifest.json.layers ?? []) {
      const blob = await client.getBlob(ref.repository, layer.digest);
      for (const [path, data] of layerFiles(blob)) {
        if (!path.startsWith(`${entryDir}/`)) continue;
        const target = resolve(dir, path);
        if (!target.startsWith(dir + sep)) continue;
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, data);
      }
    }
    const env: Record<string, string> = {};
    for (const line of config.config.Env ?? []) {
      const eq = line.indexOf('=');
      env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    const local = (arg: string) => (arg.startsWith('/') ? join(dir, arg) : arg);
    const workdir = overrides.workdir ?? config.config.WorkingDir;
    return {
      dir,
      command: [
        process.execPath,
        ...[...entrypoint.slice(1), ...(overrides.cmd ?? config.config.Cmd ?? [])].map(local),
      ],
      workdir: workdir ? local(workdir) : dir,
      env,
    };
  } catch {
    // Unreachable, unknown or not ours: the caller reports the image as missing, as the platform does.
    return undefined;
  }
}
