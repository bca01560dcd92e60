/**
 * Label and field selectors with the apiserver's grammar: `k=v`, `k==v`, `k!=v`, `k`, `!k`,
 * `k in (a,b)`, `k notin (a,b)`, comma = AND. Field selectors on custom resources support only
 * `metadata.name` and `metadata.namespace`.
 */
import { badRequest } from './status';

type Requirement = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** Parses a label selector into a predicate; throws a 400 for bad syntax. */
export function parseLabelSelector(selector: string | undefined): Requirement {
  if (!selector) return () => true;
  const requirements = splitTerms(selector).map((term): Requirement => {
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim());
      return op === 'in'
        ? (l) => key in l && values.includes(l[key]!)
        : (l) => !(key in l) || !values.includes(l[key]!);
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    m = /^(!?)([\w./-]+)$/.exec(term);
    if (m) {
      const [, not, key] = m as unknown as [string, string, string];
      return not ? (l) => !(key in l) : (l) => key in l;
    }
    throw badRequest(`unable to parse requirement: found '${term}', expected: label selector term`);
  });
  return (labels) => requirements.every((req) => req(labels));
}

/**
 * Fields other than `metadata.name` / `metadata.namespace` a resource may be selected by, from
 * kubernetes/kubernetes `pkg/apis/core/v1/conversion.go` (the field label conversions of Event and Secret).
 */
const selectableFields: Record<string, string[]> = {
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  secrets: ['type'],
};

/**
 * Parses a field selector (`metadata.name=x`); other fields are rejected as the apiserver does,
 * except the few a core resource (`plural`) supports.
 */
export function parseFieldSelector(
  selector: string | undefined,
  plural = '',
): (obj: { metadata: { name: string; namespace?: string } }) => boolean {
  if (!selector) return () => true;
  const extra = selectableFields[plural] ?? [];
  const tests = splitTerms(selector).map((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${term}'; can't understand '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !extra.includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    const read = (obj: unknown) => {
      let v: unknown = obj;
      for (const part of field.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
      return v === undefined ? '' : String(v);
    };
    return (obj: { metadata: { name: string; namespace?: string } }) =>
      op === '!=' ? read(obj) !== value : read(obj) === value;
  });
  return (obj) => tests.every((t) => t(obj));
}
