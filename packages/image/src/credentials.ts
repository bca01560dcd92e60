import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, registerSecret } from '@faasport/core';

/** A registry user name and password (or token). @public */
export interface RegistryCredentials {
  username: string;
  password: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The keys Docker's config may file a registry under (Docker Hub has its own legacy key). */
function configKeys(registry: string): string[] {
  if (registry === 'docker.io' || registry === 'registry-1.docker.io' || registry === 'index.docker.io')
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ];
}

/** Runs `docker-credential-<helper> get` with the server on stdin, as the helper protocol says. */
function fromHelper(helper: string, server: string, env: NodeJS.ProcessEnv): RegistryCredentials | undefined {
  // https://github.com/docker/docker-credential-helpers#development: `get` reads the server URL from
  // stdin and prints {"ServerURL","Username","Secret"}; "credentials not found" exits non-zero.
  const run = spawnSync(`docker-credential-${helper}`, ['get'], { input: server, env, encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    if (/not found/i.test(run.stdout ?? '') || /not found/i.test(run.stderr ?? '')) return undefined;
    throw new ConfigurationError(
      `The Docker credential helper docker-credential-${helper} failed for ${server}: ${run.error?.message ?? (run.stderr || run.stdout).trim()}.`,
      {
        hint: `Check that docker-credential-${helper} is on PATH and logged in, or remove it from ~/.docker/config.json.`,
      },
    );
  }
  const out = JSON.parse(run.stdout) as { Username?: string; Secret?: string };
  if (!out.Secret) return undefined;
  registerSecret(out.Secret);
  return { username: out.Username ?? '', password: out.Secret };
}

/**
 * The credentials Docker would use for `registry`, from `$DOCKER_CONFIG/config.json` (default
 * `~/.docker/config.json`): a `credHelpers` entry for the host, else `auths.<host>.auth` (base64
 * `user:password`), else the `credsStore` helper. Every secret found is registered for redaction.
 * Format: https://docs.docker.com/reference/cli/docker/#credential-store-options
 *
 * @public
 */
export function dockerCredentials(
  registry: string,
  env: NodeJS.ProcessEnv = process.env,
): RegistryCredentials | undefined {
  const file = join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');
  if (!existsSync(file)) return undefined;
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as DockerConfig;
  } catch (error) {
    throw new ConfigurationError(`${file} is not valid JSON: ${(error as Error).message}.`, {
      hint: 'Fix the file, or point DOCKER_CONFIG at a folder with a valid config.json.',
    });
  }
  const keys = configKeys(registry);
  for (const key of keys) {
    const helper = config.credHelpers?.[key];
    if (helper) return fromHelper(helper, key, env);
  }
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.auth) {
      const text = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon > 0) {
        const password = text.slice(colon + 1);
        registerSecret(password);
        registerSecret(entry.auth);
        return { username: text.slice(0, colon), password };
      }
    }
    if (entry.username && entry.password) {
      registerSecret(entry.password);
      return { username: entry.username, password: entry.password };
    }
  }
  if (config.credsStore) return fromHelper(config.credsStore, keys[0]!, env);
  return undefined;
}
