/**
 * Reading a deployed function back: the Service, its Revisions and the objects faasport made for it,
 * normalised to the neutral {@link LiveFunction} (revision labels, traffic by label, URLs, hashes).
 */
import type { LiveFunction, LiveRevision, ResolvedTrafficEntry } from '@faasport/core';
import type { KubeClient } from './client';
import { keys, REVISION_TAG_PREFIX } from './constants';
import type { KubeObject } from './render';

/** Everything read about one function. */
export interface LiveObjects {
  service: KubeObject;
  revisions: KubeObject[];
  pingSources: KubeObject[];
  triggers: KubeObject[];
  /** KafkaSources of queue triggers (none read when the cluster has no Kafka source). */
  kafkaSources: KubeObject[];
  domainMappings: KubeObject[];
  configMaps: KubeObject[];
  secrets: KubeObject[];
}

/** What `plan` needs beyond the neutral view, kept in `LiveFunction.raw`. */
export interface LiveRaw {
  objects: LiveObjects;
  /** Object hashes by step id (`service`, `ping:schedule`, ...). */
  hashes: Record<string, string>;
  /** Names of the code ConfigMaps and Secrets that exist. */
  configMapNames: string[];
  secretNames: string[];
  brokers: string[];
  /** Live revisions for naming, oldest first. */
  revisions: Array<{ name: string; label: string; templateHash?: string }>;
  /** The live traffic, pinned to revision names. */
  pinnedTraffic: Array<Record<string, unknown>>;
}

/** Reads the Service and everything faasport made for it; `undefined` when the Service does not exist. */
export async function readObjects(client: KubeClient, name: string): Promise<LiveObjects | undefined> {
  const service = await client.get('service', name);
  if (!service) return undefined;
  const mine = `${keys.function}=${name}`;
  const [revisions, pingSources, triggers, kafkaSources, domainMappings, configMaps, secrets] =
    await Promise.all([
      client.list('revision', `serving.knative.dev/service=${name}`),
      client.list('pingSource', mine),
      client.list('trigger', mine),
      client.serves('kafkaSource').then((served) => (served ? client.list('kafkaSource', mine) : [])),
      client.list('domainMapping', mine),
      client.list('configMap', mine),
      client.list('secret', mine),
    ]);
  const generation = (r: KubeObject) =>
    Number(r.metadata.labels?.['serving.knative.dev/configurationGeneration'] ?? 0);
  revisions.sort(
    (a, b) =>
      generation(a) - generation(b) ||
      String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)),
  );
  return { service, revisions, pingSources, triggers, kafkaSources, domainMappings, configMaps, secrets };
}

/** The faasport label of a revision: its `faasport.dev/revision` label, else the name after `<fn>-`. */
export function labelOf(
  fnName: string,
  revision: KubeObject | { name: string; labels?: Record<string, string> },
): string {
  const meta = 'metadata' in revision ? revision.metadata : revision;
  const label = meta.labels?.[keys.revision];
  if (label) return label;
  return meta.name.startsWith(`${fnName}-`) ? meta.name.slice(fnName.length + 1) : meta.name;
}

const conditionOf = (obj: KubeObject, type: string) =>
  (
    (obj.status?.conditions ?? []) as Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
    }>
  ).find((c) => c.type === type);

/** The traffic the Service routes now, pinned to revision names (`latestRevision` resolved). */
export function pinnedTraffic(service: KubeObject): Array<Record<string, unknown>> {
  const status = service.status ?? {};
  const current = status.observedGeneration === service.metadata.generation && Array.isArray(status.traffic);
  const entries = (current ? status.traffic : (service.spec?.traffic ?? [])) as Array<
    Record<string, unknown>
  >;
  const latest =
    (status.latestReadyRevisionName as string | undefined) ??
    (service.spec?.template?.metadata?.name as string | undefined);
  return entries.map((e) => ({
    revisionName: e.latestRevision === true && !current ? latest : e.revisionName,
    percent: Number(e.percent ?? 0),
    ...(e.tag ? { tag: e.tag } : {}),
  }));
}

/** Normalises what was read to the neutral live function. */
export function toLiveFunction(name: string, objects: LiveObjects): LiveFunction {
  const { service } = objects;
  const byName = new Map(objects.revisions.map((r) => [r.metadata.name, labelOf(name, r)]));
  const revisions: LiveRevision[] = objects.revisions.map((r) => {
    const ready = conditionOf(r, 'Ready');
    return {
      label: labelOf(name, r),
      id: r.metadata.name,
      ...(r.metadata.annotations?.[keys.revisionHash]
        ? { revisionHash: r.metadata.annotations[keys.revisionHash] }
        : {}),
      ready: ready?.status === 'True',
      ...(ready?.status === 'False'
        ? { reason: `${ready.reason ?? 'Failed'}: ${ready.message ?? ''}`.trim() }
        : {}),
      ...(r.metadata.creationTimestamp ? { createdAt: String(r.metadata.creationTimestamp) } : {}),
    };
  });
  const pinned = pinnedTraffic(service);
  const traffic: ResolvedTrafficEntry[] = [];
  const tagUrls: Record<string, string> = {};
  for (const entry of pinned) {
    const tag = entry.tag as string | undefined;
    if (tag?.startsWith(REVISION_TAG_PREFIX) && entry.percent === 0) continue;
    const revisionName = String(entry.revisionName ?? '');
    traffic.push({
      revision: byName.get(revisionName) ?? labelOf(name, { name: revisionName }),
      percent: Number(entry.percent),
      ...(tag ? { tag } : {}),
    });
  }
  for (const entry of (service.status?.traffic ?? []) as Array<{ tag?: string; url?: string }>) {
    if (entry.tag && entry.url && !entry.tag.startsWith(REVISION_TAG_PREFIX)) tagUrls[entry.tag] = entry.url;
  }
  const hashes: Record<string, string> = {};
  const hashOf = (o: KubeObject) => o.metadata.annotations?.[keys.objectHash] ?? 'unknown';
  hashes.service = hashOf(service);
  const suffix = (o: KubeObject) => o.metadata.name.slice(name.length + 1);
  for (const o of objects.pingSources) hashes[`ping:${suffix(o)}`] = hashOf(o);
  for (const o of objects.triggers) hashes[`trigger:${suffix(o)}`] = hashOf(o);
  for (const o of objects.kafkaSources) hashes[`kafka:${suffix(o)}`] = hashOf(o);
  for (const o of objects.domainMappings) hashes[`domain:${o.metadata.name}`] = hashOf(o);
  const raw: LiveRaw = {
    objects,
    hashes,
    configMapNames: objects.configMaps.map((o) => o.metadata.name),
    secretNames: objects.secrets.map((o) => o.metadata.name),
    brokers: String(service.metadata.annotations?.[keys.brokers] ?? '')
      .split(',')
      .filter(Boolean),
    revisions: objects.revisions.map((r) => ({
      name: r.metadata.name,
      label: labelOf(name, r),
      ...(r.metadata.annotations?.[keys.templateHash]
        ? { templateHash: r.metadata.annotations[keys.templateHash] }
        : {}),
    })),
    pinnedTraffic: pinned,
  };
  return {
    name,
    target: 'knative',
    ...(service.metadata.annotations?.[keys.specHash]
      ? { specHash: service.metadata.annotations[keys.specHash] }
      : {}),
    revisions,
    traffic,
    ...(service.status?.url ? { url: String(service.status.url) } : {}),
    ...(Object.keys(tagUrls).length ? { tagUrls } : {}),
    raw,
  };
}
