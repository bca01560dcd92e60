import type { Adapter, AdapterContext, LiveFunction } from '../adapter';
import { NotFoundError, ValidationError } from '../errors';
import type { ResolvedTrafficEntry, TrafficEntryConfig } from '../model';
import { toIssues } from '../model/resolve';
import { trafficSchema } from '../model/schema';
import { sameTraffic } from './hash';
import { contextFor, type EngineOptions } from './options';

/** The live function, or {@link NotFoundError}. @internal */
export async function readExisting(
  adapter: Adapter,
  name: string,
  ctx: AdapterContext,
): Promise<LiveFunction> {
  const live = await adapter.read(name, ctx);
  if (!live) throw new NotFoundError({ functionName: name, target: adapter.name, adapter: adapter.name });
  return live;
}

/**
 * Validates and sets a traffic split on a deployed function. `latest` means its newest revision.
 * Checks that every revision exists and that the target can route to that many, before any write.
 *
 * @returns the traffic as set.
 * @public
 */
export async function setTraffic(
  adapter: Adapter,
  name: string,
  traffic: TrafficEntryConfig[],
  options: EngineOptions = {},
): Promise<ResolvedTrafficEntry[]> {
  const ctx = contextFor(options);
  const parsed = trafficSchema.safeParse(traffic, { reportInput: true });
  if (!parsed.success)
    throw new ValidationError(toIssues(parsed.error, 'traffic'), { subject: `traffic of "${name}"` });
  const live = await readExisting(adapter, name, ctx);
  const newest = newestRevision(live);
  const resolved = parsed.data.map((t) => ({
    revision: t.revision === 'latest' ? newest : t.revision,
    percent: t.percent,
    ...(t.tag ? { tag: t.tag } : {}),
  }));
  const known = new Set(live.revisions.map((r) => r.label));
  const unknown = resolved.filter((t) => !known.has(t.revision));
  if (unknown.length) {
    throw new ValidationError(
      unknown.map((t) => ({
        path: 'traffic',
        message: `revision ${JSON.stringify(t.revision)} does not exist (known: ${[...known].join(', ')})`,
        rule: 'revision-exists',
      })),
      { subject: `traffic of "${name}"` },
    );
  }
  const limit = adapter.capabilities.limits.trafficTargets;
  const targets = new Set(resolved.filter((t) => t.percent > 0).map((t) => t.revision)).size;
  if (limit !== undefined && targets > limit) {
    throw new ValidationError(
      [
        {
          path: 'traffic',
          message: `splits traffic over ${targets} revisions; target "${adapter.name}" routes to at most ${limit} at once`,
          rule: 'traffic-targets',
        },
      ],
      { subject: `traffic of "${name}"` },
    );
  }
  if (!sameTraffic(live.traffic, resolved)) {
    await adapter.setTraffic(name, resolved, ctx);
    ctx.emit({ type: 'traffic', functionName: name, traffic: resolved });
  }
  return resolved;
}

/** The label of a function's newest revision. @internal */
export function newestRevision(live: LiveFunction): string {
  const sorted = [...live.revisions].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
  const last = sorted[sorted.length - 1];
  if (!last)
    throw new ValidationError([
      { path: 'traffic', message: `function "${live.name}" has no revisions`, rule: 'revision-exists' },
    ]);
  return last.label;
}
