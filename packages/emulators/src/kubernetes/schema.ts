/**
 * The structural checks the apiserver does from a CRD's openAPIV3Schema: value types (422 with the
 * real Kind) and unknown fields (pruned, warned about, or rejected with `fieldValidation=Strict`).
 */
import { containerProperties, podSpecProperties, trafficProperties } from './openapi';
import { isObject, type Json } from './patch';
import type { ResourceType } from './resources';
import type { KubeObject } from './store';

const containerKeys = new Set(Object.keys(containerProperties));
const podSpecKeys = new Set(Object.keys(podSpecProperties));
const trafficKeys = new Set(Object.keys(trafficProperties));

/**
 * Unknown fields of a Serving object (paths like `spec.template.spec.containers[0].bogus`). The
 * apiserver prunes them, warns (default), or rejects them with `fieldValidation=Strict`.
 */
export function unknownFields(t: ResourceType, obj: Json): string[] {
  if (t.group !== 'serving.knative.dev' || !['services', 'configurations'].includes(t.plural)) return [];
  const out: string[] = [];
  const spec = isObject(obj.spec) ? obj.spec : {};
  const allowedSpec = t.plural === 'services' ? ['template', 'traffic'] : ['template'];
  for (const k of Object.keys(spec)) if (!allowedSpec.includes(k)) out.push(`spec.${k}`);
  const template = isObject(spec.template) ? spec.template : {};
  for (const k of Object.keys(template)) if (k !== 'metadata' && k !== 'spec') out.push(`spec.template.${k}`);
  const pod = isObject(template.spec) ? template.spec : {};
  for (const k of Object.keys(pod)) if (!podSpecKeys.has(k)) out.push(`spec.template.spec.${k}`);
  const containers = Array.isArray(pod.containers) ? pod.containers : [];
  containers.forEach((c, i) => {
    if (isObject(c))
      for (const k of Object.keys(c))
        if (!containerKeys.has(k)) out.push(`spec.template.spec.containers[${i}].${k}`);
  });
  const traffic = Array.isArray(spec.traffic) ? spec.traffic : [];
  traffic.forEach((e, i) => {
    if (isObject(e))
      for (const k of Object.keys(e)) if (!trafficKeys.has(k)) out.push(`spec.traffic[${i}].${k}`);
  });
  return out;
}

/** Removes the given unknown field paths (pruning, as the apiserver does by default). */
export function pruneFields(obj: Json, paths: string[]): void {
  for (const path of paths) {
    const parts = path.split('.').flatMap((p) => {
      const m = /^(.*)\[(\d+)\]$/.exec(p);
      return m ? [m[1]!, Number(m[2])] : [p];
    });
    const last = parts.pop()!;
    let cursor: unknown = obj;
    for (const part of parts) cursor = (cursor as Record<string | number, unknown>)?.[part as string];
    if (cursor && typeof cursor === 'object') delete (cursor as Record<string, unknown>)[last as string];
  }
}

/** Type checks of the CRD schema that matter to a deployer (422 with the real Kind, as the apiserver reports them). */
export function schemaProblems(t: ResourceType, obj: KubeObject): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  const mustBe = (value: unknown, type: 'integer' | 'string' | 'boolean', field: string) => {
    if (value === undefined) return;
    const ok = type === 'integer' ? Number.isInteger(value) : typeof value === type;
    if (!ok)
      out.push({
        field,
        message: `Invalid value: ${JSON.stringify(value)}: ${field} in body must be of type ${type}: ${JSON.stringify(typeof value === 'string' ? value : String(value))}`,
      });
  };
  for (const where of ['labels', 'annotations'] as const) {
    const map = obj.metadata[where];
    if (map !== undefined)
      for (const [k, v] of Object.entries(map)) mustBe(v, 'string', `metadata.${where}.${k}`);
  }
  if (t.plural === 'configmaps') {
    const data = (obj as Json).data;
    if (isObject(data)) for (const [k, v] of Object.entries(data)) mustBe(v, 'string', `data.${k}`);
    const bin = (obj as Json).binaryData;
    if (isObject(bin)) {
      for (const [k, v] of Object.entries(bin)) {
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
          out.push({ field: `binaryData.${k}`, message: 'Invalid value: must be base64 encoded bytes' });
      }
    }
    const size = JSON.stringify(data ?? {}).length + JSON.stringify(bin ?? {}).length * 0.75;
    if (size > 1024 * 1024) out.push({ field: '', message: `Too long: must have at most 1048576 bytes` });
  }
  if (t.group !== 'serving.knative.dev' || !['services', 'configurations'].includes(t.plural)) return out;
  const spec = isObject(obj.spec) ? obj.spec : {};
  const template = isObject(spec.template) ? spec.template : {};
  const tmeta = isObject(template.metadata) ? template.metadata : {};
  for (const where of ['labels', 'annotations']) {
    const map = tmeta[where];
    if (isObject(map))
      for (const [k, v] of Object.entries(map)) mustBe(v, 'string', `spec.template.metadata.${where}.${k}`);
  }
  const pod = isObject(template.spec) ? template.spec : {};
  mustBe(pod.containerConcurrency, 'integer', 'spec.template.spec.containerConcurrency');
  mustBe(pod.timeoutSeconds, 'integer', 'spec.template.spec.timeoutSeconds');
  if (!Array.isArray(pod.containers))
    out.push({ field: 'spec.template.spec.containers', message: 'Required value' });
  (Array.isArray(pod.containers) ? pod.containers : []).forEach((c, i) => {
    if (!isObject(c)) return;
    mustBe(c.image, 'string', `spec.template.spec.containers[${i}].image`);
    (Array.isArray(c.env) ? c.env : []).forEach((e, j) => {
      if (isObject(e)) mustBe(e.value, 'string', `spec.template.spec.containers[${i}].env[${j}].value`);
    });
  });
  (Array.isArray(spec.traffic) ? spec.traffic : []).forEach((e, i) => {
    if (isObject(e)) mustBe(e.percent, 'integer', `spec.traffic[${i}].percent`);
  });
  return out;
}
