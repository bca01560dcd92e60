/** Reading a live Lambda function and normalising it to the neutral model. */
import {
  type AliasConfiguration,
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  ListAliasesCommand,
  ListEventSourceMappingsCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
} from '@aws-sdk/client-scheduler';
import type { LiveFunction, ResolvedFunction, ResolvedTrafficEntry } from '@faasport/core';
import { runtimeMap } from './capabilities';
import { parseDescription, parseVersionDescription, secretsTag, tagOfAlias } from './code';
import {
  accountOf,
  functionArn,
  isNotFound,
  type LambdaApi,
  type LambdaLive,
  mainAlias,
  send,
  sendOrUndefined,
  toFaasportError,
} from './context';
import { readNotifications } from './storage';

/** Lambda runtime → faasport runtime (`nodejs22.x` is `nodejs22`: `nodejs20` only runs on it). */
export const reverseRuntime: Record<string, string> = {
  ...Object.fromEntries(Object.entries(runtimeMap).map(([k, v]) => [v, k])),
  'nodejs22.x': 'nodejs22',
};

/** Every published version of a function (not `$LATEST`), oldest first. */
export async function listVersions(api: LambdaApi, name: string): Promise<FunctionConfiguration[]> {
  const out: FunctionConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await send('ListVersionsByFunction', () =>
      api.lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: name, ...(marker ? { Marker: marker } : {}) }),
      ),
    );
    out.push(...(page.Versions ?? []).filter((v) => v.Version !== '$LATEST'));
    marker = page.NextMarker;
  } while (marker);
  return out.sort((a, b) => Number(a.Version) - Number(b.Version));
}

/** Every alias of a function. */
export async function listAliases(api: LambdaApi, name: string): Promise<AliasConfiguration[]> {
  const out: AliasConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await send('ListAliases', () =>
      api.lambda.send(new ListAliasesCommand({ FunctionName: name, ...(marker ? { Marker: marker } : {}) })),
    );
    out.push(...(page.Aliases ?? []));
    marker = page.NextMarker;
  } while (marker);
  return out;
}

/** The event source mappings of a function (any qualifier). */
export async function listMappings(api: LambdaApi, name: string): Promise<EventSourceMappingConfiguration[]> {
  const out: EventSourceMappingConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await send('ListEventSourceMappings', () =>
      api.lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: name, ...(marker ? { Marker: marker } : {}) }),
      ),
    );
    out.push(...(page.EventSourceMappings ?? []));
    marker = page.NextMarker;
  } while (marker);
  return out;
}

/** The Scheduler schedules (default group) whose target is the function or one of its qualifiers. */
export async function listSchedules(api: LambdaApi, arn: string): Promise<GetScheduleCommandOutput[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await send('ListSchedules', () =>
      api.scheduler.send(new ListSchedulesCommand({ ...(token ? { NextToken: token } : {}) })),
    );
    for (const s of page.Schedules ?? [])
      if (s.Name && (s.Target?.Arn === arn || s.Target?.Arn?.startsWith(`${arn}:`))) names.push(s.Name);
    token = page.NextToken;
  } while (token);
  const out: GetScheduleCommandOutput[] = [];
  for (const name of names) {
    const schedule = await sendOrUndefined('GetSchedule', () =>
      api.scheduler.send(new GetScheduleCommand({ Name: name })),
    );
    if (schedule) out.push(schedule);
  }
  return out.sort((a, b) => (a.Name! < b.Name! ? -1 : 1));
}

/**
 * Provisioned concurrency requested on the main alias: 0 when none is configured, undefined when the
 * endpoint has no provisioned-concurrency API at all (moto answers such paths with a plain 404 page).
 */
async function provisionedOf(api: LambdaApi, name: string): Promise<number | undefined> {
  try {
    const r = await api.lambda.send(
      new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: mainAlias }),
    );
    return r.RequestedProvisionedConcurrentExecutions ?? 0;
  } catch (error) {
    const code = (error as { name?: string }).name;
    if (code === 'ProvisionedConcurrencyConfigNotFoundException' || code === 'ResourceNotFoundException')
      return 0;
    if (isNotFound(error)) return undefined;
    throw toFaasportError('GetProvisionedConcurrencyConfig', error);
  }
}

