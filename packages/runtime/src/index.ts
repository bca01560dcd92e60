/**
 * `@faasport/runtime`: the bundled self-hosted faasport runtime, its executor (function code in OS
 * processes, shared with the cloud emulators) and the `local` adapter.
 */
export * from './executor';
export { createLocalAdapter, localCapabilities, type LocalAdapterOptions } from './adapter';
export { AdminClient } from './adapter/client';
export { type Runtime, type RuntimeOptions, startRuntime } from './server/runtime';
export { localProviderSchema, type LocalProviderOptions } from './server/functions';
export { inspectArchive } from './server/code-store';
export type { RuntimeLogEntry } from './server/logs';
export type { RetryPolicy } from './server/broker';
