import { ValidationError } from '@faasport/core';
import { parseAllDocuments, stringify } from 'yaml';

/** Kubernetes manifests as one YAML stream (`---` between documents), the way kubectl reads them. @public */
export function toYaml(objects: unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/**
 * The top-level mappings of a YAML stream, in order (scalars and sequences are skipped). A syntax error
 * fails the whole text with a ValidationError naming the first problem; `context` goes into its details.
 */
export function yamlMappings(text: string, context: Record<string, unknown>): Array<Record<string, unknown>> {
  const mappings: Array<Record<string, unknown>> = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) {
      throw new ValidationError(
        [
          {
            path: '',
            message: `is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`,
            rule: 'syntax',
          },
        ],
        context,
      );
    }
    const value = doc.toJS();
    if (value && typeof value === 'object' && !Array.isArray(value)) mappings.push(value);
  }
  return mappings;
}
