/**
 * The object store behind the emulated API server: objects by resource, namespace and name, one
 * global `resourceVersion` counter, `generation` bumps on spec changes, a status subresource,
 * field ownership for server-side apply, and an event history that watches replay from.
 */
import { randomUUID } from 'node:crypto';
import { managedFieldsOf, type Ownership, ownershipOf } from './fields';
import { clone, deepEqual, isObject, type Json, leafPaths, SEP, serverSideApply, showPath } from './patch';
import { apiVersionOf, type ResourceType } from './resources';
import { alreadyExists, badRequest, conflict, invalid, KubeApiError, notFound } from './status';

/** A stored object. */
export type KubeObject = Json & {
  apiVersion: string;
  kind: string;
  metadata: Json & {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
  };
};

/** A change, as a watch reports it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: ResourceType;
  object: KubeObject;
  rv: number;
}

/** Checks an object before it is stored (the emulated admission webhooks); throws KubeApiError. */
export type Admit = (t: ResourceType, next: KubeObject, old: KubeObject | undefined) => void;

/** Fills defaults into an object before it is compared and stored (the defaulting webhooks). */
export type Mutate = (t: ResourceType, next: KubeObject, old: KubeObject | undefined) => void;

/** Options of a write. */
export interface WriteOptions {
  fieldManager?: string;
  /** `Apply` for server-side apply, else `Update` (how `managedFields` records the write). */
  operation?: 'Apply' | 'Update';
  /** The configuration an applier sent: it owns all of those fields, changed or not. */
  appliedConfig?: Json;
  dryRun?: boolean;
  /** Write the status subresource. */
  subresource?: 'status';
}

const keyOf = (t: ResourceType, namespace: string | undefined, name: string) =>
  `${t.group}|${t.plural}|${namespace ?? ''}|${name}`;

/** The emulator's object store. */
export class ObjectStore {
  private readonly objects = new Map<string, { t: ResourceType; obj: KubeObject }>();
  /** Per object: the last configuration each apply manager sent. */
  private readonly applied = new Map<string, Map<string, Json>>();
  /** Per object: which manager owns each leaf field, and how each manager last wrote. */
  private readonly owners = new Map<string, Ownership>();
  private readonly history: WatchEvent[] = [];
  private readonly listeners = new Set<(e: WatchEvent) => void>();
  private rv = 100;

  constructor(
    private readonly admit: Admit,
    private readonly mutate: Mutate = () => {},
  ) {}

  /** The current resourceVersion of the whole store. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** The oldest resourceVersion a watch can start after. */
  get oldestRetained(): number {
    return this.history[0]?.rv ?? this.rv;
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(keyOf(t, namespace, name));
    return found ? clone(found.obj) : undefined;
  }

  /** Throws 404 when missing. */
  mustGet(t: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(t, namespace, name);
    if (!obj) throw notFound(t, name);
    return obj;
  }

  list(t: ResourceType, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const { t: type, obj } of this.objects.values()) {
      if (type !== t) continue;
      if (namespace !== undefined && obj.metadata.namespace !== namespace) continue;
      out.push(clone(obj));
    }
    return out.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Subscribes to every change; returns the unsubscribe function. */
  subscribe(listener: (e: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Retained events up to and including `rv`. */
  eventsUpTo(rv: number): WatchEvent[] {
    return this.history.filter((e) => e.rv <= rv);
  }

  /** Events after `rv`, for a watch that starts from a resourceVersion. */
  eventsSince(rv: number): WatchEvent[] {
    return this.history.filter((e) => e.rv > rv);
  }

  /** POST: creates; 409 when the name is taken. */
  create(t: ResourceType, namespace: string | undefined, body: Json, options: WriteOptions = {}): KubeObject {
    const meta = isObject(body.metadata) ? body.metadata : {};
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) {
      // The server appends five random characters to generateName.
      const suffix = randomUUID().replace(/-/g, '').slice(0, 5);
      body = { ...body, metadata: { ...meta, name: `${meta.generateName}${suffix}` } };
    }
    const obj = this.normalise(t, namespace, body);
    if (this.objects.has(keyOf(t, namespace, obj.metadata.name))) throw alreadyExists(t, obj.metadata.name);
    if (t.hasStatus) delete obj.status;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    obj.metadata = {
      ...obj.metadata,
      uid: randomUUID(),
      creationTimestamp: now,
      ...(t.custom || t.hasStatus ? { generation: 1 } : {}),
    };
    this.mutate(t, obj, undefined);
    this.admit(t, obj, undefined);
    if (options.dryRun) return obj;
    this.recordOwners(
      t,
      obj,
      undefined,
      options.fieldManager ?? 'unknown',
      options.operation ?? 'Update',
      options.appliedConfig,
    );
    return this.commit(t, obj, 'ADDED');
  }

  /** PUT: replaces; custom resources need `metadata.resourceVersion` (422) and it must be current (409). */
  replace(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    body: Json,
    options: WriteOptions = {},
  ): KubeObject {
    const next = this.normalise(t, namespace, body);
    if (next.metadata.name !== name)
      throw badRequest(
        `the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`,
      );
    const old = this.mustGet(t, namespace, name);
    const rv = next.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (t.custom) {
        throw invalid(t, name, [
          {
            field: 'metadata.resourceVersion',
            message: 'Invalid value: 0x0: must be specified for an update',
          },
        ]);
      }
    } else if (rv !== old.metadata.resourceVersion) throw conflict(t, name);
    return this.write(t, old, next, options);
  }

