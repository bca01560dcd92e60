/**
 * The Knative adapter: deploys faasport functions as Knative Services through `@kubernetes/client-node`.
 */
import {
  type Adapter,
  type AdapterContext,
  type DesiredState,
  defineAdapter,
  type ExportResult,
  type FunctionSummary,
  InvokeError,
  type InvokeOptions,
  LimitExceededError,
  type LiveFunction,
  type Manifest,
  NotFoundError,
  ProviderApiError,
  type ResolvedTrafficEntry,
  type Step,
  toBase64,
  ValidationError,
} from '@faasport/core';
import type { KubeConfig } from '@kubernetes/client-node';
import { knativeCapabilities } from './capabilities';
import { checkKnative } from './check';
import { KubeClient, kindOf } from './client';
import { keys, REVISION_TAG_PREFIX } from './constants';
import { fieldChanges } from './diff';
import { exportFromObjects } from './export';
import { sendToRoute } from './invoke';
import { type LiveRaw, labelOf, readObjects, toLiveFunction } from './live';
import {
  type KnativeAdapterOptions,
  loadKubeConfig,
  parseOptions,
  type ResolvedKnativeOptions,
} from './options';
import {
  type KubeObject,
  type RenderContext,
  type RenderedObject,
  renderObjects,
  trafficEntries,
  usesConfigMap,
} from './render';
import { waitForService } from './wait';
import { toYaml } from './yaml';

/** The Knative adapter, with the options it was made with. @public */
export interface KnativeAdapter extends Adapter {
  readonly name: 'knative';
  /** The namespace it deploys to (resolved on first use of the cluster). */
  namespace(): string;
}

type Condition = { type: string; status: string; reason?: string; message?: string };

/** ConfigMaps and Secrets a revision's pod spec reads (volumes and env references). */
function referencedNames(spec: Record<string, any> | undefined): string[] {
  const names: string[] = [];
  for (const volume of spec?.volumes ?? []) {
    if (volume.configMap?.name) names.push(volume.configMap.name);
    if (volume.secret?.secretName) names.push(volume.secret.secretName);
  }
  for (const container of spec?.containers ?? []) {
    for (const env of container.env ?? []) {
      const ref = env.valueFrom?.secretKeyRef ?? env.valueFrom?.configMapKeyRef;
      if (ref?.name) names.push(ref.name);
    }
  }
  return names;
}

/** The live object a rendered one updates. */
function liveObject(raw: LiveRaw | undefined, o: RenderedObject): KubeObject | undefined {
  if (!raw) return undefined;
  if (o.id === 'service') return raw.objects.service;
  const pool = [...raw.objects.pingSources, ...raw.objects.triggers, ...raw.objects.domainMappings];
  return pool.find((x) => x.kind === o.object.kind && x.metadata.name === o.object.metadata.name);
}
const condition = (obj: KubeObject, type: string): Condition | undefined =>
  ((obj.status?.conditions ?? []) as Condition[]).find((c) => c.type === type);

/**
 * Creates the Knative adapter.
 *
 * @example
 * ```ts
 * const adapter = createKnativeAdapter({ context: 'prod', namespace: 'shop' });
 * await deploy(adapter, defineFunction({ name: 'hello', source: { inline: 'export default () => "hi"' } }));
 * ```
 * @public
 */
