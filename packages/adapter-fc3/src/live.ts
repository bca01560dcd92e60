import { envKeys, markers, trafficOf, userEnvOf } from '@faasport/adapter-fc';
import type { LiveFunction, LiveRevision } from '@faasport/core';
import type { Fc3Alias, Fc3ApiClient, Fc3Function, Fc3Trigger } from './client';
import { neutralRuntimeOf } from './limits';
import { mainAlias } from './mapping';

/** A version faasport published, with the revision label and hash of its description marker. */
export interface Fc3LiveVersion {
  versionId: string;
  label: string;
  hash: string;
  createdTime?: string;
}

/** Everything read() found about one function. */
export interface Fc3LiveState {
  fn: Fc3Function;
  versions: Fc3LiveVersion[];
  mainAlias?: Fc3Alias;
  tagAliases: Map<string, Fc3Alias>;
  triggers: Fc3Trigger[];
  /** `minInstances` of the main alias's scaling config; undefined when it has none. */
  minInstances?: number;
  /** Provisioned instances of the main alias: earlier faasport versions kept `scaling.min` there. */
  provisionTarget: number;
  reservedConcurrency?: number;
}

/** Reads a function with its versions, aliases, triggers and scaling configs; undefined when it does not exist. */
export async function readState(client: Fc3ApiClient, name: string): Promise<Fc3LiveState | undefined> {
  const fn = await client.getFunction(name);
  if (!fn) return undefined;
  const [rawVersions, aliases, triggers, reservedConcurrency] = await Promise.all([
    client.listVersions(name),
    client.listAliases(name),
    client.listTriggers(name),
    client.getReservedConcurrency(name),
  ]);
  const versions = rawVersions.flatMap((v) => {
    const m = markers.parseVersion(v.description);
    return m && m.fn === name
      ? [
          {
            versionId: v.versionId,
            label: m.label,
            hash: m.hash,
            ...(v.createdTime ? { createdTime: v.createdTime } : {}),
          },
        ]
      : [];
  });
  let main: Fc3Alias | undefined;
  const tagAliases = new Map<string, Fc3Alias>();
  for (const a of aliases) {
    const m = markers.parseAlias(a.description);
    if (!m || m.fn !== name) continue;
    if (m.main) main = a;
    else if (m.tag) tagAliases.set(m.tag, a);
  }
  const [scaling, provisionTarget] = main
    ? await Promise.all([
        client.getScalingConfig(name, main.aliasName),
        client.getProvisionTarget(name, main.aliasName),
      ])
    : [undefined, 0];
  return {
    fn,
    versions,
    ...(main ? { mainAlias: main } : {}),
    tagAliases,
    triggers,
    ...(scaling ? { minInstances: scaling.minInstances ?? 0 } : {}),
    provisionTarget,
    ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
  };
}

/** The HTTP trigger of the function, if any. */
export function httpTriggerOf(state: { triggers: Fc3Trigger[] }): Fc3Trigger | undefined {
  return state.triggers.find((t) => t.triggerType === 'http');
}

/** The contract faasport's settings name (`FAASPORT_CONTRACT`), else native. */
export function contractOf(settings: Record<string, string>): 'web' | 'event' | 'native' {
  const c = settings[envKeys.contract];
  return c === 'web' || c === 'event' ? c : 'native';
}

/** Builds the neutral {@link LiveFunction} of a read state. */
export function toLiveFunction(state: Fc3LiveState, target: string): LiveFunction {
  const { fn } = state;
  const revisions: LiveRevision[] = state.versions.map((v) => ({
    label: v.label,
    id: v.versionId,
    revisionHash: v.hash,
    ready: true,
    ...(v.createdTime ? { createdAt: v.createdTime } : {}),
  }));
  const { env, settings } = userEnvOf(fn);
  const marker = markers.parseFn(fn.description);
  const contract = contractOf(settings);
  const http = httpTriggerOf(state);
  const url = http?.qualifier === mainAlias ? http.httpTrigger?.urlInternet : undefined;
  const image = fn.runtime === 'custom-container';
  return {
    name: fn.functionName,
    target,
    ...(marker.spec ? { specHash: marker.spec } : {}),
    revisions,
    traffic: trafficOf(state),
    ...(url ? { url } : {}),
    config: {
      ...(image ? {} : { runtime: neutralRuntimeOf(fn.runtime ?? '').runtime }),
      ...(contract === 'native'
        ? image
          ? {}
          : { handler: fn.handler }
        : { handler: settings[envKeys.handler] }),
      // A container serves whatever contract its image's entry does: FC's config does not say which.
      ...(image && contract === 'native' ? {} : { contract }),
      env,
      resources: { memory: fn.memorySize ?? 128, timeout: fn.timeout ?? 3 },
    },
    raw: state,
  };
}