  /**
   * Stores a patched object computed from the current one. A `metadata.resourceVersion` in the result
   * that differs from the stored one is a precondition failure (409), as with merge patches.
   */
  update(t: ResourceType, old: KubeObject, next: Json, options: WriteOptions = {}): KubeObject {
    const normalised = this.normalise(t, old.metadata.namespace, next);
    const rv = normalised.metadata.resourceVersion;
    if (rv !== undefined && rv !== old.metadata.resourceVersion) throw conflict(t, old.metadata.name);
    return this.write(t, old, normalised, options);
  }

  /**
   * Server-side apply: creates when missing (201 by the caller), else merges the manager's fields and
   * drops those it no longer sends. Without `force`, changing a field another manager set is a 409.
   */
  apply(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    body: Json,
    options: WriteOptions & { fieldManager: string; force?: boolean },
  ): { object: KubeObject; created: boolean } {
    const appliedObj = this.normalise(t, namespace, body);
    if (appliedObj.metadata.name !== name)
      throw badRequest(
        `the name of the object (${appliedObj.metadata.name}) does not match the name on the URL (${name})`,
      );
    if (t.hasStatus && !options.subresource) delete appliedObj.status;
    const key = keyOf(t, namespace, name);
    const old = this.get(t, namespace, name);
    const managers = this.applied.get(key) ?? new Map<string, Json>();
    const stripped = stripServerFields(appliedObj);
    options = { ...options, operation: 'Apply', appliedConfig: stripped };
    if (!old) {
      const created = this.create(t, namespace, stripped, options);
      if (!options.dryRun) this.applied.set(key, new Map([[options.fieldManager, stripped]]));
      return { object: created, created: true };
    }
    if (!options.force) this.checkConflicts(t, old, stripped, options.fieldManager);
    const merged = serverSideApply(old, managers.get(options.fieldManager), stripped) as KubeObject;
    merged.metadata.resourceVersion = old.metadata.resourceVersion;
    const object = this.write(t, old, merged, options);
    if (!options.dryRun) {
      managers.set(options.fieldManager, stripped);
      this.applied.set(key, managers);
    }
    return { object, created: false };
  }

  /** DELETE: removes the object and reports it to watches. */
  delete(t: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const key = keyOf(t, namespace, name);
    const old = this.mustGet(t, namespace, name);
    this.objects.delete(key);
    this.applied.delete(key);
    this.owners.delete(key);
    this.rv++;
    old.metadata.resourceVersion = String(this.rv);
    this.emit({ type: 'DELETED', resource: t, object: old, rv: this.rv });
    return old;
  }

  private checkConflicts(t: ResourceType, old: KubeObject, applied: Json, manager: string): void {
    const own = this.owners.get(keyOf(t, old.metadata.namespace, old.metadata.name));
    if (!own) return;
    const live = leafPaths(old);
    const causes = [];
    for (const [path, value] of leafPaths(applied)) {
      if (path === `metadata${SEP}name` || path === 'apiVersion' || path === 'kind') continue;
      const owner = own.owners.get(path);
      if (owner && owner !== manager && live.has(path) && !deepEqual(live.get(path), value)) {
        causes.push({
          type: 'FieldManagerConflict',
          message: `conflict with "${owner}" using ${apiVersionOf(t)}`,
          field: showPath(path),
        });
      }
    }
    if (causes.length) {
      const list = causes.map((c) => `${c.message}: ${c.field}`).join('\n- ');
      throw new KubeApiError(
        409,
        'Conflict',
        `Apply failed with ${causes.length} conflict${causes.length > 1 ? 's' : ''}: ${list}`,
        {
          name: old.metadata.name,
          ...(t.group ? { group: t.group } : {}),
          kind: t.plural,
          causes,
        },
      );
    }
  }

