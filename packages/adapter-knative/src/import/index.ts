/**
 * Import of Kubernetes function manifests into the neutral model: OpenFunction `Function`
 * (core.openfunction.io v1beta1 and v1beta2), Knative Functions `func.yaml`, and Knative Services.
 * Each import lists what it dropped, so a migration is honest about what did not carry over.
 */
import { type FunctionConfig, parseDurationSeconds, ValidationError } from '@faasport/core';
import { defaultedNotes, exportFromObjects, memoryToMb } from '../deploy/export';
import type { KubeObject } from '../deploy/render';
import { yamlMappings } from '../deploy/yaml';

type Json = Record<string, any>;

/** The result of an import. @public */
export interface ImportResult {
  /** The functions found, in the neutral model (valid input for `defineFunction`). */
  functions: FunctionConfig[];
  /** The first function (most files hold one). */
  config: FunctionConfig;
  /** What could not be carried over. */
  notes: string[];
  /** Code found in the file (a Knative code ConfigMap), by function name. */
  code?: Record<string, Uint8Array>;
}

/** A DNS-label-safe revision label from a version like `v1.0.0`. */
function labelFromVersion(version: string): string | undefined {
  const label = version
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return label && label !== 'latest' ? label : undefined;
}

/**
 * Moves the autoscaling annotations the neutral model expresses (min/max scale, window, target) out of
 * a map of Knative annotations into `scaling` and `target`; the rest stay provider annotations.
 */
function takeScalingAnnotations(
  annotations: Record<string, string>,
  scaling: NonNullable<FunctionConfig['scaling']>,
): { rest: Record<string, string>; target?: number } {
  const rest = { ...annotations };
  const take = (...keys: string[]) => {
    const key = keys.find((k) => rest[`autoscaling.knative.dev/${k}`] !== undefined);
    if (!key) return undefined;
    const value = rest[`autoscaling.knative.dev/${key}`]!;
    for (const k of keys) delete rest[`autoscaling.knative.dev/${k}`];
    return value;
  };
  const min = take('min-scale', 'minScale');
  const max = take('max-scale', 'maxScale');
  const window = take('window');
  const target = take('target');
  if (min !== undefined && scaling.min === undefined) scaling.min = Number(min);
  if (max !== undefined && Number(max) > 0 && scaling.max === undefined) scaling.max = Number(max);
  if (window !== undefined) scaling.idle = window;
  return { rest, ...(target !== undefined ? { target: Number(target) } : {}) };
}

