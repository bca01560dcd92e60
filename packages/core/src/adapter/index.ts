export {
  type Capabilities,
  type Feature,
  featureLabels,
  features,
  featuresUsed,
  type Limits,
  type Range,
  type Support,
  type SupportLevel,
  supportOf,
} from './capabilities';
export { capabilityTable, capabilityTableMarkers, withCapabilityTable } from './capability-table';
export type { DeployEvent, DeployEventListener } from './events';
export { type AdapterModule, type AdapterTargetInput, defineAdapterModule } from './module';
export {
  type Adapter,
  type AdapterContext,
  type Artifact,
  type CheckIssue,
  type DesiredState,
  defineAdapter,
  type ExportResult,
  type FieldChange,
  type FunctionSummary,
  type HandlerContext,
  type InvokeOptions,
  type LiveFunction,
  type LiveRevision,
  type LogEntry,
  type Logger,
  type Manifest,
  type Plan,
  type Step,
} from './spec';
