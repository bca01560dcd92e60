/**
 * The resources the emulated API server knows: core v1 objects faasport uses, Knative Serving,
 * Knative Eventing and its sources. Each entry says where it lives on the wire and whether it has a
 * status subresource (then writes to the main resource ignore `status`, and the reverse).
 */

/** One API resource, as discovery (`GET /apis/{group}/{version}`) describes it. */
export interface ResourceType {
  /** API group; `''` for the core group served under `/api/v1`. */
  group: string;
  version: string;
  /** Lower-case plural used in paths, e.g. `services`. */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Whether writes to `.../status` are a separate subresource. */
  hasStatus: boolean;
  shortNames?: string[];
  /** Custom resources reject PUT without `metadata.resourceVersion` and strategic merge patch. */
  custom: boolean;
}

const r = (
  group: string,
  version: string,
  plural: string,
  kind: string,
  extra: Partial<ResourceType> = {},
): ResourceType => ({
  group,
  version,
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced: true,
  hasStatus: true,
  custom: group !== '',
  ...extra,
});

/** Every resource the emulator serves. */
export const resourceTypes: readonly ResourceType[] = [
  r('', 'v1', 'namespaces', 'Namespace', { namespaced: false, hasStatus: true }),
  r('', 'v1', 'configmaps', 'ConfigMap', { hasStatus: false }),
  r('', 'v1', 'secrets', 'Secret', { hasStatus: false }),
  r('serving.knative.dev', 'v1', 'services', 'Service', { shortNames: ['ksvc', 'kservice'] }),
  r('serving.knative.dev', 'v1', 'configurations', 'Configuration', { shortNames: ['config', 'cfg'] }),
  r('serving.knative.dev', 'v1', 'revisions', 'Revision', { shortNames: ['rev'] }),
  r('serving.knative.dev', 'v1', 'routes', 'Route', { shortNames: ['rt'] }),
  r('serving.knative.dev', 'v1beta1', 'domainmappings', 'DomainMapping', { shortNames: ['dm'] }),
  r('networking.internal.knative.dev', 'v1alpha1', 'clusterdomainclaims', 'ClusterDomainClaim', {
    namespaced: false,
    hasStatus: false,
  }),
  r('eventing.knative.dev', 'v1', 'brokers', 'Broker'),
  r('eventing.knative.dev', 'v1', 'triggers', 'Trigger'),
  r('sources.knative.dev', 'v1', 'pingsources', 'PingSource'),
  r('sources.knative.dev', 'v1', 'containersources', 'ContainerSource'),
  r('sources.knative.dev', 'v1', 'sinkbindings', 'SinkBinding'),
  r('sources.knative.dev', 'v1', 'apiserversources', 'ApiServerSource'),
];

/** Finds a resource by group, version and plural. */
export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.plural === plural);
}

/** Finds a resource by `apiVersion` and `kind`, as an object in a body names itself. */
export function resourceOfKind(apiVersion: string, kind: string): ResourceType | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return resourceTypes.find((t) => t.group === group && t.version === version && t.kind === kind);
}

/** `serving.knative.dev/v1`, or `v1` for the core group. */
export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** `services.serving.knative.dev`, or `configmaps` for the core group: the name used in Status messages. */
export function qualifiedName(t: ResourceType): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}
