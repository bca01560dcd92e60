/** Applying plan steps and traffic to Lambda. */
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionUrlConfigCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  type AdapterContext,
  DeployTimeoutError,
  type DesiredState,
  type ResolvedTrafficEntry,
  type Step,
  ValidationError,
} from '@faasport/core';
import { stepHandlers, twoVersionSplit } from '@faasport/core/toolkit';
import { providerOptions } from './capabilities';
import {
  aliasDescription,
  codeFields,
  deployedCode,
  managedConfig,
  secretsTag,
  tagOfAlias,
  versionDescription,
} from './code';
import { accountOf, functionArn, type LambdaApi, mainAlias, send, sendOrUndefined } from './context';
import { labelOf, listAliases, listVersions } from './live';
import { desiredReserved, desiredUrl } from './plan';
import { desiredNotifications, syncBucket } from './storage';
import { desiredMappings, desiredSchedules } from './triggers';

/** The statement that lets anyone call a function URL with AuthType NONE. */
export const publicUrlStatement = 'faasport-url-public';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the function has finished its last update: Lambda refuses a further update or a publish
 * while `State` is `Pending` or `LastUpdateStatus` is `InProgress` (ResourceConflictException), see
 * "Lambda function states" (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html).
 */
export async function waitUntilUpdated(
  api: LambdaApi,
  name: string,
  signal?: AbortSignal,
  timeoutMs = 300_000,
): Promise<string> {
  const started = Date.now();
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    const c = await send('GetFunctionConfiguration', () =>
      api.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }), {
        abortSignal: signal as never,
      }),
    );
    if (c.State === 'Failed' || c.LastUpdateStatus === 'Failed')
      throw new ValidationError(
        [
          {
            path: 'function',
            message: `Lambda could not prepare ${name}: ${c.StateReason ?? c.LastUpdateStatusReason ?? 'failed'}`,
            rule: 'function-state',
          },
        ],
        { subject: `function "${name}"`, adapter: 'lambda' },
      );
    if (c.State !== 'Pending' && c.LastUpdateStatus !== 'InProgress') return c.FunctionArn ?? '';
    if (Date.now() - started > timeoutMs)
      throw new DeployTimeoutError({
        functionName: name,
        waitedMs: Date.now() - started,
        lastStatus: `${c.State}/${c.LastUpdateStatus}`,
        adapter: 'lambda',
      });
    await sleep(delay);
  }
}

/** The tags of the function that record which variables are secrets. */
const secretTags = (desired: DesiredState) => ({
  [secretsTag]: Object.keys(desired.fn.secrets).sort().join(','),
});

