/**
 * OpenAPI documents for the served kinds, the way kubectl reads them:
 *
 * - `/openapi/v3` lists one document per group-version (`paths.<gv>.serverRelativeURL`, client-go
 *   `openapi/client.go`); each document has the kinds' schemas under `components.schemas`, tagged with
 *   `x-kubernetes-group-version-kind`, which `kubectl explain` looks up (k8s.io/kubectl pkg/explain/v2).
 * - Each object path has a PATCH operation tagged with the same GVK, listing the `fieldValidation`
 *   query parameter and the patch media types it takes. kubectl decides from these whether the server
 *   validates fields (k8s.io/cli-runtime pkg/resource/query_param_verifier_v3.go) and whether it may
 *   send a strategic merge patch (k8s.io/kubectl pkg/cmd/apply/patcher.go gvkSupportsPatchOpenAPIV3:
 *   custom resources list no `application/strategic-merge-patch+json`, so kubectl sends merge patches).
 * - `/openapi/v2` is the same schemas as Swagger 2.0 JSON (client-go asks v2 for protobuf only, which
 *   the emulator does not speak: kubectl 1.27+ reads v3).
 *
 * The Serving schemas describe the fields the CRDs of knative/serving `config/core/300-resources/*.yaml`
 * allow (the field lists are those of the reference §1.1); `schema.ts` checks unknown fields against
 * the same definitions. Other kinds keep `spec` and `status` open (`x-kubernetes-preserve-unknown-fields`).
 */
import { createHash } from 'node:crypto';
import type { Json } from './patch';
import { apiVersionOf, type ResourceType, resourceTypes } from './resources';

type Schema = Json;

const str = (description = ''): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const int = (description = ''): Schema => ({
  type: 'integer',
  format: 'int64',
  ...(description ? { description } : {}),
});
const bool = (description = ''): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const open = (description = ''): Schema => ({
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
  ...(description ? { description } : {}),
});
const list = (items: Schema, description = ''): Schema => ({
  type: 'array',
  items,
  ...(description ? { description } : {}),
});
const strings = (description = '') => list(str(), description);
const map = (description = ''): Schema => ({
  type: 'object',
  additionalProperties: { type: 'string' },
  ...(description ? { description } : {}),
});
const obj = (properties: Record<string, Schema>, description = '', required?: string[]): Schema => ({
  type: 'object',
  properties,
  ...(required ? { required } : {}),
  ...(description ? { description } : {}),
});

/** Container fields a Knative revision allows (the rest of a PodSpec container is not in the CRD). */
export const containerProperties: Record<string, Schema> = {
  name: str('Name of the container. Knative defaults it to user-container.'),
  image: str('Container image name. Knative resolves a tag to a digest when it creates the Revision.'),
  command: strings('Entrypoint array; the image ENTRYPOINT when empty.'),
  args: strings('Arguments to the entrypoint; the image CMD when empty.'),
  workingDir: str("Container's working directory."),
  ports: list(
    obj({
      containerPort: { type: 'integer', format: 'int32', description: 'The port the container serves on.' },
      name: str('h2c, http1 or empty.'),
      protocol: str('TCP only.'),
    }),
    'At most one port, the one Knative routes requests to (default 8080).',
  ),
  env: list(
    obj(
      {
        name: str('Name of the variable.'),
        value: str('Its value.'),
        valueFrom: open('A source for the value.'),
      },
      '',
      ['name'],
    ),
    'Environment variables. PORT, K_SERVICE, K_CONFIGURATION and K_REVISION are reserved.',
  ),
  envFrom: list(open(), 'ConfigMaps and Secrets whose keys become environment variables.'),
  resources: open('Compute resources (requests and limits).'),
  readinessProbe: open('Periodic probe of readiness; Knative fills a TCP probe by default.'),
  livenessProbe: open('Periodic probe of liveness.'),
  startupProbe: open('Probe of startup.'),
  securityContext: open('Security options of the container.'),
  volumeMounts: list(open(), 'Volumes to mount into the filesystem.'),
  imagePullPolicy: str('Always, Never or IfNotPresent.'),
  terminationMessagePath: str(),
  terminationMessagePolicy: str(),
};

