/**
 * A Kubernetes API server with Knative Serving and Eventing, for tests: `@kubernetes/client-node`
 * and `kubectl` talk to it unchanged, over TLS with a certificate authority made at start (the
 * kubeconfig carries it and a bearer token), and over plain HTTP on the same port. It keeps objects with Kubernetes semantics
 * (resourceVersion, generation, 404/409/422/415 Status errors, merge and JSON patch, server-side
 * apply, list with selectors, watch), applies Knative's admission rules, and runs a controller that
 * creates Revisions, writes status and serves routes by running the code through the faasport executor.
 *
 * Routes are served by the same HTTP server, chosen by the `Host` header — the way an ingress such as
 * Kourier is reached with `curl -H "Host: hello.default.example.com" http://<ingress-ip>`. Route hosts
 * are `<svc>.<ns>.<domain>` (domain `example.com` by default) and tag hosts `<tag>-<svc>.<ns>.<domain>`;
 * send requests to `url` with that Host header (the Knative adapter's `ingress` option does this).
 *
 * @example
 * ```ts
 * const kube = await startKubernetesEmulator();
 * const kc = new KubeConfig(); kc.loadFromString(kube.kubeConfig); // https, CA and token inside
 * // ... deploy, then: fetch through `kube.url` with `Host: hello.default.example.com`
 * await kube.close();
 * ```
 * @packageDocumentation
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { createExecutor } from '@faasport/runtime';
import { type ExecutorLike, KnativeController } from './controller';
import { applyDefaults } from './defaults';
import { type DeliverableEvent, EventDelivery, type KafkaDelivery, type KafkaRecord } from './eventing';
import { isObject, type Json } from './patch';
import { findResource, type ResourceType, resourceOfKind } from './resources';
import { ApiServer, type WriteInterceptor, type WriteRecord } from './server';
import { type KubeObject, ObjectStore } from './store';
import { makeEmulatorTls } from './tls';
import { admitObject, validateManifest as validateWithRules } from './validation';

export { KubeApiError } from './status';
export type { DeliverableEvent, KafkaDelivery, KafkaRecord, KubeObject, ResourceType, WriteRecord };

/** Options of {@link startKubernetesEmulator}. */
export interface KubernetesEmulatorOptions {
  /** Namespaces that exist at start (default `default`, plus `knative-serving` and `knative-eventing`). */
  namespaces?: string[];
  /** The domain of route URLs (default `example.com`, as in Knative's classic `config-domain`). */
  domain?: string;
  /** The bearer token clients must send (default: a random one, written into `kubeConfig`). */
  token?: string;
  /** Image references mapped to local commands that serve HTTP on `$PORT`. */
  images?: Record<string, string[]>;
  /** The executor that runs revisions (default: `createExecutor()` from `@faasport/runtime`). */
  executor?: ExecutorLike;
  /** The port to listen on (default 0: a free one). */
  port?: number;
  /** The address to bind (default `127.0.0.1`; the certificate names 127.0.0.1, ::1 and localhost). */
  host?: string;
  /** A delay added to every API call, in milliseconds (default 0), to test a client against a slow server. */
  latencyMs?: number;
}

/** A running emulator. */
export interface KubernetesEmulator {
  /** `http://127.0.0.1:<port>`: the ingress for route hosts, and the API server over plain HTTP. */
  url: string;
  /** `https://127.0.0.1:<port>`: the API server over TLS (the same port), as the kubeconfig names it. */
  apiUrl: string;
  /** The PEM certificate of the CA that signed the server's certificate. */
  caCert: string;
  /** The bearer token the API server accepts. */
  token: string;
  /**
   * A kubeconfig (YAML) for `apiUrl` with the CA (`certificate-authority-data`) and the token, for
   * `KubeConfig.loadFromString`, a file, or `kubectl --kubeconfig`.
   */
  kubeConfig: string;
  /** The same as options for `KubeConfig.loadFromOptions`. */
  kubeConfigOptions: {
    clusters: Array<{ name: string; server: string; caData: string; skipTLSVerify: boolean }>;
    users: Array<{ name: string; token: string }>;
    contexts: Array<{ name: string; cluster: string; user: string; namespace: string }>;
    currentContext: string;
  };
  /** How many write calls (POST, PUT, PATCH, DELETE) the API server received. */
  writes(): number;
  /** The write calls received, in order. */
  writeLog(): WriteRecord[];
  /** Runs an image reference as a local command (`http` contract, serving on `$PORT`). */
  mapImage(ref: string, command: string[]): void;
  /** An object as stored, or undefined. */
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Objects of a kind. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Changes an object as another client would (bumps resourceVersion), bypassing the HTTP layer. */
  modify(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    change: (obj: KubeObject) => void,
  ): KubeObject;
  /** Deletes an object as another client (or Knative's garbage collector) would. */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void;
  /** Runs `run` once before the next write that `match` accepts (e.g. to simulate a concurrent writer). */
  interceptNextWrite(match: Parameters<ApiServer['interceptNextWrite']>[0], run: WriteInterceptor): void;
  /** Resolves when the controller has nothing left to do. */
  idle(): Promise<void>;
  /** Fires a PingSource once, delivering its event to its sink. */
  firePing(namespace: string, name: string): Promise<Response>;
  /**
   * Puts a record on an emulated Kafka topic; every KafkaSource of the namespace reading the topic
   * delivers it to its sink. Returns each source's delivery and the sink's answer.
   */
  putKafkaRecord(namespace: string, topic: string, record: KafkaRecord): Promise<KafkaDelivery[]>;
  /** Publishes a CloudEvent into a Broker; returns the responses of the matching Triggers' subscribers. */
  publish(namespace: string, broker: string, event: DeliverableEvent): Promise<Response[]>;
  close(): Promise<void>;
}

