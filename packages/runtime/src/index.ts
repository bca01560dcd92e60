/**
 * `@faasport/runtime`: the bundled self-hosted faasport runtime, its executor (function code in OS
 * processes, shared with the cloud emulators) and the `local` adapter.
 */

export * from './adapter-entry';
export * from './executor';
export type { DeliveryOutcome, RetryPolicy } from './server/broker';
export { inspectArchive } from './server/code-store';
export { type LocalProviderOptions, localProviderSchema } from './server/functions';
export type { RuntimeLogEntry } from './server/logs';
export { type Runtime, type RuntimeOptions, startRuntime } from './server/runtime';
