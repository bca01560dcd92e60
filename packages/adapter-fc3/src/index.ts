/**
 * `@faasport/adapter-fc3`: deploys faasport functions to Alibaba Cloud Function Compute 3.0 (API
 * 2023-03-30) through the official client `@alicloud/fc20230330`.
 *
 * @packageDocumentation
 */
export { createFc3Adapter, type Fc3Adapter } from './adapter';
export { type Fc3HttpEvent, fc3HttpEventOf, responseOfFc3Result } from './http-event';
export { fc3Capabilities, fc3MemorySizes, fc3RuntimeOf } from './limits';
export { type Fc3ProviderOptions, fc3ProviderSchema, toFc3Cron } from './mapping';
export { adapterModule } from './module';
export { type Fc3AdapterOptions, fc3AdapterOptionsSchema } from './options';
