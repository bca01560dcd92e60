/**
 * The mapping from the neutral function to Kubernetes and Knative objects (DESIGN §3): a Service with
 * our own revision names, a ConfigMap with faasport's entry script and the code (run by a stock Node.js image), a Secret for secrets,
 * PingSources for schedules, a Broker and Triggers for events, DomainMappings for domains, and
 * Alibaba's Knative-on-FC form when `providers.knative.workloadClass` is `fc`.
 */
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  type DesiredState,
  type ResolvedFunction,
  type ResolvedTrafficEntry,
  toBase64,
} from '@faasport/core';
import {
  CODE_MOUNT_PATH,
  DEFAULT_PORT,
  defaultRuntimeImage,
  ENTRY_FILE,
  keys,
  MANAGED_BY,
  REVISION_TAG_PREFIX,
} from './constants';
import { entryScript } from './entry-script.generated';
import type { KnativeQueueBinding } from './options';
import type { KnativeProviderOptions } from './provider-options';

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, any> & { name: string };
};

/** One object the adapter writes, with its plan identity. */
export interface RenderedObject {
  /** Step id: `secret`, `configmap`, `broker:default`, `service`, `ping:schedule`, `trigger:event`, `domain:api.example.com`. */
  id: string;
  phase: 'prepare' | 'revision' | 'finalize';
  object: KubeObject;
  /** Hash of what faasport controls on the object (stored as an annotation; compared by plan). */
  hash: string;
  /** Shared objects (Brokers) are only created when missing, never changed or removed. */
  shared?: boolean;
}

