import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether Debian's `docker-registry` (distribution 2.8) is installed; `.ci/run` installs it. */
export const hasRegistryBinary = spawnSync('docker-registry', ['--version']).status === 0;
export const skipReason =
  'docker-registry is not installed (apt-get install docker-registry; .ci/run does it)';

/** The test user of a registry started with `auth: true`, and a bcrypt hash of its password (cost 4). */
export const testUser = { username: 'faasport', password: 'faasport-test-secret' };
const testUserHash = '$2b$04$3RaTn3kRJohyuKDtmUi5yu2SmvLjw.u2PkEWqp6cqNNDZDOuF7KOu';

/** A free loopback port (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A running `docker-registry` on a free loopback port with filesystem storage in a temp dir. */
export interface TestRegistry {
  /** `127.0.0.1:<port>`, the registry part of image references. */
  host: string;
  close(): Promise<void>;
}

/** distribution's `auth.token` settings: a token server's realm, service, issuer and signing certificate. */
export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  rootcertbundle: string;
}

/**
 * Starts a real registry (distribution 2.8), resolved once it listens. `auth` adds htpasswd auth with
 * {@link testUser}; `token` makes it answer with a Bearer challenge and accept the token server's JWTs.
 */
export async function startRegistry(
  options: { auth?: boolean; token?: TokenAuth } = {},
): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const t = options.token;
  const auth = t
    ? `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootcertbundle}\n`
    : options.auth
      ? `auth:\n  htpasswd:\n    realm: faasport-test\n    path: ${join(dir, 'htpasswd')}\n`
      : '';
  if (options.auth) writeFileSync(join(dir, 'htpasswd'), `${testUser.username}:${testUserHash}\n`);
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${auth}`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`docker-registry exited with ${code}:\n${output}`)));
  });
  return {
    host,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill();
      }),
  };
}
