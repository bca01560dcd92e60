export { applyPlan, deploy } from './apply';
export { assertDeployable, assertTargetOptions, checkFunction, providerOptionIssues } from './check';
export { desiredStateOf } from './desired';
export { assertHandlerExports, checkHandlerExports } from './handler-exports';
export { canonicalJson, normalizeTraffic, revisionHashOf, sameTraffic, specHashOf } from './hash';
export { type InvokeInput, invoke } from './invoke';
export { type ReadLogsOptions, readLogs } from './logs';
export type { DeployOptions, DeployResult, EngineOptions, PlannedDeploy } from './options';
export { inlineFileName, isSafeEntryName, packageSource, sha256, zipEntries } from './package';
export { planDeploy } from './plan';
export {
  applyProject,
  defaultProjectConcurrency,
  deployProject,
  type ProjectOptions,
  planProject,
} from './project';
export { remove } from './remove';
export { type RenderedFunction, renderFunction } from './render';
export { type RolloutCheck, type RolloutOptions, type RolloutResult, rollout } from './rollout';
export { registerReadableSecrets, resolveSecrets } from './secrets';
export { setTraffic } from './traffic';
export { archiveLimits, readZip, type ZipEntry, ZipError, type ZipLimits } from './unzip';
