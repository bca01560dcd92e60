import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaasportError } from '@faasport/core';
import {
  buildImage,
  buildLayer,
  type Layer,
  mediaTypes,
  RegistryClient,
  sha256Digest,
} from '@faasport/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasRegistryBinary, skipReason, startRegistry, type TestRegistry } from './registry';

describe('deterministic layers', () => {
  it('gives the same digest for the same files in any order, with fixed times and the owner asked for', () => {
    const a = buildLayer(
      [
        { path: 'app/index.mjs', data: 'export default () => "hi";' },
        { path: '/app/bin/run', data: '#!/bin/sh\n', executable: true },
      ],
      { uid: 1003, gid: 1003 },
    );
    const b = buildLayer(
      [
        { path: 'app/bin/run', data: '#!/bin/sh\n', executable: true },
        { path: 'app/index.mjs', data: 'export default () => "hi";' },
      ],
      { uid: 1003, gid: 1003 },
    );
    expect(b.digest).toBe(a.digest);
    expect(a.digest).toBe(sha256Digest(a.blob));
    expect(buildLayer([{ path: 'app/index.mjs', data: 'other' }]).digest).not.toBe(a.digest);
    // GNU tar reads it back: sorted, parents first, uid/gid 1003, no names, the epoch as mtime.
    const dir = mkdtempSync(join(tmpdir(), 'faasport-layer-'));
    try {
      writeFileSync(join(dir, 'layer.tar.gz'), a.blob);
      const listing = spawnSync(
        'tar',
        ['--numeric-owner', '--full-time', '-tvzf', join(dir, 'layer.tar.gz')],
        {
          encoding: 'utf8',
        },
      );
      expect(listing.status).toBe(0);
      expect(listing.stdout.trim().split('\n')).toEqual([
        'drwxr-xr-x 1003/1003         0 1970-01-01 00:00:00 app/',
        'drwxr-xr-x 1003/1003         0 1970-01-01 00:00:00 app/bin/',
        '-rwxr-xr-x 1003/1003        10 1970-01-01 00:00:00 app/bin/run',
        '-rw-r--r-- 1003/1003        26 1970-01-01 00:00:00 app/index.mjs',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The gzip header carries no time and a fixed OS byte.
    expect([...a.blob.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
    expect(a.blob[9]).toBe(3);
  });

  it('refuses a path that leaves the image root', () => {
    expect(() => buildLayer([{ path: '../etc/passwd', data: 'x' }])).toThrow(
      /not a file path inside the image/,
    );
  });
});

// Skipped only where the registry binary is missing: see `skipReason`.
describe.skipIf(!hasRegistryBinary)(
  `against a real registry${hasRegistryBinary ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    let registry: TestRegistry;
    let client: RegistryClient;
    let writes: string[];
    const clientOptions = () => ({
      insecure: true,
      env: {},
      onWrite: (w: { method: string; path: string }) => writes.push(`${w.method} ${w.path}`),
    });
    const rootfs = (arch: string): Layer => buildLayer([{ path: 'etc/base-arch', data: arch }]);
    const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

    /** Pushes a two-platform base image (linux/amd64, linux/arm64) as an OCI index under `base:1`. */
    async function pushBase(): Promise<Record<string, Layer>> {
      const layers: Record<string, Layer> = {};
      const entries = [];
      for (const architecture of ['amd64', 'arm64']) {
        const layer = rootfs(architecture);
        layers[architecture] = layer;
        const config = encode({
          architecture,
          os: 'linux',
          config: { Env: ['PATH=/usr/bin', 'BASE=1'], Cmd: ['sh'] },
          rootfs: { type: 'layers', diff_ids: [layer.diffId] },
        });
        await client.pushBlob('base', layer.digest, layer.blob);
        await client.pushBlob('base', sha256Digest(config), config);
        const manifest = encode({
          schemaVersion: 2,
          mediaType: mediaTypes.ociManifest,
          config: { mediaType: mediaTypes.ociConfig, digest: sha256Digest(config), size: config.length },
          layers: [{ mediaType: mediaTypes.ociLayer, digest: layer.digest, size: layer.blob.length }],
        });
        const digest = await client.putManifest(
          'base',
          sha256Digest(manifest),
          manifest,
          mediaTypes.ociManifest,
        );
        entries.push({
          mediaType: mediaTypes.ociManifest,
          digest,
          size: manifest.length,
          platform: { os: 'linux', architecture },
        });
      }
      const index = encode({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: entries });
      await client.putManifest('base', '1', index, mediaTypes.ociIndex);
      return layers;
    }

    let baseLayers: Record<string, Layer>;
    const appLayer = buildLayer([
      { path: 'var/faasport/code/index.mjs', data: 'export default () => "ok";' },
    ]);

    beforeAll(async () => {
      registry = await startRegistry();
      writes = [];
      client = new RegistryClient(registry.host, clientOptions());
      baseLayers = await pushBase();
    });
    afterAll(() => registry?.close());

    const build = (extra: Partial<Parameters<typeof buildImage>[0]> = {}) =>
      buildImage({
        base: `${registry.host}/base:1`,
        target: `${registry.host}/app:v1`,
        platform: { os: 'linux', architecture: 'arm64' },
        layers: [appLayer],
        settings: {
          entrypoint: ['node', '/var/faasport/code/index.mjs'],
          env: { PORT: '8080' },
          exposedPorts: ['8080/tcp'],
          labels: { 'dev.faasport.entry': 'knative' },
        },
        clientOptions,
        ...extra,
      });

    it('builds on the index entry for the platform, mounts the base layer, and pins the result by digest', async () => {
      writes = [];
      const built = await build();
      expect(built.pushed).toBe(true);
      expect(built.reference).toBe(`${registry.host}/app@${built.digest}`);
      expect(built.blobs.map((b) => [b.digest, b.push])).toEqual([
        [baseLayers.arm64!.digest, 'mounted'],
        [appLayer.digest, 'uploaded'],
        [expect.stringMatching(/^sha256:/), 'uploaded'],
      ]);
      const manifest = await client.getManifest('app', built.digest);
      expect(manifest.digest).toBe(built.digest);
      expect(manifest.json.layers!.map((l) => l.digest)).toEqual([baseLayers.arm64!.digest, appLayer.digest]);
      expect(await client.manifestDigest('app', 'v1')).toBe(built.digest);
      const config = JSON.parse(
        new TextDecoder().decode(await client.getBlob('app', manifest.json.config!.digest)),
      );
      expect(config).toMatchObject({
        architecture: 'arm64',
        os: 'linux',
        config: {
          Env: ['PATH=/usr/bin', 'BASE=1', 'PORT=8080'],
          Entrypoint: ['node', '/var/faasport/code/index.mjs'],
          Cmd: null,
          ExposedPorts: { '8080/tcp': {} },
          Labels: { 'dev.faasport.entry': 'knative' },
        },
        rootfs: { diff_ids: [baseLayers.arm64!.diffId, appLayer.diffId] },
      });
      expect(config.created).toBeUndefined();
    });

    it('rebuilds unchanged input to the same digest and writes nothing', async () => {
      const first = await build();
      writes = [];
      const again = await build();
      expect(again.digest).toBe(first.digest);
      expect(again.pushed).toBe(false);
      expect(writes).toEqual([]);
    });

    it('finishes a half-pushed image: blobs already there are skipped, the rest and the manifest go up', async () => {
      const layer = buildLayer([
        { path: 'var/faasport/code/index.mjs', data: 'export default () => "half";' },
      ]);
      await client.pushBlob('half', layer.digest, layer.blob); // an earlier run stopped after this
      const built = await build({ target: `${registry.host}/half:v1`, layers: [layer] });
      expect(built.blobs.find((b) => b.digest === layer.digest)?.push).toBe('present');
      expect(await client.manifestDigest('half', 'v1')).toBe(built.digest);
    });

    it('uploads in chunks (PATCH with Content-Range) and the registry keeps the same bytes', async () => {
      const chunked = new RegistryClient(registry.host, { insecure: true, env: {}, chunkSize: 1000 });
      const data = new Uint8Array(4500).map((_, i) => i % 251);
      const digest = sha256Digest(data);
      expect(await chunked.pushBlob('chunks', digest, data)).toBe('uploaded');
      expect(Buffer.from(await chunked.getBlob('chunks', digest)).equals(Buffer.from(data))).toBe(true);
    });

    it('builds on scratch: only its own layers', async () => {
      const built = await build({ base: 'scratch', target: `${registry.host}/bare:v1` });
      const manifest = await client.getManifest('bare', built.digest);
      expect(manifest.json.layers!.map((l) => l.digest)).toEqual([appLayer.digest]);
    });

    it('refuses a base without the platform, naming the ones it has, and writes nothing', async () => {
      writes = [];
      const error = await build({
        target: `${registry.host}/s390:v1`,
        platform: { os: 'linux', architecture: 's390x' },
      }).catch((e) => e);
      expect(FaasportError.isInstance(error)).toBe(true);
      expect(error.message).toContain('no linux/s390x variant (it has: linux/amd64, linux/arm64)');
      expect(error.hint).toContain('baseImage');
      expect(writes).toEqual([]);
    });

    it('names an unreachable registry', async () => {
      const host = `127.0.0.1:${await freePort()}`; // nothing listens there
      const closed = new RegistryClient(host, { insecure: true, env: {}, retry: { attempts: 1 } });
      const error = await closed.hasBlob('x', appLayer.digest).catch((e) => e);
      expect(error.message).toContain(`ECONNREFUSED ${host}`);
      expect(error.hint).toContain(`registry ${host} is running`);
    });

    it('refuses plain HTTP to a registry that is not on loopback', () => {
      expect(() => new RegistryClient('registry.example.com', { insecure: true, env: {} })).toThrow(
        /insecure: true` is for a registry on loopback/,
      );
    });
  },
);
