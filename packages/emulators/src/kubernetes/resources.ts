/**
 * The resources the emulated API server knows: core v1 objects faasport uses, Knative Serving,
 * Knative Eventing and its sources. Each entry says where it lives on the wire, whether it has a
 * status subresource (then writes to the main resource ignore `status`, and the reverse), its
 * discovery categories (`kubectl get knative`) and the columns of its Table view (`kubectl get`).
 *
 * Categories, short names and printer columns are transcribed from the CRDs: knative/serving
 * `config/core/300-resources/{service,configuration,revision,route,domain-mapping}.yaml` and
 * knative/eventing `config/core/resources/{broker,trigger,pingsource,containersource,sinkbindings,apiserversource}.yaml`
 * (`names.categories`, `names.shortNames`, `additionalPrinterColumns`). Core kinds' columns are those of
 * kubernetes/kubernetes `pkg/printers/internalversion/printers.go`.
 */

/** One column of a Table view: a CRD's `additionalPrinterColumns` entry. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  /** A JSONPath into the object, as in the CRD. */
  jsonPath: string;
}

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
  /** Discovery categories: `kubectl get <category>` lists every resource in it. */
  categories?: string[];
  /** Table columns after NAME (none: NAME and AGE, as the apiserver shows a CRD without columns). */
  columns?: PrinterColumn[];
}

const col = (name: string, jsonPath: string, type: PrinterColumn['type'] = 'string'): PrinterColumn => ({
  name,
  type,
  jsonPath,
});
const ready = col('Ready', ".status.conditions[?(@.type=='Ready')].status");
const reason = col('Reason', ".status.conditions[?(@.type=='Ready')].reason");
const age = col('Age', '.metadata.creationTimestamp', 'date');
const serving = ['all', 'knative', 'serving'];
const eventing = ['all', 'knative', 'eventing'];
const sources = ['all', 'knative', 'sources'];

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
  r('', 'v1', 'namespaces', 'Namespace', {
    namespaced: false,
    hasStatus: true,
    shortNames: ['ns'],
    columns: [col('Status', '.status.phase'), age],
  }),
  r('', 'v1', 'configmaps', 'ConfigMap', {
    hasStatus: false,
    shortNames: ['cm'],
    columns: [col('Data', '.data', 'integer'), age],
  }),
  r('', 'v1', 'secrets', 'Secret', {
    hasStatus: false,
    columns: [col('Type', '.type'), col('Data', '.data', 'integer'), age],
  }),
  r('', 'v1', 'events', 'Event', {
    hasStatus: false,
    shortNames: ['ev'],
    columns: [
      col('Last Seen', '.lastTimestamp', 'date'),
      col('Type', '.type'),
      col('Reason', '.reason'),
      col('Object', '.involvedObject'),
      col('Message', '.message'),
    ],
  }),
  r('serving.knative.dev', 'v1', 'services', 'Service', {
    shortNames: ['kservice', 'ksvc'],
    categories: serving,
    columns: [
      col('URL', '.status.url'),
      col('LatestCreated', '.status.latestCreatedRevisionName'),
      col('LatestReady', '.status.latestReadyRevisionName'),
      ready,
      reason,
    ],
  }),
  r('serving.knative.dev', 'v1', 'configurations', 'Configuration', {
    shortNames: ['config', 'cfg'],
    categories: serving,
    columns: [
      col('LatestCreated', '.status.latestCreatedRevisionName'),
      col('LatestReady', '.status.latestReadyRevisionName'),
      ready,
      reason,
    ],
  }),
  r('serving.knative.dev', 'v1', 'revisions', 'Revision', {
    shortNames: ['rev'],
    categories: serving,
    columns: [
      col('Config Name', ".metadata.labels['serving\\.knative\\.dev/configuration']"),
      col('Generation', ".metadata.labels['serving\\.knative\\.dev/configurationGeneration']"),
      ready,
      reason,
      col('Actual Replicas', '.status.actualReplicas', 'integer'),
      col('Desired Replicas', '.status.desiredReplicas', 'integer'),
    ],
  }),
  r('serving.knative.dev', 'v1', 'routes', 'Route', {
    shortNames: ['rt'],
    categories: serving,
    columns: [col('URL', '.status.url'), ready, reason],
  }),
  r('serving.knative.dev', 'v1beta1', 'domainmappings', 'DomainMapping', {
    shortNames: ['dm'],
    categories: serving,
    columns: [col('URL', '.status.url'), ready, reason],
  }),
  r('networking.internal.knative.dev', 'v1alpha1', 'clusterdomainclaims', 'ClusterDomainClaim', {
    namespaced: false,
    hasStatus: false,
  }),
  r('eventing.knative.dev', 'v1', 'brokers', 'Broker', {
    categories: eventing,
    columns: [
      col('URL', '.status.address.url'),
      age,
      ready,
      reason,
      col('Class', '.metadata.annotations.eventing\\.knative\\.dev/broker\\.class'),
    ],
  }),
  r('eventing.knative.dev', 'v1', 'triggers', 'Trigger', {
    categories: eventing,
    columns: [
      col('Broker', '.spec.broker'),
      col('Subscriber_URI', '.status.subscriberUri'),
      age,
      ready,
      reason,
    ],
  }),
  r('sources.knative.dev', 'v1', 'pingsources', 'PingSource', {
    categories: sources,
    columns: [col('Sink', '.status.sinkUri'), col('Schedule', '.spec.schedule'), age, ready, reason],
  }),
  // knative-extensions/eventing-kafka-broker control-plane/config/eventing-kafka-broker/100-source/100-kafka-source.yaml:
  // v1beta1 is the storage version; its printer columns.
  r('sources.knative.dev', 'v1beta1', 'kafkasources', 'KafkaSource', {
    categories: sources,
    columns: [
      col('Topics', '.spec.topics'),
      col('BootstrapServers', '.spec.bootstrapServers'),
      ready,
      reason,
      age,
    ],
  }),
  r('sources.knative.dev', 'v1', 'containersources', 'ContainerSource', {
    categories: sources,
    columns: [col('Sink', '.status.sinkUri'), age, ready, reason],
  }),
  r('sources.knative.dev', 'v1', 'sinkbindings', 'SinkBinding', {
    categories: [...sources, 'bindings'],
    columns: [col('Sink', '.status.sinkUri'), age, ready, reason],
  }),
  r('sources.knative.dev', 'v1', 'apiserversources', 'ApiServerSource', {
    categories: sources,
    columns: [col('Sink', '.status.sinkUri'), age, ready, reason],
  }),
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