/** PodSpec fields a Knative revision allows, with Knative's own. */
export const podSpecProperties: Record<string, Schema> = {
  containers: list(
    obj(containerProperties, '', ['image']),
    'The containers of the revision; one serves requests.',
  ),
  containerConcurrency: int('Most requests one instance handles at once; 0 is no limit.'),
  timeoutSeconds: int('Most seconds a request may take (default 300, at most 600).'),
  responseStartTimeoutSeconds: int('Most seconds until the first byte of a response.'),
  idleTimeoutSeconds: int('Most seconds a request may go without a byte.'),
  serviceAccountName: str('The service account the instances run as.'),
  imagePullSecrets: list(obj({ name: str() }), 'Secrets for pulling the images.'),
  volumes: list(open(), 'Volumes (configMap, secret, projected; emptyDir and others behind feature flags).'),
  enableServiceLinks: bool('Whether Service environment variables are injected (Knative default false).'),
  automountServiceAccountToken: bool(),
  affinity: open('Behind the kubernetes.podspec-affinity feature flag.'),
  dnsConfig: open('Behind the kubernetes.podspec-dnsconfig feature flag.'),
  dnsPolicy: str(),
  hostAliases: list(open()),
  hostIPC: bool(),
  hostNetwork: bool(),
  hostPID: bool(),
  initContainers: list(open(), 'Behind the kubernetes.podspec-init-containers feature flag.'),
  nodeSelector: map('Behind the kubernetes.podspec-nodeselector feature flag.'),
  priorityClassName: str(),
  runtimeClassName: str('Behind the kubernetes.podspec-runtimeclassname feature flag.'),
  schedulerName: str(),
  securityContext: open('Behind the kubernetes.podspec-securitycontext feature flag.'),
  shareProcessNamespace: bool(),
  tolerations: list(open()),
  topologySpreadConstraints: list(open()),
};

/** A traffic target of a Service or Route. */
export const trafficProperties: Record<string, Schema> = {
  revisionName: str('A Revision to send this share of traffic to.'),
  configurationName: str('The latest ready Revision of this Configuration (standalone Routes only).'),
  latestRevision: bool('Follow the latest ready Revision (true) or pin revisionName (false).'),
  percent: int('Share of traffic, 0 to 100; the targets sum to 100.'),
  tag: str('Gives the target its own URL: <tag>-<route>.<namespace>.<domain>.'),
  url: str('Status only: the tag URL.'),
};

const META_REF = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const objectMeta = obj(
  {
    name: str('Name, unique within a namespace.'),
    generateName: str('Prefix of a generated name, used when name is empty.'),
    namespace: str('The namespace of the object.'),
    labels: map('Labels, for selecting objects.'),
    annotations: map('Annotations: arbitrary non-identifying metadata.'),
    uid: str('Set by the server.'),
    resourceVersion: str('Set by the server; send it back to update without overwriting a change.'),
    generation: int('Set by the server: increments when the spec changes.'),
    creationTimestamp: { type: 'string', format: 'date-time' },
    ownerReferences: list(open()),
    finalizers: strings(),
    managedFields: list(open()),
  },
  'Standard object metadata.',
);

const metaField = (description: string) => ({ description, allOf: [{ $ref: META_REF }] });

const template = obj(
  {
    metadata: metaField('Name (BYO revision name), labels and annotations of the Revision.'),
    spec: obj(podSpecProperties, 'The Revision to create.', ['containers']),
  },
  'The Revision template: a change stamps a new Revision.',
);
const conditions = list(
  obj({
    type: str(),
    status: str('True, False or Unknown.'),
    reason: str(),
    message: str(),
    severity: str(),
    lastTransitionTime: str(),
  }),
);
const knativeStatus = (extra: Record<string, Schema> = {}) =>
  obj({ observedGeneration: int(), conditions, ...extra }, 'Written by Knative; read only.');

const specs: Record<
  string,
  { description: string; spec?: Schema; status?: Schema; body?: Record<string, Schema> }
> = {
  'serving.knative.dev/Service': {
    description:
      'A Knative Service: manages a Configuration (Revisions) and a Route (traffic) of the same name.',
    spec: obj({ template, traffic: list(obj(trafficProperties), 'How traffic splits between Revisions.') }),
    status: knativeStatus({
      url: str(),
      address: open(),
      latestCreatedRevisionName: str(),
      latestReadyRevisionName: str(),
      traffic: list(obj(trafficProperties)),
    }),
  },
  'serving.knative.dev/Configuration': {
    description: 'A Configuration stamps a Revision for each change of its template.',
    spec: obj({ template }),
    status: knativeStatus({ latestCreatedRevisionName: str(), latestReadyRevisionName: str() }),
  },
  'serving.knative.dev/Revision': {
    description: 'An immutable snapshot of code and configuration.',
    spec: obj(podSpecProperties, '', ['containers']),
    status: knativeStatus({ actualReplicas: int(), desiredReplicas: int() }),
  },
  'serving.knative.dev/Route': {
    description: 'A Route sends traffic to Revisions and Configurations and gives them URLs.',
    spec: obj({ traffic: list(obj(trafficProperties)) }),
    status: knativeStatus({ url: str(), address: open(), traffic: list(obj(trafficProperties)) }),
  },
  '/Namespace': {
    description: 'Namespace provides a scope for names.',
    spec: obj({ finalizers: strings() }),
    status: obj({ phase: str('Active or Terminating.') }),
  },
  '/ConfigMap': {
    description: 'ConfigMap holds configuration data.',
    body: {
      data: map('Text values by key.'),
      binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
      immutable: bool(),
    },
  },
  '/Secret': {
    description: 'Secret holds secret data. Values in data are base64 encoded.',
    body: {
      data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
      stringData: map('Write only: plain values, merged into data.'),
      type: str('Opaque by default.'),
      immutable: bool(),
    },
  },
  '/Event': {
    description: 'Event is a report of an event somewhere in the cluster.',
    body: {
      involvedObject: open('The object this event is about.'),
      reason: str(),
      message: str(),
      type: str('Normal or Warning.'),
      count: { type: 'integer', format: 'int32' },
      firstTimestamp: str(),
      lastTimestamp: str(),
      source: open(),
      reportingComponent: str(),
    },
  },
};

