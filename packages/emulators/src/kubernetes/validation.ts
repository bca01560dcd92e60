/**
 * Knative's validating webhooks of Serving and Eventing as the emulator applies them (reference
 * §1.2–§1.5, §2.2–§2.3, with the rule sources named there), run after the CRD's structural checks.
 * `validateManifest` lets adapter tests check rendered manifests offline with the same rules.
 */
import { deepEqual, isObject, type Json } from './patch';
import type { ResourceType } from './resources';
import { schemaProblems, unknownFields } from './schema';
import { invalid, KubeApiError, webhookDenied } from './status';
import type { KubeObject } from './store';

const SERVING_WEBHOOK = 'validation.webhook.serving.knative.dev';
const EVENTING_WEBHOOK = 'validation.webhook.eventing.knative.dev';

const dns1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** k8s.io/apimachinery validation.IsQualifiedName: an optional DNS-1123 subdomain prefix and `/`, then a name. */
const qualifiedName =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const reservedPorts = new Set([8012, 8013, 8022, 9090, 9091, 8008]);
const reservedEnv = new Set(['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION']);
const maxTimeoutSeconds = 600;
const maxContainerConcurrency = 1000;

/** One webhook finding: message and field path, joined as Knative's FieldError prints them. */
interface FieldProblem {
  message: string;
  path: string;
}

const fmt = (problems: FieldProblem[]) => problems.map((p) => `${p.message}: ${p.path}`).join('\n');

function durationSeconds(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const human = (s: number) =>
  s >= 3600 && s % 3600 === 0 ? `${s / 3600}h0m0s` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;

/** The autoscaling annotation rules of Knative's `annotation_validation.go`. */
function autoscalingProblems(annotations: Record<string, unknown>, base: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const p = (key: string) => `${base}.autoscaling.knative.dev/${key}`;
  const get = (key: string, legacy?: string) =>
    annotations[`autoscaling.knative.dev/${key}`] ??
    (legacy ? annotations[`autoscaling.knative.dev/${legacy}`] : undefined);
  const cls = get('class');
  if (
    cls !== undefined &&
    String(cls).endsWith('.knative.dev') &&
    !['kpa.autoscaling.knative.dev', 'hpa.autoscaling.knative.dev'].includes(String(cls))
  ) {
    out.push({ message: `invalid value: ${String(cls)}`, path: p('class') });
  }
  const isHpa = cls === 'hpa.autoscaling.knative.dev';
  const metric = get('metric');
  if (metric !== undefined && !isHpa && !['concurrency', 'rps'].includes(String(metric)))
    out.push({ message: `invalid value: ${String(metric)}`, path: p('metric') });
  const intAtLeast = (key: string, legacy: string | undefined, min: number): number | undefined => {
    const v = get(key, legacy);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^-?\d+$/.test(String(v))) {
      out.push({ message: `invalid value: ${String(v)}`, path: p(key) });
      return undefined;
    }
    if (n < min) out.push({ message: `expected ${min} <= ${n} <= 2147483647`, path: p(key) });
    return n;
  };
  const floatRange = (key: string, legacy: string | undefined, min: number, max: number) => {
    const v = get(key, legacy);
    if (v === undefined) return;
    const n = Number(v);
    if (Number.isNaN(n) || String(v).trim() === '')
      out.push({ message: `invalid value: ${String(v)}`, path: p(key) });
    else if (n < min || n > max) out.push({ message: `expected ${min} <= ${v} <= ${max}`, path: p(key) });
  };
  const min = intAtLeast('min-scale', 'minScale', 0);
  const max = intAtLeast('max-scale', 'maxScale', 0);
  if (min !== undefined && max !== undefined && max !== 0 && max < min) {
    out.push({
      message: `max-scale=${max} is less than min-scale=${min}`,
      path: `${p('max-scale')}, ${p('min-scale')}`,
    });
  }
  const initial = intAtLeast('initial-scale', 'initialScale', 0);
  if (initial === 0)
    out.push({
      message: 'invalid value: 0 (initial scale of zero needs allow-zero-initial-scale)',
      path: p('initial-scale'),
    });
  floatRange('target', undefined, 0.01, Number.MAX_VALUE);
  floatRange('target-utilization-percentage', 'targetUtilizationPercentage', 1, 100);
  floatRange('panic-window-percentage', 'panicWindowPercentage', 1, 100);
  floatRange('panic-threshold-percentage', 'panicThresholdPercentage', 110, 1000);
  const window = get('window');
  if (window !== undefined) {
    const s = durationSeconds(String(window));
    if (s === undefined) out.push({ message: `invalid value: ${String(window)}`, path: p('window') });
    else if (s < 6 || s > 3600)
      out.push({ message: `expected 6s <= ${String(window)} <= 1h0m0s`, path: p('window') });
    if (isHpa) out.push({ message: 'window is only valid for the kpa class', path: p('window') });
  }
  for (const key of ['scale-down-delay', 'scale-to-zero-pod-retention-period']) {
    const v = get(key);
    if (v === undefined) continue;
    const s = durationSeconds(String(v));
    if (s === undefined) out.push({ message: `invalid value: ${String(v)}`, path: p(key) });
    else if (s > 3600) out.push({ message: `expected 0s <= ${String(v)} <= ${human(3600)}`, path: p(key) });
  }
  return out;
}

