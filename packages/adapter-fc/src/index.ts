/**
 * `@faasport/adapter-fc`: deploys faasport functions to Alibaba Cloud Function Compute 2.0 (API
 * 2016-08-15) through `@alicloud/fc2`.
 *
 * @packageDocumentation
 */
export { createFcAdapter, type FcAdapter } from './deploy/adapter';
export { toFcCron } from './deploy/cron';
export { fcCapabilities, fcMemorySizes, fcRuntimeOf } from './deploy/limits';
export { type FcProviderOptions, fcProviderSchema } from './deploy/mapping';
export { type FcAdapterOptions, fcAdapterOptionsSchema, fcEnvVars } from './deploy/options';
export { adapterModule } from './module';
