import type { Artifact } from '../adapter';
import type { ResolvedFunction, ResolvedTrafficEntry } from '../model';
import { sha256 } from './package';

/** JSON with keys sorted at every level, so equal values always serialise the same. @public */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * The hash of everything that makes a revision (immutable on every platform): code, runtime, handler,
 * contract, env, secret values (hashed, never stored), resources and per-instance concurrency.
 *
 * @public
 */
export function revisionHashOf(
  fn: ResolvedFunction,
  artifact: Artifact,
  secretValues: Record<string, string>,
): string {
  const image = fn.source.kind === 'image' ? fn.source : undefined;
  return sha256(
    canonicalJson({
      code: artifact.codeHash,
      image,
      runtime: fn.runtime,
      handler: fn.handler,
      contract: fn.contract,
      initializer: fn.initializer,
      env: fn.env,
      secrets: sha256(canonicalJson(secretValues)),
      resources: fn.resources,
      concurrency: fn.scaling.concurrency,
      providers: fn.providers,
    }),
  );
}

/** The hash of the whole desired state: the revision plus what is not part of it. @public */
export function specHashOf(
  fn: ResolvedFunction,
  revisionHash: string,
  traffic: ResolvedTrafficEntry[],
): string {
  return sha256(
    canonicalJson({
      revision: revisionHash,
      triggers: fn.triggers,
      scaling: fn.scaling,
      traffic: normalizeTraffic(traffic),
      domains: fn.domains,
      visibility: fn.visibility,
    }),
  );
}

/** Traffic sorted by revision, then tag, with 0% untagged entries dropped, for comparison. @public */
export function normalizeTraffic(traffic: readonly ResolvedTrafficEntry[]): ResolvedTrafficEntry[] {
  return traffic
    .filter((t) => t.percent > 0 || t.tag)
    .map((t) => ({ revision: t.revision, percent: t.percent, ...(t.tag ? { tag: t.tag } : {}) }))
    .sort((a, b) => (a.revision + (a.tag ?? '')).localeCompare(b.revision + (b.tag ?? '')));
}

/** True when two traffic splits route the same. @public */
export function sameTraffic(a: readonly ResolvedTrafficEntry[], b: readonly ResolvedTrafficEntry[]): boolean {
  return canonicalJson(normalizeTraffic(a)) === canonicalJson(normalizeTraffic(b));
}