/**
 * Starts the emulator on 127.0.0.1 (a random port).
 */
export async function startKubernetesEmulator(
  options: KubernetesEmulatorOptions = {},
): Promise<KubernetesEmulator> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const store = new ObjectStore(admitObject, (t, obj, old) => applyDefaults(t, obj, old));
  const namespaces = findResource('', 'v1', 'namespaces')!;
  for (const ns of new Set([
    'default',
    'knative-serving',
    'knative-eventing',
    ...(options.namespaces ?? []),
  ])) {
    store.create(namespaces, undefined, { metadata: { name: ns } });
  }
  const imageCommands = new Map(Object.entries(options.images ?? {}));
  const controller = new KnativeController(store, {
    domain: options.domain ?? 'example.com',
    imageCommands,
    executor: () => options.executor ?? (createExecutor({ warmPool: 0 }) as unknown as ExecutorLike),
  });
  const events = new EventDelivery(store, (host, request) => controller.serve(host, request));
  const api = new ApiServer(store, controller, token, { latencyMs: options.latencyMs ?? 0 });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    api.handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  };
  const tls = makeEmulatorTls();
  const plain = createServer(handler);
  const secure = createTlsServer({ key: tls.key, cert: tls.cert }, handler);
  // One port for both: a TLS ClientHello starts with the handshake record type 0x16, which no HTTP
  // method does, so the first byte says which server gets the connection.
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostName =
    options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const urlHost = hostName.includes(':') ? `[${hostName}]` : hostName;
  const url = `http://${urlHost}:${port}`;
  const apiUrl = `https://${urlHost}:${port}`;
  const caData = Buffer.from(tls.caCert).toString('base64');
  const typeOf = (apiVersion: string, kind: string): ResourceType => {
    const t = resourceOfKind(apiVersion, kind);
    if (!t) throw new Error(`the emulator does not serve ${kind} of ${apiVersion}`);
    return t;
  };
  const kubeConfig = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: emulator',
    '    cluster:',
    `      server: ${apiUrl}`,
    `      certificate-authority-data: ${caData}`,
    'users:',
    '  - name: emulator',
    '    user:',
    `      token: ${token}`,
    'contexts:',
    '  - name: emulator',
    '    context:',
    '      cluster: emulator',
    '      user: emulator',
    '      namespace: default',
    'current-context: emulator',
    '',
  ].join('\n');
  return {
    url,
    apiUrl,
    caCert: tls.caCert,
    token,
    kubeConfig,
    kubeConfigOptions: {
      clusters: [{ name: 'emulator', server: apiUrl, caData, skipTLSVerify: false }],
      users: [{ name: 'emulator', token }],
      contexts: [{ name: 'emulator', cluster: 'emulator', user: 'emulator', namespace: 'default' }],
      currentContext: 'emulator',
    },
    writes: () => api.writes.length,
    writeLog: () => [...api.writes],
    mapImage: (ref, command) => {
      imageCommands.set(ref, command);
    },
    get: (apiVersion, kind, namespace, name) => store.get(typeOf(apiVersion, kind), namespace, name),
    list: (apiVersion, kind, namespace) => store.list(typeOf(apiVersion, kind), namespace),
    modify: (apiVersion, kind, namespace, name, change) => {
      const t = typeOf(apiVersion, kind);
      const current = store.mustGet(t, namespace, name);
      const next = JSON.parse(JSON.stringify(current)) as KubeObject;
      change(next);
      return store.update(t, current, next, { fieldManager: 'other-client' });
    },
    remove: (apiVersion, kind, namespace, name) => {
      store.delete(typeOf(apiVersion, kind), namespace, name);
    },
    interceptNextWrite: (match, run) => api.interceptNextWrite(match, run),
    idle: () => controller.idle(),
    firePing: (namespace, name) => events.firePing(namespace, name),
    publish: (namespace, broker, event) => events.publish(namespace, broker, event),
    putKafkaRecord: (namespace, topic, record) => events.putKafkaRecord(namespace, topic, record),
    close: async () => {
      api.closeWatches();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await controller.close();
    },
  };
}

/**
 * Checks a manifest (a Kubernetes / Knative object) offline with the emulator's rules: the CRD's
 * types and fields, and Knative's validating webhooks. Returns the problems; empty when a cluster
 * would accept it.
 */
export function validateManifest(manifest: unknown): string[] {
  if (!isObject(manifest) || typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') {
    return ['not a Kubernetes object (apiVersion and kind are required)'];
  }
  const t = resourceOfKind(manifest.apiVersion, manifest.kind);
  if (!t) return [`${manifest.kind} of ${manifest.apiVersion} is not a resource the emulator knows`];
  const copy = JSON.parse(JSON.stringify(manifest)) as Json;
  if (!isObject(copy.metadata)) copy.metadata = {};
  applyDefaults(t, copy as KubeObject, undefined);
  return validateWithRules(t, copy);
}
