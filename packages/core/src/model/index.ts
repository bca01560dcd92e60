export { defineFunction, defineProject } from './define';
export { didYouMean } from './did-you-mean';
export { findProjectFile, loadProject, projectFileNames } from './load';
export { builtinDefaults, resolveFunction, resolveProject } from './resolve';
export type {
  ResolvedFunction,
  ResolvedProject,
  ResolvedSource,
  ResolvedTarget,
  ResolvedTrafficEntry,
  ResolvedTrigger,
  SecretRef,
} from './resolved';
export {
  type DefaultsConfig,
  defaultsSchema,
  type FunctionConfig,
  functionSchema,
  type ProjectConfig,
  projectSchema,
  runtimes,
  sourceSchema,
  type TargetConfig,
  type TrafficEntryConfig,
  type TriggerConfig,
  targetSchema,
  trafficSchema,
  triggerSchema,
} from './schema';
export { maxYamlAliasCount, parseYaml, stringifyYaml, type YamlSource } from './yaml';
