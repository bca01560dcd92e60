/**
 * Reverse mapping, for migration: a Knative Service (live, or from a YAML file) and the objects around
 * it back to a neutral {@link FunctionConfig}, with notes on what cannot carry over.
 */
import {
  builtinDefaults,
  type ExportResult,
  type FunctionConfig,
  fromBase64,
  ValidationError,
} from '@faasport/core';
import { CODE_MOUNT_PATH, keys } from './constants';
import type { KubeObject } from './render';
import { yamlMappings } from './yaml';

/**
 * The notes an import writes for a setting it leaves to faasport's defaults, in the same words for every
 * format (Knative Services, OpenFunction Functions), so a user sees what the defaults will be.
 */
export const defaultedNotes = {
  memory: `no memory limit on the container: faasport will set its default (${builtinDefaults.memory} MB)`,
  timeout: `no timeout: faasport will set its default (${builtinDefaults.timeout} s)`,
  concurrency: `containerConcurrency 0 (unlimited) has no neutral equivalent: concurrency defaults to ${builtinDefaults.scaling.concurrency}; set scaling.concurrency`,
} as const;

type Json = Record<string, any>;

const known = new Set<string>([
  keys.managedBy,
  keys.function,
  keys.revision,
  keys.revisionHash,
  keys.templateHash,
  keys.specHash,
  keys.objectHash,
  keys.brokers,
  keys.visibility,
  keys.fcClass,
  keys.fcCodeSpace,
  keys.fcRole,
  'serving.knative.dev/creator',
  'serving.knative.dev/lastModifier',
  'autoscaling.knative.dev/min-scale',
  'autoscaling.knative.dev/minScale',
  'autoscaling.knative.dev/max-scale',
  'autoscaling.knative.dev/maxScale',
  'autoscaling.knative.dev/target',
  'autoscaling.knative.dev/window',
  'kubectl.kubernetes.io/last-applied-configuration',
]);

/** Container fields the export maps (or that carry nothing a faasport function sets). */
const handledContainerFields = new Set([
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'ports',
  'env',
  'envFrom',
  'resources',
  'volumeMounts',
]);
/** Pod fields the export maps. */
const handledPodFields = new Set([
  'containers',
  'containerConcurrency',
  'timeoutSeconds',
  'volumes',
  'serviceAccountName',
  'imagePullSecrets',
]);

/** The readiness probe Knative's defaulting webhook adds (a TCP check of the serving port). */
function isDefaultProbe(probe: unknown): boolean {
  const p = probe as Json | undefined;
  return (
    Boolean(p?.tcpSocket) && Object.keys(p ?? {}).every((k) => k === 'tcpSocket' || k === 'successThreshold')
  );
}

/** Parses Kubernetes quantities of memory to MB (MiB). */
export function memoryToMb(quantity: unknown): number | undefined {
  if (quantity === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(quantity));
  if (!m) return undefined;
  const factor: Record<string, number> = {
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    Ti: 1024 * 1024,
    K: 1000 / 1048576,
    M: 1_000_000 / 1048576,
    G: 1e9 / 1048576,
    T: 1e12 / 1048576,
  };
  return Math.round(Number(m[1]) * (m[2] ? factor[m[2]]! : 1 / 1048576));
}

/** Parses Kubernetes CPU quantities (`500m`, `1`) to vCPUs. */
export function cpuToNumber(quantity: unknown): number | undefined {
  if (quantity === undefined) return undefined;
  const text = String(quantity);
  return text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text);
}

const durationSeconds = (text: string) => {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  return m && text ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : undefined;
};

/** The FC runtime name of a workload-class container image back to a faasport runtime. */
function runtimeFromFc(image: string, notes: string[]): string {
  if (/^python3\.(9|10|11|12)$/.test(image)) return image;
  if (/^nodejs(18|20|22)$/.test(image)) return image;
  if (image.startsWith('nodejs')) {
    notes.push(
      `FC runtime "${image}" is mapped to nodejs20 (the oldest Node.js faasport runs); test the code on it`,
    );
    return 'nodejs20';
  }
  notes.push(`FC runtime "${image}" has no faasport equivalent; set runtime by hand`);
  return 'nodejs20';
}

/**
 * Converts a Knative Service and related objects (PingSources, Triggers, DomainMappings and the code
 * ConfigMap, when given) to the neutral model.
 */
