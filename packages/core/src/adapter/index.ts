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
export {
  defaultNodeImage,
  IMAGE_ENTRY_LABEL,
  type ImagePlan,
  type ImagePlanFile,
  type ImagePlanInput,
  type ImagePlanLayer,
  type ImageSizeLimit,
  type ImageTargetOptions,
  imagePlanTarget,
  imageTargetOptionsShape,
  type NodeImageLayout,
  nodeImagePlan,
  parseImageTargetOptions,
} from './image';
export { type AdapterModule, type AdapterTargetInput, defineAdapterModule } from './module';
export type { CheckIssue, FieldChange, Plan, Step } from './plan';
export {
  type Adapter,
  type AdapterContext,
  type Artifact,
  type DesiredState,
  defineAdapter,
  type ExportResult,
  type FunctionSummary,
  type HandlerContext,
  type InvokeOptions,
  type LiveFunction,
  type LiveRevision,
  type LogEntry,
  type Logger,
  type Manifest,
} from './spec';
