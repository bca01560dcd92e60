/**
 * `@faasport/runtime`: the bundled self-hosted faasport runtime, its executor (function code in OS
 * processes, shared with the cloud emulators) and the `local` adapter.
 */
export * from './executor';
