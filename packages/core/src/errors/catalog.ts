/**
 * The catalogue of faasport error codes. Codes are permanent: never rename or reuse one.
 * Each entry says what kind of failure it is, a one-line title, and the default hint (what to do).
 *
 * @public
 */
export const errorCatalog = {
  FP_VALIDATION: {
    kind: 'validation',
    title: 'The configuration is not valid',
    hint: 'Fix each listed field; the JSON Schema in @faasport/cli/schema.json gives editors completion and checks.',
  },
  FP_UNSUPPORTED_FEATURE: {
    kind: 'unsupported',
    title: 'The target cannot do something the function uses',
    hint: 'Remove the feature from the function, or deploy it to a target that supports it.',
  },
  FP_LIMIT_EXCEEDED: {
    kind: 'validation',
    title: 'A value is outside what the target accepts',
    hint: 'Use one of the values the target accepts.',
  },
  FP_CONFIGURATION: {
    kind: 'usage',
    title: 'A required setting is missing',
    hint: 'Pass the option, or set the environment variable it names.',
  },
  FP_PROVIDER_API: {
    kind: 'provider',
    title: 'The provider API rejected a request',
    hint: 'Read the provider code and message; retryable errors are retried automatically.',
  },
  FP_DEPLOY_TIMEOUT: {
    kind: 'timeout',
    title: 'The function did not become ready in time',
    hint: 'Check the revision status and logs; raise the wait timeout if the platform is slow.',
  },
  FP_DRIFT: {
    kind: 'conflict',
    title: 'The live function changed since the plan was made',
    hint: 'Run plan again and review the changes made outside faasport.',
  },
  FP_DEPLOY_FAILED: {
    kind: 'provider',
    title: 'A deploy step failed',
    hint: 'See which steps ran and what was rolled back; fix the cause and deploy again.',
  },
  FP_PROJECT_DEPLOY_FAILED: {
    kind: 'provider',
    title: 'A function of the project failed, so the deploy stopped',
    hint: 'See which functions deployed, which failed and which never started; fix the cause and deploy again (deployed functions then plan no changes).',
  },
  FP_NOT_FOUND: {
    kind: 'usage',
    title: 'The function does not exist on the target',
    hint: 'Check the name and the target; `faasport ls` lists what is deployed.',
  },
  FP_INVOKE_FAILED: {
    kind: 'provider',
    title: 'The function returned an error',
    hint: 'Read the function error and its logs.',
  },
  FP_ROLLOUT_FAILED: {
    kind: 'conflict',
    title: 'A rollout check failed and traffic was rolled back',
    hint: 'Look at the failing revision; traffic is back where it was before the rollout.',
  },
  FP_INTERNAL: {
    kind: 'internal',
    title: 'An internal error occurred',
    hint: 'This is a bug in faasport; please report it with the command and this message.',
  },
} as const satisfies Record<string, { kind: ErrorKind; title: string; hint: string }>;

/** The kinds of failure an error code belongs to. @public */
export type ErrorKind =
  | 'validation'
  | 'unsupported'
  | 'usage'
  | 'provider'
  | 'timeout'
  | 'conflict'
  | 'internal';

/** A permanent faasport error code. @public */
export type ErrorCode = keyof typeof errorCatalog;
