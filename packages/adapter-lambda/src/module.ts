import { defineAdapterModule } from '@faasport/core';
import { createLambdaAdapter } from './deploy/adapter';
import { lambdaProviderSchema } from './deploy/capabilities';
import { lambdaImagePlan } from './deploy/image';
import { lambdaOptionsSchema } from './options';

/**
 * The Lambda adapter module (adapter specification v1.1): the schemas of a `lambda` target and of
 * `providers.lambda`, and the adapter for one target. Credentials are not options: the AWS SDK's default
 * provider chain finds them, so nothing secret is ever read from faasport.yaml.
 *
 * @public
 */
export const adapterModule = defineAdapterModule({
  specificationVersion: 'v1.1',
  name: 'lambda',
  description: 'AWS Lambda (@aws-sdk/client-lambda, EventBridge Scheduler)',
  // `env` and `target` come from fromTarget's input: faasport.yaml does not set them.
  optionsSchema: lambdaOptionsSchema.omit({ env: true, target: true }),
  providerOptionsSchema: lambdaProviderSchema,
  imagePlan: lambdaImagePlan,
  fromTarget({ targetName, options, env, offline }) {
    const region =
      (options.region as string | undefined) ??
      env.AWS_REGION ??
      env.AWS_DEFAULT_REGION ??
      (offline ? 'us-east-1' : undefined);
    return createLambdaAdapter({
      ...options,
      ...(region ? { region } : {}),
      // A plain copy: the CLI's environment object is not a plain record.
      env: { ...env },
      target: targetName,
    } as never);
  },
});