/** What render needs to know about the live function, when there is one. */
export interface RenderContext {
  namespace: string;
  /** The `runtimeImage` option; default: {@link defaultRuntimeImage} of the function's runtime. */
  runtimeImage?: string;
  revisionTags: boolean;
  /** Live revisions: name, label and template hash, oldest first. */
  revisions?: Array<{ name: string; label: string; templateHash?: string }>;
  /** The live traffic, pinned to revision names (kept while a new revision gets ready). */
  liveTraffic?: Array<Record<string, unknown>>;
  /** The target's `queues` bindings; a queue trigger without one renders nothing (check reports it). */
  queues?: Record<string, KnativeQueueBinding>;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The provider options of a function (already validated by check). */
export function providerOptions(fn: ResolvedFunction): KnativeProviderOptions {
  return (fn.providers.knative ?? {}) as KnativeProviderOptions;
}

const commonLabels = (fn: ResolvedFunction) => ({ [keys.managedBy]: MANAGED_BY, [keys.function]: fn.name });

/**
 * The name of the ConfigMap holding the entry script and the code zip, addressed by both hashes so
 * each revision keeps its own code and entry.
 */
export const codeConfigMapName = (fn: ResolvedFunction, codeHash: string) =>
  `${fn.name}-code-${sha(`${codeHash}:${entryScriptHash}`).slice(0, 8)}`;

const entryScriptHash = createHash('sha256').update(entryScript).digest('hex');

/** Bytes a function's ConfigMap carries: the entry script, plus the code zip when the code travels in it. */
export function configMapPayloadBytes(desired: DesiredState): number {
  return (
    Buffer.byteLength(entryScript) + (usesConfigMap(desired.fn) ? (desired.artifact.zip?.length ?? 0) : 0)
  );
}

/** The name of the Secret holding the secret values of one revision. */
export const secretName = (fn: ResolvedFunction, valuesHash: string) =>
  `${fn.name}-secrets-${valuesHash.slice(0, 8)}`;

/** Whether a function's code travels in a ConfigMap. */
export const usesConfigMap = (fn: ResolvedFunction) =>
  providerOptions(fn).workloadClass !== 'fc' &&
  (fn.source.kind === 'inline' || fn.source.kind === 'dir' || fn.source.kind === 'archive');

/** Whether a function runs on the stock Node.js image with faasport's entry script (every code source). */
export const usesEntryScript = (fn: ResolvedFunction) =>
  usesConfigMap(fn) || (providerOptions(fn).workloadClass !== 'fc' && fn.source.kind === 'bucket');

/** The URL the entry script fetches a bucket source from (path style: `<endpoint>/<bucket>/<key>`). */
export function bucketUrl(source: Extract<ResolvedFunction['source'], { kind: 'bucket' }>): string {
  const endpoint = (source.endpoint ?? '').replace(/\/+$/, '');
  return `${endpoint}/${encodeURIComponent(source.name)}/${source.key.split('/').map(encodeURIComponent).join('/')}`;
}

function resources(fn: ResolvedFunction): Record<string, Record<string, string>> {
  const limits: Record<string, string> = { memory: `${fn.resources.memory}Mi` };
  const requests: Record<string, string> = { memory: `${fn.resources.memory}Mi` };
  if (fn.resources.cpu !== undefined) {
    limits.cpu = String(fn.resources.cpu);
    requests.cpu = String(fn.resources.cpu);
  }
  if (fn.resources.disk !== undefined) limits['ephemeral-storage'] = `${fn.resources.disk}Mi`;
  return { limits, requests };
}

function autoscaling(fn: ResolvedFunction): Record<string, string> {
  const p = providerOptions(fn);
  return {
    'autoscaling.knative.dev/min-scale': String(fn.scaling.min),
    'autoscaling.knative.dev/max-scale': String(fn.scaling.max),
    'autoscaling.knative.dev/target': String(p.target ?? fn.scaling.concurrency),
    'autoscaling.knative.dev/window': `${fn.scaling.idleSeconds}s`,
  };
}

/** The FC workload class's runtime names for faasport runtimes. */
export function fcRuntimeName(runtime: string): string {
  return runtime.replace(/^python3\.(\d+)$/, 'python3.$1');
}

/** The container and template annotations of the revision. */
function container(
  desired: DesiredState,
  ctx: RenderContext,
  secretRef: string | undefined,
): {
  container: Record<string, any>;
  annotations: Record<string, string>;
  volumes?: Array<Record<string, any>>;
} {
  const fn = desired.fn;
  const p = providerOptions(fn);
  const env: Array<Record<string, any>> = [];
  const annotations: Record<string, string> = {};
  const out: Record<string, any> = {};
  let volumes: Array<Record<string, any>> | undefined;
  if (p.workloadClass === 'fc') {
    const source = fn.source;
    if (source.kind === 'inline') {
      annotations[keys.fcCodeSpace] = 'inline';
      out.image = fcRuntimeName(fn.runtime);
      out.command = [source.code];
    } else if (source.kind === 'bucket') {
      annotations[keys.fcCodeSpace] = 'oss';
      out.image = fcRuntimeName(fn.runtime);
      out.command = [source.name, source.key];
    } else if (source.kind === 'image') {
      annotations[keys.fcCodeSpace] = 'image';
      if (p.role) annotations[keys.fcRole] = p.role;
      out.image = source.ref;
    }
  } else if (fn.source.kind === 'image') {
    const source = fn.source;
    out.image = source.ref;
    if (source.command) out.command = [...source.command];
    if (source.args) out.args = [...source.args];
    if (source.workdir) out.workingDir = source.workdir;
    out.ports = [{ containerPort: source.port }];
    if (source.user) {
      const [uid, gid] = source.user.split(':');
      out.securityContext = { runAsUser: Number(uid), ...(gid ? { runAsGroup: Number(gid) } : {}) };
    }
  } else {
    // A stock Node.js image runs faasport's entry script from the function's ConfigMap.
    out.image = ctx.runtimeImage ?? defaultRuntimeImage(fn.runtime);
    out.command = ['node', `${CODE_MOUNT_PATH}/${ENTRY_FILE}`];
    out.ports = [{ containerPort: DEFAULT_PORT }];
    env.push(
      { name: 'FAASPORT_HANDLER', value: fn.handler ?? 'index.default' },
      { name: 'FAASPORT_CONTRACT', value: fn.contract },
      { name: 'FAASPORT_RUNTIME', value: fn.runtime },
      { name: 'FAASPORT_REVISION', value: desired.revisionLabel },
      { name: 'FAASPORT_TIMEOUT_SECONDS', value: String(fn.resources.timeout) },
    );
    if (fn.initializer) env.push({ name: 'FAASPORT_INITIALIZER', value: fn.initializer });
    if (fn.source.kind === 'bucket') {
      env.push({ name: 'FAASPORT_CODE_URL', value: bucketUrl(fn.source) });
      env.push(
        { name: 'FAASPORT_BUCKET', value: fn.source.name },
        { name: 'FAASPORT_BUCKET_KEY', value: fn.source.key },
      );
      if (fn.source.region) env.push({ name: 'FAASPORT_BUCKET_REGION', value: fn.source.region });
    }
    out.volumeMounts = [{ name: 'code', mountPath: CODE_MOUNT_PATH, readOnly: true }];
    volumes = [{ name: 'code', configMap: { name: codeConfigMapName(fn, desired.artifact.codeHash) } }];
  }
  for (const [name, value] of Object.entries(fn.env).sort(([a], [b]) => a.localeCompare(b)))
    env.push({ name, value });
  for (const name of Object.keys(fn.secrets).sort())
    env.push({ name, valueFrom: { secretKeyRef: { name: secretRef!, key: name } } });
  if (env.length) out.env = env;
  out.resources = resources(fn);
  return { container: out, annotations, ...(volumes ? { volumes } : {}) };
}

/**
 * The Secret's name for this revision. It follows the revision hash (which covers the secret values),
 * so a changed value gets a new Secret while old revisions keep theirs; no new digest of the values is
 * exposed in a name.
 */
export function secretNameOf(desired: DesiredState): string | undefined {
  if (!Object.keys(desired.fn.secrets).length) return undefined;
  return secretName(desired.fn, desired.revisionHash);
}

/** Hash of a revision template, without its name. */
export function templateHashOf(template: Record<string, any>): string {
  const copy = JSON.parse(JSON.stringify(template));
  delete copy.metadata.name;
  delete copy.metadata.annotations?.[keys.templateHash];
  return sha(canonicalJson(copy)).slice(0, 6);
}

/**
 * The revision name for a new template: `<fn>-<label>`, or `<fn>-<label>-<templatehash>` when a live
 * revision already has `<fn>-<label>` with another template (Knative forbids reusing a name).
 */
export function revisionNameFor(
  fn: ResolvedFunction,
  label: string,
  templateHash: string,
  ctx: RenderContext,
): string {
  const plain = `${fn.name}-${label}`;
  const taken = ctx.revisions?.find((r) => r.name === plain);
  if (!taken || taken.templateHash === templateHash) return plain;
  return `${plain}-${templateHash}`;
}

/** Maps traffic by label to Knative traffic entries by revision name. */
export function trafficEntries(
  traffic: ResolvedTrafficEntry[],
  nameOf: (label: string) => string,
  addRevisionTags: boolean,
): Array<Record<string, unknown>> {
  const entries: Array<Record<string, unknown>> = traffic.map((t) => ({
    revisionName: nameOf(t.revision),
    percent: t.percent,
    ...(t.tag ? { tag: t.tag } : {}),
  }));
  if (addRevisionTags) {
    const tagged = new Set(traffic.filter((t) => t.tag).map((t) => t.revision));
    const labels = [...new Set(traffic.map((t) => t.revision))].filter((l) => !tagged.has(l));
    for (const label of labels)
      entries.push({ revisionName: nameOf(label), percent: 0, tag: `${REVISION_TAG_PREFIX}${label}` });
  }
  return entries;
}

const withHash = (object: KubeObject, hashInput: unknown): { object: KubeObject; hash: string } => {
  const hash = sha(canonicalJson(hashInput)).slice(0, 16);
  object.metadata.annotations = { ...(object.metadata.annotations ?? {}), [keys.objectHash]: hash };
  return { object, hash };
};

/**
 * Every object of a function. `forRender` gives the traffic the function asks for (clean manifests);
 * otherwise the Service keeps the live traffic (or starts with the new revision) and the engine's
 * traffic step moves it once the revision is ready.
 */
export function renderObjects(
  desired: DesiredState,
  ctx: RenderContext,
  forRender = false,
): RenderedObject[] {
  const fn = desired.fn;
  const p = providerOptions(fn);
  const ns = ctx.namespace;
  const labels = commonLabels(fn);
  const out: RenderedObject[] = [];
  const secretRef = secretNameOf(desired);
  if (secretRef) {
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretRef, namespace: ns, labels },
      type: 'Opaque',
      // Values are filled in at apply time, never kept in plans or rendered files.
      stringData: Object.fromEntries(
        Object.keys(fn.secrets)
          .sort()
          .map((k) => [k, forRender ? `<${k} from ${describeRef(fn, k)}>` : '']),
      ),
    };
    out.push({ id: 'secret', phase: 'prepare', ...withHash(object, { name: secretRef }) });
  }
  if (usesEntryScript(fn)) {
    const name = codeConfigMapName(fn, desired.artifact.codeHash);
    const zip = usesConfigMap(fn) ? desired.artifact.zip : undefined;
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns, labels },
      data: { [ENTRY_FILE]: entryScript },
      ...(zip ? { binaryData: { 'code.zip': toBase64(zip) } } : {}),
    };
    out.push({ id: 'configmap', phase: 'prepare', ...withHash(object, { name }) });
  }
  const brokers = [...new Set(fn.triggers.flatMap((t) => (t.kind === 'event' ? [t.broker] : [])))].sort();
  for (const broker of brokers) {
    const object: KubeObject = {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Broker',
      metadata: { name: broker, namespace: ns },
    };
    out.push({ id: `broker:${broker}`, phase: 'prepare', object, hash: '', shared: true });
  }

  // The Service and its revision template.
  const { container: main, annotations: fcAnnotations, volumes } = container(desired, ctx, secretRef);
  const templateAnnotations: Record<string, string> = {
    ...autoscaling(fn),
    ...fcAnnotations,
    ...(p.annotations ?? {}),
    [keys.revisionHash]: desired.revisionHash,
  };
  const podSpec: Record<string, any> = {
    containerConcurrency: fn.scaling.concurrency,
    timeoutSeconds: fn.resources.timeout,
    containers: [main],
    ...(volumes ? { volumes } : {}),
    ...(p.serviceAccountName ? { serviceAccountName: p.serviceAccountName } : {}),
    ...(p.imagePullSecrets ? { imagePullSecrets: p.imagePullSecrets.map((name) => ({ name })) } : {}),
  };
  const template: Record<string, any> = {
    metadata: {
      name: '',
      labels: { [keys.function]: fn.name, [keys.revision]: desired.revisionLabel },
      annotations: templateAnnotations,
    },
    spec: podSpec,
  };
  const templateHash = templateHashOf(template);
  template.metadata.annotations[keys.templateHash] = templateHash;
  const revisionName = revisionNameFor(fn, desired.revisionLabel, templateHash, ctx);
  template.metadata.name = revisionName;
  const nameOf = (label: string) => {
    if (label === desired.revisionLabel) return revisionName;
    const live = [...(ctx.revisions ?? [])].reverse().find((r) => r.label === label);
    return live?.name ?? `${fn.name}-${label}`;
  };
  const serviceAnnotations: Record<string, string> = {
    ...(p.workloadClass === 'fc' ? { [keys.fcClass]: 'fc' } : {}),
    ...(brokers.length ? { [keys.brokers]: brokers.join(',') } : {}),
  };
  const serviceLabels: Record<string, string> = {
    ...labels,
    ...(p.labels ?? {}),
    ...(fn.visibility === 'private' ? { [keys.visibility]: 'cluster-local' } : {}),
  };
  const service: KubeObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: fn.name, namespace: ns, labels: serviceLabels, annotations: serviceAnnotations },
    spec: { template },
  };
  const hashed = withHash(service, service);
  hashed.object.metadata.annotations[keys.specHash] = desired.specHash;
  if (forRender) hashed.object.spec.traffic = trafficEntries(desired.traffic, nameOf, false);
  else {
    // Traffic stays where it is while the new revision starts; with revisionTags the new revision is
    // reachable at once (at 0%) by its rev-<label> tag, e.g. for a smoke test before traffic moves.
    const ownTag = `${REVISION_TAG_PREFIX}${desired.revisionLabel}`;
    // A label reused with a changed template (e.g. new scaling) names a new revision: entries routing to
    // that label follow it. Knative keeps serving the old one until the new one is ready.
    const labelOfName = new Map((ctx.revisions ?? []).map((r) => [r.name, r.label]));
    const kept = (ctx.liveTraffic ?? [{ revisionName, percent: 100 }])
      .filter((e) => e.tag !== ownTag)
      .map((e) =>
        labelOfName.get(String(e.revisionName)) === desired.revisionLabel ? { ...e, revisionName } : e,
      );
    hashed.object.spec.traffic = ctx.revisionTags
      ? [...kept, { revisionName, percent: 0, tag: ownTag }]
      : kept;
  }
  out.push({ id: 'service', phase: 'revision', ...hashed });

  // Triggers.
  const sink = { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: fn.name } };
  for (const trigger of fn.triggers) {
    if (trigger.kind === 'schedule' && trigger.enabled) {
      const object: KubeObject = {
        apiVersion: 'sources.knative.dev/v1',
        kind: 'PingSource',
        metadata: { name: `${fn.name}-${trigger.name}`, namespace: ns, labels },
        spec: {
          schedule: trigger.cron,
          timezone: trigger.timezone,
          contentType: 'application/json',
          data: JSON.stringify(trigger.payload ?? {}),
          sink,
        },
      };
      out.push({ id: `ping:${trigger.name}`, phase: 'finalize', ...withHash(object, object.spec) });
    }
    const kafka = trigger.kind === 'queue' ? ctx.queues?.[trigger.topic]?.kafka : undefined;
    if (trigger.kind === 'queue' && kafka) {
      // KafkaSource spec fields: knative-extensions/eventing-kafka-broker
      // control-plane/pkg/apis/sources/v1beta1/kafka_types.go (topics, bootstrapServers, consumerGroup,
      // initialOffset, sink). The consumer group is immutable there (kafka_validation.go), so it is named
      // here: the webhook's default is a random UUID (kafka_defaults.go).
      const object: KubeObject = {
        apiVersion: 'sources.knative.dev/v1beta1',
        kind: 'KafkaSource',
        metadata: { name: `${fn.name}-${trigger.name}`, namespace: ns, labels },
        spec: {
          bootstrapServers: [...kafka.bootstrapServers],
          topics: [trigger.topic],
          consumerGroup: kafka.consumerGroup ?? `faasport-${ns}-${fn.name}-${trigger.name}`,
          initialOffset: trigger.startFrom,
          sink,
        },
      };
      out.push({ id: `kafka:${trigger.name}`, phase: 'finalize', ...withHash(object, object.spec) });
    }
    if (trigger.kind === 'event') {
      const object: KubeObject = {
        apiVersion: 'eventing.knative.dev/v1',
        kind: 'Trigger',
        metadata: { name: `${fn.name}-${trigger.name}`, namespace: ns, labels },
        spec: { broker: trigger.broker, filter: { attributes: { ...trigger.filter } }, subscriber: sink },
      };
      out.push({ id: `trigger:${trigger.name}`, phase: 'finalize', ...withHash(object, object.spec) });
    }
  }
  for (const domain of fn.domains) {
    const object: KubeObject = {
      apiVersion: 'serving.knative.dev/v1beta1',
      kind: 'DomainMapping',
      metadata: { name: domain.host, namespace: ns, labels },
      spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: fn.name, namespace: ns } },
    };
    out.push({ id: `domain:${domain.host}`, phase: 'finalize', ...withHash(object, object.spec) });
  }
  return out;
}

function describeRef(fn: ResolvedFunction, name: string): string {
  const ref = fn.secrets[name]!;
  return 'fromEnv' in ref ? `$${ref.fromEnv}` : ref.fromFile;
}
