/** Names shared by the Knative adapter's mapping, reading and export. */

/** The Knative Serving API group. */
export const SERVING = 'serving.knative.dev';

/** Where the custom resources live (group, version, plural) for `CustomObjectsApi`. */
export const resources = {
  service: { group: SERVING, version: 'v1', plural: 'services', kind: 'Service' },
  revision: { group: SERVING, version: 'v1', plural: 'revisions', kind: 'Revision' },
  domainMapping: { group: SERVING, version: 'v1beta1', plural: 'domainmappings', kind: 'DomainMapping' },
  broker: { group: 'eventing.knative.dev', version: 'v1', plural: 'brokers', kind: 'Broker' },
  trigger: { group: 'eventing.knative.dev', version: 'v1', plural: 'triggers', kind: 'Trigger' },
  pingSource: { group: 'sources.knative.dev', version: 'v1', plural: 'pingsources', kind: 'PingSource' },
  /**
   * knative-extensions/eventing-kafka-broker serves KafkaSource as `sources.knative.dev/v1beta1`
   * (control-plane/pkg/apis/sources/v1beta1/kafka_types.go).
   */
  kafkaSource: {
    group: 'sources.knative.dev',
    version: 'v1beta1',
    plural: 'kafkasources',
    kind: 'KafkaSource',
  },
} as const;

/** A custom resource kind the adapter writes. */
export type CustomKind = keyof typeof resources;

/** Labels and annotations faasport puts on what it makes. */
export const keys = {
  managedBy: 'app.kubernetes.io/managed-by',
  function: 'faasport.dev/function',
  revision: 'faasport.dev/revision',
  revisionHash: 'faasport.dev/revision-hash',
  templateHash: 'faasport.dev/template-hash',
  specHash: 'faasport.dev/spec-hash',
  objectHash: 'faasport.dev/object-hash',
  brokers: 'faasport.dev/brokers',
  visibility: 'networking.knative.dev/visibility',
  fcClass: 'workload.serving.knative.aliyun.com/class',
  fcCodeSpace: 'fc.revision.serving.knative.aliyun.com/code-space',
  /** Spelled `role-arm` as Alibaba's document spells it (not `role-arn`). */
  fcRole: 'fc.revision.serving.knative.aliyun.com/role-arm',
} as const;

/** The value of `app.kubernetes.io/managed-by` on every object faasport makes. */
export const MANAGED_BY = 'faasport';

/**
 * The stock image that runs faasport `web` / `event` code, by Node.js major version: the official
 * Node.js image (Docker Official Images, https://hub.docker.com/_/node), `slim` variant (Debian, glibc:
 * native addons built on common Linux machines load; alpine's musl would not), written out with its
 * registry so runtimes without docker.io short-name resolution (CRI-O, Podman) pull it as is.
 */
export const runtimeImageFor = (nodeMajor: string): string => `docker.io/library/node:${nodeMajor}-slim`;

/** The default `runtimeImage` of a function's runtime (`nodejs22` → `docker.io/library/node:22-slim`). */
export function defaultRuntimeImage(runtime: string): string {
  return runtimeImageFor(/^nodejs(\d+)$/.exec(runtime)?.[1] ?? '22');
}

/** Where the ConfigMap with the entry script and the code zip is mounted. */
export const CODE_MOUNT_PATH = '/var/faasport/code';

/** The entry script's file name in the ConfigMap; the container runs `node <CODE_MOUNT_PATH>/<ENTRY_FILE>`. */
export const ENTRY_FILE = 'entry.mjs';

/** The container port Knative routes to. */
export const DEFAULT_PORT = 8080;

/** Tags faasport adds (at 0%) so every revision in the traffic can be addressed by invoke. */
export const REVISION_TAG_PREFIX = 'rev-';

/**
 * Largest payload (code zip plus entry script) a ConfigMap can carry. Kubernetes refuses a ConfigMap
 * whose data and binaryData values add up to more than 1 MiB (kubernetes pkg/apis/core/validation
 * validation.go `ValidateConfigMap`, `core.MaxConfigMapSize` = 1 MiB in pkg/apis/core/types.go); the rest
 * of the object needs a little room in etcd.
 */
export const MAX_CONFIGMAP_CODE_BYTES = 1_000_000;
