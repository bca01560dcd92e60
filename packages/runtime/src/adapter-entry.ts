/**
 * `@faasport/runtime/adapter`: the `local` adapter alone, an HTTP client of a running runtime. The
 * CLI loads it for a `local` target without the server, SQLite or the executor.
 */

export { createLocalAdapter, type LocalAdapterOptions, localCapabilities } from './adapter';
export { AdminClient, errorOf } from './adapter/client';
export { adapterModule, localTargetOptionsSchema } from './adapter/module';
export {
  connectionFileName,
  defaultDataDir,
  localTargetConnection,
  type RuntimeConnection,
} from './adapter/target';
