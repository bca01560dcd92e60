/** Reading a live FunctionGraph function and normalising it to the neutral model. */
import type { LiveFunction, ResolvedFunction, ResolvedTrafficEntry } from '@faasport/core';
import {
  type FgAlias,
  type FgConfig,
  type FgContext,
  type FgFunctionUrl,
  type FgLive,
  type FgTrigger,
  httpUrlOf,
  parseEnv,
  reverseRuntime,
} from './context';
import { mainAlias, parseDescription, revisionHashOfVersion } from './function-body';

/** Reads everything plan() needs about a function (config, versions, aliases, main-alias triggers, reserved instances); undefined when it does not exist. */
export async function readRaw(fg: FgContext, name: string): Promise<FgLive | undefined> {
  const config = await fg.client.call<FgConfig>(
    'GetFunctionConfig',
    'GET',
    `functions/${fg.urn(name, 'latest')}/config`,
    { allow: [404] },
  );
  if (config.status === 404) return undefined;
  const marker = parseDescription(config.data.description).marker;
  const versions =
    (
      await fg.client.call<{ versions?: FgConfig[] }>(
        'ListFunctionVersions',
        'GET',
        `functions/${fg.urn(name)}/versions`,
        { query: { marker: '0', maxitems: '400' } },
      )
    ).data.versions ?? [];
  const aliases =
    (await fg.client.call<FgAlias[]>('ListVersionAliases', 'GET', `functions/${fg.urn(name)}/aliases`))
      .data ?? [];
  const hasMain = aliases.some((a) => a.name === mainAlias);
  const triggers = hasMain
    ? ((
        await fg.client.call<FgTrigger[]>(
          'ListFunctionTriggers',
          'GET',
          `triggers/${fg.urn(name, `!${mainAlias}`)}`,
        )
      ).data ?? [])
    : [];
  let functionUrl: FgFunctionUrl | undefined;
  if (hasMain) {
    const url = await fg.client.call<FgFunctionUrl>(
      'ShowFunctionUrl',
      'GET',
      `functions/${fg.urn(name, `!${mainAlias}`)}/function-url`,
      { allow: [404] },
    );
    if (url.status !== 404 && url.data && typeof url.data === 'object') functionUrl = url.data;
  }
  let reserved = 0;
  if (hasMain) {
    const list = await fg.client.call<{
      reserved_instances?: Array<{ function_urn?: string; qualifier_name?: string; min_count?: number }>;
    }>('ListReservedInstanceConfigs', 'GET', 'functions/reservedinstanceconfigs', {
      query: { function_urn: fg.urn(name), marker: '0', limit: '100' },
    });
    reserved =
      list.data.reserved_instances?.find(
        (r) => r.qualifier_name === mainAlias || r.function_urn === fg.urn(name, `!${mainAlias}`),
      )?.min_count ?? 0;
  }
  fg.kinds.set(name, { runtime: config.data.runtime, ...(marker ? { contract: marker.k } : {}) });
  return {
    config: config.data,
    ...(marker ? { marker } : {}),
    versions: versions.filter((v) => v.version !== 'latest'),
    aliases,
    triggers,
    ...(functionUrl ? { functionUrl } : {}),
    reserved,
  };
}

/** The traffic of the main alias and the tag aliases, as neutral entries. */
export function trafficOf(aliases: FgAlias[]): ResolvedTrafficEntry[] {
  const main = aliases.find((a) => a.name === mainAlias);
  const entries: ResolvedTrafficEntry[] = [];
  if (main) {
    const extra = Object.entries(main.additional_version_weights ?? {}).filter(([, w]) => w > 0);
    const extraTotal = extra.reduce((sum, [, w]) => sum + w, 0);
    entries.push({ revision: main.version, percent: 100 - extraTotal });
    for (const [version, weight] of extra) entries.push({ revision: version, percent: weight });
  }
  for (const alias of aliases) {
    const tag = /^faasport tag (.+)$/.exec(alias.description ?? '')?.[1];
    if (!tag) continue;
    const free = entries.find((e) => e.revision === alias.version && !e.tag && e.percent > 0);
    if (free) free.tag = tag;
    else entries.push({ revision: alias.version, percent: 0, tag });
  }
  return entries.filter((e) => e.percent > 0 || e.tag);
}

/** The neutral view of what readRaw() gathered. */
export function liveOf(fg: FgContext, name: string, raw: FgLive): LiveFunction {
  const invokeUrl = httpUrlOf(raw);
  return {
    name,
    target: fg.o.target,
    ...(raw.marker ? { specHash: raw.marker.s } : {}),
    revisions: raw.versions.map((v) => {
      const hash = revisionHashOfVersion(v.version_description);
      return {
        label: v.version!,
        id: v.func_urn,
        ...(hash ? { revisionHash: hash } : {}),
        ready: true,
        ...(v.last_modified ? { createdAt: v.last_modified } : {}),
      };
    }),
    traffic: trafficOf(raw.aliases),
    ...(typeof invokeUrl === 'string' ? { url: invokeUrl } : {}),
    config: {
      ...(reverseRuntime[raw.config.runtime] ? { runtime: reverseRuntime[raw.config.runtime] } : {}),
      env: parseEnv(raw.config.user_data),
      resources: { memory: raw.config.memory_size, timeout: raw.config.timeout },
      ...(raw.marker?.h ? { handler: raw.marker.h } : {}),
      ...(raw.marker ? { contract: raw.marker.k as ResolvedFunction['contract'] } : {}),
    },
    raw,
  };
}