/** `dev.knative.serving.v1.Service`, `io.k8s.api.core.v1.ConfigMap`: the schema name of a kind. */
function schemaName(t: ResourceType): string {
  if (!t.group) return `io.k8s.api.core.v1.${t.kind}`;
  return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
}

function kindSchema(t: ResourceType): Schema {
  const known = specs[`${t.group}/${t.kind}`];
  return {
    type: 'object',
    description: known?.description ?? `${t.kind} of ${apiVersionOf(t)}.`,
    properties: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: metaField('Standard object metadata.'),
      ...(known?.body ?? {
        spec: known?.spec ?? open('The desired state.'),
        ...(t.hasStatus ? { status: known?.status ?? open('The observed state.') } : {}),
      }),
    },
    'x-kubernetes-group-version-kind': [{ group: t.group, kind: t.kind, version: t.version }],
  };
}

const gvPath = (t: ResourceType) => (t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`);

const query = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

function paths(t: ResourceType): Json {
  const base = `/${gvPath(t)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
  const write = [
    query('dryRun', 'All: validate and default, store nothing.'),
    query('fieldManager', 'The name of the writer, for field ownership.'),
    query(
      'fieldValidation',
      'Ignore, Warn (default) or Strict: what to do with unknown or duplicate fields.',
    ),
  ];
  const json = { 'application/json': { schema: ref } };
  const patchTypes = [
    'application/json-patch+json',
    'application/merge-patch+json',
    ...(t.custom ? [] : ['application/strategic-merge-patch+json']),
    'application/apply-patch+yaml',
  ];
  const ok = (code: string) => ({ [code]: { description: 'OK', content: json } });
  const op = (action: string, extra: Json) => ({
    operationId: `${action}${t.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  return {
    [base]: {
      get: op('list', { responses: ok('200') }),
      post: op('post', { parameters: write, requestBody: { content: json }, responses: ok('201') }),
    },
    [`${base}/{name}`]: {
      get: op('get', { responses: ok('200') }),
      put: op('put', { parameters: write, requestBody: { content: json }, responses: ok('200') }),
      patch: op('patch', {
        parameters: [...write, query('force', 'Apply only: take fields other managers own.')],
        requestBody: {
          content: Object.fromEntries(patchTypes.map((m) => [m, { schema: { type: 'object' } }])),
        },
        responses: ok('200'),
      }),
      delete: op('delete', { parameters: [query('dryRun', 'All: store nothing.')], responses: ok('200') }),
    },
  };
}

/** The OpenAPI v3 document of one group-version (`api/v1`, `apis/serving.knative.dev/v1`). */
function groupVersionDocument(path: string): Json | undefined {
  const types = resourceTypes.filter((t) => gvPath(t) === path);
  if (!types.length) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.34.0-faasport-emulator' },
    paths: Object.assign({}, ...types.map(paths)),
    components: {
      schemas: {
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': objectMeta,
        ...Object.fromEntries(types.map((t) => [schemaName(t), kindSchema(t)])),
      },
    },
  };
}

const hashOf = (doc: Json) =>
  createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();

/** The OpenAPI document for a request path (`/openapi/v3`, `/openapi/v3/<gv>`, `/openapi/v2`), or undefined. */
export function openApi(pathname: string): Json | undefined {
  const gvPaths = [...new Set(resourceTypes.map(gvPath))];
  if (pathname === '/openapi/v3') {
    return {
      paths: Object.fromEntries(
        gvPaths.map((p) => [
          p,
          { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(groupVersionDocument(p)!)}` },
        ]),
      ),
    };
  }
  if (pathname.startsWith('/openapi/v3/')) return groupVersionDocument(pathname.slice('/openapi/v3/'.length));
  if (pathname === '/openapi/v2') {
    const docs = gvPaths.map((p) => groupVersionDocument(p)!);
    const v2 = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/definitions/'));
    return {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: 'v1.34.0-faasport-emulator' },
      paths: {},
      definitions: v2(Object.assign({}, ...docs.map((d) => (d.components as Json).schemas))),
    };
  }
  return undefined;
}
