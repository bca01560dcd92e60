import type { LiveFunction, LiveRevision, ResolvedTrafficEntry } from '@faasport/core';
import { isNotFound, readOrUndefined } from '@faasport/core/toolkit';
import type {
  FcAlias,
  FcApiClient,
  FcDomain,
  FcFunction,
  FcService,
  FcTrigger,
  FcVersion,
  WithEtag,
} from './client';
import { neutralRuntimeOf } from './limits';
import { envKeys, type FcNames, markers, maskSecrets, namesFor } from './mapping';

/** Everything the adapter reads about one function: the provider objects behind a {@link LiveFunction}. */
export interface FcLiveState {
  names: FcNames;
  service: WithEtag<FcService>;
  fn: WithEtag<FcFunction>;
  triggers: FcTrigger[];
  /** Versions made by faasport for this function, with their labels and hashes. */
  versions: Array<FcVersion & { label: string; hash: string }>;
  /** The main alias, when it exists. */
  mainAlias?: FcAlias;
  /** Tag aliases made by faasport for this function, by tag. */
  tagAliases: Map<string, FcAlias>;
  provisionTarget: number;
  /** Custom domains routed to this function. */
  domains: FcDomain[];
}

async function holds(client: FcApiClient, service: string, name: string): Promise<boolean> {
  return (await readOrUndefined(() => client.getFunction(service, name))) !== undefined;
}

/**
 * Finds the service a function lives in: the service of its own name (made by faasport or not), else
 * a faasport service group that holds it. With `anyService`, every service of the account is searched,
 * to export functions that were not deployed by faasport.
 */
export async function findService(
  client: FcApiClient,
  name: string,
  options: { anyService?: boolean } = {},
): Promise<WithEtag<FcService> | undefined> {
  if (await holds(client, name, name)) return client.getService(name);
  for (const svc of await client.listServices()) {
    if (svc.serviceName === name) continue;
    if (!options.anyService && svc.description !== markers.service(name, false)) continue;
    if (await holds(client, svc.serviceName, name)) return client.getService(svc.serviceName);
  }
  return undefined;
}

/** What invoke() needs: where the function is, its triggers, and (on demand) its aliases and versions. */
export interface FcInvokeTarget {
  names: FcNames;
  triggers: FcTrigger[];
}

/**
 * Finds a function for an invocation with as few calls as possible: the function in its own service
 * first (one call), then faasport service groups.
 */
export async function findInvokeTarget(
  client: FcApiClient,
  name: string,
): Promise<FcInvokeTarget | undefined> {
  let service: string | undefined;
  try {
    await client.getFunction(name, name);
    service = name;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    service = (await findService(client, name))?.serviceName;
  }
  if (!service) return undefined;
  return { names: namesFor(name, service), triggers: await client.listTriggers(service, name) };
}

/** Reads a function's FC objects; `undefined` when it does not exist. */
export async function readState(
  client: FcApiClient,
  name: string,
  options: { domains?: boolean; anyService?: boolean } = {},
): Promise<FcLiveState | undefined> {
  const service = await findService(client, name, { anyService: options.anyService });
  if (!service) return undefined;
  const names = namesFor(name, service.serviceName);
  let fn: WithEtag<FcFunction> | undefined = await readOrUndefined(() =>
    client.getFunction(names.service, name),
  );
  if (!fn) return undefined;
  // Secret values never leave read(): they are kept as hashes, which plan() compares.
  if (fn.environmentVariables) {
    fn = {
      ...fn,
      environmentVariables: maskSecrets(
        fn.environmentVariables,
        (fn.environmentVariables[envKeys.secrets] ?? '').split(',').filter(Boolean),
      ),
    };
  }
  const [triggers, versions, aliases] = await Promise.all([
    client.listTriggers(names.service, name),
    client.listVersions(names.service),
    client.listAliases(names.service),
  ]);
  const ours = versions.flatMap((v) => {
    const m = markers.parseVersion(v.description);
    return m && m.fn === name ? [{ ...v, label: m.label, hash: m.hash }] : [];
  });
  const tagAliases = new Map<string, FcAlias>();
  let mainAlias: FcAlias | undefined;
  for (const a of aliases) {
    const m = markers.parseAlias(a.description);
    if (!m || m.fn !== name) continue;
    if (m.main) mainAlias = a;
    else if (m.tag) tagAliases.set(m.tag, a);
  }
  const provisionTarget = mainAlias
    ? ((await readOrUndefined(() => client.getProvisionTarget(names.service, name, mainAlias.aliasName))) ??
      0)
    : 0;
  const domains =
    options.domains === false
      ? []
      : (await client.listCustomDomains()).filter((d) =>
          (d.routeConfig?.routes ?? []).some(
            (r) => r.serviceName === names.service && r.functionName === name,
          ),
        );
  return { names, service, fn, triggers, versions: ours, mainAlias, tagAliases, provisionTarget, domains };
}

/** An alias as FC 2.0 and FC 3.0 return it (the fields traffic is read from). */
export interface FcAliasView {
  versionId: string;
  description?: string;
  additionalVersionWeight?: Record<string, number> | null;
}

