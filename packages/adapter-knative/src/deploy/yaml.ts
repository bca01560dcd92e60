import { parseYaml, stringifyYaml } from '@faasport/core';

/** Kubernetes manifests as one YAML stream (`---` between documents), the way kubectl reads them. @public */
export function toYaml(objects: unknown[]): string {
  return objects.map((o) => stringifyYaml(o)).join('---\n');
}

/**
 * The top-level mappings of a YAML stream, in order (scalars and sequences are skipped). Any problem
 * fails the whole text with core's ValidationError naming its line; `context` goes into its details.
 */
export function yamlMappings(
  text: string,
  context: { file?: string; adapter?: string },
): Array<Record<string, unknown>> {
  return parseYaml(text, context).filter(
    (value): value is Record<string, unknown> =>
      value !== null && typeof value === 'object' && !Array.isArray(value),
  );
}
