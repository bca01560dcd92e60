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
import { autoscalingProblems, type FieldProblem, podSpecProblems } from './webhook-serving';

const SERVING_WEBHOOK = 'validation.webhook.serving.knative.dev';
const EVENTING_WEBHOOK = 'validation.webhook.eventing.knative.dev';
/** eventing-kafka-broker control-plane/config/eventing-kafka-broker/200-webhook/400-webhook-validation.yaml. */
const KAFKA_WEBHOOK = 'validation.webhook.kafka.eventing.knative.dev';

const dns1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** k8s.io/apimachinery validation.IsQualifiedName: an optional DNS-1123 subdomain prefix and `/`, then a name. */
const qualifiedName =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const maxTimeoutSeconds = 600;
const maxContainerConcurrency = 1000;

/** Knative's FieldError text: `message: paths`, and the details on the next line. */
const fmt = (problems: FieldProblem[]) =>
  problems.map((p) => `${p.message}: ${p.path}${p.details ? `\n${p.details}` : ''}`).join('\n');

/**
 * Serving's Service / Configuration template rules: knative/serving pkg/apis/serving/v1/revision_validation.go
 * (name, containerConcurrency, timeoutSeconds), k8s_validation.go (the PodSpec) and annotation_validation.go.
 */
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
  out.push(...podSpecProblems(pod, `${base}.spec`));
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
  // knative.dev/pkg apis/metadata_validation.go ValidateCreatorAndModifier, called on update by the
  // Service, Configuration and Route webhooks (the latter two only without an owner).
  const owned = Array.isArray(obj.metadata.ownerReferences) && obj.metadata.ownerReferences.length > 0;
  if (
    old &&
    (t.plural === 'services' || (!owned && (t.plural === 'configurations' || t.plural === 'routes')))
  ) {
    const creator = 'serving.knative.dev/creator';
    if (old.metadata.annotations?.[creator] !== obj.metadata.annotations?.[creator])
      out.push({ message: 'annotation value is immutable', path: `metadata.annotations.${creator}` });
  }
  // revision_validation.go: a Revision's spec never changes; a new one is validated like a template.
  if (t.plural === 'revisions') {
    if (old && !deepEqual(old.spec, obj.spec))
      out.push({ message: 'Immutable fields changed (-old +new)', path: 'spec' });
    if (!old) out.push(...podSpecProblems(spec, 'spec'));
  }
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

