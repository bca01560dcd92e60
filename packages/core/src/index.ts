/**
 * @faasport/core: the neutral function model, the error family, the handler contract, the adapter
 * contract (specification v1) and the deploy engine that runs on top of any adapter.
 *
 * @packageDocumentation
 */
export * from './adapter';
export * from './cron';
export * from './deploy';
export * from './errors';
export * from './handler';
export * from './model';
export { projectJsonSchema } from './model/json-schema';
