import type { FieldChange } from '@faasport/core';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields faasport computes and stores for itself: not shown as changes. */
const bookkeeping =
  /^metadata\.annotations\.faasport\.dev\/(object|spec|revision|template)-hash$|\.annotations\.faasport\.dev\/(revision|template)-hash$/;

/**
 * The fields of `desired` whose values differ from `live`, as dotted paths (`spec.template.spec.containers[0].env[1].value`).
 * Only paths present in `desired` are compared, so the defaults a cluster adds never show as changes.
 */
export function fieldChanges(desired: unknown, live: unknown, limit = 30): FieldChange[] {
  const out: FieldChange[] = [];
  const walk = (d: unknown, l: unknown, path: string) => {
    if (out.length >= limit) return;
    if (Array.isArray(d)) {
      if (!Array.isArray(l)) out.push({ path, from: l, to: d });
      else {
        for (const [i, item] of d.entries()) walk(item, l[i], `${path}[${i}]`);
        if (l.length > d.length) out.push({ path, from: `${l.length} items`, to: `${d.length} items` });
      }
      return;
    }
    if (isObject(d)) {
      for (const [key, value] of Object.entries(d))
        walk(value, isObject(l) ? l[key] : undefined, path ? `${path}.${key}` : key);
      return;
    }
    if (d !== l && !bookkeeping.test(path))
      out.push({ path, ...(l === undefined ? {} : { from: l }), to: d });
  };
  walk(desired, live, '');
  return out;
}
