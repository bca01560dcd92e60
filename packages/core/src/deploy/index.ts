export { assertDeployable, assertTargetOptions, checkFunction, providerOptionIssues } from './check';
export {
  applyPlan,
  type DeployOptions,
  type DeployResult,
  deploy,
  desiredStateOf,
  type EngineOptions,
  type InvokeInput,
  invoke,
  type PlannedDeploy,
  planDeploy,
  type RenderedFunction,
  type RolloutCheck,
  type RolloutOptions,
  type RolloutResult,
  remove,
  renderFunction,
  rollout,
  setTraffic,
} from './engine';
export { assertHandlerExports, checkHandlerExports } from './handler-exports';
export { canonicalJson, normalizeTraffic, revisionHashOf, sameTraffic, specHashOf } from './hash';
export { inlineFileName, isSafeEntryName, packageSource, sha256, zipEntries } from './package';
export { registerReadableSecrets, resolveSecrets } from './secrets';
export { archiveLimits, readZip, type ZipEntry, ZipError, type ZipLimits } from './unzip';
