/**
 * `@faasport/adapter-functiongraph`: deploys faasport functions to Huawei Cloud FunctionGraph (API v2)
 * over axios with an SDK-HMAC-SHA256 signer.
 *
 * @packageDocumentation
 */
export { createFunctionGraphAdapter, type FunctionGraphAdapter } from './deploy/adapter';
export {
  functionGraphCapabilities,
  functionGraphProviderSchema,
  memorySizes,
  runtimeMap,
} from './deploy/capabilities';
export { checkForFunctionGraph } from './deploy/check';
export {
  fromFunctionGraphSchedule,
  functionGraphRegionTimeZones,
  regionTimeZone,
  toFunctionGraphSchedule,
} from './deploy/cron';
export { mainAlias } from './deploy/function-body';
export {
  CUSTOM_IMAGE_OWNER,
  CUSTOM_IMAGE_PORT,
  FUNCTIONGRAPH_IMAGE_LIMIT,
  functionGraphImagePlan,
} from './deploy/image';
export {
  canonicalQuery,
  canonicalUri,
  huaweiUrlEncode,
  type SignableRequest,
  type SignatureParts,
  sdkDate,
  signingAlgorithm,
  signRequest,
} from './deploy/signer';
export { adapterModule } from './module';
export {
  envVars,
  type FunctionGraphAdapterOptions,
  type FunctionGraphCredentials,
  functionGraphOptionsSchema,
} from './options';
