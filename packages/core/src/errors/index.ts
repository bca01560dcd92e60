export { type ErrorCode, type ErrorKind, errorCatalog } from './catalog';
export {
  ConfigurationError,
  DeployError,
  DeployTimeoutError,
  DriftError,
  FaasportError,
  type FaasportErrorOptions,
  type FailedFunction,
  formatIssues,
  InternalError,
  InvokeError,
  LimitExceededError,
  NotFoundError,
  ProjectDeployError,
  ProviderApiError,
  RolloutError,
  UnsupportedFeatureError,
  ValidationError,
  type ValidationIssue,
} from './errors';
export { networkCodeOf, networkFailure } from './network';
export { redact, redactValue, registerSecret } from './redact';
