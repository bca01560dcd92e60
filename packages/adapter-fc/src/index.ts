/**
 * `@faasport/adapter-fc`: deploys faasport functions to Alibaba Cloud Function Compute 2.0 (API
 * 2016-08-15) through `@alicloud/fc2`.
 *
 * @packageDocumentation
 */
export { createFcAdapter, type FcAdapter } from './deploy/adapter';
// Checks FC 3.0 shares with FC 2.0.
export { descriptionIssues, idleIssues, shimIssues, triggerNameIssues } from './deploy/check';
export { crc64 } from './deploy/crc64';
export { toFcCron } from './deploy/cron';
export {
  type EventTriggerContext,
  type EventTriggerFields,
  eventTriggerIssues,
  mnsTopicTriggerOf,
  type OwnInvocationRole,
  ossTriggerOf,
  type TriggerDialect,
  type TriggerFields,
  triggerFieldsOf,
} from './deploy/event-triggers';
export {
  downloadCodePackage,
  type ExportedAlikeInput,
  exportedAlike,
  type FcTriggerView,
  neutralTriggerOf,
} from './deploy/export';
export { functionErrorMessage } from './deploy/function-error';
export { FC_CONTAINER_PORT, FC_IMAGE_LIMIT, fcImagePlan } from './deploy/image';
export { fcCapabilities, fcMemorySizes, fcRuntimeOf, neutralRuntimeOf } from './deploy/limits';
export {
  type FcAliasView,
  type FcTrafficState,
  labelOfVersion,
  trafficOf,
  userEnvOf,
  versionIdOfLabel,
} from './deploy/live';
// Shared with @faasport/adapter-fc3 (FC 3.0 keeps FC 2.0's code package, shim and description markers).
export {
  codePackage,
  environmentOf,
  envKeys,
  type FcProviderOptions,
  fcProviderSchema,
  markers,
  maskSecrets,
  maxUserDescription,
} from './deploy/mapping';
export {
  alibabaTargetFields,
  type FcAdapterOptions,
  type FcQueueBinding,
  fcAdapterOptionsSchema,
  fcEnvVars,
  fcQueueBinding,
  type ResolvedAlibabaSettings,
  ramRoleArn,
  resolveAlibabaSettings,
} from './deploy/options';
export { adapterModule } from './module';
export { shimHandlers } from './runtime';
