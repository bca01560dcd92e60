import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLayer, RegistryClient } from '@faasport/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRegistryBinary, skipReason, startRegistry, type TestRegistry, testUser } from './registry';

// Skipped only where the registry binary is missing: see `skipReason`.
describe.skipIf(!hasRegistryBinary)(
  `a registry with htpasswd auth${hasRegistryBinary ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    let registry: TestRegistry;
    let dir: string;
    const layer = buildLayer([{ path: 'a.txt', data: 'auth' }]);
    const dockerConfig = (config: unknown) => {
      const folder = mkdtempSync(join(dir, 'docker-'));
      writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
      return folder;
    };

    beforeAll(async () => {
      registry = await startRegistry({ auth: true });
      dir = mkdtempSync(join(tmpdir(), 'faasport-auth-'));
    });
    afterAll(async () => {
      await registry?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses without credentials, saying how to log in', async () => {
      const client = new RegistryClient(registry.host, { insecure: true, env: { HOME: dir } });
      const error = await client.hasBlob('app', layer.digest).catch((e) => e);
      expect(error.message).toContain(`401 UNAUTHORIZED: the registry ${registry.host} needs credentials`);
      expect(error.hint).toContain(`docker login ${registry.host}`);
    });

    it('uses auths.<host>.auth from the Docker config, and never shows the password in an error', async () => {
      const auth = Buffer.from(`${testUser.username}:${testUser.password}`).toString('base64');
      const env = { DOCKER_CONFIG: dockerConfig({ auths: { [registry.host]: { auth } } }) };
      const client = new RegistryClient(registry.host, { insecure: true, env });
      expect(await client.pushBlob('app', layer.digest, layer.blob)).toBe('uploaded');
      const wrong = Buffer.from(`${testUser.username}:wrong-password-123`).toString('base64');
      const refused = new RegistryClient(registry.host, {
        insecure: true,
        env: { DOCKER_CONFIG: dockerConfig({ auths: { [registry.host]: { auth: wrong } } }) },
      });
      const error = await refused.hasBlob('app', layer.digest).catch((e) => e);
      expect(error.message).toContain('refused the credentials');
      expect(JSON.stringify({ message: error.message, hint: error.hint })).not.toContain(
        'wrong-password-123',
      );
    });

    it('runs the credential helper the Docker config names for the host', async () => {
      const bin = mkdtempSync(join(dir, 'bin-'));
      const helper = join(bin, 'docker-credential-fptest');
      writeFileSync(
        helper,
        `#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "${registry.host}" ] && echo '{"ServerURL":"${registry.host}","Username":"${testUser.username}","Secret":"${testUser.password}"}'\n`,
      );
      chmodSync(helper, 0o755);
      const env = {
        PATH: `${bin}:${process.env.PATH}`,
        DOCKER_CONFIG: dockerConfig({ credHelpers: { [registry.host]: 'fptest' } }),
      };
      const client = new RegistryClient(registry.host, { insecure: true, env });
      expect(await client.hasBlob('app', layer.digest)).toBe(true);
    });
  },
);
