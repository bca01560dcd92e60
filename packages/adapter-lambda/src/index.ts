/**
 * `@faasport/adapter-lambda`: deploys faasport functions to AWS Lambda through the AWS SDK for
 * JavaScript v3 (`@aws-sdk/client-lambda`, `@aws-sdk/client-scheduler`).
 *
 * @packageDocumentation
 */
export { createLambdaAdapter, type LambdaAdapter } from './deploy/adapter';
export {
  deprecatedRuntimes,
  lambdaCapabilities,
  lambdaLimits,
  lambdaProviderSchema,
  runtimeMap,
  runtimeOverrides,
} from './deploy/capabilities';
export { checkForLambda } from './deploy/check';
export { mainAlias } from './deploy/context';
export { fromSchedulerExpression, toSchedulerExpression } from './deploy/cron';
export { LAMBDA_IMAGE_LIMIT, LAMBDA_TASK_ROOT, lambdaImagePlan } from './deploy/image';
export { adapterModule } from './module';
export { type LambdaAdapterOptions, lambdaOptionsSchema } from './options';
export { type FunctionUrlEventOptions, functionUrlEvent } from './runtime/function-url';