/** Executes one step of the plan: one handler per step id (a family ends in `*`). */
const applyLambdaStep = stepHandlers<[LambdaApi, DesiredState, AdapterContext]>('lambda', {
  function: async (_step, api, desired, ctx) => {
    const fn = desired.fn;
    const name = fn.name;
    const lambda = api.lambda;
    const config = managedConfig(desired, api.o.role, 'values');
    const architecture = providerOptions(fn).architecture;
    await send('CreateFunction', () =>
      lambda.send(
        new CreateFunctionCommand({
          ...(config as object),
          Code: codeFields(desired),
          PackageType: fn.source.kind === 'image' ? 'Image' : 'Zip',
          ...(architecture ? { Architectures: [architecture] } : {}),
          Publish: false,
          Tags: secretTags(desired),
        } as never),
      ),
    );
    await waitUntilUpdated(api, name, ctx.signal);
  },
  code: async (_step, api, desired, ctx) => {
    const fn = desired.fn;
    const name = fn.name;
    const lambda = api.lambda;
    const architecture = providerOptions(fn).architecture;
    await send('UpdateFunctionCode', () =>
      lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: name,
          ...codeFields(desired),
          ...(architecture ? { Architectures: [architecture] } : {}),
        } as never),
      ),
    );
    await waitUntilUpdated(api, name, ctx.signal);
  },
  config: async (_step, api, desired, ctx) => {
    const fn = desired.fn;
    const name = fn.name;
    const lambda = api.lambda;
    const { FunctionName: _, ...config } = managedConfig(desired, api.o.role, 'values');
    const arn = (
      await send('GetFunctionConfiguration', () =>
        lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
      )
    ).FunctionArn!;
    await send('UpdateFunctionConfiguration', () =>
      lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, ...(config as object) } as never),
      ),
    );
    const tags = secretTags(desired);
    if (tags[secretsTag])
      await send('TagResource', () => lambda.send(new TagResourceCommand({ Resource: arn, Tags: tags })));
    else
      await send('UntagResource', () =>
        lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: [secretsTag] })),
      );
    await waitUntilUpdated(api, name, ctx.signal);
  },
  version: async (_step, api, desired, _ctx) => {
    const fn = desired.fn;
    const name = fn.name;
    const lambda = api.lambda;
    const code = deployedCode(desired);
    const description = versionDescription(desired.revisionLabel, desired.revisionHash, code.hash);
    const published = await send('PublishVersion', () =>
      lambda.send(new PublishVersionCommand({ FunctionName: name, Description: description })),
    );
    // Lambda publishes nothing when code and configuration equal the last version's: it answers with that version.
    if (published.Description !== description)
      throw new ValidationError(
        [
          {
            path: 'revision',
            message: `Lambda published no new version for ${JSON.stringify(desired.revisionLabel)}: its code and configuration equal version ${published.Version} (${labelOf(published)})`,
            rule: 'revision-unchanged',
          },
        ],
        {
          subject: `function "${name}"`,
          adapter: 'lambda',
          hint: `Use revision ${labelOf(published)} in traffic, or change the function.`,
        },
      );
  },
  reserved: async (_step, api, desired, _ctx) => {
    const fn = desired.fn;
    const name = fn.name;
    const lambda = api.lambda;
    const reserved = desiredReserved(desired);
    if (reserved === undefined)
      await send('DeleteFunctionConcurrency', () =>
        lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name })),
      );
    else
      await send('PutFunctionConcurrency', () =>
        lambda.send(
          new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: reserved }),
        ),
      );
  },
  'url:*': async (step, api, desired, _ctx) => {
    const fn = desired.fn;
    const name = fn.name;
    const lambda = api.lambda;
    const url = desiredUrl(desired);
    const target = { FunctionName: name, Qualifier: mainAlias };
    if (step.action === 'delete' || !url) {
      await sendOrUndefined('DeleteFunctionUrlConfig', () =>
        lambda.send(new DeleteFunctionUrlConfigCommand(target)),
      );
      await sendOrUndefined('RemovePermission', () =>
        lambda.send(new RemovePermissionCommand({ ...target, StatementId: publicUrlStatement })),
      );
      return;
    }
    const body = { ...target, AuthType: url.AuthType, ...(url.Cors ? { Cors: url.Cors } : {}) } as never;
    if (step.action === 'create')
      await send('CreateFunctionUrlConfig', () => lambda.send(new CreateFunctionUrlConfigCommand(body)));
    else await send('UpdateFunctionUrlConfig', () => lambda.send(new UpdateFunctionUrlConfigCommand(body)));
    // AuthType NONE still needs a resource-based policy letting everyone call the URL
    // (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html); AWS_IAM callers need their own policy.
    await sendOrUndefined('RemovePermission', () =>
      lambda.send(new RemovePermissionCommand({ ...target, StatementId: publicUrlStatement })),
    );
    if (url.AuthType === 'NONE')
      await send('AddPermission', () =>
        lambda.send(
          new AddPermissionCommand({
            ...target,
            StatementId: publicUrlStatement,
            Action: 'lambda:InvokeFunctionUrl',
            Principal: '*',
            FunctionUrlAuthType: 'NONE',
          }),
        ),
      );
  },
  provisioned: async (_step, api, desired, _ctx) => {
    const fn = desired.fn;
    const name = fn.name;
    const lambda = api.lambda;
    const target = { FunctionName: name, Qualifier: mainAlias };
    if (fn.scaling.min > 0)
      await send('PutProvisionedConcurrencyConfig', () =>
        lambda.send(
          new PutProvisionedConcurrencyConfigCommand({
            ...target,
            ProvisionedConcurrentExecutions: fn.scaling.min,
          }),
        ),
      );
    else
      await sendOrUndefined('DeleteProvisionedConcurrencyConfig', () =>
        lambda.send(new DeleteProvisionedConcurrencyConfigCommand(target)),
      );
  },
  'schedule:*': async (step, api, desired, ctx) => {
    const fn = desired.fn;
    const name = fn.name;
    const { name: scheduleName, exists } = step.data as { name: string; exists: boolean };
    const want = desiredSchedules(fn, api.o).find((s) => s.Name === scheduleName)!;
    const arn = functionArn(api, accountOf(await waitUntilUpdated(api, name, ctx.signal)), name, mainAlias);
    const input = {
      Name: want.Name,
      ScheduleExpression: want.ScheduleExpression,
      ScheduleExpressionTimezone: want.ScheduleExpressionTimezone,
      State: want.State,
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: { Arn: arn, RoleArn: want.RoleArn, Input: want.Input },
    };
    if (exists) await send('UpdateSchedule', () => api.scheduler.send(new UpdateScheduleCommand(input)));
    else await send('CreateSchedule', () => api.scheduler.send(new CreateScheduleCommand(input)));
  },
  'schedule-delete:*': async (step, api, desired, _ctx) => {
    const fn = desired.fn;
    const _name = fn.name;
    const { name: scheduleName } = step.data as { name: string };
    await sendOrUndefined('DeleteSchedule', () =>
      api.scheduler.send(new DeleteScheduleCommand({ Name: scheduleName })),
    );
  },
  'queue:*': async (step, api, desired, _ctx) => {
    const fn = desired.fn;
    const name = fn.name;
    const lambda = api.lambda;
    const { topic, uuid } = step.data as { topic: string; uuid?: string };
    const want = desiredMappings(fn, api.o).find((m) => m.topic === topic)!;
    if (uuid)
      await send('UpdateEventSourceMapping', () =>
        lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: want.BatchSize })),
      );
    else
      await send('CreateEventSourceMapping', () =>
        lambda.send(
          new CreateEventSourceMappingCommand({
            FunctionName: `${name}:${mainAlias}`,
            EventSourceArn: want.EventSourceArn,
            BatchSize: want.BatchSize,
            Enabled: true,
          }),
        ),
      );
  },
  'storage:*': async (step, api, desired, ctx) => {
    const name = desired.fn.name;
    const { bucket, addPermission } = step.data as { bucket: string; addPermission: boolean };
    const account = accountOf(await waitUntilUpdated(api, name, ctx.signal));
    await syncBucket(
      api,
      { name, bucket, account, addPermission, aliasArn: functionArn(api, account, name, mainAlias) },
      desiredNotifications(desired.fn).get(bucket) ?? [],
    );
  },
  'queue-delete:*': async (step, api, _desired, _ctx) => {
    const lambda = api.lambda;
    const { uuid } = step.data as { uuid: string };
    await sendOrUndefined('DeleteEventSourceMapping', () =>
      lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid })),
    );
  },
});

