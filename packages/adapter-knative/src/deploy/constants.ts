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

/** The default image that runs faasport `web` / `event` handlers from a ConfigMap (see `image/`). */
export const DEFAULT_RUNTIME_IMAGE = 'ghcr.io/faasport/knative-runtime:0.1.0';

/** Where the runtime image reads the code zip (the ConfigMap volume). */
export const CODE_MOUNT_PATH = '/var/faasport/code';

/** The container port Knative routes to. */
export const DEFAULT_PORT = 8080;

/** Tags faasport adds (at 0%) so every revision in the traffic can be addressed by invoke. */
export const REVISION_TAG_PREFIX = 'rev-';

/**
 * Largest code zip a ConfigMap can carry. Kubernetes caps a ConfigMap at 1 MiB (data + binaryData);
 * the rest of the object needs a little room.
 */
export const MAX_CONFIGMAP_CODE_BYTES = 1_000_000;
