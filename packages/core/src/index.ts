/**
 * @faasport/core: the neutral function model, the error family, the handler contract, the adapter
 * contract (specification v1) and the deploy engine that runs on top of any adapter.
 *
 * @packageDocumentation
 */

/**
 * The zod core is built with (bundled into core's build as one module, not zod's ~100 files, so a
 * command starts faster). faasport's packages take `z` from here, so schemas share one copy of zod.
 */
export { z } from 'zod';
export * from './adapter';
export * from './cron';
export * from './deploy';
export * from './errors';
export * from './handler';
export * from './model';
export { projectJsonSchema } from './model/json-schema';
