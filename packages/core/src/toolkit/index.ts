/**
 * `@faasport/core/toolkit`: the mechanisms every adapter needs (retries, zod issue conversion,
 * settings from options or the environment), so each platform's package holds only its facts.
 *
 * @packageDocumentation
 */
export { type ZodIssuesOptions, zodIssues } from './issues';
export { isRetryable, type RetryEvent, type RetryOptions, retryAfterMs, statusOf, withRetry } from './retry';
export { loadSetting, type SettingSource } from './settings';
export { type StepDispatcher, type StepHandler, type StepPattern, stepHandlers } from './steps';
