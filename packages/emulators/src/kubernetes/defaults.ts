/**
 * Knative's defaulting webhook as the emulator applies it (container name, timeout, concurrency,
 * default traffic, creator annotations), plus the apiserver folding Secret `stringData` into `data`.
 * A fake that stored objects without these defaults would make a deployer's diffs misfire against a
 * real cluster (reference §8.4).
 */
import { deepEqual, isObject, type Json } from './patch';
import type { ResourceType } from './resources';
import type { KubeObject } from './store';

/** Applies Knative's defaulting webhook to a Service or Configuration (and Trigger filters). */
export function applyDefaults(
  t: ResourceType,
  obj: KubeObject,
  old: KubeObject | undefined,
  user = 'system:admin',
): void {
  // The apiserver's defaulting of Secret.type (kubernetes/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Secret).
  if (t.group === '' && t.plural === 'secrets' && !obj.type) obj.type = 'Opaque';
  if (t.group === '' && t.plural === 'secrets' && isObject(obj.stringData)) {
    // The apiserver folds the write-only stringData into data (base64) and never stores it.
    const data = isObject(obj.data) ? obj.data : {};
    for (const [k, v] of Object.entries(obj.stringData))
      data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    obj.data = data;
    delete obj.stringData;
    return;
  }
  if (t.group === 'eventing.knative.dev' && t.plural === 'triggers') {
    const spec = (isObject(obj.spec) ? obj.spec : {}) as Json;
    if (!isObject(spec.filter)) spec.filter = {};
    obj.spec = spec;
    return;
  }
  if (t.group === 'sources.knative.dev' && t.plural === 'kafkasources') {
    // knative-extensions/eventing-kafka-broker control-plane/pkg/apis/sources/v1beta1/kafka_defaults.go.
    const spec = (isObject(obj.spec) ? obj.spec : {}) as Json;
    if (!spec.consumerGroup) spec.consumerGroup = `knative-kafka-source-${crypto.randomUUID()}`;
    spec.consumers ??= 1;
    if (!spec.initialOffset) spec.initialOffset = 'latest';
    spec.ordering ??= 'ordered';
    obj.spec = spec;
    return;
  }
  if (t.group === 'eventing.knative.dev' && t.plural === 'brokers') {
    obj.metadata.annotations = {
      'eventing.knative.dev/broker.class': 'MTChannelBasedBroker',
      ...(obj.metadata.annotations ?? {}),
    };
    return;
  }
  if (t.group === 'serving.knative.dev' && t.plural === 'routes') {
    if (isObject(obj.spec)) defaultTraffic(obj.spec.traffic);
    return;
  }
  if (t.group !== 'serving.knative.dev' || !['services', 'configurations'].includes(t.plural)) return;
  const spec = (isObject(obj.spec) ? obj.spec : {}) as Json;
  obj.spec = spec;
  const template = (isObject(spec.template) ? spec.template : {}) as Json;
  spec.template = template;
  const pod = (isObject(template.spec) ? template.spec : {}) as Json;
  template.spec = pod;
  pod.containerConcurrency ??= 0;
  if (pod.timeoutSeconds === undefined || pod.timeoutSeconds === 0) pod.timeoutSeconds = 300;
  pod.enableServiceLinks ??= false;
  const containers = (Array.isArray(pod.containers) ? pod.containers : []).filter(isObject);
  // knative/serving pkg/apis/serving/v1/revision_defaults.go applyDefaultContainerNames: user-container,
  // or user-container-<n> with a counter that skips names the user took when there are several.
  const taken = new Set(containers.map((c) => c.name).filter((n) => typeof n === 'string' && n !== ''));
  let suffix = 0;
  for (const c of containers) {
    if (c.name !== undefined && c.name !== '') continue;
    let name = 'user-container';
    if (containers.length > 1 || taken.has(name)) {
      do name = `user-container-${suffix++}`;
      while (taken.has(name));
    }
    c.name = name;
  }
  // applyUserContainerDefaultReadinessProbe and applyReadinessProbeDefaults: the serving container (the
  // only one, or the one with a port) gets a TCP probe when it has no handler; thresholds default.
  for (const c of containers) {
    const serving = containers.length === 1 || (Array.isArray(c.ports) && c.ports.length > 0);
    if (serving) {
      const probe = (isObject(c.readinessProbe) ? c.readinessProbe : {}) as Json;
      if (!['tcpSocket', 'httpGet', 'exec', 'grpc'].some((h) => isObject(probe[h])))
        probe.tcpSocket = { port: 0 };
      c.readinessProbe = probe;
    }
    if (isObject(c.readinessProbe)) {
      const probe = c.readinessProbe;
      if (!probe.successThreshold) probe.successThreshold = 1;
      if (probe.periodSeconds) {
        if (!probe.failureThreshold) probe.failureThreshold = 3;
        if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
      }
    }
    c.resources ??= {};
  }
  if (t.plural === 'services' && (!Array.isArray(spec.traffic) || spec.traffic.length === 0)) {
    spec.traffic = [{ latestRevision: true, percent: 100 }];
  }
  if (t.plural === 'services') defaultTraffic(spec.traffic);
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  if (!old) {
    annotations['serving.knative.dev/creator'] = user;
    annotations['serving.knative.dev/lastModifier'] = user;
  } else if (!deepEqual(old.spec, obj.spec)) annotations['serving.knative.dev/lastModifier'] = user;
  else if (old.metadata.annotations?.['serving.knative.dev/lastModifier']) {
    annotations['serving.knative.dev/lastModifier'] =
      old.metadata.annotations['serving.knative.dev/lastModifier'];
  }
  obj.metadata.annotations = annotations;
}

/**
 * knative/serving pkg/apis/serving/v1/route_defaults.go TrafficTarget.SetDefaults: `latestRevision` is
 * true unless a revision is named, and an unset `percent` is 0.
 */
function defaultTraffic(traffic: unknown): void {
  if (!Array.isArray(traffic)) return;
  for (const e of traffic) {
    if (!isObject(e)) continue;
    e.latestRevision ??= e.revisionName === undefined || e.revisionName === '';
    e.percent ??= 0;
  }
}
