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
  type InvokeOptions,
  LimitExceededError,
  type LiveFunction,
  type Manifest,
  NotFoundError,
  ProviderApiError,
  type ResolvedTrafficEntry,
  toBase64,
  ValidationError,
} from '@faasport/core';
import { queueBindingIssues } from '@faasport/core/toolkit';
import type { KubeConfig } from '@kubernetes/client-node';
import { knativeCapabilities } from './capabilities';
import { checkKnative } from './check';
import { KubeClient, kindOf } from './client';
import { keys, MANAGED_BY } from './constants';
import { exportFromObjects } from './export';
import { routeUrl, sendToRoute } from './invoke';
import { type LiveRaw, labelOf, readObjects, toLiveFunction } from './live';
import {
  type KnativeAdapterOptions,
  loadKubeConfig,
  parseOptions,
  type ResolvedKnativeOptions,
} from './options';
import { planSteps } from './plan';
import { knativeProviderSchema } from './provider-options';
import {
  configMapPayloadBytes,
  type KubeObject,
  type RenderContext,
  renderObjects,
  trafficEntries,
  usesEntryScript,
} from './render';
import { waitForService } from './wait';

/** The Knative adapter, with the options it was made with. @public */
export interface KnativeAdapter extends Adapter {
  readonly name: 'knative';
  /** The namespace it deploys to (resolved on first use of the cluster). */
  namespace(): string;
}

type Condition = { type: string; status: string; reason?: string; message?: string };

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
      ...(options.runtimeImage ? { runtimeImage: options.runtimeImage } : {}),
      revisionTags: options.revisionTags,
      ...(options.queues ? { queues: options.queues } : {}),
      ...(raw ? { revisions: raw.revisions, liveTraffic: raw.pinnedTraffic } : {}),
    };
  };

  const checkCodeSize = (desired: DesiredState) => {
    const size = configMapPayloadBytes(desired);
    if (usesEntryScript(desired.fn) && size > options.maxConfigMapBytes) {
      throw new LimitExceededError(
        {
          limit: 'code size (the code zip plus the entry script, in one ConfigMap)',
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

  const adapter: KnativeAdapter = {
    specificationVersion: 'v1',
    name: 'knative',
    capabilities: knativeCapabilities,
    providerOptionsSchema: knativeProviderSchema,
    namespace: () => connect().namespace,

    check: (fn) => [
      ...checkKnative(fn),
      ...queueBindingIssues(fn, options.queues, {
        adapter: 'knative',
        ...(options.target ? { target: options.target } : {}),
        example: '{ kafka: { bootstrapServers: [my-cluster-kafka-bootstrap.kafka:9092] } }',
      }),
    ],

    async read(name) {
      const { client } = connect();
      const objects = await readObjects(client, name);
      return objects ? toLiveFunction(name, objects) : undefined;
    },

    plan(desired, live) {
      checkCodeSize(desired);
      const raw = live?.raw as LiveRaw | undefined;
      const managed = raw?.objects.service.metadata.labels?.[keys.managedBy] === MANAGED_BY;
      if (
        raw &&
        !managed &&
        (desired.fn.providers.knative as { adopt?: boolean } | undefined)?.adopt !== true
      ) {
        throw new ValidationError(
          [
            {
              path: 'name',
              message: `a Knative Service "${desired.fn.name}" already exists in namespace ${raw.objects.service.metadata.namespace} and was not made by faasport; nothing was changed`,
              rule: 'not-managed',
            },
          ],
          {
            subject: `function "${desired.fn.name}"`,
            adapter: 'knative',
            hint: 'Pick another name, delete the Service, or set providers.knative.adopt: true to let faasport take it over.',
          },
        );
      }
      const namespace = raw?.objects.service.metadata.namespace ?? manifestNamespace();
      return planSteps(desired, renderObjects(desired, renderContext(live, namespace)), raw);
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
          // Ready = ConfigurationsReady and RoutesReady: the new revision is up and the (pinned) routes serve.
          const ready = condition(service, 'Ready');
          if (ready?.status === 'True') return { done: true, value: undefined };
          if (ready?.status === 'False') {
            failed = {
              revision: wanted,
              reason: ready.reason ?? 'RevisionFailed',
              message: ready.message ?? 'the revision failed',
            };
            return { done: true, value: undefined };
          }
          return {
            done: false,
            status: `revision ${wanted}: ${ready?.reason ?? 'Unknown'} ${ready?.message ?? ''}`.trim(),
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
          kafkaSources: [],
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
      if (await client.serves('kafkaSource'))
        for (const object of await client.list('kafkaSource', mine))
          await client.delete('kafkaSource', object.metadata.name);
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
    const patched = await client.mergePatch('service', name, () => ({ spec: { traffic: entries } }), {
      signal: ctx.signal,
    });
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
