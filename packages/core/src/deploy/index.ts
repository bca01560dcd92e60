export { assertDeployable, checkFunction, providerOptionIssues } from './check';
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
export { canonicalJson, normalizeTraffic, revisionHashOf, sameTraffic, specHashOf } from './hash';
export { inlineFileName, isSafeEntryName, packageSource, sha256, zipEntries } from './package';
export { resolveSecrets } from './secrets';
