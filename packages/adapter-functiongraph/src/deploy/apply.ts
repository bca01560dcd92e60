/** Applying plan steps and traffic to FunctionGraph. */
import {
  type AdapterContext,
  canonicalJson,
  type DesiredState,
  type ResolvedTrafficEntry,
  type Step,
} from '@faasport/core';
import { stepHandlers, twoVersionSplit } from '@faasport/core/toolkit';
import { functionGraphSplitLimit, providerOptions } from './capabilities';
import { type FgAlias, type FgConfig, type FgContext, nonZero, updatableFields } from './context';
import {
  aliasDescription,
  codeFields,
  mainAlias,
  managedConfig,
  strategyConfig,
  versionDescription,
} from './function-body';
import { desiredFunctionUrl } from './http';
import { desiredTriggers } from './triggers';

/** Updates the config by read-modify-write: FunctionGraph resets optional fields a PUT leaves out, so unmanaged fields are carried over from a fresh read. */
export async function readModifyWriteConfig(
  fg: FgContext,
  name: string,
  desired: DesiredState | undefined,
  extra: Record<string, unknown>,
): Promise<void> {
  const current = (
    await fg.client.call<FgConfig>('GetFunctionConfig', 'GET', `functions/${fg.urn(name, 'latest')}/config`)
  ).data;
  const body: Record<string, unknown> = {};
  for (const field of updatableFields) {
    const value = current[field];
    if (value === undefined || value === null || value === '') continue;
    if (
      (field === 'initializer_timeout' || field === 'pre_stop_timeout' || field === 'restore_hook_timeout') &&
      value === 0
    )
      continue;
    body[field] = value;
  }
  if (desired) {
    const managed = managedConfig(desired, fg.o.region, 'values');
    for (const field of [
      'user_data',
      'encrypted_user_data',
      'initializer_handler',
      'initializer_timeout',
      'xrole',
    ] as const)
      delete body[field];
    Object.assign(body, managed, { strategy_config: strategyConfig(desired.fn) });
    if (body.user_data === '') delete body.user_data;
    if (body.encrypted_user_data === '') delete body.encrypted_user_data;
  }
  Object.assign(body, extra);
  await fg.client.call('UpdateFunctionConfig', 'PUT', `functions/${fg.urn(name, 'latest')}/config`, { body });
}

/** One handler per FunctionGraph step id (see plan.ts for the steps and their data). */
const handlers = stepHandlers<[fg: FgContext, desired: DesiredState]>('functiongraph', {
  async function(_step, fg, desired) {
    const body: Record<string, unknown> = {
      ...managedConfig(desired, fg.o.region, 'values'),
      package: fg.o.package,
      ...codeFields(desired, fg.o.region),
    };
    if (body.user_data === '') delete body.user_data;
    if (body.encrypted_user_data === '') delete body.encrypted_user_data;
    await fg.client.call('CreateFunction', 'POST', 'functions', { body });
  },
  async scaling(_step, fg, desired) {
    // strategy_config is not accepted on create; FunctionGraph takes it through the config update.
    await readModifyWriteConfig(fg, desired.fn.name, undefined, {
      strategy_config: strategyConfig(desired.fn),
    });
  },
  async code(_step, fg, desired) {
    await fg.client.call('UpdateFunctionCode', 'PUT', `functions/${fg.urn(desired.fn.name, 'latest')}/code`, {
      body: codeFields(desired, fg.o.region),
    });
  },
  async config(_step, fg, desired) {
    await readModifyWriteConfig(fg, desired.fn.name, desired, {});
  },
  async version(_step, fg, desired) {
    await fg.client.call('PublishVersion', 'POST', `functions/${fg.urn(desired.fn.name)}/versions`, {
      body: { version: desired.revisionLabel, description: versionDescription(desired.revisionHash) },
    });
  },
  async 'trigger-create:*'(step, fg, desired) {
    const fn = desired.fn;
    const key = (step.data as { key: string }).key;
    const want = desiredTriggers(fn, fg.o).find((t) => t.key === key)!;
    await fg.client.call('CreateTrigger', 'POST', `triggers/${fg.urn(fn.name, `!${mainAlias}`)}`, {
      body: { trigger_type_code: want.type, trigger_status: want.status, event_data: want.eventData },
    });
  },
  async 'trigger-delete:*'(step, fg, desired) {
    const { id, type } = step.data as { id: string; type: string };
    await fg.client.call(
      'DeleteTrigger',
      'DELETE',
      `triggers/${fg.urn(desired.fn.name, `!${mainAlias}`)}/${type}/${id}`,
      { allow: [404] },
    );
  },
  async 'function-url:*'(step, fg, desired) {
    const fn = desired.fn;
    const path = `functions/${fg.urn(fn.name, `!${mainAlias}`)}/function-url`;
    const body = desiredFunctionUrl(fn, providerOptions(fn), fg.o);
    if (step.action === 'delete' || !body)
      await fg.client.call('DeleteFunctionUrl', 'DELETE', path, { allow: [404] });
    else if (step.action === 'create') await fg.client.call('CreateFunctionUrl', 'POST', path, { body });
    else await fg.client.call('UpdateFunctionUrl', 'PUT', path, { body });
  },
  async reserved(_step, fg, desired) {
    await fg.client.call(
      'UpdateReservedInstances',
      'PUT',
      `functions/${fg.urn(desired.fn.name, `!${mainAlias}`)}/reservedinstances`,
      { body: { count: desired.fn.scaling.min, idle_mode: false } },
    );
  },
});

