/**
 * @faasport/cli: the `faasport` command as a library. `runCli(argv, io)` runs any command in-process
 * and returns its exit code; the registry maps `targets.*.adapter` names to adapter packages.
 *
 * @packageDocumentation
 */
export {
  type AdapterEntry,
  adapterNames,
  adapterRegistry,
  createAdapter,
  loadAdapterModule,
} from './adapters';
export { runCli, version } from './cli';
export { command, type FaasportCommand } from './command';
export { CliContext, type CliIo } from './context';
export { exitCodes, UsageError } from './errors';
export { mainCommand } from './main';
export { bundledProjectJsonSchema } from './schema';
