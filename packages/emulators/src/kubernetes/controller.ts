/**
 * A Knative Serving + Eventing controller for the emulator. On every Service change it stamps the
 * Configuration, Route and Revision children, starts the revision's code through the faasport
 * executor, and writes status the way Knative does (reference §1.6, §8.8): `observedGeneration`,
 * `ConfigurationsReady` / `RoutesReady` / `Ready` conditions, `latestCreatedRevisionName`,
 * `latestReadyRevisionName`, `url`, and `traffic` with tag URLs. It also keeps the routing table the
 * emulator's ingress serves by `Host` header (event delivery is in `eventing.ts`).
 *
 * How a revision's container runs is the runner's business (`runner.ts`); one that cannot run
 * becomes `Ready=False` with Knative's reason, and the Service reports it.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { clone, deepEqual, type Json } from './patch';
import { findResource, type ResourceType } from './resources';
import { type ExecutorLike, RevisionRunner, type RevisionState, type RunnerOptions } from './runner';
import type { KubeObject, ObjectStore, WatchEvent } from './store';

export type { ExecutableLike, ExecutorLike } from './runner';

/** Options of the controller. */
export interface ControllerOptions extends RunnerOptions {
  /** The domain of route URLs: `http://<name>.<namespace>.<domain>`. */
  domain: string;
  /** Makes the executor that runs revisions (called once, when the first revision starts). */
  executor: () => ExecutorLike;
}

const SERVING = 'serving.knative.dev';
const t = (group: string, version: string, plural: string) => findResource(group, version, plural)!;
const KSVC = t(SERVING, 'v1', 'services');
const CONFIG = t(SERVING, 'v1', 'configurations');
const ROUTE = t(SERVING, 'v1', 'routes');
const REVISION = t(SERVING, 'v1', 'revisions');
const DOMAIN_MAPPING = t(SERVING, 'v1beta1', 'domainmappings');
const TRIGGER = t('eventing.knative.dev', 'v1', 'triggers');
const BROKER = t('eventing.knative.dev', 'v1', 'brokers');
const PING = t('sources.knative.dev', 'v1', 'pingsources');
const KAFKA = t('sources.knative.dev', 'v1beta1', 'kafkasources');
const EVENT = t('', 'v1', 'events');

const CONTROLLER = 'knative-controller';
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A condition as Knative writes it. */
interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  severity?: string;
}

/** One routable host: the revisions behind it and their weights. */
interface RouteTarget {
  namespace: string;
  service: string;
  entries: Array<{ revision: string; percent: number }>;
}

/**
 * The stand-in for Knative's controllers: turns Services into Revisions and Routes, writes their status
 * (conditions, observedGeneration, URLs, traffic), and serves routes by running revisions' code.
 */
