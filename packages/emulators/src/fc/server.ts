import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth';
import { type FcCall, type FcEmu, type FcHandlerOptions, type Json, prefix, type Reply } from './context';
import { domainsApi } from './domains-api';
import { FcApiError, fcErrors } from './errors';
import {
  advanceClock,
  emitOssEvent,
  type FcDelivery,
  type FcEventResult,
  fireTimer,
  publishMnsMessage,
} from './events';
import { functionsApi } from './functions-api';
import { customDomain, invokeFunction, proxy } from './invoke';
import { findService, fnAt, splitQualifier } from './lookup';
import { send } from './respond';
import { servicesApi } from './services-api';
import { routeSettings } from './settings-api';
import type { FcState } from './state';
import { triggersApi } from './triggers-api';
import { versionsAliasesApi } from './versions-aliases-api';

/** One request the emulator received, for assertions. */
export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  /** True for control-plane writes (POST/PUT/DELETE other than invocations and HTTP-trigger calls). */
  write: boolean;
}

/** A fault to inject: the next `times` calls of the scope answer with this error. */
export interface InjectedFault {
  status: number;
  code: string;
  message?: string;
  times: number;
  /** `api` (default): control-plane calls; `invocations`: InvokeFunction calls. */
  scope?: 'api' | 'invocations';
}

/** The FC 2.0 API: routing, signature check and fault injection; each group of endpoints has its module. */
export class FcApi {
  readonly state: FcState;
  readonly log: RecordedRequest[] = [];
  readonly faults: InjectedFault[] = [];
  private readonly em: FcEmu;

  constructor(options: FcHandlerOptions) {
    this.state = { services: new Map(), domains: new Map(), tags: new Map(), asyncConfigs: new Map() };
    this.em = { options, state: this.state, codeLinks: new Map(), clock: Date.now() };
  }

  /** Node request listener. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://emulator');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const isInvoke = path.startsWith(`${prefix}/proxy/`) || /\/invocations$/.test(path);
    const write = method !== 'GET' && method !== 'HEAD' && !isInvoke && path.startsWith(prefix);
    const requestId = randomUUID();
    let reply: Reply | Response;
    try {
      if (method === 'GET' && path.startsWith('/_emulator/code/')) {
        const zip = this.em.codeLinks.get(path.slice('/_emulator/code/'.length));
        reply = zip
          ? { status: 200, raw: zip, headers: { 'content-type': 'application/zip' } }
          : { status: 404, body: { Code: 'NoSuchKey' } };
      } else if (!path.startsWith(`${prefix}/`)) {
        const domain = this.state.domains.get(
          String(req.headers.host ?? '')
            .replace(/:\d+$/, '')
            .toLowerCase(),
        );
        if (!domain) throw fcErrors.pathNotSupported(method, path);
        reply = await customDomain(this.em, domain, method, url, req, raw, requestId);
      } else {
        reply = await this.route(method, path.slice(prefix.length), url, req, raw, requestId);
      }
    } catch (error) {
      const fcError = error instanceof FcApiError ? error : fcErrors.internal();
      if (!(error instanceof FcApiError)) console.error('fc emulator: internal error', error);
      reply = { status: fcError.status, body: fcError.body() };
    }
    this.log.push({ method, path, status: reply.status, write });
    await send(res, reply, requestId);
  }

  /** Test helper: invokes a function as its timer trigger would, with FC's timer event. */
  fireTimer(serviceName: string, functionName: string, triggerName: string): Promise<FcEventResult> {
    return fireTimer(this.em, serviceName, functionName, triggerName);
  }

  /** Test helper: moves the emulator's clock forward by `ms`, firing the timer triggers due on the way. */
  advanceClock(ms: number): Promise<FcDelivery[]> {
    return advanceClock(this.em, ms);
  }

  /** Test helper: delivers an OSS object event to the functions whose OSS triggers match it. */
  emitOssEvent(bucket: string, key: string, eventName?: string, size?: number): Promise<FcDelivery[]> {
    return emitOssEvent(this.em, bucket, key, eventName, size);
  }

  publishMnsMessage(topic: string, message: string, tag?: string): Promise<FcDelivery[]> {
    return publishMnsMessage(this.em, topic, message, tag);
  }