/** Converts an OpenFunction `Function` (v1beta1 or v1beta2). @public */
export function importOpenFunction(fn: Json): { config: FunctionConfig; notes: string[] } {
  const notes: string[] = [];
  const apiVersion = String(fn.apiVersion);
  const v1beta1 = apiVersion.endsWith('/v1beta1');
  const spec: Json = fn.spec ?? {};
  const name = String(fn.metadata?.name ?? '');
  if (!spec.image) {
    throw new ValidationError(
      [
        {
          path: 'spec.image',
          message: 'is required: faasport deploys the image OpenFunction builds or serves',
          rule: 'required',
        },
      ],
      { subject: `OpenFunction Function "${name}"` },
    );
  }
  const serving: Json = spec.serving ?? {};
  const port = v1beta1 ? spec.port : serving.triggers?.http?.port;
  const config: FunctionConfig = {
    name,
    source: { image: { ref: String(spec.image), ...(port ? { port: Number(port) } : {}) } },
  } as FunctionConfig;
  const version = spec.version ? labelFromVersion(String(spec.version)) : undefined;
  if (version) {
    config.revision = version;
    if (version !== spec.version)
      notes.push(`version ${spec.version} became revision label "${version}" (labels are DNS labels)`);
  }
  if (spec.build) {
    const b: Json = spec.build;
    const src = b.srcRepo
      ? `${b.srcRepo.url ?? ''}${b.srcRepo.sourceSubPath ? ` (${b.srcRepo.sourceSubPath})` : ''}${b.srcRepo.revision ? ` @ ${b.srcRepo.revision}` : ''}`
      : 'no source repo';
    notes.push(
      `build dropped (builder ${b.builder ?? 'default'}, source ${src}${b.env ? `, build env ${Object.keys(b.env).join(', ')}` : ''}): faasport deploys the built image ${spec.image}; build it first (OpenFunction, Shipwright or pack)`,
    );
  }
  if (spec.imageCredentials?.name) {
    config.providers = { knative: { imagePullSecrets: [String(spec.imageCredentials.name)] } };
  }
  if (spec.workloadRuntime && spec.workloadRuntime !== 'OCIContainer')
    notes.push(`workloadRuntime ${spec.workloadRuntime} dropped: faasport runs OCI containers`);
  if (v1beta1 && serving.runtime === 'async')
    notes.push('serving.runtime "async" (Dapr + KEDA) dropped: deployed as an HTTP function on Knative');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries((serving.params ?? {}) as Record<string, unknown>)) env[k] = String(v);
  const container =
    ((serving.template?.containers ?? []) as Json[]).find((c) => c.name === 'function') ??
    serving.template?.containers?.[0];
  for (const e of (container?.env ?? []) as Json[]) {
    if (typeof e.value === 'string') env[e.name] = e.value;
    else notes.push(`env ${e.name} from ${Object.keys(e.valueFrom ?? {}).join(', ')} dropped`);
  }
  if (Object.keys(env).length) config.env = env;
  const memory = memoryToMb(container?.resources?.limits?.memory ?? container?.resources?.requests?.memory);
  const resources: NonNullable<FunctionConfig['resources']> = {};
  if (memory) resources.memory = memory;
  else notes.push(defaultedNotes.memory);
  if (!serving.timeout) notes.push(defaultedNotes.timeout);
  else {
    const seconds = goDuration(String(serving.timeout)) ?? parseDurationSeconds(String(serving.timeout));
    if (seconds) resources.timeout = seconds;
    else
      notes.push(
        `serving.timeout ${serving.timeout} is not a duration faasport reads; set resources.timeout`,
      );
  }
  if (Object.keys(resources).length) config.resources = resources;
  const scale: Json = serving.scaleOptions ?? {};
  const scaling: NonNullable<FunctionConfig['scaling']> = {};
  if (scale.minReplicas !== undefined) scaling.min = Number(scale.minReplicas);
  if (scale.maxReplicas !== undefined && Number(scale.maxReplicas) > 0)
    scaling.max = Number(scale.maxReplicas);
  const { rest: knative, target } = takeScalingAnnotations(scale.knative ?? {}, scaling);
  if (target !== undefined) config.providers = { knative: { ...(config.providers?.knative ?? {}), target } };
  if (Object.keys(knative).length) {
    config.providers = { knative: { ...(config.providers?.knative ?? {}), annotations: knative } };
  }
  if (Object.keys(scaling).length) config.scaling = scaling;
  // OpenFunction serves through a Knative Service, whose containerConcurrency defaults to 0 (unlimited).
  notes.push(defaultedNotes.concurrency);
  if (scale.keda) notes.push('scaleOptions.keda dropped: Knative scales with its own autoscaler');
  const dapr = [
    ...(serving.inputs ?? []),
    ...(serving.outputs ?? []),
    ...(serving.triggers?.dapr ?? []),
    ...(serving.triggers?.inputs ?? []),
  ];
  if (dapr.length)
    notes.push(
      `Dapr inputs/outputs/triggers dropped (${dapr.map((d: Json) => d.name ?? d.dapr?.name ?? '?').join(', ')}): use event triggers through a Knative Broker`,
    );
  for (const key of ['bindings', 'pubsub', 'states'])
    if (serving[key]) notes.push(`serving.${key} (Dapr components) dropped`);
  const route = v1beta1 ? spec.route : serving.triggers?.http?.route;
  if (route)
    notes.push(
      'the OpenFunction gateway route dropped: the function gets its Knative route URL (add domains for custom hosts)',
    );
  if (serving.hooks) notes.push('serving.hooks dropped');
  if (serving.tracing) notes.push('serving.tracing dropped');
  if (serving.workloadType)
    notes.push(`serving.workloadType ${serving.workloadType} dropped: Knative runs a Service`);
  if (serving.labels || serving.annotations) notes.push('serving.labels / serving.annotations dropped');
  return { config, notes };
}

