import type { FieldChange } from '../adapter/plan';
import { canonicalJson } from '../deploy/hash';

/** How {@link fieldChanges} compares two records. @public */
export interface FieldChangesOptions {
  /** Put before each key in a change's path, e.g. `function.` or `env.`. */
  prefix?: string;
  /** The keys to compare, in this order (default: every key of either record, sorted). */
  keys?: readonly string[];
  /** Keys whose values are never shown (secrets): their changes carry only the path. */
  masked?: ReadonlySet<string> | readonly string[];
  /**
   * Whether two values are the same (default: equal as canonical JSON, `undefined` as `null`, so key
   * order and absent-versus-null are not changes).
   */
  equal?: (live: unknown, desired: unknown, key: string) => boolean;
}

const sameJson = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/**
 * The fields that differ between a live and a desired record, as plan `changes`: `{ path, from, to }`
 * with `from` the live value. A plan that must show nothing when nothing changed compares with this, so
 * key order and `null`/absent never make a step.
 *
 * @example
 * ```ts
 * fieldChanges({ memorySize: 128, env: { A: '1' } }, { memorySize: 256, env: { A: '1' } }, { prefix: 'function.' });
 * // [{ path: 'function.memorySize', from: 128, to: 256 }]
 * ```
 * @public
 */
export function fieldChanges(
  live: Readonly<Record<string, unknown>>,
  desired: Readonly<Record<string, unknown>>,
  options: FieldChangesOptions = {},
): FieldChange[] {
  const { prefix = '', equal = sameJson } = options;
  const masked = new Set(options.masked ?? []);
  const keys = options.keys ?? [...new Set([...Object.keys(live), ...Object.keys(desired)])].sort();
  const out: FieldChange[] = [];
  for (const key of keys) {
    if (equal(live[key], desired[key], key)) continue;
    const path = `${prefix}${key}`;
    out.push(masked.has(key) ? { path } : { path, from: live[key], to: desired[key] });
  }
  return out;
}