export function createKnativeAdapter(input: KnativeAdapterOptions = {}): KnativeAdapter {
  const options: ResolvedKnativeOptions = parseOptions(input);
  let connection: { kc: KubeConfig; namespace: string; client: KubeClient } | undefined;
  const connect = () => {
    if (!connection) {
      const { kc, namespace } = loadKubeConfig(options);
      connection = { kc, namespace, client: new KubeClient(kc, namespace, options.fieldManager) };
    }
    return connection;
  };
  /** The namespace for manifests: the option, else the kubeconfig context's (render also works with no kubeconfig). */
  const manifestNamespace = () => {
    if (options.namespace) return options.namespace;
    try {
      return connect().namespace;
    } catch {
      return 'default';
    }
  };

  const renderContext = (live: LiveFunction | undefined, namespace: string): RenderContext => {
    const raw = live?.raw as LiveRaw | undefined;
    return {
      namespace,
      runtimeImage: options.runtimeImage,
      revisionTags: options.revisionTags,
      ...(raw ? { revisions: raw.revisions, liveTraffic: raw.pinnedTraffic } : {}),
    };
  };

  const checkCodeSize = (desired: DesiredState) => {
    const size = desired.artifact.zip?.length ?? 0;
    if (usesConfigMap(desired.fn) && size > options.maxConfigMapBytes) {
      throw new LimitExceededError(
        {
          limit: 'code size (zip bytes in a ConfigMap)',
          actual: size,
          allowed: `up to ${options.maxConfigMapBytes} bytes`,
          target: 'knative',
          functionName: desired.fn.name,
          path: 'source',
        },
        {
          adapter: 'knative',
          hint: 'Kubernetes keeps a ConfigMap under 1 MiB: build an image (source.image), or upload the zip and use source.bucket with an endpoint the cluster can reach.',
        },
      );
    }
  };

  const stepFor = (o: RenderedObject, action: Step['action'], live?: KubeObject): Step => {
    const { object } = o;
    const what = `${object.kind} ${object.metadata.name}`;
    const summaries: Record<string, string> = {
      secret: `${action} Secret ${object.metadata.name} (${Object.keys(object.stringData ?? {}).length} values)`,
      configmap: `${action} ConfigMap ${object.metadata.name} with the code`,
      service: `${action} Knative Service ${object.metadata.name} (revision ${object.spec?.template?.metadata?.name})`,
    };
    return {
      id: o.id,
      action,
      resource: what,
      summary: summaries[o.id] ?? `${action} ${what}`,
      phase: o.phase,
      changes:
        action === 'update' && live
          ? fieldChanges(
              {
                metadata: { labels: object.metadata.labels, annotations: object.metadata.annotations },
                spec: object.spec,
              },
              live,
            )
          : [{ path: `${object.kind} ${object.metadata.name}`, to: 'created' }],
      data: { object },
    };
  };

  const adapter: KnativeAdapter = {
    specificationVersion: 'v1',
    name: 'knative',
    capabilities: knativeCapabilities,
    namespace: () => connect().namespace,

    check: (fn) => checkKnative(fn),

    async read(name) {
      const { client } = connect();
      const objects = await readObjects(client, name);
      return objects ? toLiveFunction(name, objects) : undefined;
    },

    plan(desired, live) {
      checkCodeSize(desired);
      const raw = live?.raw as LiveRaw | undefined;
      const namespace = raw?.objects.service.metadata.namespace ?? manifestNamespace();
      const objects = renderObjects(desired, renderContext(live, namespace));
      const steps: Step[] = [];
      for (const o of objects) {
        if (o.id === 'configmap' || o.id === 'secret') {
          const existing = o.id === 'configmap' ? raw?.configMapNames : raw?.secretNames;
          if (!existing?.includes(o.object.metadata.name)) steps.push(stepFor(o, 'create'));
          continue;
        }
        if (o.shared) {
          if (!raw?.brokers.includes(o.object.metadata.name)) steps.push(stepFor(o, 'create'));
          continue;
        }
        const liveHash = raw?.hashes[o.id];
        if (liveHash === undefined) steps.push(stepFor(o, 'create'));
        else if (liveHash !== o.hash) steps.push(stepFor(o, 'update', liveObject(raw, o)));
      }
      if (raw) {
        const wanted = new Set(objects.map((o) => o.id));
        const owned: Array<[string, KubeObject]> = [
          ...raw.objects.pingSources.map((o): [string, KubeObject] => [
            `ping:${o.metadata.name.slice(desired.fn.name.length + 1)}`,
            o,
          ]),
          ...raw.objects.triggers.map((o): [string, KubeObject] => [
            `trigger:${o.metadata.name.slice(desired.fn.name.length + 1)}`,
            o,
          ]),
          ...raw.objects.domainMappings.map((o): [string, KubeObject] => [`domain:${o.metadata.name}`, o]),
        ];
        // Code and secret objects no revision uses any more (Knative garbage-collected the revisions).
        const used = new Set(
          objects.filter((o) => o.id === 'configmap' || o.id === 'secret').map((o) => o.object.metadata.name),
        );
        for (const revision of raw.objects.revisions)
          for (const name of referencedNames(revision.spec)) used.add(name);
        for (const object of [...raw.objects.configMaps, ...raw.objects.secrets]) {
          if (used.has(object.metadata.name)) continue;
          owned.push([`unused:${object.kind}:${object.metadata.name}`, object]);
        }
        for (const [id, object] of owned) {
          if (wanted.has(id)) continue;
          steps.push({
            id: `delete:${id}`,
            action: 'delete',
            resource: `${object.kind} ${object.metadata.name}`,
            summary: `delete ${object.kind} ${object.metadata.name}`,
            phase: 'finalize',
            changes: [{ path: id, from: 'exists' }],
            data: {
              object: {
                apiVersion: object.apiVersion,
                kind: object.kind,
                metadata: { name: object.metadata.name },
              },
            },
          });
        }
      }
      return steps;
    },

    async applyStep(step, desired) {
      const { client } = connect();
      const object = structuredClone((step.data as { object: KubeObject }).object);
      if (step.action === 'delete') {
        await client.delete(kindOf(object), object.metadata.name);
        return;
      }
      if (object.kind === 'Secret') {
        // The values join the object only here, on the way to the cluster.
        delete object.stringData;
        object.data = Object.fromEntries(
          Object.entries(desired.secretValues).map(([k, v]) => [k, toBase64(new TextEncoder().encode(v))]),
        );
      }
      await client.apply(object);
    },

    async waitReady(name, revisionLabel, ctx) {
      const { kc, client } = connect();
      let failed: { revision: string; reason: string; message: string } | undefined;
      await waitForService(
        kc,
        client,
        name,
        (service) => {
          const generation = Number(service.metadata.generation);
          const status = service.status ?? {};
          const wanted = String(service.spec?.template?.metadata?.name ?? '');
          if (
            Number(status.observedGeneration ?? 0) < generation ||
            status.latestCreatedRevisionName !== wanted
          ) {
            return {
              done: false,
              status: `generation ${generation} not observed yet (observed ${status.observedGeneration ?? 'none'})`,
            };
          }
          const config = condition(service, 'ConfigurationsReady');
          if (config?.status === 'True') return { done: true, value: undefined };
          if (config?.status === 'False') {
            failed = {
              revision: wanted,
              reason: config.reason ?? 'RevisionFailed',
              message: config.message ?? 'the revision failed',
            };
            return { done: true, value: undefined };
          }
          return {
            done: false,
            status: `revision ${wanted}: ${config?.reason ?? 'Unknown'} ${config?.message ?? ''}`.trim(),
          };
        },
        { timeoutMs: ctx.timeoutMs, pollIntervalMs: options.pollIntervalMs, signal: ctx.signal },
      );
      if (failed) {
        // The Revision's own condition names the cause (ContainerMissing, ExitCode1, ...).
        const revision = await client.get('revision', failed.revision);
        const ready = revision ? condition(revision, 'Ready') : undefined;
        const reason =
          ready?.status === 'False' && ready.reason ? `${failed.reason}/${ready.reason}` : failed.reason;
        throw new ProviderApiError({
          adapter: 'knative',
          operation: `revision ${failed.revision} (${revisionLabel})`,
          providerCode: reason,
          providerMessage: failed.message.replace(/\.+$/, ''),
          retryable: false,
        });
      }
    },

    async setTraffic(name, traffic, ctx) {
      await moveTraffic(name, traffic, ctx);
    },

    async invoke(name, request, invokeOptions: InvokeOptions = {}) {
      const { client } = connect();
      const service = await client.get('service', name);
      if (!service) throw new NotFoundError({ functionName: name, target: 'knative', adapter: 'knative' });
      const target = routeUrl(service, name, invokeOptions);
      let outgoing = request;
      if (invokeOptions.mode === 'event') {
        const headers = new Headers(request.headers);
        headers.set('ce-specversion', '1.0');
        headers.set('ce-id', crypto.randomUUID());
        if (!headers.has('ce-type')) headers.set('ce-type', 'dev.faasport.invoke');
        if (!headers.has('ce-source')) headers.set('ce-source', 'faasport/invoke');
        if (!headers.has('content-type')) headers.set('content-type', 'application/json');
        const body = request.body ? await request.arrayBuffer() : undefined;
        outgoing = new Request(request.url, { method: 'POST', headers, ...(body ? { body } : {}) });
      }
      return sendToRoute(target, outgoing, options.ingress, invokeOptions.signal);
    },

    async list() {
      const { client } = connect();
      const services = await client.list('service', `${keys.managedBy}=faasport`);
      const revisions = await client.list('revision', keys.function);
      return services.map((service): FunctionSummary => {
        const name = service.metadata.name;
        const mine = revisions.filter((r) => r.metadata.labels?.['serving.knative.dev/service'] === name);
        const live = toLiveFunction(name, {
          service,
          revisions: mine,
          pingSources: [],
          triggers: [],
          domainMappings: [],
          configMaps: [],
          secrets: [],
        });
        return {
          name,
          ...(live.url ? { url: live.url } : {}),
          revisions: mine.length,
          traffic: live.traffic,
        };
      });
    },

    async remove(name) {
      const { client } = connect();
      await client.delete('service', name);
      const mine = `${keys.function}=${name}`;
      for (const kind of ['pingSource', 'trigger', 'domainMapping', 'configMap', 'secret'] as const) {
        for (const object of await client.list(kind, mine)) await client.delete(kind, object.metadata.name);
      }
    },

    async export(name): Promise<ExportResult> {
      const { client } = connect();
      const objects = await readObjects(client, name);
      if (!objects) throw new NotFoundError({ functionName: name, target: 'knative', adapter: 'knative' });
      return exportFromObjects([
        objects.service,
        ...objects.pingSources,
        ...objects.triggers,
        ...objects.domainMappings,
        ...objects.configMaps,
      ]);
    },

    render(desired): Manifest[] {
      checkCodeSize(desired);
      return renderObjects(desired, renderContext(undefined, manifestNamespace()), true).map((o) => ({
        name: `${desired.fn.name}.${o.object.kind.toLowerCase()}${o.id.includes(':') ? `-${o.object.metadata.name}` : ''}.yaml`,
        format: 'yaml',
        content: o.object,
      }));
    },
  };

  /** Merge-patches `spec.traffic` (retrying on 409) and waits until the route serves it. */
  async function moveTraffic(
    name: string,
    traffic: ResolvedTrafficEntry[],
    ctx: AdapterContext,
  ): Promise<void> {
    const { kc, client } = connect();
    const objects = await readObjects(client, name);
    if (!objects) throw new NotFoundError({ functionName: name, target: 'knative', adapter: 'knative' });
    const byLabel = new Map<string, string>();
    for (const r of objects.revisions) byLabel.set(labelOf(name, r), r.metadata.name);
    const missing = traffic.filter((t) => !byLabel.has(t.revision));
    if (missing.length) {
      throw new ValidationError(
        missing.map((t) => ({
          path: 'traffic',
          message: `revision ${JSON.stringify(t.revision)} does not exist (known: ${[...byLabel.keys()].join(', ')})`,
          rule: 'revision-exists',
        })),
        { subject: `traffic of "${name}"`, adapter: 'knative' },
      );
    }
    const entries = trafficEntries(traffic, (label) => byLabel.get(label)!, options.revisionTags);
    const patched = await client.mergePatch('service', name, () => ({ spec: { traffic: entries } }));
    const generation = Number(patched.metadata.generation);
    await waitForService(
      kc,
      client,
      name,
      (service) => {
        const status = service.status ?? {};
        if (Number(status.observedGeneration ?? 0) < generation)
          return { done: false, status: `traffic generation ${generation} not observed yet` };
        const routes = condition(service, 'RoutesReady');
        if (routes?.status === 'True') return { done: true, value: undefined };
        if (routes?.status === 'False') {
          throw new ProviderApiError({
            adapter: 'knative',
            operation: `route ${name}`,
            providerCode: routes.reason ?? 'RouteFailed',
            providerMessage: routes.message ?? '',
            retryable: false,
          });
        }
        return {
          done: false,
          status: `route: ${routes?.reason ?? 'Unknown'} ${routes?.message ?? ''}`.trim(),
        };
      },
      { timeoutMs: 120_000, pollIntervalMs: options.pollIntervalMs, signal: ctx.signal },
    );
  }

  return defineAdapter(adapter);
}