/** Go durations (`5m0s`, `1h30m`) to seconds. */
function goDuration(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (!m || !text) return undefined;
  return Math.round(Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0));
}

const funcRuntimes: Record<string, string> = { node: 'nodejs20', typescript: 'nodejs20' };

/** Converts a Knative Functions `func.yaml`. @public */
export function importFuncYaml(doc: Json): { config: FunctionConfig; notes: string[] } {
  const notes: string[] = [];
  const name = String(doc.name ?? '');
  if (!name)
    throw new ValidationError([{ path: 'name', message: 'is required in func.yaml', rule: 'required' }], {
      subject: 'func.yaml',
    });
  const deploy: Json = doc.deploy ?? {};
  const image = deploy.image ?? doc.image;
  const config: FunctionConfig = { name } as FunctionConfig;
  if (image) {
    config.source = { image: { ref: String(image) } };
    if (doc.build)
      notes.push(
        `build settings dropped (${doc.build.builder ?? 'pack'}): faasport deploys the built image ${image}`,
      );
  } else {
    config.source = { dir: '.' };
    const runtime = funcRuntimes[String(doc.runtime)];
    if (runtime) config.runtime = runtime as FunctionConfig['runtime'];
    notes.push(
      `no image in func.yaml: the source folder is deployed as faasport code, but ${doc.runtime ?? 'this'} functions export handle(context, body) for faas-js-runtime; rewrite the handler as a faasport web/event handler, or build the image (func build) and import again`,
    );
    if (doc.invoke === 'cloudevent') config.contract = 'event';
  }
  const env: Record<string, string> = {};
  const secrets: Record<string, { fromEnv: string }> = {};
  for (const e of (doc.run?.envs ?? []) as Json[]) {
    const value = String(e.value ?? '');
    const secret = /^\{\{\s*secret:([^:}\s]+)(?::([^}\s]+))?\s*\}\}$/.exec(value);
    if (secret && e.name) {
      secrets[e.name] = { fromEnv: e.name };
      notes.push(
        `env ${e.name} reads secret ${secret[1]}${secret[2] ? `:${secret[2]}` : ''}: it becomes a faasport secret read from $${e.name} at deploy time`,
      );
    } else if (/\{\{/.test(value))
      notes.push(`env ${e.name ?? '(all)'} uses a template (${value}) and was dropped`);
    else if (e.name) env[e.name] = value;
  }
  if (Object.keys(env).length) config.env = env;
  if (Object.keys(secrets).length) config.secrets = secrets;
  const options: Json = deploy.options ?? {};
  const scale: Json = options.scale ?? {};
  const scaling: NonNullable<FunctionConfig['scaling']> = {};
  if (scale.min !== undefined) scaling.min = Number(scale.min);
  if (scale.max !== undefined && Number(scale.max) > 0) scaling.max = Number(scale.max);
  const limits: Json = options.resources?.limits ?? {};
  if (limits.concurrency !== undefined && Number(limits.concurrency) > 0)
    scaling.concurrency = Number(limits.concurrency);
  const knative: Json = {};
  const { rest: annotations, target } = takeScalingAnnotations(deploy.annotations ?? {}, scaling);
  if (Object.keys(scaling).length) config.scaling = scaling;
  if (scale.target !== undefined) knative.target = Number(scale.target);
  else if (target !== undefined) knative.target = target;
  if (scale.metric) annotations['autoscaling.knative.dev/metric'] = String(scale.metric);
  if (scale.utilization !== undefined)
    annotations['autoscaling.knative.dev/target-utilization-percentage'] = String(scale.utilization);
  if (Object.keys(annotations).length) knative.annotations = annotations;
  if (deploy.serviceAccountName) knative.serviceAccountName = deploy.serviceAccountName;
  if (deploy.imagePullSecret) knative.imagePullSecrets = [deploy.imagePullSecret];
  if (Array.isArray(deploy.labels) && deploy.labels.length)
    knative.labels = Object.fromEntries(deploy.labels.map((l: Json) => [l.key, String(l.value ?? '')]));
  if (Object.keys(knative).length) config.providers = { knative };
  const memory = memoryToMb(limits.memory ?? options.resources?.requests?.memory);
  if (memory) config.resources = { memory };
  const triggers: NonNullable<FunctionConfig['triggers']> = [];
  if (config.contract !== 'event') triggers.push({ http: {} });
  for (const [i, s] of ((deploy.subscriptions ?? []) as Json[]).entries()) {
    const filter: Record<string, string> = Object.fromEntries(
      Object.entries(s.filters ?? {}).map(([k, v]) => [k, String(v)]),
    );
    if (!Object.keys(filter).length) {
      notes.push(
        `subscription ${i} to ${s.source ?? 'a broker'} has no filters and was dropped (faasport event triggers need one)`,
      );
      continue;
    }
    triggers.push({
      event: { filter, ...(s.source && s.source !== 'default' ? { broker: String(s.source) } : {}) },
    });
  }
  config.triggers = triggers;
  if (doc.namespace || deploy.namespace)
    notes.push(
      `namespace ${deploy.namespace ?? doc.namespace} is a target setting: put it in targets.<name>.namespace`,
    );
  if (deploy.healthEndpoints)
    notes.push('healthEndpoints dropped: the faasport runtime answers Knative probes itself');
  if (doc.run?.volumes?.length) notes.push('run.volumes dropped');
  if (doc.domain) notes.push(`domain ${doc.domain} dropped: add it to domains if it is a custom host`);
  return { config, notes };
}

