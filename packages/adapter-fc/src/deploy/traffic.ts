import { NotFoundError, type ResolvedTrafficEntry, ValidationError } from '@faasport/core';
import { twoVersionSplit } from '@faasport/core/toolkit';
import type { FcApiClient } from './client';
import { type FcLiveState, versionIdOfLabel } from './live';
import { markers } from './mapping';

/** FC's limit, in its words, for the split error. */
export const fcSplitLimit =
  'FC routes an alias to at most 2 versions (its version plus one additionalVersionWeight)';

/**
 * The main alias body for a split: the revision with the largest share is the alias's version, the
 * other (FC allows one) gets `additionalVersionWeight` as a fraction. Throws before any write when the
 * split cannot be expressed.
 */
export function mainAliasOf(
  state: FcLiveState,
  traffic: readonly ResolvedTrafficEntry[],
  target: string,
): { versionId: string; weights: Record<string, number> } {
  const split = twoVersionSplit(traffic, {
    adapter: 'fc',
    target,
    functionName: state.names.fn,
    limit: fcSplitLimit,
  });
  const missing = [
    split.main,
    ...(split.additional ? [split.additional.label] : []),
    ...traffic.map((t) => t.revision),
  ].filter((label) => !versionIdOfLabel(state, label));
  if (missing.length) {
    throw new ValidationError(
      [...new Set(missing)].map((label) => ({
        path: 'traffic',
        message: `revision ${JSON.stringify(label)} does not exist on FC (known: ${state.versions.map((v) => v.label).join(', ') || 'none'})`,
        rule: 'revision-exists',
      })),
      { subject: `traffic of "${state.names.fn}"`, adapter: 'fc' },
    );
  }
  const versionId = versionIdOfLabel(state, split.main)!;
  const weights: Record<string, number> = {};
  if (split.additional) {
    const extraId = versionIdOfLabel(state, split.additional.label)!;
    // Two labels on the same FC version route the same: nothing to weigh.
    if (extraId !== versionId) weights[extraId] = split.additional.weight / 100;
  }
  return { versionId, weights };
}

const sameWeights = (a: Record<string, number> | null | undefined, b: Record<string, number>) =>
  JSON.stringify(
    Object.entries(a ?? {})
      .filter(([, w]) => w > 0)
      .sort(),
  ) === JSON.stringify(Object.entries(b).sort());

/** Makes the main alias and the tag aliases match the traffic: validates everything first, then writes. */
export async function applyTraffic(
  client: FcApiClient,
  state: FcLiveState | undefined,
  name: string,
  traffic: readonly ResolvedTrafficEntry[],
  target: string,
): Promise<void> {
  if (!state) throw new NotFoundError({ functionName: name, target, adapter: 'fc' });
  const { names } = state;
  const main = mainAliasOf(state, traffic, target);
  const tags = new Map<string, { versionId: string; weighted: boolean }>();
  for (const t of traffic)
    if (t.tag) tags.set(t.tag, { versionId: versionIdOfLabel(state, t.revision)!, weighted: t.percent > 0 });

  const svc = names.service;
  if (!state.mainAlias) {
    await client.createAlias(svc, names.mainAlias, main.versionId, {
      description: markers.mainAlias(name),
      additionalVersionWeight: main.weights,
    });
  } else if (
    state.mainAlias.versionId !== main.versionId ||
    !sameWeights(state.mainAlias.additionalVersionWeight, main.weights)
  ) {
    await client.updateAlias(svc, state.mainAlias.aliasName, main.versionId, {
      additionalVersionWeight: main.weights,
    });
  }
  for (const [tag, { versionId, weighted }] of tags) {
    const current = state.tagAliases.get(tag);
    const description = markers.tagAlias(name, tag, weighted);
    if (!current) await client.createAlias(svc, names.tagAlias(tag), versionId, { description });
    else if (current.versionId !== versionId || current.description !== description) {
      await client.updateAlias(svc, current.aliasName, versionId, { description });
    }
  }
  for (const [tag, alias] of state.tagAliases)
    if (!tags.has(tag)) await client.deleteAlias(svc, alias.aliasName);
}