/** Executes one step of the plan. */
export async function applyStep(
  fg: FgContext,
  step: Step,
  desired: DesiredState,
  _ctx: AdapterContext,
): Promise<void> {
  fg.kinds.delete(desired.fn.name);
  await handlers(step, fg, desired);
}

/** Points the main alias at one or two versions (weights in whole percents) and each tag alias at its version; writes only aliases that differ. */
export async function setTraffic(
  fg: FgContext,
  name: string,
  traffic: ResolvedTrafficEntry[],
  _ctx: AdapterContext,
): Promise<void> {
  const split = twoVersionSplit(traffic, {
    adapter: 'functiongraph',
    target: fg.o.target,
    functionName: name,
    limit: functionGraphSplitLimit,
  });
  const aliases =
    (await fg.client.call<FgAlias[]>('ListVersionAliases', 'GET', `functions/${fg.urn(name)}/aliases`))
      .data ?? [];
  const wantMain = {
    version: split.main,
    description: aliasDescription(),
    ...(split.additional
      ? { additional_version_weights: { [split.additional.label]: split.additional.weight } }
      : {}),
  };
  const wantTags = new Map(traffic.filter((t) => t.tag).map((t) => [t.tag!, t.revision]));
  const upsert = async (
    aliasName: string,
    body: { version: string; description: string; additional_version_weights?: Record<string, number> },
  ) => {
    const have = aliases.find((a) => a.name === aliasName);
    if (!have) {
      await fg.client.call('CreateVersionAlias', 'POST', `functions/${fg.urn(name)}/aliases`, {
        body: { name: aliasName, ...body },
      });
    } else if (
      have.version !== body.version ||
      (have.description ?? '') !== body.description ||
      canonicalJson(nonZero(have.additional_version_weights)) !==
        canonicalJson(body.additional_version_weights ?? {})
    ) {
      await fg.client.call('UpdateVersionAlias', 'PUT', `functions/${fg.urn(name)}/aliases/${aliasName}`, {
        body,
      });
    }
  };
  await upsert(mainAlias, wantMain);
  for (const [tag, revision] of wantTags)
    await upsert(tag, { version: revision, description: aliasDescription(tag) });
  for (const alias of aliases) {
    const tag = /^faasport tag (.+)$/.exec(alias.description ?? '')?.[1];
    if (tag && !wantTags.has(tag))
      await fg.client.call(
        'DeleteVersionAlias',
        'DELETE',
        `functions/${fg.urn(name)}/aliases/${alias.name}`,
        {
          allow: [404],
        },
      );
  }
}