/** Serving's Service / Configuration template rules. */
function templateProblems(serviceName: string, template: Json, base: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const meta = isObject(template.metadata) ? template.metadata : {};
  if (meta.name !== undefined) {
    const name = String(meta.name);
    if (!dns1035.test(name) || name.length > 63) {
      out.push({
        message: `not a DNS 1035 label: [a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character]`,
        path: `${base}.metadata.name`,
      });
    }
    if (!name.startsWith(`${serviceName}-`))
      out.push({ message: `"${name}" must have prefix "${serviceName}-"`, path: `${base}.metadata.name` });
  }
  const annotations = isObject(meta.annotations) ? meta.annotations : {};
  out.push(...autoscalingProblems(annotations, `${base}.metadata.annotations`));
  const pod = isObject(template.spec) ? template.spec : {};
  const cc = pod.containerConcurrency;
  if (typeof cc === 'number' && (cc < 0 || cc > maxContainerConcurrency)) {
    out.push({
      message: `expected 0 <= ${cc} <= ${maxContainerConcurrency}`,
      path: `${base}.spec.containerConcurrency`,
    });
  }
  const timeout = pod.timeoutSeconds;
  if (typeof timeout === 'number' && (timeout < 0 || timeout > maxTimeoutSeconds)) {
    out.push({
      message: `expected 0 <= ${timeout} <= ${maxTimeoutSeconds}`,
      path: `${base}.spec.timeoutSeconds`,
    });
  }
  const containers = Array.isArray(pod.containers) ? pod.containers.filter(isObject) : [];
  if (containers.length === 0) out.push({ message: 'missing field(s)', path: `${base}.spec.containers` });
  let portCount = 0;
  containers.forEach((c, i) => {
    const cpath = `${base}.spec.containers[${i}]`;
    if (typeof c.image !== 'string' || c.image === '')
      out.push({ message: 'missing field(s)', path: `${cpath}.image` });
    if (c.name === 'queue-proxy')
      out.push({ message: 'queue-proxy is a reserved container name', path: `${cpath}.name` });
    const ports = Array.isArray(c.ports) ? c.ports.filter(isObject) : [];
    portCount += ports.length;
    ports.forEach((port, j) => {
      const n = port.containerPort;
      if (typeof n === 'number' && reservedPorts.has(n))
        out.push({ message: `${n} is a reserved port`, path: `${cpath}.ports[${j}].containerPort` });
      if (typeof n === 'number' && (n < 0 || n > 65535))
        out.push({ message: `expected 0 <= ${n} <= 65535`, path: `${cpath}.ports[${j}].containerPort` });
      if (port.name !== undefined && !['', 'h2c', 'http1'].includes(String(port.name))) {
        out.push({ message: `invalid value: ${String(port.name)}`, path: `${cpath}.ports[${j}].name` });
      }
    });
    (Array.isArray(c.env) ? c.env.filter(isObject) : []).forEach((e, j) => {
      if (reservedEnv.has(String(e.name)))
        out.push({
          message: `${String(e.name)} is a reserved environment variable`,
          path: `${cpath}.env[${j}].name`,
        });
    });
  });
  if (portCount > 1)
    out.push({ message: 'more than one container port is set', path: `${base}.spec.containers[*].ports` });
  return out;
}

/**
 * Serving's traffic rules: knative/serving pkg/apis/serving/v1/route_validation.go
 * (validateTrafficList, TrafficTarget.Validate). Within a Service the Configuration is implied, so
 * `configurationName` is disallowed (service_validation.go WithDefaultConfigurationName); in a Route
 * each target names exactly one of `revisionName` and `configurationName`.
 */
