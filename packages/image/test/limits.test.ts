/**
 * Size limits: the check before upload, and a registry's 413. distribution 2.8 has no request body
 * limit of its own (its `http` settings have none), so a small proxy in front of the real registry answers
 * 413 to an upload body over a limit, as nginx's `client_max_body_size` does in front of many registries.
 */
import { createServer, request, type Server } from 'node:http';
import { buildImage, buildLayer, RegistryClient } from '@faasport/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRegistryBinary, skipReason, startRegistry, type TestRegistry } from './registry';

/** A proxy to `upstream` that answers 413 to a PATCH or PUT whose body is over `limit.bytes`. */
async function startBodyLimitProxy(upstream: string, limit: { bytes: number }) {
  const refused: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if ((req.method === 'PATCH' || req.method === 'PUT') && body.length > limit.bytes) {
        refused.push(`${req.method} ${body.length}`);
        res.writeHead(413, { 'content-type': 'text/html' });
        res.end('<html><head><title>413 Request Entity Too Large</title></head></html>');
        return;
      }
      const [host, port] = upstream.split(':') as [string, string];
      // The Host header is kept, so the registry's Location headers point back at the proxy.
      const forward = request(
        { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Bytes that gzip cannot shrink much, so a layer's blob has about their size. */
function noise(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

// Skipped only where the registry binary is missing: see `skipReason`.
describe.skipIf(!hasRegistryBinary)(
  `image size limits${hasRegistryBinary ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    let registry: TestRegistry;
    let proxy: Awaited<ReturnType<typeof startBodyLimitProxy>>;
    const limit = { bytes: 20_000 };
    const small = buildLayer([{ path: 'app/entry.mjs', data: 'export default 1;' }]);
    const big = buildLayer([{ path: 'app/code.zip', data: noise(60_000, 7) }]);

    beforeAll(async () => {
      registry = await startRegistry();
      proxy = await startBodyLimitProxy(registry.host, limit);
    });
    afterAll(async () => {
      await proxy?.close();
      await registry?.close();
    });

    it('refuses a layer over registry.maxLayerBytes before any write, naming the layer, size and limit', async () => {
      const writes: string[] = [];
      const error = await buildImage({
        base: 'scratch',
        target: `${registry.host}/checked:latest`,
        platform: { os: 'linux', architecture: 'amd64' },
        layers: [small, big],
        settings: {},
        limits: { layer: { bytes: 50_000, source: 'registry.maxLayerBytes' } },
        for: { functionName: 'hello', target: 'knative' },
        clientOptions: () => ({ insecure: true, env: {}, onWrite: (w) => writes.push(w.method) }),
      }).catch((e) => e);
      expect(error.code).toBe('FP_LIMIT_EXCEEDED');
      expect(error.message).toContain(`layer 2 of 2 (/app/code.zip), ${big.digest}, size`);
      expect(error.message).toContain(`(${big.blob.length} bytes)`);
      expect(error.message).toContain('target "knative" for function "hello"');
      expect(error.message).toContain('at most 48.8 KiB (50000 bytes) (registry.maxLayerBytes)');
      expect(error.hint).toContain('raise registry.maxLayerBytes');
      expect(writes).toEqual([]);
      const client = new RegistryClient(registry.host, { insecure: true, env: {} });
      expect(await client.hasBlob('checked', small.digest)).toBe(false);
    });

    it("refuses an image over a platform's limit, counted uncompressed", async () => {
      const error = await buildImage({
        base: 'scratch',
        target: `${registry.host}/checked:latest`,
        platform: { os: 'linux', architecture: 'amd64' },
        layers: [small, big],
        settings: {},
        limits: { image: { bytes: 60_000, source: "Lambda's 10 GB uncompressed image limit" } },
        push: false,
      }).catch((e) => e);
      expect(error.code).toBe('FP_LIMIT_EXCEEDED');
      expect(error.message).toContain('image size (uncompressed)');
      expect(error.message).toContain("(Lambda's 10 GB uncompressed image limit)");
      expect(error.hint).toContain('layer 2 of 2 (/app/code.zip)');
    });

    it('names the blob a registry refuses with 413, leaves no tag, and a re-run after raising the limit finishes', async () => {
      const input = {
        base: 'scratch',
        target: `${proxy.host}/app:latest`,
        platform: { os: 'linux', architecture: 'amd64' },
        layers: [small, big],
        settings: {},
        clientOptions: () => ({ insecure: true, env: {} }),
      };
      const error = await buildImage(input).catch((e) => e);
      expect(error.code).toBe('FP_LIMIT_EXCEEDED');
      expect(error.message).toContain(`blob ${big.digest} size`);
      expect(error.message).toContain(`(${big.blob.length} bytes)`);
      expect(error.message).toContain('413 Payload Too Large');
      expect(error.hint).toContain('run again');
      expect(proxy.refused).toEqual([`PUT ${big.blob.length}`]);
      const client = new RegistryClient(proxy.host, { insecure: true, env: {} });
      // Blobs go first and the manifest last: the small layer is there, no tag names a half image.
      expect(await client.hasBlob('app', small.digest)).toBe(true);
      expect(await client.manifestDigest('app', 'latest')).toBeUndefined();

      limit.bytes = 1_000_000;
      const built = await buildImage(input);
      expect(built.blobs.map((b) => b.push)).toEqual(['present', 'uploaded', 'uploaded']);
      expect(await client.manifestDigest('app', 'latest')).toBe(built.digest);
      // Compared as Buffers: a deep equality of 60,000 array elements would take seconds.
      expect(Buffer.from(await client.getBlob('app', big.digest)).equals(Buffer.from(big.blob))).toBe(true);
    });
  },
);