  private async route(
    method: string,
    path: string,
    url: URL,
    req: IncomingMessage,
    raw: Buffer,
    requestId: string,
  ): Promise<Reply | Response> {
    const proxied = /^\/proxy\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (proxied)
      return proxy(this.em, method, proxied[1]!, proxied[2]!, proxied[3] ?? '/', url, req, raw, requestId);
    authenticate(this.em.options.secrets, method, req.url ?? '/', req, raw);
    const account = req.headers['x-fc-account-id'];
    if (account !== this.em.options.accountId) {
      throw account === undefined
        ? fcErrors.missingHeader('X-Fc-Account-Id')
        : fcErrors.accessDenied(`account '${String(account)}' does not match the endpoint`);
    }
    const fault = this.faults[0];
    if (fault && (fault.scope ?? 'api') === (/\/invocations$/.test(path) ? 'invocations' : 'api')) {
      if (--fault.times <= 0) this.faults.shift();
      throw new FcApiError(fault.status, fault.code, fault.message ?? 'injected fault');
    }
    const body = (): Json => {
      if (!raw.length) return {};
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        throw fcErrors.invalidArgument('the request body must be JSON (content-type application/json)');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        throw fcErrors.invalidArgument('the request body is not a JSON object');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw fcErrors.invalidArgument('the request body is not a JSON object');
      return withoutNulls(parsed as Json);
    };
    const { route, params } = matchRoute(path);
    const call: FcCall = {
      method,
      path,
      ...(route ? { route } : {}),
      params,
      query: url.searchParams,
      ifMatch: req.headers['if-match'] as string | undefined,
      body,
      req,
      raw,
      requestId,
    };
    if (route === '/services/*/functions/*/invocations' && method === 'POST') {
      const [name, qualifier] = splitQualifier(params[0]!);
      return invokeFunction(this.em, name, qualifier, params[1]!, raw, req, requestId);
    }
    const reply =
      servicesApi(this.em, call) ??
      functionsApi(this.em, call) ??
      triggersApi(this.em, call) ??
      versionsAliasesApi(this.em, call) ??
      domainsApi(this.em, call) ??
      routeSettings(
        {
          state: this.state,
          accountId: this.em.options.accountId,
          region: this.em.options.region,
          service: (name) => findService(this.em, name),
          assertFunction: (svc, name) => void fnAt(svc, undefined, name),
        },
        method,
        path,
        call.query,
        body,
      );
    if (reply) return reply;
    throw fcErrors.pathNotSupported(method, `${prefix}${path}`);
  }
}

/** The API's path patterns; `*` is one path segment. */
const routes = [
  '/services',
  '/services/*',
  '/services/*/functions',
  '/services/*/functions/*',
  '/services/*/functions/*/code',
  '/services/*/functions/*/invocations',
  '/services/*/functions/*/triggers',
  '/services/*/functions/*/triggers/*',
  '/services/*/versions',
  '/services/*/versions/*',
  '/services/*/aliases',
  '/services/*/aliases/*',
  '/services/*/functions/*/provision-config',
  '/provision-configs',
  '/custom-domains',
  '/custom-domains/*',
];

/** The pattern a path matches and the values of its `*` segments. */
function matchRoute(path: string): { route?: string; params: string[] } {
  const seg = path.split('/').filter(Boolean);
  for (const pattern of routes) {
    const parts = pattern.split('/').filter(Boolean);
    if (parts.length !== seg.length) continue;
    const params: string[] = [];
    if (parts.every((part, i) => (part === '*' ? params.push(seg[i]!) > 0 : part === seg[i])))
      return { route: pattern, params };
  }
  return { params: [] };
}

/**
 * The body with every `null` member of an object removed: fc-go-sdk marshals unset pointer fields as
 * `null` (its input structs have JSON tags without `omitempty`, e.g. function.go
 * `CreateFunctionInput`, `Description *string \`json:"description"\``), and FC reads them as absent.
 */
function withoutNulls(value: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    out[k] = typeof v === 'object' && !Array.isArray(v) ? withoutNulls(v as Json) : v;
  }
  return out;
}
