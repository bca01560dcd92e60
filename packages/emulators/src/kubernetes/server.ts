/**
 * The HTTP side of the emulated API server: Kubernetes REST paths, verbs, content types, query
 * parameters, discovery, list and watch, and Status error bodies (reference §8). Requests whose
 * `Host` is a route host (`<svc>.<ns>.<domain>`, `<tag>-<svc>.<ns>.<domain>`, a DomainMapping) go
 * to the Knative ingress instead, as they would through Kourier.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { KnativeController } from './controller';
import { discovery } from './discovery';
import { openApi } from './openapi';
import { isObject, type Json, jsonPatch, mergePatch } from './patch';
import { decodeProtobuf, PROTOBUF } from './protobuf';
import { apiVersionOf, findResource, type ResourceType } from './resources';
import { pruneFields, unknownFields } from './schema';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { badRequest, invalid, KubeApiError, unknownPath, unsupportedMediaType } from './status';
import type { KubeObject, ObjectStore, WatchEvent } from './store';
import { toTable, wantsTable } from './table';

/** One write request the API server received. */
export interface WriteRecord {
  method: string;
  path: string;
  contentType?: string;
  status: number;
}

/** A hook run before a write is handled, e.g. to simulate a concurrent writer. */
export type WriteInterceptor = (write: {
  method: string;
  resource: ResourceType;
  namespace?: string;
  name?: string;
}) => void;

interface Route {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const NAMESPACES = findResource('', 'v1', 'namespaces')!;

/** Handles API and ingress requests. */
export class ApiServer {
  readonly writes: WriteRecord[] = [];
  private readonly interceptors: Array<{
    match: (w: Parameters<WriteInterceptor>[0]) => boolean;
    run: WriteInterceptor;
  }> = [];
  private readonly watches = new Set<ServerResponse>();

  constructor(
    private readonly store: ObjectStore,
    private readonly controller: KnativeController,
    private readonly token: string,
    private readonly options: { latencyMs: number } = { latencyMs: 0 },
  ) {}

  /** Runs `run` once, before the next write that `match` accepts. */
  interceptNextWrite(match: (w: Parameters<WriteInterceptor>[0]) => boolean, run: WriteInterceptor): void {
    this.interceptors.push({ match, run });
  }

