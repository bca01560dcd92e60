/**
 * The three patch formats custom resources accept: JSON merge patch (RFC 7386), JSON patch
 * (RFC 6902) and server-side apply. Apply is emulated at the level a deployer sees (reference §8.6):
 * a manager's applied fields are merged over the live object, and fields that manager applied
 * before but no longer sends are removed. Lists are atomic (replaced whole), as `containers`,
 * `traffic` and `ports` are in Knative's CRDs; keyed-list merging (`env` by name) is not emulated.
 */
import { KubeApiError } from './status';

/** A JSON object. */
export type Json = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy of a JSON value. */
export const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** Deep equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else (lists included) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Json = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

const unescapeToken = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

function parent(doc: unknown, path: string): { container: unknown; key: string } {
  if (!path.startsWith('/')) throw new KubeApiError(422, 'Invalid', `invalid JSON pointer "${path}"`);
  const tokens = path.slice(1).split('/').map(unescapeToken);
  const key = tokens.pop()!;
  let container: unknown = doc;
  for (const token of tokens) {
    container = Array.isArray(container)
      ? container[Number(token)]
      : isObject(container)
        ? container[token]
        : undefined;
    if (container === undefined)
      throw new KubeApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: path ${path} not found`,
      );
  }
  return { container, key };
}

function getAt(doc: unknown, path: string): unknown {
  if (path === '') return doc;
  const { container, key } = parent(doc, path);
  return Array.isArray(container) ? container[Number(key)] : (container as Json)[key];
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test. A failed `test` is a 422. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw new KubeApiError(400, 'BadRequest', 'json patch body must be a list of operations');
  const doc = clone(target);
  for (const op of ops as Array<{ op: string; path: string; value?: unknown; from?: string }>) {
    const { container, key } = parent(doc, op.path);
    const set = (value: unknown) => {
      if (Array.isArray(container)) {
        if (key === '-') container.push(value);
        else container.splice(Number(key), op.op === 'replace' ? 1 : 0, value);
      } else (container as Json)[key] = value;
    };
    const remove = () => {
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete (container as Json)[key];
    };
    switch (op.op) {
      case 'add':
      case 'replace':
        set(clone(op.value));
        break;
      case 'remove':
        remove();
        break;
      case 'copy':
        set(clone(getAt(doc, op.from ?? '')));
        break;
      case 'move': {
        const value = clone(getAt(doc, op.from ?? ''));
        const from = parent(doc, op.from ?? '');
        if (Array.isArray(from.container)) from.container.splice(Number(from.key), 1);
        else delete (from.container as Json)[from.key];
        set(value);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, op.path), op.value)) {
          throw new KubeApiError(
            422,
            'Invalid',
            `the server rejected our request due to an error in our request: test failed at ${op.path}`,
          );
        }
        break;
      default:
        throw new KubeApiError(400, 'BadRequest', `unknown json patch operation "${op.op}"`);
    }
  }
  return doc;
}

/**
 * Server-side apply of `applied` by one manager over `live`, given what that manager applied last
 * time (`previous`). Fields present in `previous` but absent from `applied` are removed; the rest of
 * `applied` is merged in, lists replaced whole.
 */
export function serverSideApply(live: unknown, previous: unknown, applied: unknown): unknown {
  if (!isObject(applied)) return clone(applied);
  const out: Json = isObject(live) ? clone(live) : {};
  if (isObject(previous)) {
    for (const key of Object.keys(previous)) {
      if (key in applied) continue;
      // Only what this manager applied goes: other keys of a map it stops sending stay.
      if (isObject(previous[key]) && isObject(out[key])) {
        const rest = serverSideApply(out[key], previous[key], {}) as Json;
        if (Object.keys(rest).length) out[key] = rest;
        else delete out[key];
      } else delete out[key];
    }
  }
  for (const [key, value] of Object.entries(applied)) {
    if (value === null || value === undefined) {
      delete out[key];
      continue;
    }
    const prevValue = isObject(previous) ? previous[key] : undefined;
    out[key] = isObject(value) ? serverSideApply(out[key], prevValue, value) : clone(value);
  }
  return out;
}

/** Joins the keys of a field path: a character no field name holds (map keys like `a.b/c` hold dots). */
export const SEP = '\u0000';

/** A field path for people: `.spec.template.metadata.annotations.a.b/c`. */
export const showPath = (path: string) => `.${path.split(SEP).join('.')}`;

/** Leaf paths of a JSON object (keys joined by {@link SEP}), for field ownership. Lists are leaves. */
export function leafPaths(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isObject(value)) {
    out.set(prefix, value);
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    for (const [p, leaf] of leafPaths(v, prefix ? `${prefix}${SEP}${key}` : key)) out.set(p, leaf);
  }
  return out;
}