export class KnativeController {
  private readonly revisions = new Map<string, RevisionState>();
  private readonly routes = new Map<string, RouteTarget>();
  private readonly queue = new Map<string, Promise<void>>();
  private readonly seen = new Map<string, string>();
  private readonly unsubscribe: () => void;
  private readonly pending = new Set<Promise<unknown>>();
  private executorInstance?: ExecutorLike;
  private readonly runner: RevisionRunner;
  private closed = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: ControllerOptions,
  ) {
    this.runner = new RevisionRunner(store, options, () => this.executor);
    this.unsubscribe = store.subscribe((event) => this.onEvent(event));
  }

  /** Resolves once every reconcile started so far has finished (for tests that want a quiet point). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Stops every revision's instances. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    await this.idle();
    for (const state of this.revisions.values())
      if (state.phase === 'ready') await state.executable.close().catch(() => {});
    for (const state of this.revisions.values())
      if (state.phase === 'ready' && state.dir) rmSync(state.dir, { recursive: true, force: true });
    await this.executorInstance?.close();
  }

  private get executor(): ExecutorLike {
    this.executorInstance ??= this.options.executor();
    return this.executorInstance;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    promise.finally(() => this.pending.delete(promise)).catch(() => {});
    return promise;
  }

  private onEvent(event: WatchEvent): void {
    if (this.closed) return;
    const obj = event.object;
    const ns = obj.metadata.namespace ?? '';
    if (event.resource === KSVC) {
      const key = `${ns}/${obj.metadata.name}`;
      if (event.type === 'DELETED') {
        this.seen.delete(key);
        this.enqueue(key, () => this.cleanup(ns, obj.metadata.name));
        return;
      }
      // Status writes come back as events too; only spec and label changes need a reconcile.
      const fingerprint = JSON.stringify([obj.spec, obj.metadata.labels ?? {}, obj.metadata.generation]);
      if (this.seen.get(key) !== fingerprint) {
        this.seen.set(key, fingerprint);
        this.enqueue(key, () => this.reconcile(ns, obj.metadata.name));
      }
    }
    // Configurations and Routes made by hand (no owning Service) are reconciled on their own.
    if ((event.resource === CONFIG || event.resource === ROUTE) && !ownedByService(obj)) {
      const key = `${event.resource.plural}/${ns}/${obj.metadata.name}`;
      if (event.type === 'DELETED') {
        this.seen.delete(key);
        if (event.resource === ROUTE) this.dropRoutes(ns, obj.metadata.name);
        return;
      }
      const fingerprint = JSON.stringify([obj.spec, obj.metadata.labels ?? {}, obj.metadata.generation]);
      if (this.seen.get(key) !== fingerprint) {
        this.seen.set(key, fingerprint);
        this.enqueue(key, () =>
          event.resource === CONFIG
            ? this.reconcileConfiguration(ns, obj.metadata.name)
            : this.reconcileRoute(ns, obj.metadata.name),
        );
      }
    }
    if (event.resource === DOMAIN_MAPPING && event.type !== 'DELETED')
      this.enqueue(`dm/${ns}/${obj.metadata.name}`, () => this.reconcileDomainMapping(ns, obj.metadata.name));
    if (event.resource === DOMAIN_MAPPING && event.type === 'DELETED') this.routes.delete(obj.metadata.name);
    if ([TRIGGER, BROKER, PING, KAFKA].includes(event.resource) && event.type !== 'DELETED') {
      this.enqueue(`ev/${event.resource.plural}/${ns}/${obj.metadata.name}`, () =>
        this.markEventingReady(event.resource, ns, obj.metadata.name),
      );
    }
  }

  /** Runs reconciles of one key one after another. */
  private enqueue(key: string, work: () => Promise<void>): void {
    const previous = this.queue.get(key) ?? Promise.resolve();
    const next = this.track(
      previous.then(
        () => new Promise<void>((resolve) => setImmediate(resolve)).then(work),
        () => work(),
      ),
    ).catch(() => {});
    this.queue.set(key, next);
  }

  private upsert(type: ResourceType, ns: string, body: KubeObject): KubeObject {
    const existing = this.store.get(type, ns, body.metadata.name);
    if (!existing) return this.store.create(type, ns, body, { fieldManager: CONTROLLER });
    const next = {
      ...existing,
      spec: body.spec,
      metadata: {
        ...existing.metadata,
        labels: body.metadata.labels,
        annotations: body.metadata.annotations,
      },
    };
    return this.store.update(type, existing, next, { fieldManager: CONTROLLER });
  }

  /** Records a core v1 Event about an object, as `kubectl describe` and `kubectl get events` show them. */
  private recordEvent(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const ns = obj.metadata.namespace ?? 'default';
    const time = now();
    this.store.create(
      EVENT,
      ns,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          namespace: ns,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: time,
        lastTimestamp: time,
        source: { component: CONTROLLER },
        reportingComponent: CONTROLLER,
      },
      { fieldManager: CONTROLLER },
    );
  }

  private writeStatus(type: ResourceType, ns: string, name: string, status: Json): void {
    const current = this.store.get(type, ns, name);
    if (!current) return;
    const previous = (current.status as Json | undefined) ?? {};
    const conditions = (status.conditions as Condition[] | undefined)?.map((c) => {
      const before = ((previous.conditions as Condition[] | undefined) ?? []).find((p) => p.type === c.type);
      const same =
        before && before.status === c.status && before.reason === c.reason && before.message === c.message;
      return { ...c, lastTransitionTime: same ? before.lastTransitionTime : now() };
    });
    this.store.update(
      type,
      current,
      { ...current, status: { ...status, ...(conditions ? { conditions } : {}) } },
      { subresource: 'status', fieldManager: CONTROLLER },
    );
  }

  // -------------------------------------------------------------------------------------------
  // Serving

  private async reconcile(ns: string, name: string): Promise<void> {
    const svc = this.store.get(KSVC, ns, name);
    if (!svc || this.closed) return;
    const spec = svc.spec as Json;
    const template = clone(spec.template as Json);
    const owner = {
      apiVersion: `${SERVING}/v1`,
      kind: 'Service',
      name,
      uid: svc.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    const labels = { ...(svc.metadata.labels ?? {}), 'serving.knative.dev/service': name };
    const fresh = !this.store.get(CONFIG, ns, name);
    const config = this.upsert(CONFIG, ns, {
      apiVersion: `${SERVING}/v1`,
      kind: 'Configuration',
      metadata: {
        name,
        namespace: ns,
        labels,
        annotations: svc.metadata.annotations ?? {},
        ownerReferences: [owner],
      },
      spec: { template },
    } as unknown as KubeObject);
    this.upsert(ROUTE, ns, {
      apiVersion: `${SERVING}/v1`,
      kind: 'Route',
      metadata: { name, namespace: ns, labels, ownerReferences: [owner] },
      // As knative/serving pkg/reconciler/service/resources/route.go MakeRoute: targets that do not pin a
      // Revision name the Service's Configuration.
      spec: {
        traffic: ((spec.traffic as Json[] | undefined) ?? []).map((e) =>
          e.revisionName ? clone(e) : { ...clone(e), configurationName: name },
        ),
      },
    } as unknown as KubeObject);
    if (fresh) {
      // As Knative's service reconciler reports its children (pkg/reconciler/service/service.go).
      this.recordEvent(svc, 'Normal', 'Created', `Created Configuration "${name}"`);
      this.recordEvent(svc, 'Normal', 'Created', `Created Route "${name}"`);
    }
    const tmeta = (template.metadata as Json | undefined) ?? {};
    const revisionName =
      typeof tmeta.name === 'string'
        ? tmeta.name
        : `${name}-${String(config.metadata.generation).padStart(5, '0')}`;
    const revisionSpec = {
      metadata: { annotations: tmeta.annotations ?? {}, labels: tmeta.labels ?? {} },
      spec: template.spec,
    };
    const existing = this.store.get(REVISION, ns, revisionName);
    let nameTaken = false;
    if (existing) {
      const before = {
        metadata: {
          annotations: stripKnative(existing.metadata.annotations),
          labels: stripKnative(existing.metadata.labels),
        },
        spec: existing.spec,
      };
      nameTaken =
        existing.metadata.labels?.['serving.knative.dev/service'] !== name ||
        !deepEqual(before, revisionSpec);
    } else {
      this.stampRevision(svc, config, revisionName, tmeta, template, {
        'serving.knative.dev/service': name,
        'serving.knative.dev/configuration': name,
        'serving.knative.dev/configurationGeneration': String(config.metadata.generation),
        'serving.knative.dev/serviceUID': String(svc.metadata.uid),
      });
    }
    this.updateServiceStatus(ns, name, revisionName, nameTaken);
  }

  /**
   * Creates a Revision of `config` from its template, owned by the Configuration, with `labels` over the
   * template's, marks it pending and starts it for `owner` (the Service, or the standalone Configuration).
   */
  private stampRevision(
    owner: KubeObject,
    config: KubeObject,
    revisionName: string,
    tmeta: Json,
    template: Json,
    labels: Record<string, string>,
  ): void {
    const ns = config.metadata.namespace as string;
    const revision = this.store.create(
      REVISION,
      ns,
      {
        apiVersion: `${SERVING}/v1`,
        kind: 'Revision',
        metadata: {
          name: revisionName,
          namespace: ns,
          labels: { ...(tmeta.labels as Record<string, string> | undefined), ...labels },
          annotations: { ...(tmeta.annotations as Record<string, string> | undefined) },
          ownerReferences: [
            {
              apiVersion: `${SERVING}/v1`,
              kind: 'Configuration',
              name: config.metadata.name,
              uid: config.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: clone(template.spec),
      },
      { fieldManager: CONTROLLER },
    );
    this.revisions.set(`${ns}/${revisionName}`, { phase: 'pending' });
    this.writeStatus(REVISION, ns, revisionName, {
      observedGeneration: 1,
      conditions: revisionConditions({ phase: 'pending' }),
    });
    this.track(this.startRevision(owner, revision)).catch(() => {});
  }

  private async startRevision(svc: KubeObject, revision: KubeObject): Promise<void> {
    const ns = revision.metadata.namespace ?? '';
    const key = `${ns}/${revision.metadata.name}`;
    let state: RevisionState;
    try {
      state = await this.runner.load(svc, revision);
    } catch (error) {
      state = {
        phase: 'failed',
        reason: 'ExitCode1',
        message: `Container failed with: ${(error as Error).message}`,
      };
    }
    if (this.closed || !this.store.get(REVISION, ns, revision.metadata.name)) {
      if (state.phase === 'ready') await state.executable.close().catch(() => {});
      return;
    }
    this.revisions.set(key, state);
    if (state.phase === 'failed') this.recordEvent(revision, 'Warning', state.reason, state.message);
    this.writeStatus(REVISION, ns, revision.metadata.name, {
      observedGeneration: 1,
      conditions: revisionConditions(state),
      ...(state.phase === 'ready' ? { actualReplicas: 0, desiredReplicas: 0 } : {}),
    });
    const owner = revision.metadata.labels?.['serving.knative.dev/service'];
    if (owner) this.enqueue(`${ns}/${owner}`, async () => this.refreshService(ns, owner));
    else {
      const config = revision.metadata.labels?.['serving.knative.dev/configuration'];
      if (config)
        this.enqueue(`configurations/${ns}/${config}`, () => this.reconcileConfiguration(ns, config));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Standalone Configurations and Routes

  /** A Configuration without a Service: stamps its Revision and writes its status, then its Routes'. */
  private async reconcileConfiguration(ns: string, name: string): Promise<void> {
    const config = this.store.get(CONFIG, ns, name);
    if (!config || this.closed) return;
    const template = clone((config.spec as Json).template as Json);
    const tmeta = (template.metadata as Json | undefined) ?? {};
    const revisionName =
      typeof tmeta.name === 'string'
        ? tmeta.name
        : `${name}-${String(config.metadata.generation).padStart(5, '0')}`;
    if (!this.store.get(REVISION, ns, revisionName)) {
      this.stampRevision(config, config, revisionName, tmeta, template, {
        'serving.knative.dev/configuration': name,
        'serving.knative.dev/configurationGeneration': String(config.metadata.generation),
        'serving.knative.dev/configurationUID': String(config.metadata.uid),
      });
    }
    const created = this.revisionState(ns, revisionName);
    const ready = this.store
      .list(REVISION, ns)
      .filter(
        (r) =>
          r.metadata.labels?.['serving.knative.dev/configuration'] === name &&
          this.revisionState(ns, r.metadata.name)?.phase === 'ready',
      )
      .sort(
        (a, b) =>
          Number(a.metadata.labels?.['serving.knative.dev/configurationGeneration']) -
          Number(b.metadata.labels?.['serving.knative.dev/configurationGeneration']),
      );
    const latestReady = created?.phase === 'ready' ? revisionName : ready[ready.length - 1]?.metadata.name;
    const condition: Condition =
      created?.phase === 'ready'
        ? { type: 'Ready', status: 'True' }
        : created?.phase === 'failed'
          ? {
              type: 'Ready',
              status: 'False',
              reason: 'RevisionFailed',
              message: `Revision "${revisionName}" failed with message: ${created.message}.`,
            }
          : { type: 'Ready', status: 'Unknown' };
    this.writeStatus(CONFIG, ns, name, {
      observedGeneration: config.metadata.generation,
      latestCreatedRevisionName: revisionName,
      ...(latestReady ? { latestReadyRevisionName: latestReady } : {}),
      conditions: [condition],
    });
    for (const route of this.store.list(ROUTE, ns)) {
      if (ownedByService(route)) continue;
      const uses = ((route.spec as Json).traffic as Json[] | undefined)?.some(
        (e) => e.configurationName === name,
      );
      if (uses)
        this.enqueue(`routes/${ns}/${route.metadata.name}`, () =>
          this.reconcileRoute(ns, route.metadata.name),
        );
    }
  }

  /** A Route without a Service: resolves its targets (a Configuration's latest ready Revision, or a Revision) and serves them. */
  private async reconcileRoute(ns: string, name: string): Promise<void> {
    const route = this.store.get(ROUTE, ns, name);
    if (!route || this.closed) return;
    const local = route.metadata.labels?.['networking.knative.dev/visibility'] === 'cluster-local';
    const domain = local ? 'svc.cluster.local' : this.options.domain;
    const host = `${name}.${ns}.${domain}`;
    const resolved: Array<{ revisionName: string; percent: number; tag?: string; latestRevision: boolean }> =
      [];
    let failure: Condition | undefined;
    for (const entry of ((route.spec as Json).traffic as Json[] | undefined) ?? []) {
      const configName = entry.configurationName as string | undefined;
      const target = configName
        ? ((this.store.get(CONFIG, ns, configName)?.status as Json | undefined)?.latestReadyRevisionName as
            | string
            | undefined)
        : (entry.revisionName as string | undefined);
      const state = target ? this.revisionState(ns, target) : undefined;
      if (!target || state?.phase !== 'ready') {
        const missing = !target || !state;
        failure = {
          type: 'Ready',
          status: missing || state?.phase === 'failed' ? 'False' : 'Unknown',
          reason: configName && !target ? 'ConfigurationMissing' : 'RevisionMissing',
          message:
            configName && !target
              ? `Configuration "${configName}" does not have any ready Revision.`
              : `Revision "${target}" referenced in traffic not found.`,
        };
        break;
      }
      resolved.push({
        ...(entry.tag ? { tag: String(entry.tag) } : {}),
        revisionName: target,
        latestRevision: Boolean(configName) || entry.latestRevision === true,
        percent: Number(entry.percent ?? 0),
      });
    }
    if (!failure) this.setRoutes(ns, name, host, domain, resolved);
    const traffic = failure
      ? undefined
      : resolved.map((e) => ({
          ...e,
          ...(e.tag ? { url: `http://${e.tag}-${name}.${ns}.${domain}` } : {}),
        }));
    const ready = failure ?? { type: 'Ready', status: 'True' as const };
    this.writeStatus(ROUTE, ns, name, {
      observedGeneration: route.metadata.generation,
      url: `http://${host}`,
      address: { url: `http://${name}.${ns}.svc.cluster.local` },
      ...(traffic ? { traffic } : {}),
      conditions: [
        { ...ready, type: 'AllTrafficAssigned' },
        { type: 'IngressReady', status: ready.status, ...(failure ? { reason: failure.reason } : {}) },
        ready,
      ],
    });
  }

  private dropRoutes(ns: string, name: string): void {
    for (const [host, target] of this.routes)
      if (target.namespace === ns && target.service === name) this.routes.delete(host);
  }

  private async refreshService(ns: string, name: string): Promise<void> {
    const svc = this.store.get(KSVC, ns, name);
    if (!svc) return;
    const template = (svc.spec as Json).template as Json;
    const revisionName =
      ((svc.status as Json | undefined)?.latestCreatedRevisionName as string | undefined) ??
      String((template.metadata as Json | undefined)?.name ?? '');
    this.updateServiceStatus(ns, name, revisionName, false);
  }

  private revisionState(ns: string, name: string): RevisionState | undefined {
    const state = this.revisions.get(`${ns}/${name}`);
    if (state) return state;
    return this.store.get(REVISION, ns, name) ? { phase: 'pending' } : undefined;
  }

  private updateServiceStatus(ns: string, name: string, latestCreated: string, nameTaken: boolean): void {
    const svc = this.store.get(KSVC, ns, name);
    if (!svc) return;
    const spec = svc.spec as Json;
    const previous = (svc.status as Json | undefined) ?? {};
    const created = this.revisionState(ns, latestCreated);
    const readyRevisions = this.store
      .list(REVISION, ns)
      .filter(
        (r) =>
          r.metadata.labels?.['serving.knative.dev/service'] === name &&
          this.revisionState(ns, r.metadata.name)?.phase === 'ready',
      )
      .sort(
        (a, b) =>
          Number(a.metadata.labels?.['serving.knative.dev/configurationGeneration']) -
          Number(b.metadata.labels?.['serving.knative.dev/configurationGeneration']),
      );
    const latestReady =
      created?.phase === 'ready' ? latestCreated : readyRevisions[readyRevisions.length - 1]?.metadata.name;
    const configCondition: Condition = nameTaken
      ? {
          type: 'ConfigurationsReady',
          status: 'False',
          reason: 'RevisionNameTaken',
          message: `The revision name "${latestCreated}" is taken by a conflicting Revision, so traffic will not be migrated`,
        }
      : created?.phase === 'ready'
        ? { type: 'ConfigurationsReady', status: 'True' }
        : created?.phase === 'failed'
          ? {
              type: 'ConfigurationsReady',
              status: 'False',
              reason: 'RevisionFailed',
              message: `Revision "${latestCreated}" failed with message: ${created.message}.`,
            }
          : {
              type: 'ConfigurationsReady',
              status: 'Unknown',
              reason: 'OutOfDate',
              message: 'The Configuration is still working to reflect the latest desired specification.',
            };
    // Resolve the traffic targets.
    const entries = (spec.traffic as Json[] | undefined) ?? [{ latestRevision: true, percent: 100 }];
    let routeCondition: Condition = { type: 'RoutesReady', status: 'True' };
    const resolved: Array<Json & { revisionName: string; percent: number; tag?: string }> = [];
    for (const entry of entries) {
      const target = entry.latestRevision === true ? latestReady : (entry.revisionName as string | undefined);
      const state = target ? this.revisionState(ns, target) : undefined;
      if (!target) {
        routeCondition = {
          type: 'RoutesReady',
          status: created?.phase === 'failed' ? 'False' : 'Unknown',
          reason: 'RevisionMissing',
          message: `Configuration "${name}" does not have any ready Revision.`,
        };
        break;
      }
      if (!state) {
        routeCondition = {
          type: 'RoutesReady',
          status: 'False',
          reason: 'RevisionMissing',
          message: `Revision "${target}" referenced in traffic not found.`,
        };
        break;
      }
      if (state.phase === 'failed') {
        routeCondition = {
          type: 'RoutesReady',
          status: 'False',
          reason: 'RevisionMissing',
          message: `Revision "${target}" failed with message: ${state.message}.`,
        };
        break;
      }
      if (state.phase === 'pending') {
        routeCondition = {
          type: 'RoutesReady',
          status: 'Unknown',
          reason: 'RevisionMissing',
          message: `Revision "${target}" is not yet ready.`,
        };
        break;
      }
      resolved.push({
        ...(entry.tag ? { tag: entry.tag as string } : {}),
        revisionName: target,
        latestRevision: entry.latestRevision === true,
        percent: Number(entry.percent ?? 0),
      });
    }
    const local = svc.metadata.labels?.['networking.knative.dev/visibility'] === 'cluster-local';
    const domain = local ? 'svc.cluster.local' : this.options.domain;
    const host = `${name}.${ns}.${domain}`;
    let traffic = previous.traffic as Json[] | undefined;
    if (routeCondition.status === 'True') {
      traffic = resolved.map((e) => ({
        ...e,
        ...(e.tag ? { url: `http://${e.tag}-${name}.${ns}.${domain}` } : {}),
      }));
      this.setRoutes(ns, name, host, domain, resolved);
    }
    const conditions = [configCondition, routeCondition];
    const ready: Condition = conditions.find((c) => c.status === 'False')
      ? { ...conditions.find((c) => c.status === 'False')!, type: 'Ready' }
      : conditions.find((c) => c.status === 'Unknown')
        ? { ...conditions.find((c) => c.status === 'Unknown')!, type: 'Ready' }
        : { type: 'Ready', status: 'True' };
    const status: Json = {
      observedGeneration: svc.metadata.generation,
      conditions: [configCondition, ready, routeCondition],
      latestCreatedRevisionName: latestCreated,
      ...(latestReady ? { latestReadyRevisionName: latestReady } : {}),
      url: `http://${host}`,
      address: { url: `http://${name}.${ns}.svc.cluster.local` },
      ...(traffic ? { traffic } : {}),
    };
    this.writeStatus(KSVC, ns, name, status);
    this.writeStatus(CONFIG, ns, name, {
      observedGeneration: this.store.get(CONFIG, ns, name)?.metadata.generation,
      latestCreatedRevisionName: latestCreated,
      ...(latestReady ? { latestReadyRevisionName: latestReady } : {}),
      conditions: [{ ...configCondition, type: 'Ready' }],
    });
    this.writeStatus(ROUTE, ns, name, {
      observedGeneration: this.store.get(ROUTE, ns, name)?.metadata.generation,
      url: `http://${host}`,
      ...(traffic ? { traffic } : {}),
      conditions: [
        { ...routeCondition, type: 'Ready' },
        { ...routeCondition, type: 'AllTrafficAssigned' },
      ],
    });
  }

  private setRoutes(
    ns: string,
    name: string,
    host: string,
    domain: string,
    resolved: Array<{ revisionName: string; percent: number; tag?: string }>,
  ): void {
    for (const [h, target] of this.routes)
      if (target.namespace === ns && target.service === name && !h.includes('/dm')) this.routes.delete(h);
    this.routes.set(host, {
      namespace: ns,
      service: name,
      entries: resolved
        .filter((e) => e.percent > 0)
        .map((e) => ({ revision: e.revisionName, percent: e.percent })),
    });
    for (const e of resolved) {
      if (e.tag)
        this.routes.set(`${e.tag}-${name}.${ns}.${domain}`, {
          namespace: ns,
          service: name,
          entries: [{ revision: e.revisionName, percent: 100 }],
        });
    }
    for (const dm of this.store.list(DOMAIN_MAPPING, ns)) {
      const ref = (dm.spec as Json).ref as Json | undefined;
      if (ref?.name === name) this.routes.set(dm.metadata.name, this.routes.get(host)!);
    }
  }

  private async reconcileDomainMapping(ns: string, name: string): Promise<void> {
    const dm = this.store.get(DOMAIN_MAPPING, ns, name);
    if (!dm) return;
    const ref = (dm.spec as Json).ref as Json;
    const svc = this.store.get(KSVC, ns, String(ref.name));
    const url = (svc?.status as Json | undefined)?.url as string | undefined;
    const target = url ? this.routes.get(new URL(url).hostname) : undefined;
    if (target) this.routes.set(name, target);
    const condition: Condition = target
      ? { type: 'Ready', status: 'True' }
      : {
          type: 'Ready',
          status: 'Unknown',
          reason: 'DomainMappingNotReady',
          message: `Service "${String(ref.name)}" is not ready yet`,
        };
    this.writeStatus(DOMAIN_MAPPING, ns, name, {
      observedGeneration: dm.metadata.generation,
      url: `http://${name}`,
      address: { url: `http://${name}` },
      conditions: [condition],
    });
  }

  private async markEventingReady(type: ResourceType, ns: string, name: string): Promise<void> {
    const obj = this.store.get(type, ns, name);
    if (!obj || (obj.status as Json | undefined)?.observedGeneration === obj.metadata.generation) return;
    const extra: Json = {};
    if (type === BROKER)
      extra.address = { url: `http://broker-ingress.knative-eventing.svc.cluster.local/${ns}/${name}` };
    if (type === PING || type === KAFKA || type === TRIGGER) {
      const sink = ((obj.spec as Json).sink ?? (obj.spec as Json).subscriber) as Json | undefined;
      const ref = sink?.ref as Json | undefined;
      extra[type === TRIGGER ? 'subscriberUri' : 'sinkUri'] = ref
        ? `http://${String(ref.name)}.${ns}.svc.cluster.local`
        : sink?.uri;
    }
    this.writeStatus(type, ns, name, {
      observedGeneration: obj.metadata.generation,
      conditions: [{ type: 'Ready', status: 'True' }],
      ...extra,
    });
  }

  private async cleanup(ns: string, name: string): Promise<void> {
    for (const type of [CONFIG, ROUTE]) if (this.store.get(type, ns, name)) this.store.delete(type, ns, name);
    for (const rev of this.store.list(REVISION, ns)) {
      if (rev.metadata.labels?.['serving.knative.dev/service'] !== name) continue;
      this.store.delete(REVISION, ns, rev.metadata.name);
      const state = this.revisions.get(`${ns}/${rev.metadata.name}`);
      this.revisions.delete(`${ns}/${rev.metadata.name}`);
      if (state?.phase === 'ready') {
        await state.executable.close().catch(() => {});
        if (state.dir) rmSync(state.dir, { recursive: true, force: true });
      }
    }
    for (const [host, target] of this.routes)
      if (target.namespace === ns && target.service === name) this.routes.delete(host);
  }

  // -------------------------------------------------------------------------------------------
  // Ingress and event delivery

  /** True when the emulator's ingress serves this host. */
  servesHost(host: string): boolean {
    return this.routes.has(host);
  }

  /** Serves one request for a route host: picks a revision by weight and runs it. */
  async serve(host: string, request: Request): Promise<Response> {
    const target = this.routes.get(host);
    if (!target) return new Response(`no route for host ${host}\n`, { status: 404 });
    const total = target.entries.reduce((sum, e) => sum + e.percent, 0);
    const pick = Math.random() * total;
    let cumulative = 0;
    const entry =
      target.entries.find((e) => {
        cumulative += e.percent;
        return pick < cumulative;
      }) ?? target.entries[target.entries.length - 1];
    if (!entry) return new Response(`route ${host} has no traffic\n`, { status: 503 });
    const state = this.revisions.get(`${target.namespace}/${entry.revision}`);
    if (state?.phase !== 'ready')
      return new Response(`revision ${entry.revision} is not ready\n`, { status: 503 });
    try {
      return await state.executable.fetch(request);
    } catch (error) {
      const status = Number((error as { status?: number }).status) || 502;
      return new Response(`${(error as Error).message}\n`, { status });
    }
  }
}

/** True when a Service owns the object (the Service's reconcile manages it). */
function ownedByService(obj: KubeObject): boolean {
  const owners = (obj.metadata.ownerReferences as Json[] | undefined) ?? [];
  return owners.some((o) => o.kind === 'Service' && String(o.apiVersion).startsWith(`${SERVING}/`));
}

function stripKnative(map: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !k.startsWith('serving.knative.dev/')));
}

function revisionConditions(state: RevisionState): Condition[] {
  if (state.phase === 'ready') {
    return [
      {
        type: 'Active',
        status: 'False',
        reason: 'NoTraffic',
        message: 'The target is not receiving traffic.',
        severity: 'Info',
      },
      { type: 'ContainerHealthy', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'ResourcesAvailable', status: 'True' },
    ];
  }
  if (state.phase === 'failed') {
    const type =
      state.reason === 'ContainerMissing' || state.reason === 'CreateContainerConfigError'
        ? 'ResourcesAvailable'
        : 'ContainerHealthy';
    return [
      { type, status: 'False', reason: state.reason, message: state.message },
      { type: 'Ready', status: 'False', reason: state.reason, message: state.message },
    ];
  }
  return [
    { type: 'ContainerHealthy', status: 'Unknown', reason: 'Deploying' },
    { type: 'Ready', status: 'Unknown', reason: 'Deploying' },
    { type: 'ResourcesAvailable', status: 'Unknown', reason: 'Deploying' },
  ];
}
