/**
 * `@faasport/core/toolkit`: the mechanisms every adapter needs (retries, zod issue conversion,
 * settings from options or the environment, field diffs for plans, the two-version alias split,
 * not-found handling), so each platform's package holds only its facts.
 *
 * @packageDocumentation
 */
export { type FieldChangesOptions, fieldChanges } from './fields';
export { type ForwardOptions, forwardRequest } from './forward';
export { type ZodIssuesOptions, zodIssues } from './issues';
export { describeWithMarker, readMarkedDescription } from './markers';
export { ignoreNotFound, isNotFound, readOrUndefined } from './not-found';
export { queueBindingIssues, queueBindingsSchema, strictWithHints } from './queues';
export { isRetryable, type RetryEvent, type RetryOptions, retryAfterMs, statusOf, withRetry } from './retry';
export {
  loadSetting,
  type OfflinePlaceholder,
  offlinePlaceholders,
  type SettingSource,
} from './settings';
export { type StepDispatcher, type StepHandler, type StepPattern, stepHandlers } from './steps';
export { type TwoVersionSplit, type TwoVersionSplitContext, twoVersionSplit } from './traffic';
export { type VersionPublishInput, versionPublishSteps } from './versions';