  private write(t: ResourceType, old: KubeObject, next: KubeObject, options: WriteOptions): KubeObject {
    let result = clone(next);
    // The status subresource and the main resource each ignore the other's changes.
    if (t.hasStatus) {
      if (options.subresource === 'status') result = { ...clone(old), status: clone(next.status) as Json };
      else if (old.status === undefined) delete result.status;
      else result.status = clone(old.status);
    }
    // A client may rewrite managedFields (kubectl does when it moves an object to server-side apply);
    // otherwise the server keeps them.
    const rewritten =
      Array.isArray(next.metadata.managedFields) &&
      !deepEqual(next.metadata.managedFields, old.metadata.managedFields);
    for (const k of ['uid', 'creationTimestamp', 'generation', 'resourceVersion', 'managedFields'] as const) {
      if (k === 'managedFields' && rewritten) continue;
      if (old.metadata[k] !== undefined) (result.metadata as Json)[k] = old.metadata[k];
    }
    if (result.metadata.namespace === undefined && old.metadata.namespace !== undefined)
      result.metadata.namespace = old.metadata.namespace;
    if (!('generation' in old.metadata)) delete result.metadata.generation;
    if (options.subresource !== 'status') this.mutate(t, result, old);
    if (deepEqual(result, old)) return old;
    if (typeof old.metadata.generation === 'number' && !deepEqual(specOf(result), specOf(old))) {
      result.metadata.generation = old.metadata.generation + 1;
    }
    this.admit(t, result, old);
    if (options.dryRun) return result;
    const key = keyOf(t, result.metadata.namespace, result.metadata.name);
    // managedFields the client wrote are taken as they are, with no entry for the writer itself.
    if (rewritten) this.owners.set(key, ownershipOf(result.metadata.managedFields as unknown[]));
    else
      this.recordOwners(
        t,
        result,
        old,
        options.fieldManager ?? 'unknown',
        options.operation ?? 'Update',
        options.appliedConfig,
      );
    return this.commit(t, result, 'MODIFIED');
  }

  /**
   * Records who owns what after a write: an applier owns every field it sent; another writer owns the
   * fields it changed. Ownership moves away from the previous owner of a changed field.
   */
  private recordOwners(
    t: ResourceType,
    obj: KubeObject,
    old: KubeObject | undefined,
    manager: string,
    operation: 'Apply' | 'Update',
    applied?: Json,
  ): void {
    const key = keyOf(t, obj.metadata.namespace, obj.metadata.name);
    const own = this.owners.get(key) ?? { owners: new Map<string, string>(), managers: new Map() };
    const before = old ? leafPaths(stripServerFields(old)) : new Map<string, unknown>();
    const after = leafPaths(stripServerFields(obj));
    for (const [path, value] of after) {
      if (path === 'status' || path.startsWith(`status${SEP}`)) continue;
      if (!before.has(path) || !deepEqual(before.get(path), value)) own.owners.set(path, manager);
    }
    if (applied)
      for (const path of leafPaths(applied).keys()) if (after.has(path)) own.owners.set(path, manager);
    for (const path of [...own.owners.keys()]) if (!after.has(path)) own.owners.delete(path);
    own.managers.set(manager, {
      operation,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      apiVersion: obj.apiVersion,
    });
    this.owners.set(key, own);
    obj.metadata.managedFields = managedFieldsOf(own);
  }

  private commit(t: ResourceType, obj: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    this.objects.set(keyOf(t, obj.metadata.namespace, obj.metadata.name), { t, obj: clone(obj) });
    this.emit({ type, resource: t, object: clone(obj), rv: this.rv });
    return clone(obj);
  }

  private emit(event: WatchEvent): void {
    this.history.push(event);
    if (this.history.length > 5000) this.history.shift();
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Checks apiVersion, kind and name, and sets the namespace from the URL. */
  private normalise(t: ResourceType, namespace: string | undefined, body: Json): KubeObject {
    if (!isObject(body)) throw badRequest('the body of the request is not an object');
    const obj = clone(body) as KubeObject;
    const expected = apiVersionOf(t);
    if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`,
      );
    }
    if (obj.kind !== undefined && obj.kind !== t.kind) {
      throw badRequest(
        `the kind in the data (${String(obj.kind)}) does not match the expected kind (${t.kind})`,
      );
    }
    obj.apiVersion = expected;
    obj.kind = t.kind;
    if (!isObject(obj.metadata)) obj.metadata = {} as KubeObject['metadata'];
    const name = obj.metadata.name;
    if (typeof name !== 'string' || !name) {
      throw invalid(t, '', [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    if (t.namespaced) {
      if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      obj.metadata.namespace = namespace;
    } else delete obj.metadata.namespace;
    return obj;
  }
}

function specOf(obj: KubeObject): Json {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** The object without fields the server owns, as an applier would send it. */
export function stripServerFields(obj: Json): Json {
  const out = clone(obj);
  const meta = isObject(out.metadata) ? out.metadata : {};
  for (const k of ['uid', 'creationTimestamp', 'generation', 'resourceVersion', 'managedFields', 'selfLink'])
    delete meta[k];
  return out;
}
