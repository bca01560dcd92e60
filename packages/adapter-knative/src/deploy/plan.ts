/**
 * Planning: which objects differ from the live ones (by their stored object hash), and which objects
 * faasport made before are no longer wanted.
 */
import type { DesiredState, Step } from '@faasport/core';
import { fieldChanges } from './diff';
import type { LiveRaw } from './live';
import type { KubeObject, RenderedObject } from './render';

/** ConfigMaps and Secrets a revision's pod spec reads (volumes and env references). */
function referencedNames(spec: Record<string, any> | undefined): string[] {
  const names: string[] = [];
  for (const volume of spec?.volumes ?? []) {
    if (volume.configMap?.name) names.push(volume.configMap.name);
    if (volume.secret?.secretName) names.push(volume.secret.secretName);
  }
  for (const container of spec?.containers ?? []) {
    for (const env of container.env ?? []) {
      const ref = env.valueFrom?.secretKeyRef ?? env.valueFrom?.configMapKeyRef;
      if (ref?.name) names.push(ref.name);
    }
  }
  return names;
}

/** The live object a rendered one updates. */
function liveObject(raw: LiveRaw | undefined, o: RenderedObject): KubeObject | undefined {
  if (!raw) return undefined;
  if (o.id === 'service') return raw.objects.service;
  const pool = [
    ...raw.objects.pingSources,
    ...raw.objects.triggers,
    ...raw.objects.kafkaSources,
    ...raw.objects.domainMappings,
  ];
  return pool.find((x) => x.kind === o.object.kind && x.metadata.name === o.object.metadata.name);
}

/** A plan step writing one rendered object. */
function stepFor(o: RenderedObject, action: Step['action'], live?: KubeObject): Step {
  const { object } = o;
  const what = `${object.kind} ${object.metadata.name}`;
  const summaries: Record<string, string> = {
    secret: `${action} Secret ${object.metadata.name} (${Object.keys(object.stringData ?? {}).length} values)`,
    configmap: `${action} ConfigMap ${object.metadata.name} with the code`,
    service: `${action} Knative Service ${object.metadata.name} (revision ${object.spec?.template?.metadata?.name})`,
  };
  return {
    id: o.id,
    action,
    resource: what,
    summary: summaries[o.id] ?? `${action} ${what}`,
    phase: o.phase,
    changes:
      action === 'update' && live
        ? fieldChanges(
            {
              metadata: { labels: object.metadata.labels, annotations: object.metadata.annotations },
              spec: object.spec,
            },
            live,
          )
        : [{ path: `${object.kind} ${object.metadata.name}`, to: 'created' }],
    data: { object },
  };
}

/** The steps that make the live objects match the rendered ones; none when nothing differs. */
export function planSteps(
  desired: DesiredState,
  objects: RenderedObject[],
  raw: LiveRaw | undefined,
): Step[] {
  const steps: Step[] = [];
  for (const o of objects) {
    if (o.id === 'configmap' || o.id === 'secret') {
      const existing = o.id === 'configmap' ? raw?.configMapNames : raw?.secretNames;
      if (!existing?.includes(o.object.metadata.name)) steps.push(stepFor(o, 'create'));
      continue;
    }
    if (o.shared) {
      if (!raw?.brokers.includes(o.object.metadata.name)) steps.push(stepFor(o, 'create'));
      continue;
    }
    const liveHash = raw?.hashes[o.id];
    if (liveHash === undefined) steps.push(stepFor(o, 'create'));
    else if (liveHash !== o.hash) steps.push(stepFor(o, 'update', liveObject(raw, o)));
  }
  if (raw) {
    const wanted = new Set(objects.map((o) => o.id));
    const owned: Array<[string, KubeObject]> = [
      ...raw.objects.pingSources.map((o): [string, KubeObject] => [
        `ping:${o.metadata.name.slice(desired.fn.name.length + 1)}`,
        o,
      ]),
      ...raw.objects.triggers.map((o): [string, KubeObject] => [
        `trigger:${o.metadata.name.slice(desired.fn.name.length + 1)}`,
        o,
      ]),
      ...raw.objects.kafkaSources.map((o): [string, KubeObject] => [
        `kafka:${o.metadata.name.slice(desired.fn.name.length + 1)}`,
        o,
      ]),
      ...raw.objects.domainMappings.map((o): [string, KubeObject] => [`domain:${o.metadata.name}`, o]),
    ];
    // Code and secret objects no revision uses any more (Knative garbage-collected the revisions).
    const used = new Set(
      objects.filter((o) => o.id === 'configmap' || o.id === 'secret').map((o) => o.object.metadata.name),
    );
    for (const revision of raw.objects.revisions)
      for (const name of referencedNames(revision.spec)) used.add(name);
    for (const object of [...raw.objects.configMaps, ...raw.objects.secrets]) {
      if (used.has(object.metadata.name)) continue;
      owned.push([`unused:${object.kind}:${object.metadata.name}`, object]);
    }
    for (const [id, object] of owned) {
      if (wanted.has(id)) continue;
      steps.push({
        id: `delete:${id}`,
        action: 'delete',
        resource: `${object.kind} ${object.metadata.name}`,
        summary: `delete ${object.kind} ${object.metadata.name}`,
        phase: 'finalize',
        changes: [{ path: id, from: 'exists' }],
        data: {
          object: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            metadata: { name: object.metadata.name },
          },
        },
      });
    }
  }
  return steps;
}