/** Reads everything plan() needs about a function; undefined when it does not exist. */
export async function readRaw(api: LambdaApi, name: string): Promise<LambdaLive | undefined> {
  const fn = await sendOrUndefined('GetFunction', () =>
    api.lambda.send(new GetFunctionCommand({ FunctionName: name })),
  );
  if (!fn?.Configuration) return undefined;
  const versions = await listVersions(api, name);
  const aliases = await listAliases(api, name);
  const hasMain = aliases.some((a) => a.Name === mainAlias);
  const url = hasMain
    ? await sendOrUndefined('GetFunctionUrlConfig', () =>
        api.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name, Qualifier: mainAlias })),
      )
    : undefined;
  const provisioned = hasMain ? await provisionedOf(api, name) : 0;
  // Filtered by the alias they were made on (moto stores the version the alias pointed at as FunctionArn).
  const mappings = await listMappings(api, `${name}:${mainAlias}`);
  const schedules = await listSchedules(api, functionArn(api, accountOf(fn.Configuration.FunctionArn), name));
  const storage = await readNotifications(
    api,
    name,
    functionArn(api, accountOf(fn.Configuration.FunctionArn), name),
    hasMain,
  );
  return {
    config: fn.Configuration,
    code: {
      ...(fn.Code?.Location ? { location: fn.Code.Location } : {}),
      ...(fn.Code?.ImageUri ? { imageUri: fn.Code.ImageUri } : {}),
      ...(fn.Code?.RepositoryType ? { repositoryType: fn.Code.RepositoryType } : {}),
    },
    tags: fn.Tags ?? {},
    ...(fn.Concurrency?.ReservedConcurrentExecutions !== undefined
      ? { reserved: fn.Concurrency.ReservedConcurrentExecutions }
      : {}),
    versions,
    aliases,
    ...(url ? { url } : {}),
    ...(provisioned !== undefined ? { provisioned } : {}),
    mappings,
    schedules,
    storage,
  };
}

/** The faasport label of a version: from its description, else its number. */
export const labelOf = (v: FunctionConfiguration) =>
  parseVersionDescription(v.Description)?.label ?? v.Version!;

/** The traffic of the main alias and the tag aliases, as neutral entries by label. */
export function trafficOf(raw: Pick<LambdaLive, 'aliases' | 'versions'>): ResolvedTrafficEntry[] {
  const label = (version: string | undefined) => {
    const v = raw.versions.find((x) => x.Version === version);
    return v ? labelOf(v) : (version ?? '');
  };
  const main = raw.aliases.find((a) => a.Name === mainAlias);
  const entries: ResolvedTrafficEntry[] = [];
  if (main) {
    const extra = Object.entries(main.RoutingConfig?.AdditionalVersionWeights ?? {}).filter(([, w]) => w > 0);
    const extraPercent = extra.map(([v, w]) => [v, Math.round(w * 100)] as const);
    entries.push({
      revision: label(main.FunctionVersion),
      percent: 100 - extraPercent.reduce((s, [, p]) => s + p, 0),
    });
    for (const [version, percent] of extraPercent) entries.push({ revision: label(version), percent });
  }
  for (const alias of raw.aliases) {
    const tag = tagOfAlias(alias.Description);
    if (!tag) continue;
    const revision = label(alias.FunctionVersion);
    const free = entries.find((e) => e.revision === revision && !e.tag && e.percent > 0);
    if (free) free.tag = tag;
    else entries.push({ revision, percent: 0, tag });
  }
  return entries.filter((e) => e.percent > 0 || e.tag);
}

/** The neutral view of what readRaw() gathered. */
export function liveOf(api: LambdaApi, name: string, raw: LambdaLive): LiveFunction {
  const marker = parseDescription(raw.config.Description).marker;
  const secretKeys = new Set((raw.tags[secretsTag] ?? '').split(',').filter(Boolean));
  const env = Object.fromEntries(
    Object.entries(raw.config.Environment?.Variables ?? {}).filter(([k]) => !secretKeys.has(k)),
  );
  const runtime = marker?.t ?? (raw.config.Runtime ? reverseRuntime[raw.config.Runtime] : undefined);
  return {
    name,
    target: api.o.target,
    ...(marker ? { specHash: marker.s } : {}),
    revisions: raw.versions.map((v) => {
      const parsed = parseVersionDescription(v.Description);
      return {
        label: labelOf(v),
        id: v.Version!,
        ...(parsed ? { revisionHash: parsed.revisionHash } : {}),
        ready: v.State === undefined || v.State === 'Active',
        ...(v.StateReason ? { reason: v.StateReason } : {}),
        ...(v.LastModified ? { createdAt: v.LastModified } : {}),
      };
    }),
    traffic: trafficOf(raw),
    ...(raw.url?.FunctionUrl ? { url: raw.url.FunctionUrl } : {}),
    config: {
      ...(runtime ? { runtime } : {}),
      env,
      resources: { memory: raw.config.MemorySize ?? 128, timeout: raw.config.Timeout ?? 3 },
      ...(marker?.h ? { handler: marker.h } : {}),
      ...(marker ? { contract: marker.k as ResolvedFunction['contract'] } : {}),
    },
    raw,
  };
}