/**
 * Imports a manifest file's text: an OpenFunction Function, a Knative `func.yaml`, or Knative Service
 * YAML (with related objects). Every function found is returned in the neutral model.
 *
 * @example
 * ```ts
 * const { functions, notes } = importManifest(readFileSync('function.yaml', 'utf8'));
 * ```
 * @public
 */
export function importManifest(text: string, options: { file?: string } = {}): ImportResult {
  const values = yamlMappings(text, options.file ? { file: options.file } : {}) as Json[];
  const functions: FunctionConfig[] = [];
  const notes: string[] = [];
  const code: Record<string, Uint8Array> = {};
  const prefix = (name: string, list: string[]) => list.map((n) => (values.length > 1 ? `${name}: ${n}` : n));
  for (const value of values) {
    if (
      typeof value.apiVersion === 'string' &&
      value.apiVersion.startsWith('core.openfunction.io/') &&
      value.kind === 'Function'
    ) {
      const out = importOpenFunction(value);
      functions.push(out.config);
      notes.push(...prefix(out.config.name, out.notes));
    } else if (
      value.specVersion !== undefined &&
      typeof value.name === 'string' &&
      value.apiVersion === undefined
    ) {
      const out = importFuncYaml(value);
      functions.push(out.config);
      notes.push(...prefix(out.config.name, out.notes));
    }
  }
  const services = values.filter(
    (v) => v.kind === 'Service' && String(v.apiVersion).startsWith('serving.knative.dev/'),
  );
  for (const service of services) {
    const related = values.filter((v) => v !== service && v.kind !== 'Service');
    const out = exportFromObjects([service as KubeObject, ...(related as KubeObject[])]);
    functions.push(out.config);
    notes.push(...prefix(out.config.name, out.notes));
    if (out.code) code[out.config.name] = out.code;
  }
  if (!functions.length) {
    throw new ValidationError(
      [
        {
          path: '',
          message:
            'has no OpenFunction Function (core.openfunction.io), Knative func.yaml (specVersion, name) or Knative Service (serving.knative.dev)',
          rule: 'import-kind',
        },
      ],
      { ...(options.file ? { file: options.file } : {}) },
    );
  }
  return { functions, config: functions[0]!, notes, ...(Object.keys(code).length ? { code } : {}) };
}