function trafficProblems(traffic: unknown[], base: string, withinService: boolean): FieldProblem[] {
  const out: FieldProblem[] = [];
  let sum = 0;
  const tags = new Map<string, number>();
  traffic.forEach((entry, i) => {
    if (!isObject(entry)) return;
    const path = `${base}[${i}]`;
    const revision = typeof entry.revisionName === 'string' ? entry.revisionName : '';
    const configuration = typeof entry.configurationName === 'string' ? entry.configurationName : '';
    if (typeof entry.latestRevision === 'boolean' && (revision !== '') === entry.latestRevision) {
      out.push({
        message: `may not set revisionName "${revision}" when latestRevision is ${entry.latestRevision}`,
        path: `${path}.latestRevision`,
      });
    }
    if (withinService && configuration)
      out.push({ message: 'must not set the field(s)', path: `${path}.configurationName` });
    else if (revision && configuration)
      out.push({
        message: 'expected exactly one, got both',
        path: `${path}.configurationName, ${path}.revisionName`,
      });
    else if (revision && !qualifiedName.test(revision))
      out.push({ message: `invalid key name "${revision}"`, path: `${path}.revisionName` });
    else if (configuration && !qualifiedName.test(configuration))
      out.push({ message: `invalid key name "${configuration}"`, path: `${path}.configurationName` });
    else if (!withinService && !revision && !configuration)
      out.push({
        message: 'expected exactly one, got neither',
        path: `${path}.configurationName, ${path}.revisionName`,
      });
    const percent = typeof entry.percent === 'number' ? entry.percent : 0;
    if (percent < 0 || percent > 100)
      out.push({ message: `expected 0 <= ${percent} <= 100`, path: `${path}.percent` });
    sum += percent;
    if (entry.url !== undefined) out.push({ message: 'must not set the field(s)', path: `${path}.url` });
    if (entry.tag !== undefined && entry.tag !== '') {
      const tag = String(entry.tag);
      if (!dns1035.test(tag) || tag.length > 63)
        out.push({ message: `invalid value: not a DNS 1035 label: ${tag}`, path: `${base}[${i}].tag` });
      const first = tags.get(tag);
      if (first !== undefined)
        out.push({
          message: `Multiple definitions for "${tag}"`,
          path: `${path}.tag, ${base}[${first}].tag`,
        });
      else tags.set(tag, i);
    }
  });
  if (sum !== 100) out.push({ message: `Traffic targets sum to ${sum}, want 100`, path: base });
  return out;
}

function servingProblems(t: ResourceType, obj: KubeObject, old: KubeObject | undefined): FieldProblem[] {
  const out: FieldProblem[] = [];
  const name = obj.metadata.name;
  if (t.plural !== 'domainmappings' && (!dns1035.test(name) || name.length > 63))
    out.push({ message: `not a DNS 1035 label: "${name}"`, path: 'metadata.name' });
  const annotations = obj.metadata.annotations ?? {};
  const misplaced = Object.keys(annotations).filter((k) => k.startsWith('autoscaling.knative.dev/'));
  if (misplaced.length && t.plural !== 'revisions') {
    out.push({
      message: 'autoscaling annotations must be put under "spec.template.metadata.annotations" to work',
      path: misplaced.map((k) => `metadata.annotations.${k}`).join(', '),
    });
  }
  const spec = isObject(obj.spec) ? obj.spec : {};
  if (t.plural === 'services' || t.plural === 'configurations') {
    const template = isObject(spec.template) ? spec.template : {};
    out.push(...templateProblems(name, template, 'spec.template'));
    if (old && isObject(old.spec) && isObject(old.spec.template)) {
      const before = old.spec.template as Json;
      const beforeName = isObject(before.metadata) ? before.metadata.name : undefined;
      const nowName = isObject(template.metadata) ? template.metadata.name : undefined;
      if (
        nowName !== undefined &&
        nowName === beforeName &&
        !deepEqual(withoutName(before), withoutName(template))
      ) {
        out.push({
          message: 'Saw the following changes without a name change (-old +new)',
          path: 'spec.template.metadata.name',
        });
      }
    }
  }
  if (t.plural === 'services' && Array.isArray(spec.traffic))
    out.push(...trafficProblems(spec.traffic, 'spec.traffic', true));
  if (t.plural === 'routes' && Array.isArray(spec.traffic))
    out.push(...trafficProblems(spec.traffic, 'spec.traffic', false));
  if (t.plural === 'domainmappings') {
    if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/.test(name))
      out.push({ message: `invalid value: ${name}`, path: 'metadata.name' });
    const ref = isObject(spec.ref) ? spec.ref : undefined;
    if (!ref || typeof ref.kind !== 'string' || typeof ref.name !== 'string')
      out.push({ message: 'missing field(s)', path: 'spec.ref' });
    if (ref?.namespace !== undefined && ref.namespace !== obj.metadata.namespace) {
      out.push({
        message: `must match the namespace of the DomainMapping (${String(obj.metadata.namespace)})`,
        path: 'spec.ref.namespace',
      });
    }
  }
  return out;
}

function withoutName(template: Json): Json {
  const meta = isObject(template.metadata) ? { ...template.metadata } : {};
  delete meta.name;
  return { ...template, metadata: meta };
}

const validTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const cronField =
  /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;

function eventingProblems(t: ResourceType, obj: KubeObject, old: KubeObject | undefined): FieldProblem[] {
  const out: FieldProblem[] = [];
  const spec = isObject(obj.spec) ? obj.spec : {};
  const sinkMissing = (sink: unknown) =>
    !isObject(sink) || (!isObject(sink.ref) && typeof sink.uri !== 'string');
  if (t.plural === 'triggers') {
    const hasBroker = typeof spec.broker === 'string' && spec.broker !== '';
    if (!hasBroker && !isObject(spec.brokerRef))
      out.push({ message: 'expected exactly one, got neither', path: 'spec.broker, spec.brokerRef' });
    if (old && isObject(old.spec) && old.spec.broker !== spec.broker) {
      out.push({
        message: `Immutable fields changed (-old +new)\n{string}:\n\t-: "${String(old.spec.broker)}"\n\t+: "${String(spec.broker)}"`,
        path: 'spec',
      });
    }
    const attributes =
      isObject(spec.filter) && isObject(spec.filter.attributes) ? spec.filter.attributes : {};
    for (const key of Object.keys(attributes)) {
      if (!/^[a-z][a-z0-9]*$/.test(key))
        out.push({ message: `Invalid attribute name: "${key}"`, path: 'spec.filter.attributes' });
    }
    if (sinkMissing(spec.subscriber))
      out.push({
        message: 'expected at least one, got none',
        path: 'spec.subscriber.ref, spec.subscriber.uri',
      });
  }
  if (t.plural === 'brokers' && old) {
    const key = 'eventing.knative.dev/broker.class';
    if (old.metadata.annotations?.[key] !== obj.metadata.annotations?.[key]) {
      out.push({ message: 'Immutable fields changed (-old +new)', path: `metadata.annotations.${key}` });
    }
    if (!deepEqual(isObject(old.spec) ? old.spec.config : undefined, spec.config))
      out.push({ message: 'Immutable fields changed (-old +new)', path: 'spec.config' });
  }
  if (t.plural === 'pingsources') {
    const schedule = typeof spec.schedule === 'string' ? spec.schedule : '* * * * *';
    const fields = schedule.trim().split(/\s+/);
    if (
      !schedule.startsWith('@') &&
      ((fields.length !== 5 && fields.length !== 6) || !fields.every((f) => cronField.test(f)))
    ) {
      out.push({ message: `invalid value: ${schedule}`, path: 'spec.schedule' });
    }
    if (typeof spec.timezone === 'string' && !validTimezone(spec.timezone))
      out.push({ message: `invalid value: ${spec.timezone}`, path: 'spec.timezone' });
    if (spec.data !== undefined && spec.dataBase64 !== undefined)
      out.push({ message: 'expected exactly one, got both', path: 'spec.data, spec.dataBase64' });
    if (spec.contentType === 'application/json' && typeof spec.data === 'string') {
      try {
        JSON.parse(spec.data);
      } catch {
        out.push({ message: 'invalid value: data is not valid JSON', path: 'spec.data' });
      }
    }
    if (sinkMissing(spec.sink))
      out.push({ message: 'expected at least one, got none', path: 'spec.sink.ref, spec.sink.uri' });
  }
  return out;
}

/**
 * Runs the apiserver's schema checks and Knative's webhooks on an object about to be stored.
 * Throws a {@link KubeApiError} (422 for schema problems, 400 for webhook denials).
 */
export function admitObject(t: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
  const schema = schemaProblems(t, obj);
  if (schema.length)
    throw invalid(
      t,
      obj.metadata.name,
      schema.map((p) => ({ ...p })),
      t.kind,
    );
  if (t.group === 'serving.knative.dev') {
    const problems = servingProblems(t, obj, old);
    if (problems.length) throw webhookDenied(SERVING_WEBHOOK, fmt(problems));
  }
  if (t.group === 'eventing.knative.dev' || t.group === 'sources.knative.dev') {
    const problems = eventingProblems(t, obj, old);
    if (problems.length) throw webhookDenied(EVENTING_WEBHOOK, fmt(problems));
  }
}

/**
 * Checks a manifest offline with the emulator's rules (schema, unknown fields, Knative webhooks),
 * returning the problems as text lines; an empty list means a real cluster would accept it.
 */
export function validateManifest(t: ResourceType, obj: Json): string[] {
  const unknown = unknownFields(t, obj);
  const problems = unknown.map((p) => `unknown field "${p}"`);
  try {
    admitObject(t, obj as KubeObject, undefined);
  } catch (error) {
    if (error instanceof KubeApiError) problems.push(error.message);
    else throw error;
  }
  return problems;
}
