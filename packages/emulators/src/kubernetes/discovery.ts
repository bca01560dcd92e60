/**
 * Discovery documents (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`), which
 * `KubernetesObjectApi` reads to map kinds to plurals.
 */
import { resourceTypes } from './resources';

/** The discovery document for a path, or undefined when the path is not a discovery path. */
export function discovery(segments: string[]): unknown {
  const path = segments.join('/');
  if (path === 'version')
    return {
      major: '1',
      minor: '34',
      gitVersion: 'v1.34.0-faasport-emulator',
      platform: `${process.platform}/${process.arch}`,
    };
  if (path === 'api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === 'apis') {
    const groups = [...new Set(resourceTypes.filter((r) => r.group).map((r) => r.group))];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((g) => {
        const versions = [...new Set(resourceTypes.filter((r) => r.group === g).map((r) => r.version))].map(
          (v) => ({ groupVersion: `${g}/${v}`, version: v }),
        );
        return { name: g, versions, preferredVersion: versions[0] };
      }),
    };
  }
  const isCore = path === 'api/v1';
  const m = /^apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (!isCore && !m) return undefined;
  const group = isCore ? '' : m![1]!;
  const version = isCore ? 'v1' : m![2]!;
  const types = resourceTypes.filter((r) => r.group === group && r.version === version);
  if (!types.length) return undefined;
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: isCore ? 'v1' : `${group}/${version}`,
    resources: types.flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
      },
      ...(r.hasStatus
        ? [
            {
              name: `${r.plural}/status`,
              singularName: '',
              namespaced: r.namespaced,
              kind: r.kind,
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
    ]),
  };
}
