import { resolve } from 'node:path';
import { ConfigurationError } from '@faasport/core';
import { UsageError } from './errors';

/** A bundled runtime started by the CLI. @internal */
export interface HostedRuntime {
  url: string;
  token: string;
  dataDir: string;
  close(): Promise<void>;
}

/** Parses `--port` (0 picks a free port). @internal */
export function parsePort(value: string | undefined, commandName: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError(
      `--port ${JSON.stringify(value)} is not a port number (0-65535; 0 picks a free one).`,
      { command: commandName },
    );
  }
  return n;
}

/**
 * Starts the bundled runtime. It records its address and token in the data dir (`runtime.json`,
 * mode 0600), so `faasport invoke`, `traffic`, `logs`... against the `local` target find it.
 *
 * @internal
 */
export async function hostRuntime(options: {
  port: number;
  host: string;
  dataDir: string;
  /** Serve `/metrics` without the admin token, to loopback host names only. */
  publicMetrics?: boolean;
}): Promise<HostedRuntime> {
  const { startRuntime } = await import('@faasport/runtime');
  const dataDir = resolve(options.dataDir);
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  try {
    runtime = await startRuntime({
      port: options.port,
      host: options.host,
      dataDir,
      publicMetrics: options.publicMetrics === true,
    });
  } catch (error) {
    throw listenFailure(error, options);
  }
  return {
    url: runtime.url,
    token: runtime.token,
    dataDir,
    close: () => runtime.close(),
  };
}

/**
 * The error to show when a server cannot listen: a port in use or privileged, or an address that is
 * not this machine's, become a {@link ConfigurationError} naming the option; anything else is kept.
 *
 * @internal
 */
export function listenFailure(error: unknown, options: { host: string; port: number }): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return error;
  const why =
    code === 'EADDRINUSE'
      ? 'is in use'
      : code === 'EACCES'
        ? 'needs privileges'
        : 'is not an address of this machine';
  return new ConfigurationError(
    `Cannot listen on ${options.host}:${options.port}: the ${code === 'EADDRNOTAVAIL' ? 'address' : 'port'} ${why}.`,
    {
      option: code === 'EADDRNOTAVAIL' ? '--host' : '--port',
      hint:
        code === 'EADDRNOTAVAIL'
          ? 'Pass --host 127.0.0.1 (the default).'
          : 'Pass --port with another port, or --port 0 for a free one.',
      cause: error,
    },
  );
}

/** Resolves when the signal aborts. @internal */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
