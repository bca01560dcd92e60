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
  if (t.group === 'eventing.knative.dev' && t.plural === 'brokers') {
    obj.metadata.annotations = {
      'eventing.knative.dev/broker.class': 'MTChannelBasedBroker',
      ...(obj.metadata.annotations ?? {}),
    };
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
  const containers = Array.isArray(pod.containers) ? pod.containers : [];
  containers.forEach((c, i) => {
    if (!isObject(c)) return;
    if (c.name === undefined || c.name === '')
      c.name = containers.length === 1 ? 'user-container' : `user-container-${i}`;
    c.readinessProbe ??= { successThreshold: 1, tcpSocket: { port: 0 } };
    c.resources ??= {};
  });
  if (t.plural === 'services' && (!Array.isArray(spec.traffic) || spec.traffic.length === 0)) {
    spec.traffic = [{ latestRevision: true, percent: 100 }];
  }
  if (t.plural === 'services') {
    (spec.traffic as Json[]).forEach((e) => {
      if (isObject(e) && e.revisionName === undefined && e.latestRevision === undefined)
        e.latestRevision = true;
      if (isObject(e) && e.revisionName !== undefined && e.latestRevision === undefined)
        e.latestRevision = false;
    });
  }
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
