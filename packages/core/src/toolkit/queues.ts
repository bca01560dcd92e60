import { z } from 'zod';
import type { CheckIssue } from '../adapter/plan';
import { didYouMean } from '../model/did-you-mean';
import type { ResolvedFunction } from '../model/resolved';

/**
 * A strict object whose unknown keys are errors with a "did you mean" among the allowed keys, as
 * the model's own objects are: for adapters' option schemas.
 *
 * @public
 */
export function strictWithHints<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const near = didYouMean(key, allowed);
          return `unknown key "${key}"${near ? `; did you mean "${near}"?` : ''} (allowed: ${allowed.join(', ')})`;
        })
        .join('; ');
    },
  });
}

/** A topic name as a key of `targets.<t>.queues`: the same rule as the model's `queue.topic`. */
const topicKey = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, {
  error: (i) =>
    `${JSON.stringify(i.input)} is not a topic name (letters, digits, ".", "_" and "-"; at most 249)`,
});

/**
 * The schema of a target's `queues` option: each topic a function's queue trigger reads, bound to
 * where it lives on that platform (`binding`, the adapter's own strict schema).
 *
 * @public
 */
export function queueBindingsSchema<T extends z.ZodType>(binding: T) {
  return z.record(topicKey, binding);
}

/**
 * Plan-time issues for queue triggers whose topic the target does not bind: each names the missing
 * key `targets.<target>.queues.<topic>`, and a bound topic it may be a typo of.
 *
 * @param example - a binding to show in the hint, e.g. `{ kafka: { bootstrapServers: [...] } }`.
 * @public
 */
export function queueBindingIssues(
  fn: ResolvedFunction,
  bindings: Readonly<Record<string, unknown>> | undefined,
  where: { adapter: string; target?: string; example: string },
): CheckIssue[] {
  const bound = Object.keys(bindings ?? {});
  const target = where.target ?? where.adapter;
  const issues: CheckIssue[] = [];
  fn.triggers.forEach((trigger, index) => {
    if (trigger.kind !== 'queue' || bindings?.[trigger.topic] !== undefined) return;
    const key = `targets.${target}.queues.${trigger.topic}`;
    const near = didYouMean(trigger.topic, bound);
    issues.push({
      severity: 'error',
      // Not a missing feature: a missing setting of the target (a ValidationError naming the key).
      feature: 'queues',
      path: `triggers[${index}].queue.topic`,
      message: `queue trigger "${trigger.name}" reads topic "${trigger.topic}", which target "${target}" (${where.adapter}) does not bind: ${key} is missing${near ? `; did you mean "${near}" (bound)?` : ''}`,
      hint: `Add ${key}: ${where.example}.`,
    });
  });
  return issues;
}
