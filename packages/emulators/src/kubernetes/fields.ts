/**
 * `metadata.managedFields` as the apiserver writes it: one entry per manager and operation, with the
 * fields it owns as a FieldsV1 set (`{"f:spec": {"f:template": {...}}}`), per the "Server-Side Apply"
 * reference (https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management) and
 * k8s.io/apimachinery pkg/apis/meta/v1 `ManagedFieldsEntry`. The emulator tracks ownership per leaf
 * field; lists are atomic (owned whole), as Knative's `containers`, `ports` and `traffic` are.
 */
import { isObject, type Json, SEP } from './patch';

/** Who owns each leaf field path, and how each manager last wrote. */
export interface Ownership {
  owners: Map<string, string>;
  managers: Map<string, { operation: 'Apply' | 'Update'; time: string; apiVersion: string }>;
}

/** The FieldsV1 set of some leaf paths. */
function fieldSet(paths: string[]): Json {
  const root: Json = {};
  for (const path of paths) {
    let node = root;
    for (const key of path.split(SEP)) {
      const k = `f:${key}`;
      if (!isObject(node[k])) node[k] = {};
      node = node[k] as Json;
    }
  }
  return root;
}

/** The leaf paths of a FieldsV1 set; list item keys (`k:`, `v:`, `i:`) count as their whole list. */
function pathsOf(set: unknown, prefix: string[] = []): string[] {
  if (!isObject(set)) return [];
  const keys = Object.keys(set).filter((k) => k.startsWith('f:'));
  const items = Object.keys(set).some((k) => /^[kvi]:/.test(k));
  if (!keys.length || items) return prefix.length ? [prefix.join(SEP)] : [];
  return keys.flatMap((k) => pathsOf(set[k], [...prefix, k.slice(2)]));
}

/** The `managedFields` entries of an ownership record. */
export function managedFieldsOf(own: Ownership): Json[] {
  const byManager = new Map<string, string[]>();
  for (const [path, manager] of own.owners) {
    if (path.startsWith(`status${SEP}`) || path === 'status') continue;
    byManager.set(manager, [...(byManager.get(manager) ?? []), path]);
  }
  return [...own.managers]
    .filter(([manager]) => byManager.has(manager))
    .map(([manager, m]) => ({
      manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: 'FieldsV1',
      fieldsV1: fieldSet(byManager.get(manager)!),
    }));
}

/** Ownership as a client wrote it into `managedFields` (kubectl rewrites it when it upgrades to server-side apply). */
export function ownershipOf(entries: unknown[]): Ownership {
  const own: Ownership = { owners: new Map(), managers: new Map() };
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.manager !== 'string') continue;
    const operation = entry.operation === 'Apply' ? 'Apply' : 'Update';
    own.managers.set(entry.manager, {
      operation,
      time: typeof entry.time === 'string' ? entry.time : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      apiVersion: typeof entry.apiVersion === 'string' ? entry.apiVersion : '',
    });
    for (const path of pathsOf(entry.fieldsV1)) own.owners.set(path, entry.manager);
  }
  return own;
}
