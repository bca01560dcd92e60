import { stringify } from 'yaml';

/** Kubernetes manifests as one YAML stream (`---` between documents), the way kubectl reads them. @public */
export function toYaml(objects: unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
