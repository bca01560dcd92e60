import { UnsupportedFeatureError, ValidationError } from '../errors';
import type { ResolvedTrafficEntry } from '../model';

/**
 * A split as platforms with weighted aliases take it (FC's `additionalVersionWeight`, FunctionGraph's
 * `additional_version_weights`, Lambda's `RoutingConfig`): the alias's version, and at most one other
 * with its weight in whole percents.
 *
 * @public
 */
export interface TwoVersionSplit {
  /** The revision label the alias points at: the one with the largest share. */
  main: string;
  /** The other revision and its share in percent (1-99), when traffic is split. */
  additional?: { label: string; weight: number };
}

/** Who asks, for the errors of {@link twoVersionSplit}. @public */
export interface TwoVersionSplitContext {
  /** The adapter, e.g. `fc`. */
  adapter: string;
  /** The target name shown in errors. */
  target: string;
  functionName: string;
  /** The platform's rule in its words, e.g. `FC routes an alias to at most 2 versions (...)`. */
  limit: string;
}

/**
 * Splits traffic into a main revision and at most one weighted other: shares of the same revision add
 * up, the largest share is the main one (the first written on a tie), 0 % entries (tags) do not count.
 *
 * @throws {@link UnsupportedFeatureError} (`traffic.split`) when traffic goes to 3 or more revisions,
 * naming each share; {@link ValidationError} when it goes to none. Both before any write.
 * @public
 */
export function twoVersionSplit(
  traffic: readonly ResolvedTrafficEntry[],
  context: TwoVersionSplitContext,
): TwoVersionSplit {
  const shares = new Map<string, number>();
  for (const t of traffic)
    if (t.percent > 0) shares.set(t.revision, (shares.get(t.revision) ?? 0) + t.percent);
  if (shares.size > 2) {
    throw new UnsupportedFeatureError(
      {
        feature: 'traffic.split',
        target: context.target,
        functionName: context.functionName,
        reason: `${context.limit}, and the split names ${shares.size}: ${[...shares].map(([r, p]) => `${r} ${p}%`).join(', ')}`,
        instead:
          'Give traffic to at most 2 revisions (tags at 0% are fine), or deploy to a target without this limit (knative, local).',
      },
      { adapter: context.adapter },
    );
  }
  const [main, other] = [...shares].sort((a, b) => b[1] - a[1]);
  if (!main) {
    throw new ValidationError(
      [
        {
          path: 'traffic',
          message: 'routes traffic to no revision (every percent is 0)',
          rule: 'traffic-targets',
        },
      ],
      { subject: `traffic of "${context.functionName}"`, adapter: context.adapter },
    );
  }
  return { main: main[0], ...(other ? { additional: { label: other[0], weight: other[1] } } : {}) };
}