const cronRanges: Array<[number, number, string[]?]> = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12, ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']],
  [0, 6, ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']],
];
const descriptors = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Why robfig/cron (SecondOptional | Minute | Hour | Dom | Month | Dow | Descriptor) rejects a schedule. */
function cronProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text === '') return 'empty spec string';
  if (text.startsWith('@'))
    return descriptors.includes(text) ? undefined : `unrecognized descriptor: ${text}`;
  const fields = text.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6)
    return `expected 5 to 6 fields, found ${fields.length}: [${fields.join(' ')}]`;
  const ranges = fields.length === 6 ? cronRanges : cronRanges.slice(1);
  for (const [i, field] of fields.entries()) {
    const [lo, hi, names] = ranges[i]!;
    const value = (v: string) => {
      const n = names?.indexOf(v.toUpperCase()) ?? -1;
      return n >= 0 ? n + lo : /^\d+$/.test(v) ? Number(v) : Number.NaN;
    };
    for (const part of field.split(',')) {
      const [range, step] = part.split('/');
      if (step !== undefined && !/^\d+$/.test(step)) return `failed to parse int from ${step}`;
      if (range === '*' || range === '?') continue;
      const [a, b] = range!.split('-');
      const start = value(a!);
      const end = b === undefined ? start : value(b);
      if (Number.isNaN(start) || Number.isNaN(end)) return `failed to parse int from ${range}`;
      if (start < lo) return `beginning of range (${start}) below minimum (${lo}): ${part}`;
      if (end > hi) return `end of range (${end}) above maximum (${hi}): ${part}`;
      if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${part}`;
    }
  }
  return undefined;
}

function eventingProblems(t: ResourceType, obj: KubeObject, old: KubeObject | undefined): FieldProblem[] {
  const out: FieldProblem[] = [];
  const spec = isObject(obj.spec) ? obj.spec : {};
  if (t.plural === 'triggers') {
    // knative/eventing pkg/apis/eventing/v1/trigger_validation.go TriggerSpec.Validate.
    const hasBroker = typeof spec.broker === 'string' && spec.broker !== '';
    if (!hasBroker && !isObject(spec.brokerRef))
      out.push({ message: 'missing field(s)', path: 'spec.broker' });
    else if (hasBroker && isObject(spec.brokerRef))
      out.push({ message: 'expected exactly one, got both', path: 'spec.broker, spec.brokerRef' });
    else if (isObject(spec.brokerRef) && spec.brokerRef.namespace)
      out.push({
        message:
          'brokerRef.namespace can only be set when the cross-namespace-event-links feature is enabled',
        path: 'spec.brokerRef.namespace',
      });
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
    // knative/eventing pkg/apis/sources/v1/ping_validation.go: a robfig/cron schedule (seconds optional,
    // descriptors but not @every), parsed with CRON_TZ=<timezone>; data XOR dataBase64, JSON objects
    // when contentType is application/json; a sink.
    const schedule = typeof spec.schedule === 'string' ? spec.schedule : '';
    if (schedule.includes('@every'))
      out.push({ message: 'invalid value: unsupported descriptor @every', path: 'spec.schedule' });
    else {
      const problem = cronProblem(schedule);
      if (problem) out.push({ message: `invalid value: ${problem}`, path: 'spec.schedule' });
    }
    if (typeof spec.timezone === 'string' && spec.timezone !== '' && !validTimezone(spec.timezone))
      out.push({
        message: `invalid value: provided bad location ${spec.timezone}: unknown time zone ${spec.timezone}`,
        path: 'spec.timezone',
      });
    const data = typeof spec.data === 'string' ? spec.data : '';
    const data64 = typeof spec.dataBase64 === 'string' ? spec.dataBase64 : '';
    const jsonObject = (text: string) => {
      try {
        return isObject(JSON.parse(text));
      } catch {
        return false;
      }
    };
    if (data && data64)
      out.push({ message: 'expected exactly one, got both', path: 'spec.data, spec.dataBase64' });
    else if (data64) {
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(data64))
        out.push({ message: 'invalid value: illegal base64 data', path: 'spec.dataBase64' });
      else if (
        spec.contentType === 'application/json' &&
        !jsonObject(Buffer.from(data64, 'base64').toString('utf8'))
      )
        out.push({ message: 'invalid value: not a JSON object', path: 'spec.dataBase64' });
    } else if (data && spec.contentType === 'application/json' && !jsonObject(data))
      out.push({ message: 'invalid value: not a JSON object', path: 'spec.data' });
    if (sinkMissing(spec.sink))
      out.push({ message: 'expected at least one, got none', path: 'spec.sink.ref, spec.sink.uri' });
  }
  return out;
}

/** duckv1.Destination: a sink needs a ref or a uri. */
const sinkMissing = (sink: unknown) =>
  !isObject(sink) || (!isObject(sink.ref) && typeof sink.uri !== 'string');

/**
 * KafkaSource rules, transcribed from knative-extensions/eventing-kafka-broker
 * control-plane/pkg/apis/sources/v1beta1/kafka_validation.go: topics and bootstrapServers are
 * required, initialOffset is earliest or latest, ordering ordered or unordered, the sink is required
 * (duckv1.SourceSpec), and consumerGroup is immutable (CheckImmutableFields). Runs after defaulting,
 * as the webhook does.
 */
function kafkaSourceProblems(obj: KubeObject, old: KubeObject | undefined): FieldProblem[] {
  const out: FieldProblem[] = [];
  const spec = (isObject(obj.spec) ? obj.spec : {}) as Json;
  const nonEmpty = (value: unknown) => Array.isArray(value) && value.length > 0;
  if (!nonEmpty(spec.topics)) out.push({ message: 'missing field(s)', path: 'spec.topics' });
  if (!nonEmpty(spec.bootstrapServers))
    out.push({ message: 'missing field(s)', path: 'spec.bootstrapServers' });
  if (spec.initialOffset !== 'earliest' && spec.initialOffset !== 'latest')
    out.push({ message: `invalid value: ${String(spec.initialOffset)}`, path: 'spec.initialOffset' });
  if (spec.ordering !== undefined && spec.ordering !== 'ordered' && spec.ordering !== 'unordered')
    out.push({ message: `invalid value: ${String(spec.ordering)}`, path: 'spec.ordering' });
  if (sinkMissing(spec.sink))
    out.push({ message: 'expected at least one, got none', path: 'spec.sink.ref, spec.sink.uri' });
  const before = old && isObject(old.spec) ? old.spec.consumerGroup : undefined;
  if (old && before !== spec.consumerGroup)
    out.push({
      message: 'Immutable fields changed (-old +new)',
      path: 'spec',
      details: `{string}:\n\t-: "${String(before)}"\n\t+: "${String(spec.consumerGroup)}"`,
    });
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
  if (t.plural === 'kafkasources') {
    const problems = kafkaSourceProblems(obj, old);
    if (problems.length) throw webhookDenied(KAFKA_WEBHOOK, fmt(problems));
    return;
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