export function exportFromObjects(objects: KubeObject[]): ExportResult {
  const service = objects.find(
    (o) => o.kind === 'Service' && String(o.apiVersion).startsWith('serving.knative.dev/'),
  );
  if (!service) {
    throw new ValidationError(
      [
        {
          path: 'kind',
          message: 'no Knative Service (serving.knative.dev/v1, kind Service) found',
          rule: 'knative-service',
        },
      ],
      { adapter: 'knative' },
    );
  }
  const notes: string[] = [];
  const name = String(service.metadata.name);
  const template: Json = service.spec?.template ?? {};
  const tmeta: Json = template.metadata ?? {};
  const annotations: Record<string, string> = tmeta.annotations ?? {};
  const pod: Json = template.spec ?? {};
  const containers: Json[] = pod.containers ?? [];
  const main = containers.find((c) => Array.isArray(c.ports) && c.ports.length) ?? containers[0] ?? {};
  if (containers.length > 1)
    notes.push(
      `${containers.length - 1} sidecar container(s) dropped: ${containers
        .filter((c) => c !== main)
        .map((c) => c.name ?? c.image)
        .join(', ')}`,
    );
  const envList: Json[] = main.env ?? [];
  const envValue = (key: string) => envList.find((e) => e.name === key)?.value as string | undefined;
  const env: Record<string, string> = {};
  const secrets: Record<string, { fromEnv: string }> = {};
  for (const e of envList) {
    if (String(e.name).startsWith('FAASPORT_')) continue;
    if (typeof e.value === 'string') env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      secrets[e.name] = { fromEnv: e.name };
    } else if (e.valueFrom)
      notes.push(`env ${e.name} comes from ${Object.keys(e.valueFrom).join(', ')}; not exported`);
  }
  if (Object.keys(secrets).length)
    notes.push(
      `secret values are not exported: set ${Object.keys(secrets).join(', ')} in the environment of the deploy (secrets read them with fromEnv)`,
    );
  if (main.envFrom) notes.push('envFrom (whole ConfigMaps/Secrets as env) is not exported');

  const config: FunctionConfig = { name } as FunctionConfig;
  let code: Uint8Array | undefined;
  const fcClass = service.metadata.annotations?.[keys.fcClass] === 'fc';
  const image = String(main.image ?? '');
  const handler = envValue('FAASPORT_HANDLER');
  if (fcClass) {
    const space = annotations[keys.fcCodeSpace];
    const role = annotations[keys.fcRole];
    config.providers = { knative: { workloadClass: 'fc', ...(role ? { role } : {}) } };
    const command: string[] = main.command ?? [];
    if (space === 'inline') {
      config.source = { inline: String(command[0] ?? '') };
      config.runtime = runtimeFromFc(image, notes) as FunctionConfig['runtime'];
      config.contract = 'native';
      config.handler = 'index.handler';
    } else if (space === 'oss') {
      config.source = { bucket: { name: String(command[0]), key: String(command[1]) } };
      config.runtime = runtimeFromFc(image, notes) as FunctionConfig['runtime'];
      config.contract = 'native';
      config.handler = 'index.handler';
    } else config.source = { image: { ref: image } };
  } else if (handler !== undefined || envValue('FAASPORT_CONTRACT') !== undefined) {
    // Run by faasport's entry script: the code is in a ConfigMap or a bucket.
    config.runtime = (envValue('FAASPORT_RUNTIME') ?? 'nodejs20') as FunctionConfig['runtime'];
    config.handler = handler ?? 'index.default';
    config.contract = (envValue('FAASPORT_CONTRACT') ?? 'web') as FunctionConfig['contract'];
    if (envValue('FAASPORT_INITIALIZER')) config.initializer = envValue('FAASPORT_INITIALIZER');
    const url = envValue('FAASPORT_CODE_URL');
    const bucket = envValue('FAASPORT_BUCKET');
    const key = envValue('FAASPORT_BUCKET_KEY');
    if (url && bucket && key) {
      const endpoint = url.slice(
        0,
        url.length -
          `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`.length,
      );
      const region = envValue('FAASPORT_BUCKET_REGION');
      config.source = {
        bucket: { name: bucket, key, ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) },
      };
    } else {
      const volume = (pod.volumes ?? []).find(
        (v: Json) =>
          v.configMap &&
          (main.volumeMounts ?? []).some((m: Json) => m.name === v.name && m.mountPath === CODE_MOUNT_PATH),
      );
      const cm = volume
        ? objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name)
        : undefined;
      const zip = cm?.binaryData?.['code.zip'];
      config.source = { archive: `./${name}.zip` };
      if (zip) code = fromBase64(String(zip));
      else
        notes.push(
          `the code ConfigMap ${volume?.configMap?.name ?? '(none)'} was not available: put the code at ./${name}.zip`,
        );
    }
  } else {
    const port = main.ports?.[0]?.containerPort;
    config.source = {
      image: {
        ref: image,
        ...(main.command ? { command: main.command } : {}),
        ...(main.args ? { args: main.args } : {}),
        ...(main.workingDir ? { workdir: main.workingDir } : {}),
        ...(port ? { port } : {}),
        ...(main.securityContext?.runAsUser !== undefined
          ? {
              user: `${main.securityContext.runAsUser}${main.securityContext.runAsGroup !== undefined ? `:${main.securityContext.runAsGroup}` : ''}`,
            }
          : {}),
      },
    };
  }
  if (Object.keys(env).length) config.env = env;
  if (Object.keys(secrets).length) config.secrets = secrets;

  const limits: Json = main.resources?.limits ?? {};
  const requests: Json = main.resources?.requests ?? {};
  const memory = memoryToMb(limits.memory ?? requests.memory);
  const cpu = cpuToNumber(limits.cpu ?? requests.cpu);
  const timeout = pod.timeoutSeconds as number | undefined;
  config.resources = {
    ...(memory ? { memory } : {}),
    ...(cpu ? { cpu } : {}),
    ...(timeout ? { timeout } : { timeout: 300 }),
  };
  if (!memory) notes.push(defaultedNotes.memory);
  if (limits['ephemeral-storage']) {
    const disk = memoryToMb(limits['ephemeral-storage']);
    if (disk) config.resources.disk = disk;
  }
  const min =
    annotations['autoscaling.knative.dev/min-scale'] ?? annotations['autoscaling.knative.dev/minScale'];
  const max =
    annotations['autoscaling.knative.dev/max-scale'] ?? annotations['autoscaling.knative.dev/maxScale'];
  const window = annotations['autoscaling.knative.dev/window'];
  const concurrency = Number(pod.containerConcurrency ?? 0);
  const scaling: NonNullable<FunctionConfig['scaling']> = {};
  if (min !== undefined) scaling.min = Number(min);
  if (max !== undefined && Number(max) > 0) scaling.max = Number(max);
  if (concurrency > 0) scaling.concurrency = concurrency;
  else notes.push(defaultedNotes.concurrency);
  if (window) {
    const seconds = durationSeconds(window);
    if (seconds) scaling.idle = seconds;
  }
  if (Object.keys(scaling).length) config.scaling = scaling;
  const target = annotations['autoscaling.knative.dev/target'];
  if (target !== undefined && Number(target) !== concurrency) {
    config.providers = {
      ...(config.providers ?? {}),
      knative: { ...(config.providers?.knative ?? {}), target: Number(target) },
    };
  }
  const extra = Object.keys(annotations).filter((k) => !known.has(k));
  if (extra.length) {
    const carry = Object.fromEntries(extra.map((k) => [k, annotations[k]!]));
    config.providers = {
      ...(config.providers ?? {}),
      knative: { ...(config.providers?.knative ?? {}), annotations: carry },
    };
  }
  if (pod.serviceAccountName)
    config.providers = {
      ...(config.providers ?? {}),
      knative: { ...(config.providers?.knative ?? {}), serviceAccountName: pod.serviceAccountName },
    };
  if (pod.imagePullSecrets) {
    config.providers = {
      ...(config.providers ?? {}),
      knative: {
        ...(config.providers?.knative ?? {}),
        imagePullSecrets: pod.imagePullSecrets.map((s: Json) => s.name),
      },
    };
  }
  const dropped = [
    ...Object.keys(main)
      .filter((k) => !handledContainerFields.has(k))
      .filter((k) => !(k === 'readinessProbe' && isDefaultProbe(main.readinessProbe)))
      .filter(
        (k) =>
          !(
            k === 'securityContext' &&
            Object.keys(main.securityContext ?? {}).every((f) => f === 'runAsUser' || f === 'runAsGroup')
          ),
      )
      .map((k) => `container ${k}`),
    ...Object.keys(pod)
      .filter((k) => !handledPodFields.has(k))
      .filter((k) => !(k === 'enableServiceLinks' && pod.enableServiceLinks === false))
      .map((k) => k),
  ];
  if (dropped.length) notes.push(`not exported: ${dropped.join(', ')}`);
  const otherVolumes = (pod.volumes ?? []).filter(
    (v: Json) =>
      !(
        v.configMap &&
        (main.volumeMounts ?? []).some((m: Json) => m.name === v.name && m.mountPath === CODE_MOUNT_PATH)
      ),
  );
  if (otherVolumes.length)
    notes.push(`volumes not exported: ${otherVolumes.map((v: Json) => v.name).join(', ')}`);
  if (service.metadata.labels?.[keys.visibility] === 'cluster-local') config.visibility = 'private';
  const revisionLabel = tmeta.labels?.[keys.revision];
  if (revisionLabel) config.revision = revisionLabel;

  // Triggers.
  const triggers: NonNullable<FunctionConfig['triggers']> = [];
  if (config.contract !== 'event') triggers.push({ http: {} });
  const refersHere = (o: KubeObject, field: 'sink' | 'subscriber') =>
    o.spec?.[field]?.ref?.kind === 'Service' && o.spec[field].ref.name === name;
  for (const ping of objects.filter((o) => o.kind === 'PingSource' && refersHere(o, 'sink'))) {
    let payload: unknown;
    const data = ping.spec.dataBase64
      ? Buffer.from(String(ping.spec.dataBase64), 'base64').toString('utf8')
      : ping.spec.data;
    if (typeof data === 'string') {
      try {
        payload = JSON.parse(data);
      } catch {
        payload = data;
      }
    }
    const cron = String(ping.spec.schedule ?? '* * * * *');
    if (cron.trim().split(/\s+/).length !== 5) {
      notes.push(`PingSource ${ping.metadata.name} schedule "${cron}" is not a 5-field cron; not exported`);
      continue;
    }
    const trigger = ping.metadata.name.startsWith(`${name}-`)
      ? ping.metadata.name.slice(name.length + 1)
      : ping.metadata.name;
    triggers.push({
      schedule: {
        name: trigger,
        cron,
        ...(ping.spec.timezone ? { timezone: ping.spec.timezone } : {}),
        ...(payload !== undefined && !(typeof payload === 'object' && payload && !Object.keys(payload).length)
          ? { payload }
          : {}),
      },
    });
  }
  for (const t of objects.filter((o) => o.kind === 'Trigger' && refersHere(o, 'subscriber'))) {
    const filter = t.spec.filter?.attributes ?? {};
    if (!Object.keys(filter).length) {
      notes.push(
        `Trigger ${t.metadata.name} has no attribute filter; faasport event triggers need one (not exported)`,
      );
      continue;
    }
    const trigger = t.metadata.name.startsWith(`${name}-`)
      ? t.metadata.name.slice(name.length + 1)
      : t.metadata.name;
    triggers.push({
      event: {
        name: trigger,
        filter,
        ...(t.spec.broker && t.spec.broker !== 'default' ? { broker: t.spec.broker } : {}),
      },
    });
  }
  config.triggers = triggers;
  const domains = objects
    .filter((o) => o.kind === 'DomainMapping' && o.spec?.ref?.name === name)
    .map((o) => ({ host: String(o.metadata.name) }));
  if (domains.length) config.domains = domains;

  // Traffic: only a plain "all to the newest" carries over; splits name revisions the new target does not have.
  const traffic: Json[] = service.spec?.traffic ?? [];
  const visible = traffic.filter((t) => !(String(t.tag ?? '').startsWith('rev-') && !t.percent));
  const split = visible.filter((t) => Number(t.percent ?? 0) > 0 || t.tag);
  if (split.length > 1 || (split.length === 1 && split[0]!.tag)) {
    notes.push(
      `traffic split not exported (the revisions it names do not exist on a new target): ${split.map((t) => `${t.revisionName ?? 'latest'} ${t.percent ?? 0}%${t.tag ? ` (${t.tag})` : ''}`).join(', ')}`,
    );
  }
  const extraLabels = Object.keys(service.metadata.labels ?? {}).filter(
    (k) => !known.has(k) && !k.startsWith('serving.knative.dev/'),
  );
  if (extraLabels.length) {
    config.providers = {
      ...(config.providers ?? {}),
      knative: {
        ...(config.providers?.knative ?? {}),
        labels: Object.fromEntries(extraLabels.map((k) => [k, service.metadata.labels[k]])),
      },
    };
  }
  return { config, ...(code ? { code } : {}), notes };
}

/**
 * Exports a Knative Service YAML file (one or more documents; PingSources, Triggers, DomainMappings and
 * the code ConfigMap in the same file are used too) to the neutral model.
 *
 * @example
 * ```ts
 * const { config, notes } = exportServiceYaml(readFileSync('service.yaml', 'utf8'));
 * ```
 * @public
 */
export function exportServiceYaml(text: string): ExportResult {
  const objects: KubeObject[] = [];
  for (const value of yamlMappings(text, { adapter: 'knative' })) {
    if (value.kind === 'List' && Array.isArray(value.items)) objects.push(...(value.items as KubeObject[]));
    else objects.push(value as KubeObject);
  }
  return exportFromObjects(objects);
}
