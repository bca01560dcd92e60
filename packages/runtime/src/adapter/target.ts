import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigurationError } from '@faasport/core';

/** Where a running runtime is: the runtime records it in its data dir as `runtime.json`. @public */
export interface RuntimeConnection {
  url: string;
  token: string;
}

/** The file a running runtime records its address in, inside its data dir. @internal */
export const connectionFileName = 'runtime.json';

/** The data dir the CLI uses by default: `.faasport` in the project folder. @public */
export function defaultDataDir(baseDir: string, env: Record<string, string | undefined>): string {
  return env.FAASPORT_DATA_DIR ? resolve(baseDir, env.FAASPORT_DATA_DIR) : join(baseDir, '.faasport');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Finds the runtime a `local` target talks to: `url` + `token` options (or FAASPORT_RUNTIME_URL and
 * FAASPORT_RUNTIME_TOKEN), else the runtime started by `faasport dev` / `faasport serve` in the
 * target's data dir (option `dataDir`, FAASPORT_DATA_DIR, default `.faasport` in the project).
 *
 * @throws {@link ConfigurationError} saying how to start one or which variable to set.
 * @public
 */
export function localTargetConnection(
  options: Record<string, unknown>,
  env: Record<string, string | undefined>,
  baseDir: string,
): RuntimeConnection {
  const url = (options.url as string | undefined) ?? env.FAASPORT_RUNTIME_URL;
  if (url) {
    const token = (options.token as string | undefined) ?? env.FAASPORT_RUNTIME_TOKEN;
    if (!token)
      throw ConfigurationError.missing({
        what: `the admin token of the runtime at ${url}`,
        option: 'token',
        envVar: 'FAASPORT_RUNTIME_TOKEN',
        adapter: 'local',
      });
    return { url, token };
  }
  const dataDir =
    typeof options.dataDir === 'string'
      ? isAbsolute(options.dataDir)
        ? options.dataDir
        : resolve(baseDir, options.dataDir)
      : defaultDataDir(baseDir, env);
  return runtimeInDataDir(dataDir, {
    option: 'url',
    envVar: 'FAASPORT_RUNTIME_URL',
    hint: 'Start one with `faasport dev` or `faasport serve` in the project folder (it replaces the record), or set FAASPORT_RUNTIME_URL and FAASPORT_RUNTIME_TOKEN.',
  });
}

/**
 * The runtime recorded in a data dir, if its record is whole and its process is alive. One reader for
 * the CLI's `local` target and `createLocalAdapter({ dataDir })`, so both refuse a stale or cut record
 * the same way and neither quotes the file (it holds the token).
 *
 * @throws {@link ConfigurationError} naming the data dir, why the record is not usable, and `how` to fix it.
 * @internal
 */
export function runtimeInDataDir(
  dataDir: string,
  how: { option: string; envVar?: string; hint: string },
): RuntimeConnection {
  const file = join(dataDir, connectionFileName);
  let why = ` (${file} is missing)`;
  if (existsSync(file)) {
    const record = readRecord(file);
    if (typeof record === 'string') why = `: ${file} is not a runtime's record (${record})`;
    else if (record.pid === undefined || alive(record.pid)) return { url: record.url, token: record.token };
    else why = `: the process recorded in ${file} (pid ${record.pid}) has ended`;
  }
  throw new ConfigurationError(`No faasport runtime is running for ${dataDir}${why}.`, {
    option: how.option,
    ...(how.envVar ? { envVar: how.envVar } : {}),
    adapter: 'local',
    hint: how.hint,
  });
}

/** A runtime's record, or why the file is not one (cut short, edited by hand); never shows the token. */
function readRecord(file: string): (RuntimeConnection & { pid?: number }) | string {
  let record: unknown;
  try {
    record = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // Not JSON.parse's message: it quotes the text, which holds the token.
    return 'not JSON';
  }
  const { url, token, pid } = (record ?? {}) as Record<string, unknown>;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return 'no http(s) url';
  if (typeof token !== 'string' || token.length < 16) return 'no admin token of 16 or more characters';
  if (pid !== undefined && (typeof pid !== 'number' || !Number.isInteger(pid)))
    return 'pid is not a whole number';
  return { url, token, ...(pid === undefined ? {} : { pid }) };
}
