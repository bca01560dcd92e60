import { markers, versionIdOfLabel } from '@faasport/adapter-fc';
import {
  NotFoundError,
  type ResolvedTrafficEntry,
  UnsupportedFeatureError,
  ValidationError,
} from '@faasport/core';
import type { Fc3ApiClient } from './client';
import type { Fc3LiveState } from './live';
import { mainAlias, tagAlias } from './mapping';

/**
 * The main alias for a split: the revision with the largest share is the alias's version, the other
 * (FC 3.0 allows one: CreateAliasInput.additionalVersionWeight) gets its share as a fraction. Throws
 * before any write when the split cannot be expressed.
 */
export function mainAliasOf(
  state: Fc3LiveState,
  traffic: readonly ResolvedTrafficEntry[],
  target: string,
): { versionId: string; weights: Record<string, number> } {
  const percents = new Map<string, number>();
  for (const t of traffic)
    if (t.percent > 0) percents.set(t.revision, (percents.get(t.revision) ?? 0) + t.percent);
  if (percents.size > 2)
    throw new UnsupportedFeatureError(
      {
        feature: 'traffic.split',
        target,
        functionName: state.fn.functionName,
        reason: `an FC 3.0 alias routes to at most 2 versions (its version plus one additionalVersionWeight), and the split names ${percents.size}: ${[...percents].map(([r, p]) => `${r} ${p}%`).join(', ')}`,
        instead:
          'Give traffic to at most 2 revisions (tags at 0% are fine), or deploy to a target without this limit (knative, local).',
      },
      { adapter: 'fc3' },
    );
  const missing = [...new Set([...percents.keys(), ...traffic.map((t) => t.revision)])].filter(
    (label) => !versionIdOfLabel(state, label),
  );
  if (missing.length)
    throw new ValidationError(
      missing.map((label) => ({
        path: 'traffic',
        message: `revision ${JSON.stringify(label)} does not exist on FC (known: ${state.versions.map((v) => v.label).join(', ') || 'none'})`,
        rule: 'revision-exists',
      })),
      { subject: `traffic of "${state.fn.functionName}"`, adapter: 'fc3' },
    );
  const [main, extra] = [...percents].sort((a, b) => b[1] - a[1]) as [
    [string, number],
    [string, number] | undefined,
  ];
  const versionId = versionIdOfLabel(state, main[0])!;
  const weights: Record<string, number> = {};
  if (extra) {
    const extraId = versionIdOfLabel(state, extra[0])!;
    if (extraId !== versionId) weights[extraId] = extra[1] / 100;
  }
  return { versionId, weights };
}

const sameWeights = (a: Record<string, number> | undefined, b: Record<string, number>) =>
  JSON.stringify(
    Object.entries(a ?? {})
      .filter(([, w]) => w > 0)
      .sort(),
  ) === JSON.stringify(Object.entries(b).sort());

/** Makes the main alias and the tag aliases match the traffic: validates everything first, then writes. */
export async function applyTraffic(
  client: Fc3ApiClient,
  state: Fc3LiveState | undefined,
  name: string,
  traffic: readonly ResolvedTrafficEntry[],
  target: string,
): Promise<void> {
  if (!state) throw new NotFoundError({ functionName: name, target, adapter: 'fc3' });
  const main = mainAliasOf(state, traffic, target);
  const tags = new Map<string, { versionId: string; weighted: boolean }>();
  for (const t of traffic)
    if (t.tag) tags.set(t.tag, { versionId: versionIdOfLabel(state, t.revision)!, weighted: t.percent > 0 });
  if (!state.mainAlias)
    await client.createAlias(name, {
      aliasName: mainAlias,
      versionId: main.versionId,
      description: markers.mainAlias(name),
      additionalVersionWeight: main.weights,
    });
  else if (
    state.mainAlias.versionId !== main.versionId ||
    !sameWeights(state.mainAlias.additionalVersionWeight, main.weights)
  )
    await client.updateAlias(name, {
      aliasName: state.mainAlias.aliasName,
      versionId: main.versionId,
      description: markers.mainAlias(name),
      additionalVersionWeight: main.weights,
    });
  for (const [tag, { versionId, weighted }] of tags) {
    const current = state.tagAliases.get(tag);
    const description = markers.tagAlias(name, tag, weighted);
    if (!current) await client.createAlias(name, { aliasName: tagAlias(tag), versionId, description });
    else if (current.versionId !== versionId || current.description !== description)
      await client.updateAlias(name, { aliasName: current.aliasName, versionId, description });
  }
  for (const [tag, alias] of state.tagAliases)
    if (!tags.has(tag)) await client.deleteAlias(name, alias.aliasName);
}
