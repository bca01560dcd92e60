/**
 * The `meta.k8s.io/v1` Table view the apiserver returns when a client asks for it
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, what `kubectl get` sends): a Name column,
 * then the resource's printer columns, one row per object. Cells are computed the way the apiextensions
 * apiserver's table convertor does (k8s.io/apiextensions-apiserver pkg/registry/customresource/tableconvertor):
 * the column's JSONPath, `date` cells as a human-readable age (k8s.io/apimachinery pkg/util/duration
 * HumanDuration), an empty cell when the path finds nothing.
 */
import { isObject, type Json } from './patch';
import type { PrinterColumn, ResourceType } from './resources';
import type { KubeObject } from './store';

/** True when the Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .some((part) => /;\s*as=Table/.test(part) && /;\s*g=meta\.k8s\.io/.test(part));
}

/** Splits a JSONPath such as `.metadata.labels['a\.b/c']` or `.a.b\.c` into steps. */
function steps(path: string): string[] {
  const out: string[] = [];
  let i = path.startsWith('.') ? 1 : 0;
  let current = '';
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '\\' && i + 1 < path.length) {
      current += path[i + 1];
      i += 2;
    } else if (ch === '.') {
      if (current) out.push(current);
      current = '';
      i++;
    } else if (ch === '[') {
      if (current) out.push(current);
      current = '';
      const end = path.indexOf(']', i);
      const inner = path.slice(i + 1, end === -1 ? undefined : end);
      out.push(`[${inner.replace(/\\\./g, '.')}]`);
      i = end === -1 ? path.length : end + 1;
    } else {
      current += ch;
      i++;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Evaluates the JSONPath subset CRD printer columns use: fields, quoted keys, `[?(@.k=='v')]` filters. */
export function jsonPath(obj: unknown, path: string): unknown {
  let values: unknown[] = [obj];
  for (const step of steps(path)) {
    const next: unknown[] = [];
    for (const value of values) {
      if (step.startsWith('[?(')) {
        const m = /^\[\?\(@\.([\w.]+)\s*==\s*['"]([^'"]*)['"]\)\]$/.exec(step);
        if (m && Array.isArray(value))
          next.push(...value.filter((item) => isObject(item) && String(jsonPath(item, m[1]!)) === m[2]));
      } else if (step.startsWith('[')) {
        const key = step.slice(1, -1).replace(/^['"]|['"]$/g, '');
        if (Array.isArray(value) && /^\d+$/.test(key)) next.push(value[Number(key)]);
        else if (isObject(value)) next.push(value[key]);
      } else if (isObject(value)) next.push(value[step]);
    }
    values = next.filter((v) => v !== undefined);
  }
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

/** Go's `duration.HumanDuration`: `45s`, `3m20s`, `12m`, `5h10m`, `3d4h`, `400d`, `2y10d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function cell(obj: KubeObject, column: PrinterColumn, now: number): unknown {
  const value = jsonPath(obj, column.jsonPath);
  if (value === undefined || value === null) {
    // The core printers show a namespace without a phase as Active, and `<none>` for an unset field.
    if (column.jsonPath === '.status.phase') return 'Active';
    return column.type === 'integer' && column.name === 'Data'
      ? 0
      : column.type === 'date'
        ? '<unknown>'
        : '';
  }
  if (column.type === 'date') return humanDuration(now - Date.parse(String(value)));
  if (column.type === 'integer' && isObject(value)) return Object.keys(value).length; // ConfigMap / Secret DATA
  if (isObject(value) && typeof value.kind === 'string' && typeof value.name === 'string')
    return `${value.kind.toLowerCase()}/${value.name}`; // an Event's OBJECT
  return Array.isArray(value) ? value.map(String).join(', ') : value;
}

/** The Table for a list of objects, with row objects as `includeObject` asks (`Metadata` by default). */
export function toTable(
  t: ResourceType,
  objects: KubeObject[],
  resourceVersion: string,
  includeObject: string | null,
): Json {
  const columns = t.columns ?? [
    { name: 'Age', type: 'date' as const, jsonPath: '.metadata.creationTimestamp' },
  ];
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      {
        name: 'Name',
        type: 'string',
        format: 'name',
        description: 'Name must be unique within a namespace.',
        // The core Event printer shows the name only with -o wide (kubernetes/kubernetes printers.go).
        priority: t.group === '' && t.plural === 'events' ? 1 : 0,
      },
      ...columns.map((c) => ({ name: c.name, type: c.type, format: '', description: '', priority: 0 })),
    ],
    rows: objects.map((obj) => ({
      cells: [obj.metadata.name, ...columns.map((c) => cell(obj, c, now))],
      ...(includeObject === 'None'
        ? {}
        : {
            object:
              includeObject === 'Object'
                ? obj
                : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
          }),
    })),
  };
}