/** The URL to call: a tag's URL, a revision's (by its tag), or the Service URL. */
function routeUrl(service: KubeObject, name: string, options: InvokeOptions): string {
  const entries = (service.status?.traffic ?? []) as Array<{
    tag?: string;
    url?: string;
    revisionName?: string;
  }>;
  if (options.tag) {
    const entry = entries.find((e) => e.tag === options.tag);
    if (!entry?.url) {
      const tags = entries.filter((e) => e.tag && !e.tag.startsWith(REVISION_TAG_PREFIX)).map((e) => e.tag);
      throw new InvokeError({
        functionName: name,
        message: `tag "${options.tag}" has no URL (tags: ${tags.join(', ') || 'none'})`,
        adapter: 'knative',
      });
    }
    return entry.url;
  }
  if (options.revision) {
    const revisionName = `${name}-${options.revision}`;
    const tagged = entries.filter(
      (e) => e.url && (e.revisionName === revisionName || e.revisionName?.startsWith(`${revisionName}-`)),
    );
    const entry = tagged.find((e) => e.tag === `${REVISION_TAG_PREFIX}${options.revision}`) ?? tagged[0];
    if (!entry?.url) {
      throw new InvokeError({
        functionName: name,
        message: `revision "${options.revision}" cannot be addressed: it has no tag in the traffic (give it a tag, or keep the adapter's revisionTags option on)`,
        adapter: 'knative',
      });
    }
    return entry.url;
  }
  const url = service.status?.url;
  if (!url)
    throw new InvokeError({
      functionName: name,
      message: 'the Service has no URL yet (is it ready?)',
      adapter: 'knative',
    });
  return String(url);
}

export { toYaml };