  /** Ends every open watch stream. */
  closeWatches(): void {
    for (const res of this.watches) res.end();
    this.watches.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (this.controller.servesHost(host)) return this.ingress(host, req, res);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const isWrite = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);
    let status = 500;
    try {
      if (this.options.latencyMs > 0) await new Promise((r) => setTimeout(r, this.options.latencyMs));
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        throw new KubeApiError(401, 'Unauthorized', 'Unauthorized');
      }
      const body = await readBody(req);
      const result = await this.dispatch(method, url, req, res, body);
      if (result === 'streaming') return;
      status = result.status;
      send(res, result.status, result.body, result.headers);
    } catch (error) {
      const apiError =
        error instanceof KubeApiError
          ? error
          : new KubeApiError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`);
      status = apiError.code;
      send(res, apiError.code, apiError.toStatus());
    } finally {
      if (isWrite)
        this.writes.push({
          method,
          path: url.pathname,
          ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
          status,
        });
    }
  }

  private async ingress(host: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value === undefined || key === 'host' || key === 'connection' || key === 'transfer-encoding')
        continue;
      headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const method = req.method ?? 'GET';
    const request = new Request(`http://${host}${req.url ?? '/'}`, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' || body.length === 0 ? {} : { body: new Uint8Array(body) }),
    });
    const response = await this.controller.serve(host, request);
    const out: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      if (key !== 'content-length' && key !== 'transfer-encoding') out[key] = value;
    });
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  }

  private async dispatch(
    method: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> } | 'streaming'> {
    const segments = url.pathname.split('/').filter(Boolean);
    const q = url.searchParams;
    if (method === 'GET') {
      const found = discovery(segments);
      if (found) return { status: 200, body: found };
      const document = openApi(url.pathname);
      if (document) {
        const accept = req.headers.accept ?? '';
        if (url.pathname === '/openapi/v2' && accept && !/json|\*\/\*/.test(accept)) {
          throw new KubeApiError(406, 'NotAcceptable', 'only application/json is served for /openapi/v2');
        }
        return { status: 200, body: document };
      }
    }
    const route = this.route(segments);
    if (!route) throw unknownPath();
    const { resource: t, namespace, name, subresource } = route;
    if (subresource !== undefined && (subresource !== 'status' || !t.hasStatus)) throw unknownPath();
    if (
      namespace !== undefined &&
      t !== NAMESPACES &&
      method !== 'GET' &&
      !this.store.get(NAMESPACES, undefined, namespace)
    ) {
      throw new KubeApiError(404, 'NotFound', `namespaces "${namespace}" not found`, {
        name: namespace,
        kind: 'namespaces',
      });
    }
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
      for (const [i, hook] of this.interceptors.entries()) {
        const write = { method, resource: t, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) };
        if (hook.match(write)) {
          this.interceptors.splice(i, 1);
          hook.run(write);
          break;
        }
      }
    }
    const dryRun = q.get('dryRun') === 'All';
    const fieldManager = q.get('fieldManager') ?? undefined;
    const options = {
      dryRun,
      ...(fieldManager ? { fieldManager } : {}),
      ...(subresource === 'status' ? { subresource: 'status' as const } : {}),
    };
    if (
      q.get('force') !== null &&
      !(method === 'PATCH' && contentTypeOf(req) === 'application/apply-patch+yaml')
    ) {
      throw invalid(
        t,
        name ?? '',
        [
          {
            field: 'force',
            reason: 'FieldValueForbidden',
            message: 'Forbidden: may not be specified for non-apply patch',
          },
        ],
        'PatchOptions.meta.k8s.io',
      );
    }
    if (!name) {
      if (method === 'GET') {
        if (q.get('watch') === 'true' || q.get('watch') === '1') {
          this.watch(t, namespace, q, res);
          return 'streaming';
        }
        const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
        const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined, t.group ? '' : t.plural);
        const items = this.store
          .list(t, namespace)
          .filter((o) => labels(o.metadata.labels ?? {}) && fields(o));
        if (wantsTable(req.headers.accept))
          return {
            status: 200,
            body: toTable(t, items, this.store.resourceVersion, q.get('includeObject')),
          };
        return {
          status: 200,
          body: {
            apiVersion: apiVersionOf(t),
            kind: `${t.kind}List`,
            metadata: { resourceVersion: this.store.resourceVersion, continue: '' },
            items,
          },
        };
      }
      if (method === 'POST') {
        const parsed = parseObjectBody(req, t, body);
        const warnings = this.fieldValidation(t, parsed, q);
        const created = this.store.create(t, namespace, parsed, options);
        return { status: 201, body: created, headers: warnings };
      }
      throw new KubeApiError(
        405,
        'MethodNotAllowed',
        `the server does not allow this method on the requested resource`,
      );
    }
    switch (method) {
      case 'GET': {
        const obj = this.store.mustGet(t, namespace, name);
        if (wantsTable(req.headers.accept))
          return {
            status: 200,
            body: toTable(t, [obj], String(obj.metadata.resourceVersion), q.get('includeObject')),
          };
        return { status: 200, body: obj };
      }
      case 'PUT': {
        const parsed = parseObjectBody(req, t, body);
        const warnings = this.fieldValidation(t, parsed, q);
        return {
          status: 200,
          body: this.store.replace(t, namespace, name, parsed, options),
          headers: warnings,
        };
      }
      case 'PATCH':
        return this.patch(t, namespace, name, req, body, q, options);
      case 'DELETE': {
        const deleted = this.store.delete(t, namespace, name);
        return {
          status: 200,
          body: {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details: {
              name,
              ...(t.group ? { group: t.group } : {}),
              kind: t.plural,
              uid: deleted.metadata.uid,
            },
          },
        };
      }
      default:
        throw new KubeApiError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
    }
  }

  private patch(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    req: IncomingMessage,
    body: Buffer,
    q: URLSearchParams,
    options: { dryRun: boolean; fieldManager?: string; subresource?: 'status' },
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const contentType = contentTypeOf(req);
    if (contentType === 'application/apply-patch+yaml') {
      const manager = q.get('fieldManager');
      if (!manager) {
        throw invalid(
          t,
          '',
          [
            {
              field: 'fieldManager',
              reason: 'FieldValueRequired',
              message: 'Required value: is required for apply patch',
            },
          ],
          'PatchOptions.meta.k8s.io',
        );
      }
      let parsed: unknown;
      try {
        parsed = parseYaml(body.toString('utf8'));
      } catch (error) {
        throw badRequest(`error decoding YAML: ${(error as Error).message}`);
      }
      if (!isObject(parsed)) throw badRequest('the body of an apply patch must be an object');
      if (typeof parsed.apiVersion !== 'string' || typeof parsed.kind !== 'string') {
        throw badRequest('apiVersion and kind must be set in an apply patch');
      }
      const warnings = this.fieldValidation(t, parsed, q);
      const { object, created } = this.store.apply(t, namespace, name, parsed, {
        ...options,
        fieldManager: manager,
        force: q.get('force') === 'true',
      });
      return { status: created ? 201 : 200, body: object, headers: warnings };
    }
    if (contentType === 'application/strategic-merge-patch+json' && t.custom)
      throw unsupportedMediaType(contentType);
    const current = this.store.mustGet(t, namespace, name);
    let next: unknown;
    if (
      contentType === 'application/merge-patch+json' ||
      contentType === 'application/strategic-merge-patch+json'
    ) {
      next = mergePatch(current, parseJsonBody(body));
    } else if (contentType === 'application/json-patch+json') {
      next = jsonPatch(current, JSON.parse(body.toString('utf8') || '[]'));
    } else throw unsupportedMediaType(contentType);
    const warnings = this.fieldValidation(t, next as Json, q);
    return { status: 200, body: this.store.update(t, current, next as Json, options), headers: warnings };
  }

  /** Applies `fieldValidation`: Strict rejects unknown fields, Ignore and Warn (default) prune them. */
  private fieldValidation(
    t: ResourceType,
    obj: Json,
    q: URLSearchParams,
  ): Record<string, string> | undefined {
    const unknown = unknownFields(t, obj);
    if (!unknown.length) return undefined;
    const mode = q.get('fieldValidation') ?? 'Warn';
    if (mode === 'Strict') {
      throw badRequest(`strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(', ')}`);
    }
    pruneFields(obj, unknown);
    return mode === 'Ignore'
      ? undefined
      : { warning: unknown.map((p) => `299 - "unknown field \\"${p}\\""`).join(', ') };
  }

  private watch(
    t: ResourceType,
    namespace: string | undefined,
    q: URLSearchParams,
    res: ServerResponse,
  ): void {
    const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined, t.group ? '' : t.plural);
    const inScope = (e: WatchEvent) =>
      e.resource === t && (namespace === undefined || e.object.metadata.namespace === namespace);
    const selected = (o: KubeObject) => labels(o.metadata.labels ?? {}) && fields(o);
    const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    // Which objects the watcher currently sees: an object that stops matching the selectors is
    // reported as DELETED, one that starts matching as ADDED (as the apiserver's watch cache does).
    const members = new Set<string>();
    const relay = (e: WatchEvent) => {
      if (!inScope(e)) return;
      const key = keyOf(e.object);
      const was = members.has(key);
      const now = e.type !== 'DELETED' && selected(e.object);
      if (now) members.add(key);
      else members.delete(key);
      if (e.type === 'DELETED') {
        if (was) write('DELETED', e.object);
      } else if (now) write(was ? 'MODIFIED' : 'ADDED', e.object);
      else if (was) write('DELETED', e.object);
    };
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // Send the headers now: a client waits for them before it reads events, and there may be none yet.
    res.flushHeaders();
    this.watches.add(res);
    const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    const rvParam = q.get('resourceVersion');
    const from = rvParam && rvParam !== '0' ? Number(rvParam) : undefined;
    if (from !== undefined && from < this.store.oldestRetained - 1) {
      write('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${from} (${this.store.oldestRetained})`,
        reason: 'Expired',
        code: 410,
      });
      this.watches.delete(res);
      res.end();
      return;
    }
    if (from === undefined) {
      for (const obj of this.store.list(t, namespace))
        relay({ type: 'ADDED', resource: t, object: obj, rv: 0 });
    } else {
      // Membership as of `from`, from the retained history; then the changes after it.
      for (const e of this.store.eventsUpTo(from)) {
        if (!inScope(e)) continue;
        if (e.type !== 'DELETED' && selected(e.object)) members.add(keyOf(e.object));
        else members.delete(keyOf(e.object));
      }
      for (const e of this.store.eventsSince(from)) relay(e);
    }
    const unsubscribe = this.store.subscribe(relay);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      this.watches.delete(res);
    });
  }

  private route(segments: string[]): Route | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments[1] === 'v1') {
      group = '';
      version = 'v1';
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 4) {
      group = segments[1]!;
      version = segments[2]!;
      rest = segments.slice(3);
    } else return undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const resource = findResource(group, version, rest[2]!);
      if (!resource?.namespaced || rest.length > 5) return undefined;
      return {
        resource,
        namespace: rest[1]!,
        ...(rest[3] ? { name: rest[3] } : {}),
        ...(rest[4] ? { subresource: rest[4] } : {}),
      };
    }
    const resource = findResource(group, version, rest[0] ?? '');
    if (!resource || rest.length > 3) return undefined;
    if (resource.namespaced && rest.length > 1) return undefined;
    return { resource, ...(rest[1] ? { name: rest[1] } : {}), ...(rest[2] ? { subresource: rest[2] } : {}) };
  }
}

function contentTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A POST or PUT body: JSON, or protobuf for the core kinds (client-go's typed clients send that). */
function parseObjectBody(req: IncomingMessage, t: ResourceType, body: Buffer): Json {
  const type = contentTypeOf(req);
  if (type === PROTOBUF) {
    if (t.custom) throw unsupportedMediaType(type, ['application/json', 'application/yaml']);
    return decodeProtobuf(body);
  }
  if (type === 'application/yaml') {
    try {
      const parsed = parseYaml(body.toString('utf8'));
      if (isObject(parsed)) return parsed;
    } catch {
      // reported below
    }
    throw badRequest('the body of the request could not be decoded as a YAML object');
  }
  return parseJsonBody(body);
}

function parseJsonBody(body: Buffer): Json {
  try {
    const parsed = JSON.parse(body.toString('utf8') || 'null');
    if (!isObject(parsed)) throw new Error('not an object');
    return parsed;
  } catch (error) {
    throw badRequest(
      `the body of the request could not be decoded as an object: ${(error as Error).message}`,
    );
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export type { KubeObject };
