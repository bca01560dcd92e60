/**
 * The Bearer token flow against a real registry (distribution 2.8 with `auth.token`) and a token server
 * in this file that signs RS256 JWTs with a key the registry trusts through its `rootcertbundle`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, buildLayer, RegistryClient } from '@faasport/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRegistryBinary, skipReason, startRegistry, type TestRegistry, testUser } from './registry';
import { startTokenServer, type TokenServer } from './token-server';

// Skipped only where the registry binary is missing: see `skipReason`.
describe.skipIf(!hasRegistryBinary)(
  `a registry with Bearer token auth${hasRegistryBinary ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    let registry: TestRegistry;
    let tokens: TokenServer;
    let dir: string;
    const dockerEnv = (password: string) => {
      const folder = mkdtempSync(join(dir, 'docker-'));
      const auth = Buffer.from(`${testUser.username}:${password}`).toString('base64');
      writeFileSync(join(folder, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
      return { DOCKER_CONFIG: folder };
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'faasport-token-'));
      tokens = await startTokenServer(dir, testUser);
      registry = await startRegistry({
        token: {
          realm: tokens.realm,
          service: tokens.service,
          issuer: tokens.issuer,
          rootcertbundle: tokens.certFile,
        },
      });
    });
    afterAll(async () => {
      await registry?.close();
      await tokens?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('pushes and pulls with tokens fetched with the Docker config credentials, for the scopes the spec names', async () => {
      const clientOptions = () => ({ insecure: true, env: dockerEnv(testUser.password) });
      const base = await buildImage({
        base: 'scratch',
        target: `${registry.host}/base:1`,
        platform: { os: 'linux', architecture: 'amd64' },
        layers: [buildLayer([{ path: 'base.txt', data: 'base layer' }])],
        settings: {},
        clientOptions,
      });
      expect(base.pushed).toBe(true);
      // The app builds on base in the same registry: its layer is mounted from `base`.
      tokens.requests.length = 0;
      const app = await buildImage({
        base: `${registry.host}/base:1`,
        target: `${registry.host}/app:latest`,
        platform: { os: 'linux', architecture: 'amd64' },
        layers: [buildLayer([{ path: 'app.txt', data: 'app layer' }])],
        settings: { env: { A: '1' } },
        clientOptions,
      });
      expect(app.blobs.map((b) => b.push)).toEqual(['mounted', 'uploaded', 'uploaded']);
      // Every token went to the realm with the registry's service and the Docker config's user.
      expect(tokens.requests.length).toBeGreaterThan(0);
      for (const r of tokens.requests) {
        expect(r).toMatchObject({ username: testUser.username, service: tokens.service, status: 200 });
      }
      const scopes = tokens.requests.map((r) => r.scopes);
      expect(scopes).toContainEqual(['repository:base:pull']);
      expect(scopes).toContainEqual(['repository:app:pull']);
      expect(scopes).toContainEqual(['repository:app:pull,push', 'repository:base:pull']);
      expect(scopes).toContainEqual(['repository:app:pull,push']);
      // A fresh client pulls what was pushed, byte for byte.
      const reader = new RegistryClient(registry.host, clientOptions());
      const manifest = await reader.getManifest('app', app.digest);
      expect(manifest.digest).toBe(app.digest);
      const last = manifest.json.layers!.at(-1)!;
      const pulled = await reader.getBlob('app', last.digest);
      expect(pulled).toEqual(buildLayer([{ path: 'app.txt', data: 'app layer' }]).blob);
    });

    it('asks a credential function (as the cloud logins are) once, on the first challenge', async () => {
      let calls = 0;
      const client = new RegistryClient(registry.host, {
        insecure: true,
        env: { HOME: dir },
        credentials: async () => {
          calls++;
          return testUser;
        },
      });
      expect(calls).toBe(0);
      const layer = buildLayer([{ path: 'lazy.txt', data: 'lazy' }]);
      expect(await client.pushBlob('lazy', layer.digest, layer.blob)).toBe('uploaded');
      expect(await client.hasBlob('lazy', layer.digest)).toBe(true);
      expect(calls).toBe(1);
    });

    it('refuses a wrong password with a clear 401 and shows neither the password nor a token', async () => {
      const client = new RegistryClient(registry.host, {
        insecure: true,
        env: dockerEnv('wrong-password-456'),
      });
      const error = await client.getManifest('app', 'latest').catch((e) => e);
      expect(error.code).toBe('FP_PROVIDER_API');
      expect(error.message).toContain(
        `401 UNAUTHORIZED: the registry ${registry.host} refused the credentials`,
      );
      expect(error.hint).toContain(`docker login ${registry.host}`);
      expect(tokens.requests.at(-1)).toMatchObject({ username: testUser.username, status: 401 });
      const shown = JSON.stringify({ message: error.message, hint: error.hint, stack: error.stack });
      expect(shown).not.toContain('wrong-password-456');
      expect(shown).not.toContain(testUser.password);
      for (const token of tokens.issued) expect(shown).not.toContain(token.split('.')[2]);
    });

    it('without credentials asks for an anonymous token and says how to log in', async () => {
      const client = new RegistryClient(registry.host, { insecure: true, env: { HOME: dir } });
      const error = await client
        .hasBlob('app', buildLayer([{ path: 'x', data: 'x' }]).digest)
        .catch((e) => e);
      expect(error.message).toContain('needs credentials and none were found');
      expect(tokens.requests.at(-1)).toMatchObject({ username: undefined, status: 401 });
    });
  },
);