/** Executes one step of the plan. */
export async function applyStep(
  api: LambdaApi,
  step: Step,
  desired: DesiredState,
  ctx: AdapterContext,
): Promise<void> {
  await applyLambdaStep(step, api, desired, ctx);
}

/**
 * Points the main alias at one or two versions (`RoutingConfig.AdditionalVersionWeights`, a fraction
 * 0.0-1.0 for the second, API_AliasRoutingConfiguration) and each tag alias at its version; writes only
 * aliases that differ, and deletes the tag aliases no longer wanted.
 */
export async function setTraffic(
  api: LambdaApi,
  name: string,
  traffic: ResolvedTrafficEntry[],
  _ctx: AdapterContext,
): Promise<void> {
  const versions = await listVersions(api, name);
  const numberOf = (label: string) => {
    const v = [...versions].reverse().find((x) => labelOf(x) === label);
    if (!v)
      throw new ValidationError(
        [
          {
            path: 'traffic',
            message: `revision ${JSON.stringify(label)} does not exist on ${name} (known: ${versions.map(labelOf).join(', ')})`,
            rule: 'revision-exists',
          },
        ],
        { subject: `traffic of "${name}"`, adapter: 'lambda' },
      );
    return v.Version!;
  };
  const split = twoVersionSplit(traffic, {
    adapter: 'lambda',
    target: api.o.target,
    functionName: name,
    limit:
      'a Lambda alias routes to at most 2 versions (RoutingConfig.AdditionalVersionWeights names one more)',
  });
  const targets: Array<[version: string, percent: number]> = [
    [numberOf(split.main), 100 - (split.additional?.weight ?? 0)],
    ...(split.additional
      ? [[numberOf(split.additional.label), split.additional.weight] as [string, number]]
      : []),
  ];
  const aliases = await listAliases(api, name);
  const upsert = async (
    aliasName: string,
    version: string,
    description: string,
    weights: Record<string, number>,
  ) => {
    const have = aliases.find((a) => a.Name === aliasName);
    const haveWeights = Object.fromEntries(
      Object.entries(have?.RoutingConfig?.AdditionalVersionWeights ?? {}).filter(([, w]) => w > 0),
    );
    const body = {
      FunctionName: name,
      Name: aliasName,
      FunctionVersion: version,
      Description: description,
      RoutingConfig: { AdditionalVersionWeights: weights },
    };
    if (!have) await send('CreateAlias', () => api.lambda.send(new CreateAliasCommand(body)));
    else if (
      have.FunctionVersion !== version ||
      (have.Description ?? '') !== description ||
      JSON.stringify(haveWeights) !== JSON.stringify(weights)
    )
      await send('UpdateAlias', () => api.lambda.send(new UpdateAliasCommand(body)));
  };
  await upsert(
    mainAlias,
    targets[0]![0],
    aliasDescription(),
    targets[1] ? { [targets[1][0]]: targets[1][1] / 100 } : {},
  );
  const wantTags = new Map(traffic.filter((t) => t.tag).map((t) => [t.tag!, numberOf(t.revision)]));
  for (const [tag, version] of wantTags) await upsert(tag, version, aliasDescription(tag), {});
  for (const alias of aliases) {
    const tag = tagOfAlias(alias.Description);
    if (tag && !wantTags.has(tag))
      await sendOrUndefined('DeleteAlias', () =>
        api.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: alias.Name! })),
      );
  }
}