/** What the traffic of a function is read from, on FC 2.0 and FC 3.0 alike. */
export interface FcTrafficState {
  /** Versions faasport published for the function, with their labels. */
  versions: ReadonlyArray<{ versionId: string; label: string }>;
  mainAlias?: FcAliasView;
  tagAliases: ReadonlyMap<string, FcAliasView>;
}

/** The label of an FC version id: faasport's label, or `version-<id>` for versions made outside faasport. */
export function labelOfVersion(state: Pick<FcTrafficState, 'versions'>, versionId: string): string {
  return state.versions.find((v) => v.versionId === versionId)?.label ?? `version-${versionId}`;
}

/** The newest FC version id carrying a label. */
export function versionIdOfLabel(state: Pick<FcTrafficState, 'versions'>, label: string): string | undefined {
  const matches = state.versions
    .filter((v) => v.label === label)
    .sort((a, b) => Number(b.versionId) - Number(a.versionId));
  if (matches[0]) return matches[0].versionId;
  const m = /^version-(\d+)$/.exec(label);
  return m ? m[1] : undefined;
}

/** The traffic of the main alias plus the tag aliases, in neutral terms (percents). */
export function trafficOf(state: FcTrafficState): ResolvedTrafficEntry[] {
  const out: ResolvedTrafficEntry[] = [];
  const main = state.mainAlias;
  if (main) {
    const extra = Object.entries(main.additionalVersionWeight ?? {}).filter(([, w]) => w > 0);
    const extraPercent = extra.reduce((sum, [, w]) => sum + Math.round(w * 100), 0);
    out.push({ revision: labelOfVersion(state, main.versionId), percent: 100 - extraPercent });
    for (const [id, w] of extra)
      out.push({ revision: labelOfVersion(state, id), percent: Math.round(w * 100) });
  }
  for (const [tag, alias] of [...state.tagAliases].sort(([a], [b]) => a.localeCompare(b))) {
    const revision = labelOfVersion(state, alias.versionId);
    // A tag written on a weighted entry rides on that entry; otherwise it is a 0% entry of its own.
    const weighted = markers.parseAlias(alias.description)?.weighted ?? false;
    const carrier = weighted
      ? out.find((e) => e.revision === revision && !e.tag && e.percent > 0)
      : undefined;
    if (carrier) carrier.tag = tag;
    else out.push({ revision, percent: 0, tag });
  }
  return out;
}

/** The function's own environment: FC's variables minus faasport's settings and the secrets. */
export function userEnvOf(fn: { environmentVariables?: Record<string, string> | null }): {
  env: Record<string, string>;
  secretNames: string[];
  settings: Record<string, string>;
} {
  const all = fn.environmentVariables ?? {};
  const secretNames = (all[envKeys.secrets] ?? '').split(',').filter(Boolean);
  const env: Record<string, string> = {};
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith('FAASPORT_')) settings[k] = v;
    else if (!secretNames.includes(k)) env[k] = v;
  }
  return { env, secretNames, settings };
}

/** Builds the neutral {@link LiveFunction} of a read state. */
export function toLiveFunction(state: FcLiveState, endpoint: string, target: string): LiveFunction {
  const { names, fn } = state;
  const revisions: LiveRevision[] = state.versions.map((v) => ({
    label: v.label,
    id: v.versionId,
    revisionHash: v.hash,
    ready: true,
    ...(v.createdTime ? { createdAt: v.createdTime } : {}),
  }));
  const hasHttp = state.triggers.some((t) => t.triggerType === 'http');
  const proxy = (qualifier: string) =>
    `${endpoint}/2016-08-15/proxy/${names.service}.${qualifier}/${names.fn}/`;
  const { env, settings } = userEnvOf(fn);
  const marker = markers.parseFn(fn.description);
  const contract =
    settings[envKeys.contract] === 'web' || settings[envKeys.contract] === 'event'
      ? settings[envKeys.contract]
      : 'native';
  const tagUrls: Record<string, string> = {};
  if (hasHttp) for (const [tag, alias] of state.tagAliases) tagUrls[tag] = proxy(alias.aliasName);
  return {
    name: names.fn,
    target,
    ...(marker.spec ? { specHash: marker.spec } : {}),
    revisions,
    traffic: trafficOf(state),
    ...(hasHttp && state.mainAlias ? { url: proxy(state.mainAlias.aliasName) } : {}),
    ...(Object.keys(tagUrls).length ? { tagUrls } : {}),
    config: {
      ...(fn.runtime === 'custom-container' ? {} : { runtime: neutralRuntimeOf(fn.runtime).runtime }),
      ...(contract === 'native'
        ? fn.runtime === 'custom-container'
          ? {}
          : { handler: fn.handler }
        : { handler: settings[envKeys.handler] }),
      // A container serves whatever contract its image's entry does: FC's config does not say which.
      ...(fn.runtime === 'custom-container' && contract === 'native'
        ? {}
        : { contract: contract as 'web' | 'event' | 'native' }),
      env,
      resources: { memory: fn.memorySize ?? 128, timeout: fn.timeout ?? 60 },
    },
    raw: state,
  };
}
