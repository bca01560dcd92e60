import { defineFunction, deploy, type FunctionConfig } from '@faasport/core';
import { afterAll, afterEach } from 'vitest';
import { createLocalAdapter } from '../../src/index';
import { cleanTemp } from './fixtures';
import { type RuntimeProcess, request, startRuntimeProcess } from './runtime-process';

export { waitFor } from './wait';

/**
 * The runtimes of an end-to-end test file, started as child processes with the same `flags` each time:
 * each is stopped after its test, and the file's temp folders are removed after the file. Call at the
 * top of the file.
 */
export function runtimeProcesses(flags: string[]): { start(dataDir: string): Promise<RuntimeProcess> } {
  const running: RuntimeProcess[] = [];
  afterEach(async () => {
    for (const runtime of running.splice(0)) await runtime.stop();
  });
  afterAll(() => cleanTemp());
  return {
    async start(dataDir) {
      const runtime = await startRuntimeProcess(dataDir, flags);
      running.push(runtime);
      return runtime;
    },
  };
}

/** Deploys one function to a runtime process through the local adapter. */
export function ship(runtime: RuntimeProcess, config: FunctionConfig) {
  return deploy(createLocalAdapter({ url: runtime.url, token: runtime.token }), defineFunction(config));
}

/** A call of the runtime's admin API (`/_faasport/v1<route>`) with its token. */
export function admin(
  runtime: RuntimeProcess,
  route: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
) {
  return request(`${runtime.url}/_faasport/v1${route}`, {
    ...options,
    headers: { authorization: `Bearer ${runtime.token}`, ...options.headers },
  });
}
