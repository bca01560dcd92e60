import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromSixFieldCron, nextCronTimes } from '@faasport/core';
import { FcApiError, fcErrors } from './errors';
import type { FcCallSite, FcExecution } from './execution';
import {
  createAliasSchema,
  createDomainSchema,
  createFunctionSchema,
  createServiceSchema,
  createTriggerSchema,
  parseBody,
  provisionSchema,
  publishVersionSchema,
  triggerConfigSchemas,
  updateAliasSchema,
  updateDomainSchema,
  updateFunctionSchema,
  updateServiceSchema,
  updateTriggerSchema,
} from './schemas';
import { routeSettings } from './settings-api';
import { contentMd5Matches, verifyFcSignature } from './signature';
import {
  type AliasRecord,
  crc64,
  type DomainRecord,
  etagOf,
  type FcState,
  type FunctionRecord,
  fcTime,
  newId,
  paginate,
  type ServiceRecord,
  type TriggerRecord,
  type VersionRecord,
} from './state';

const prefix = '/2016-08-15';
/**
 * Request headers FC does not pass to HTTP functions, besides `x-fc-*` (doc "Node.js HTTP functions",
 * alibabacloud.com/help/doc-detail/74757.htm).
 */
const ignoredRequestHeaders = new Set([
  'accept-encoding',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
]);

/** Synchronous invocation payload limit (reference Part A14: 32 MB). */
const maxSyncPayload = 32 * 1024 * 1024;

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

/** Settings of the request handler. */
export interface FcHandlerOptions {
  accountId: string;
  region: string;
  secrets: Map<string, string>;
  execution: FcExecution;
  baseUrl: () => string;
}

type Json = Record<string, unknown>;
type Reply = { status: number; body?: unknown; headers?: Record<string, string>; raw?: Uint8Array };

/** The FC 2.0 API: routing, signature check, validation, state and invocation. */
export class FcApi {
  readonly state: FcState = {
    services: new Map(),
    domains: new Map(),
    tags: new Map(),
    asyncConfigs: new Map(),
  };
  readonly log: RecordedRequest[] = [];
  readonly faults: InjectedFault[] = [];
  private readonly codeLinks = new Map<string, Uint8Array>();

  constructor(private readonly options: FcHandlerOptions) {}

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
        const zip = this.codeLinks.get(path.slice('/_emulator/code/'.length));
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
        reply = await this.customDomain(domain, method, url, req, raw, requestId);
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

  private authenticate(method: string, rawUrl: string, req: IncomingMessage, raw: Buffer): void {
    const check = verifyFcSignature(method, rawUrl, req.headers, this.options.secrets);
    if (check.ok) {
      const md5 = req.headers['content-md5'];
      if (typeof md5 === 'string' && md5 !== '' && !contentMd5Matches(md5, raw))
        throw fcErrors.contentMd5Mismatch(md5);
      return;
    }
    if (check.reason === 'missing') throw fcErrors.missingAuthorization();
    if (check.reason === 'unknown-key') throw fcErrors.invalidAccessKeyId(check.accessKeyId ?? '');
    if (check.reason === 'stale-date')
      throw fcErrors.accessDenied('the difference between the request time and the server time is too large');
    throw fcErrors.signatureNotMatch();
  }

  private async route(
    method: string,
    path: string,
    url: URL,
    req: IncomingMessage,
    raw: Buffer,
    requestId: string,
  ): Promise<Reply | Response> {
    const proxy = /^\/proxy\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (proxy) return this.proxy(method, proxy[1]!, proxy[2]!, proxy[3] ?? '/', url, req, raw, requestId);
    this.authenticate(method, req.url ?? '/', req, raw);
    const account = req.headers['x-fc-account-id'];
    if (account !== this.options.accountId) {
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
    const ifMatch = req.headers['if-match'] as string | undefined;
    const q = url.searchParams;
    const { route, params: a } = matchRoute(path);
    // Services
    if (route === '/services') {
      if (method === 'POST') return this.createService(body());
      if (method === 'GET') {
        const { page, nextToken } = paginate([...this.state.services.values()], (s) => s.serviceName, q);
        return ok({ services: page.map(serviceView), ...(nextToken ? { nextToken } : {}) });
      }
    }
    if (route === '/services/*') {
      const [name, qualifier] = splitQualifier(a[0]!);
      const svc = this.service(name);
      if (method === 'GET') return withEtag(serviceView(svc));
      if (qualifier) throw fcErrors.pathNotSupported(method, path);
      if (method === 'PUT') {
        checkEtag(ifMatch, serviceView(svc));
        Object.assign(svc.fields, parseBody(updateServiceSchema, body()));
        svc.lastModifiedTime = fcTime();
        return withEtag(serviceView(svc));
      }
      if (method === 'DELETE') {
        checkEtag(ifMatch, serviceView(svc));
        if (svc.functions.size) throw fcErrors.serviceNotEmpty(name);
        this.state.services.delete(name);
        this.state.tags.delete(name);
        return { status: 204 };
      }
    }
    // Functions
    if (route === '/services/*/functions') {
      const [name, qualifier] = splitQualifier(a[0]!);
      const svc = this.service(name);
      if (method === 'POST' && !qualifier) return this.createFunction(svc, body());
      if (method === 'GET') {
        const fns = this.functionsAt(svc, qualifier);
        const { page, nextToken } = paginate([...fns.values()], (f) => f.functionName, q);
        return ok({ functions: page.map(functionView), ...(nextToken ? { nextToken } : {}) });
      }
    }
    if (route === '/services/*/functions/*') {
      const [name, qualifier] = splitQualifier(a[0]!);
      const svc = this.service(name);
      const fn = this.fnAt(svc, qualifier, a[1]!);
      if (method === 'GET') return withEtag(functionView(fn));
      if (qualifier) throw fcErrors.pathNotSupported(method, path);
      if (method === 'PUT') return this.updateFunction(svc, fn, body(), ifMatch);
      if (method === 'DELETE') {
        checkEtag(ifMatch, functionView(fn));
        if (svc.triggers.get(fn.functionName)?.size) throw fcErrors.functionNotEmpty(fn.functionName);
        svc.functions.delete(fn.functionName);
        svc.triggers.delete(fn.functionName);
        for (const key of [...this.state.asyncConfigs.keys()])
          if (key.startsWith(`${svc.serviceName}/`) && key.endsWith(`/${fn.functionName}`))
            this.state.asyncConfigs.delete(key);
        for (const key of [...svc.provision.keys()])
          if (key.endsWith(`/${fn.functionName}`)) svc.provision.delete(key);
        svc.changedSincePublish = true;
        return { status: 204 };
      }
    }
    if (route === '/services/*/functions/*/code' && method === 'GET') {
      const [name, qualifier] = splitQualifier(a[0]!);
      const fn = this.fnAt(this.service(name), qualifier, a[1]!);
      if (!fn.zip)
        throw fcErrors.invalidArgument(`function '${fn.functionName}' has no code package to download`);
      const token = randomBytes(16).toString('hex');
      this.codeLinks.set(token, fn.zip);
      // Real FC answers a signed OSS URL; the emulator serves the zip itself.
      return ok({ url: `${this.options.baseUrl()}/_emulator/code/${token}`, checksum: fn.codeChecksum });
    }
    if (route === '/services/*/functions/*/invocations' && method === 'POST') {
      const [name, qualifier] = splitQualifier(a[0]!);
      return this.invokeFunction(name, qualifier, a[1]!, raw, req, requestId);
    }
    // Triggers
    if (route === '/services/*/functions/*/triggers') {
      const svc = this.service(a[0]!);
      const fn = this.fnAt(svc, undefined, a[1]!);
      if (method === 'POST') return this.createTrigger(svc, fn, body());
      if (method === 'GET') {
        const { page, nextToken } = paginate(
          [...(svc.triggers.get(fn.functionName)?.values() ?? [])],
          (t) => t.triggerName,
          q,
        );
        return ok({ triggers: page, ...(nextToken ? { nextToken } : {}) });
      }
    }
    if (route === '/services/*/functions/*/triggers/*') {
      const svc = this.service(a[0]!);
      const fn = this.fnAt(svc, undefined, a[1]!);
      const triggers = svc.triggers.get(fn.functionName) ?? new Map<string, TriggerRecord>();
      const t = triggers.get(a[2]!);
      if (!t) throw fcErrors.triggerNotFound(svc.serviceName, fn.functionName, a[2]!);
      if (method === 'GET') return withEtag(t);
      if (method === 'PUT') {
        checkEtag(ifMatch, t);
        const update = parseBody(updateTriggerSchema, body());
        if (update.triggerConfig !== undefined)
          t.triggerConfig = checkTriggerConfig(t.triggerType, update.triggerConfig);
        if (update.description !== undefined) t.description = update.description;
        if (update.qualifier !== undefined) t.qualifier = this.checkQualifier(svc, update.qualifier);
        if (update.invocationRole !== undefined) t.invocationRole = update.invocationRole;
        t.lastModifiedTime = fcTime();
        return withEtag(t);
      }
      if (method === 'DELETE') {
        checkEtag(ifMatch, t);
        triggers.delete(t.triggerName);
        return { status: 204 };
      }
    }
    // Versions
    if (route === '/services/*/versions') {
      const svc = this.service(a[0]!);
      if (method === 'POST') return this.publishVersion(svc, body());
      if (method === 'GET') {
        // Newest first unless FORWARD is asked (the default direction is not verified against FC).
        const direction = q.get('direction') === 'FORWARD' ? 'FORWARD' : 'BACKWARD';
        const all = [...svc.versions.values()].sort((x, y) => Number(x.versionId) - Number(y.versionId));
        if (direction === 'BACKWARD') all.reverse();
        const start = q.get('nextToken') ?? q.get('startKey');
        const from = start ? all.findIndex((v) => v.versionId === start) : 0;
        const limit = Math.max(1, Math.min(100, Number(q.get('limit') ?? 20) || 20));
        const page = all.slice(Math.max(0, from), Math.max(0, from) + limit);
        const next = all[Math.max(0, from) + limit];
        return ok({
          versions: page.map(versionView),
          direction,
          ...(next ? { nextToken: next.versionId } : {}),
        });
      }
    }
    if (route === '/services/*/versions/*' && method === 'DELETE') {
      const svc = this.service(a[0]!);
      const id = a[1]!;
      if (!svc.versions.has(id)) throw fcErrors.versionNotFound(svc.serviceName, id);
      for (const alias of svc.aliases.values()) {
        if (alias.versionId === id || id in alias.additionalVersionWeight)
          throw fcErrors.versionInUse(svc.serviceName, id);
      }
      svc.versions.delete(id);
      return { status: 204 };
    }
    // Aliases
    if (route === '/services/*/aliases') {
      const svc = this.service(a[0]!);
      if (method === 'POST') return this.createAlias(svc, body());
      if (method === 'GET') {
        const { page, nextToken } = paginate([...svc.aliases.values()], (x) => x.aliasName, q);
        return ok({ aliases: page.map(aliasView), ...(nextToken ? { nextToken } : {}) });
      }
    }
    if (route === '/services/*/aliases/*') {
      const svc = this.service(a[0]!);
      const alias = svc.aliases.get(a[1]!);
      if (!alias) throw fcErrors.aliasNotFound(svc.serviceName, a[1]!);
      if (method === 'GET') return withEtag(aliasView(alias));
      if (method === 'PUT') {
        checkEtag(ifMatch, aliasView(alias));
        const update = parseBody(updateAliasSchema, body());
        const versionId = update.versionId ?? alias.versionId;
        const weights = update.additionalVersionWeight ?? alias.additionalVersionWeight;
        this.checkAliasTarget(svc, versionId, weights);
        alias.versionId = versionId;
        alias.additionalVersionWeight = weights;
        if (update.description !== undefined) alias.description = update.description;
        alias.lastModifiedTime = fcTime();
        return withEtag(aliasView(alias));
      }
      if (method === 'DELETE') {
        checkEtag(ifMatch, aliasView(alias));
        svc.aliases.delete(alias.aliasName);
        for (const key of [...svc.provision.keys()])
          if (key.startsWith(`${alias.aliasName}/`)) svc.provision.delete(key);
        return { status: 204 };
      }
    }
    // Provisioned instances
    if (route === '/services/*/functions/*/provision-config') {
      const [name, qualifier] = splitQualifier(a[0]!);
      const svc = this.service(name);
      const fn = this.fnAt(svc, undefined, a[1]!);
      if (!qualifier || /^\d+$/.test(qualifier))
        throw fcErrors.invalidArgument('provision config needs an alias or LATEST as qualifier');
      if (qualifier !== 'LATEST' && !svc.aliases.has(qualifier))
        throw fcErrors.aliasNotFound(svc.serviceName, qualifier);
      const key = `${qualifier}/${fn.functionName}`;
      if (method === 'PUT') {
        const { target, ...extra } = parseBody(provisionSchema, body());
        if (target === 0) svc.provision.delete(key);
        else svc.provision.set(key, { target, extra });
        return ok(provisionView(this.options.accountId, svc, qualifier, fn.functionName));
      }
      // GET of a function without provisioned instances: answered as target 0 (not verified against FC).
      if (method === 'GET') return ok(provisionView(this.options.accountId, svc, qualifier, fn.functionName));
    }
    if (route === '/provision-configs' && method === 'GET') {
      const out: Json[] = [];
      for (const svc of this.state.services.values()) {
        if (q.get('serviceName') && q.get('serviceName') !== svc.serviceName) continue;
        for (const key of svc.provision.keys()) {
          const [qual, fnName] = key.split('/') as [string, string];
          if (q.get('qualifier') && q.get('qualifier') !== qual) continue;
          out.push(provisionView(this.options.accountId, svc, qual, fnName));
        }
      }
      return ok({ provisionConfigs: out });
    }
    // Custom domains
    if (route === '/custom-domains') {
      if (method === 'POST') {
        const { domainName, ...fields } = parseBody(createDomainSchema, body());
        if (this.state.domains.has(domainName)) throw fcErrors.domainExists(domainName);
        const now = fcTime();
        const d: DomainRecord = {
          domainName,
          fields: { protocol: 'HTTP', ...fields },
          createdTime: now,
          lastModifiedTime: now,
        };
        this.state.domains.set(domainName, d);
        return withEtag(this.domainView(d));
      }
      if (method === 'GET') {
        const { page, nextToken } = paginate([...this.state.domains.values()], (d) => d.domainName, q);
        return ok({
          customDomains: page.map((d) => this.domainView(d)),
          ...(nextToken ? { nextToken } : {}),
        });
      }
    }
    if (route === '/custom-domains/*') {
      const d = this.state.domains.get(a[0]!);
      if (!d) throw fcErrors.domainNotFound(a[0]!);
      if (method === 'GET') return withEtag(this.domainView(d));
      if (method === 'PUT') {
        checkEtag(ifMatch, this.domainView(d));
        Object.assign(d.fields, parseBody(updateDomainSchema, body()));
        d.lastModifiedTime = fcTime();
        return withEtag(this.domainView(d));
      }
      if (method === 'DELETE') {
        checkEtag(ifMatch, this.domainView(d));
        this.state.domains.delete(d.domainName);
        return { status: 204 };
      }
    }
    const settings = routeSettings(
      {
        state: this.state,
        accountId: this.options.accountId,
        region: this.options.region,
        service: (name) => this.service(name),
        assertFunction: (svc, name) => void this.fnAt(svc, undefined, name),
      },
      method,
      path,
      q,
      body,
    );
    if (settings) return settings;
    throw fcErrors.pathNotSupported(method, `${prefix}${path}`);
  }

  // ---------------------------------------------------------------------------------------------

  private service(name: string): ServiceRecord {
    const svc = this.state.services.get(name);
    if (!svc) throw fcErrors.serviceNotFound(name);
    return svc;
  }

  /** The functions of a service as seen at a qualifier (LATEST, a version id or an alias's main version). */
  private functionsAt(svc: ServiceRecord, qualifier: string | undefined): Map<string, FunctionRecord> {
    if (!qualifier || qualifier === 'LATEST') return svc.functions;
    const versionId = /^\d+$/.test(qualifier) ? qualifier : svc.aliases.get(qualifier)?.versionId;
    if (!versionId) throw fcErrors.aliasNotFound(svc.serviceName, qualifier);
    const version = svc.versions.get(versionId);
    if (!version) throw fcErrors.versionNotFound(svc.serviceName, versionId);
    return version.functions;
  }

  private fnAt(svc: ServiceRecord, qualifier: string | undefined, name: string): FunctionRecord {
    const fn = this.functionsAt(svc, qualifier).get(name);
    if (!fn) throw fcErrors.functionNotFound(svc.serviceName, name);
    return fn;
  }

  private checkQualifier(svc: ServiceRecord, qualifier: string): string {
    if (qualifier === 'LATEST') return qualifier;
    if (/^\d+$/.test(qualifier)) {
      if (!svc.versions.has(qualifier)) throw fcErrors.versionNotFound(svc.serviceName, qualifier);
    } else if (!svc.aliases.has(qualifier)) throw fcErrors.aliasNotFound(svc.serviceName, qualifier);
    return qualifier;
  }

  private createService(input: Json): Reply {
    const { serviceName, ...fields } = parseBody(createServiceSchema, input);
    if (this.state.services.has(serviceName)) throw fcErrors.serviceExists(serviceName);
    const now = fcTime();
    const svc: ServiceRecord = {
      serviceId: newId(),
      serviceName,
      fields: { description: '', internetAccess: true, ...fields },
      createdTime: now,
      lastModifiedTime: now,
      functions: new Map(),
      triggers: new Map(),
      versions: new Map(),
      aliases: new Map(),
      provision: new Map(),
      nextVersion: 1,
      changedSincePublish: true,
    };
    this.state.services.set(serviceName, svc);
    return withEtag(serviceView(svc));
  }

  private createFunction(svc: ServiceRecord, input: Json): Reply {
    const parsed = parseBody(createFunctionSchema, input);
    if (svc.functions.has(parsed.functionName))
      throw fcErrors.functionExists(svc.serviceName, parsed.functionName);
    const now = fcTime();
    const fn: FunctionRecord = {
      functionId: newId(),
      functionName: parsed.functionName,
      description: '',
      runtime: parsed.runtime,
      handler: parsed.handler,
      initializationTimeout: 3,
      timeout: 60,
      memorySize: 128,
      instanceConcurrency: 1,
      environmentVariables: {},
      caPort: 9000,
      instanceType: 'e1',
      layers: [],
      codeSize: 0,
      codeChecksum: '',
      createdTime: now,
      lastModifiedTime: now,
    };
    applyFunctionFields(fn, parsed);
    svc.functions.set(fn.functionName, fn);
    svc.changedSincePublish = true;
    return withEtag(functionView(fn));
  }

  private updateFunction(
    svc: ServiceRecord,
    fn: FunctionRecord,
    input: Json,
    ifMatch: string | undefined,
  ): Reply {
    checkEtag(ifMatch, functionView(fn));
    const parsed = parseBody(updateFunctionSchema, input);
    const next: FunctionRecord = { ...fn };
    applyFunctionFields(next, parsed);
    if (next.runtime === 'custom-container' ? !next.customContainerConfig : !next.zip && !next.oss) {
      throw fcErrors.invalidArgument(
        'a function needs code, or customContainerConfig for runtime custom-container',
      );
    }
    next.lastModifiedTime = fcTime();
    svc.functions.set(fn.functionName, next);
    svc.changedSincePublish = true;
    return withEtag(functionView(next));
  }

  private createTrigger(svc: ServiceRecord, fn: FunctionRecord, input: Json): Reply {
    const parsed = parseBody(createTriggerSchema, input);
    const triggers = svc.triggers.get(fn.functionName) ?? new Map<string, TriggerRecord>();
    svc.triggers.set(fn.functionName, triggers);
    if (triggers.has(parsed.triggerName))
      throw fcErrors.triggerExists(svc.serviceName, fn.functionName, parsed.triggerName);
    if (
      (parsed.triggerType === 'http' || parsed.triggerType === 'timer') &&
      (parsed.sourceArn || parsed.invocationRole)
    ) {
      throw fcErrors.invalidArgument(
        `sourceArn and invocationRole are not used by ${parsed.triggerType} triggers`,
      );
    }
    if (parsed.triggerType === 'oss' && !parsed.sourceArn)
      throw fcErrors.invalidArgument('an oss trigger needs sourceArn (acs:oss:<region>:<account>:<bucket>)');
    // CreateTrigger marks invocationRole required for event sources such as OSS (FC 2.0 API reference,
    // https://help.aliyun.com/zh/fc/developer-reference/api-createtrigger); the wording is not verified.
    if (parsed.triggerType === 'oss' && !parsed.invocationRole)
      throw fcErrors.invalidArgument(
        'an oss trigger needs invocationRole (the RAM role OSS assumes to invoke the function)',
      );
    if (parsed.triggerType === 'http' && [...triggers.values()].some((t) => t.triggerType === 'http')) {
      throw fcErrors.invalidArgument(`function '${fn.functionName}' already has an http trigger`);
    }
    const now = fcTime();
    const t: TriggerRecord = {
      triggerName: parsed.triggerName,
      triggerId: newId(),
      triggerType: parsed.triggerType,
      description: parsed.description ?? '',
      ...(parsed.qualifier ? { qualifier: this.checkQualifier(svc, parsed.qualifier) } : {}),
      ...(parsed.sourceArn ? { sourceArn: parsed.sourceArn } : {}),
      ...(parsed.invocationRole ? { invocationRole: parsed.invocationRole } : {}),
      triggerConfig: checkTriggerConfig(parsed.triggerType, parsed.triggerConfig),
      createdTime: now,
      lastModifiedTime: now,
    };
    triggers.set(t.triggerName, t);
    return withEtag(t);
  }

  private publishVersion(svc: ServiceRecord, input: Json): Reply {
    const { description } = parseBody(publishVersionSchema, input);
    // Exact wording not verified; FC refuses to publish when nothing changed since the last version.
    if (!svc.changedSincePublish && svc.versions.size)
      throw fcErrors.invalidArgument('no changes were made since last publish');
    const now = fcTime();
    const v: VersionRecord = {
      versionId: String(svc.nextVersion++),
      description: description ?? '',
      createdTime: now,
      lastModifiedTime: now,
      functions: new Map([...svc.functions].map(([k, f]) => [k, { ...f }])),
    };
    svc.versions.set(v.versionId, v);
    svc.changedSincePublish = false;
    return ok(versionView(v));
  }

  private checkAliasTarget(svc: ServiceRecord, versionId: string, weights: Record<string, number>): void {
    if (!svc.versions.has(versionId)) throw fcErrors.versionNotFound(svc.serviceName, versionId);
    const extra = Object.keys(weights);
    if (extra.includes(versionId)) {
      throw new FcApiError(
        400,
        'AdditionalVersionContainsMajorVersion',
        'additionalVersionWeight must not contain the major version of the alias',
      );
    }
    // FC routes an alias to its version plus at most one additional version (exact wording not verified).
    if (extra.length > 1)
      throw fcErrors.invalidArgument('additionalVersionWeight can contain at most one version');
    for (const id of extra) if (!svc.versions.has(id)) throw fcErrors.versionNotFound(svc.serviceName, id);
  }

  private createAlias(svc: ServiceRecord, input: Json): Reply {
    const parsed = parseBody(createAliasSchema, input);
    if (svc.aliases.has(parsed.aliasName)) throw fcErrors.aliasExists(svc.serviceName, parsed.aliasName);
    const weights = parsed.additionalVersionWeight ?? {};
    this.checkAliasTarget(svc, parsed.versionId, weights);
    const now = fcTime();
    const alias: AliasRecord = {
      aliasName: parsed.aliasName,
      versionId: parsed.versionId,
      description: parsed.description ?? '',
      additionalVersionWeight: weights,
      createdTime: now,
      lastModifiedTime: now,
      cursor: 0,
    };
    svc.aliases.set(alias.aliasName, alias);
    return withEtag(aliasView(alias));
  }

  private domainView(d: DomainRecord): Json {
    return {
      domainName: d.domainName,
      accountId: this.options.accountId,
      apiVersion: '2016-08-15',
      ...d.fields,
      createdTime: d.createdTime,
      lastModifiedTime: d.lastModifiedTime,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Invocation

  /** Resolves a qualifier to the function to run: LATEST, a version, or an alias's weighted choice. */
  private resolveForCall(
    svcName: string,
    qualifier: string | undefined,
    fnName: string,
  ): { fn: FunctionRecord; site: FcCallSite } {
    const svc = this.service(svcName);
    let versionId = '';
    if (qualifier && qualifier !== 'LATEST') {
      if (/^\d+$/.test(qualifier)) versionId = qualifier;
      else {
        const alias = svc.aliases.get(qualifier);
        if (!alias) throw fcErrors.aliasNotFound(svcName, qualifier);
        versionId = pickVersion(alias);
      }
    }
    const fn = versionId ? svc.versions.get(versionId)?.functions.get(fnName) : svc.functions.get(fnName);
    if (versionId && !svc.versions.has(versionId)) throw fcErrors.versionNotFound(svcName, versionId);
    if (!fn) throw fcErrors.functionNotFound(svcName, fnName);
    return {
      fn,
      site: {
        accountId: this.options.accountId,
        region: this.options.region,
        serviceName: svcName,
        qualifier: qualifier ?? 'LATEST',
        versionId,
      },
    };
  }

  private async invokeFunction(
    svcName: string,
    qualifier: string | undefined,
    fnName: string,
    raw: Buffer,
    req: IncomingMessage,
    requestId: string,
  ): Promise<Reply> {
    const { fn, site } = this.resolveForCall(svcName, qualifier, fnName);
    const async = String(req.headers['x-fc-invocation-type'] ?? 'Sync').toLowerCase() === 'async';
    if (raw.length > (async ? 128 * 1024 : maxSyncPayload))
      throw fcErrors.entityTooLarge(async ? 128 * 1024 : maxSyncPayload);
    const headers: Record<string, string> = { 'x-fc-invocation-service-version': site.versionId || 'LATEST' };
    const run = async () => {
      const exe = await this.options.execution.executable(fn, 'event', site);
      return exe.invokeEvent(new Uint8Array(raw), { requestId, context: fcContext(fn, site, requestId) });
    };
    if (async) {
      run().catch(() => undefined);
      return { status: 202, headers };
    }
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run();
    } catch (error) {
      return functionError(headers, 'UnhandledInvocationError', {
        message: (error as Error).message,
        type: 'Error',
      });
    }
    if (req.headers['x-fc-log-type'] === 'Tail') {
      headers['x-fc-log-result'] = Buffer.from(result.logs.join('\n').slice(-4096)).toString('base64');
    }
    if (result.error) return functionError(headers, 'UnhandledInvocationError', result.error);
    return {
      status: 200,
      raw: result.body,
      headers: { ...headers, 'content-type': 'application/octet-stream' },
    };
  }

  private async proxy(
    method: string,
    target: string,
    fnName: string,
    rest: string,
    url: URL,
    req: IncomingMessage,
    raw: Buffer,
    requestId: string,
  ): Promise<Reply | Response> {
    const [svcName, qualifier] = splitQualifier(target);
    const svc = this.service(svcName);
    const triggers = [...(svc.triggers.get(fnName)?.values() ?? [])].filter((t) => t.triggerType === 'http');
    // FC binds an HTTP trigger to one qualifier; whether the legacy proxy path also serves other
    // qualifiers of the function is not verified, so the emulator serves any qualifier of a function
    // that has an HTTP trigger.
    const trigger =
      triggers.find((t) => (t.qualifier ?? 'LATEST') === (qualifier ?? 'LATEST')) ?? triggers[0];
    if (!trigger) throw fcErrors.functionNotFound(svcName, fnName);
    const config = trigger.triggerConfig as { authType?: string; methods?: string[] };
    if (config.authType === 'function') this.authenticate(method, req.url ?? '/', req, raw);
    if (config.methods && !config.methods.includes(method)) {
      // Status and code not verified against FC.
      throw new FcApiError(
        405,
        'MethodNotAllowed',
        `method '${method}' is not allowed by the http trigger of function '${fnName}'`,
      );
    }
    return this.runHttp(
      svcName,
      qualifier,
      fnName,
      method,
      `${rest}${url.search}`,
      `${prefix}/proxy/${target}/${fnName}`,
      req,
      raw,
      requestId,
    );
  }

  /** Runs an HTTP call on a function with FC's HTTP handler contract. */
  private async runHttp(
    svcName: string,
    qualifier: string | undefined,
    fnName: string,
    method: string,
    pathAndQuery: string,
    basePath: string,
    req: IncomingMessage,
    raw: Buffer,
    requestId: string,
  ): Promise<Reply | Response> {
    if (raw.length > maxSyncPayload) throw fcErrors.entityTooLarge(maxSyncPayload);
    const { fn, site } = this.resolveForCall(svcName, qualifier, fnName);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (
        v === undefined ||
        k === 'host' ||
        k === 'authorization' ||
        ignoredRequestHeaders.has(k) ||
        k.startsWith('x-fc-')
      )
        continue;
      headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    headers.set('x-fc-request-id', requestId);
    headers.set('x-fc-base-path', basePath);
    headers.set('x-fc-qualifier', site.qualifier);
    headers.set('x-fc-version-id', site.versionId);
    // Through the proxy path the function sees the path after the function name (what FC passes as
    // req.path there is not verified); through a custom domain it sees the request's own path.
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${pathAndQuery}`, {
      method,
      headers,
      ...(raw.length && method !== 'GET' && method !== 'HEAD'
        ? { body: new Uint8Array(raw) as BodyInit }
        : {}),
    });
    try {
      const exe = await this.options.execution.executable(fn, 'http', site);
      const response = await exe.fetch(request, { requestId });
      return fn.runtime.startsWith('custom') ? response : await unhandledHttpError(response);
    } catch (error) {
      return {
        status: 502,
        body: { errorMessage: (error as Error).message, errorType: 'Error' },
        headers: { 'x-fc-error-type': 'UnhandledInvocationError' },
      };
    }
  }

  /**
   * A request to a custom domain (matched on the Host header): the longest matching route path
   * (`/api/*` or `/*`) picks the function and qualifier. DNS and certificates are not checked.
   */
  private async customDomain(
    domain: DomainRecord,
    method: string,
    url: URL,
    req: IncomingMessage,
    raw: Buffer,
    requestId: string,
  ): Promise<Reply | Response> {
    const routes = (
      (
        domain.fields.routeConfig as
          | {
              routes?: Array<{
                path: string;
                serviceName: string;
                functionName: string;
                qualifier?: string;
                methods?: string[];
              }>;
            }
          | undefined
      )?.routes ?? []
    )
      .filter((r) =>
        r.path.endsWith('/*')
          ? `${url.pathname}/`.startsWith(r.path.slice(0, -1)) || url.pathname === r.path.slice(0, -2)
          : url.pathname === r.path,
      )
      .sort((a, b) => b.path.length - a.path.length);
    const route = routes[0];
    if (!route) throw fcErrors.pathNotSupported(method, url.pathname);
    if (route.methods?.length && !route.methods.includes(method)) {
      // Status and code not verified against FC.
      throw new FcApiError(
        405,
        'MethodNotAllowed',
        `method '${method}' is not allowed on '${url.pathname}' of domain '${domain.domainName}'`,
      );
    }
    return this.runHttp(
      route.serviceName,
      route.qualifier,
      route.functionName,
      method,
      `${url.pathname}${url.search}`,
      '',
      req,
      raw,
      requestId,
    );
  }

  /**
   * Test helper: delivers an OSS object event to every function whose OSS trigger matches the bucket,
   * the event name and the key filter, with FC's OSS event shape (`{events: [...]}`).
   */
  async emitOssEvent(
    bucket: string,
    key: string,
    eventName = 'ObjectCreated:PutObject',
    size = 0,
  ): Promise<
    Array<{
      serviceName: string;
      functionName: string;
      triggerName: string;
      body: Uint8Array;
      error?: { message: string };
    }>
  > {
    const out: Array<{
      serviceName: string;
      functionName: string;
      triggerName: string;
      body: Uint8Array;
      error?: { message: string };
    }> = [];
    for (const svc of this.state.services.values()) {
      for (const [fnName, triggers] of svc.triggers) {
        for (const t of triggers.values()) {
          if (t.triggerType !== 'oss' || !t.sourceArn?.endsWith(`:${bucket}`)) continue;
          const config = t.triggerConfig as {
            events?: string[];
            filter?: { key?: { prefix?: string; suffix?: string } };
          };
          const matches = (config.events ?? []).some((pattern) => {
            const p = pattern.replace(/^oss:/, '');
            return p.endsWith(':*') ? eventName.startsWith(p.slice(0, -1)) : p === eventName;
          });
          const filter = config.filter?.key ?? {};
          if (!matches || !key.startsWith(filter.prefix ?? '') || !key.endsWith(filter.suffix ?? ''))
            continue;
          const { fn, site } = this.resolveForCall(svc.serviceName, t.qualifier, fnName);
          const requestId = randomUUID();
          const event = {
            events: [
              {
                eventName,
                eventSource: 'acs:oss',
                eventTime: new Date().toISOString(),
                eventVersion: '1.0',
                oss: {
                  bucket: { arn: t.sourceArn, name: bucket, ownerIdentity: this.options.accountId },
                  object: { deltaSize: size, eTag: randomBytes(16).toString('hex'), key, size },
                  ossSchemaVersion: '1.0',
                },
                region: this.options.region,
                requestParameters: { sourceIPAddress: '127.0.0.1' },
                responseElements: { requestId },
                userIdentity: { principalId: this.options.accountId },
              },
            ],
          };
          const exe = await this.options.execution.executable(fn, 'event', site);
          const result = await exe.invokeEvent(new TextEncoder().encode(JSON.stringify(event)), {
            requestId,
            context: fcContext(fn, site, requestId),
          });
          out.push({
            serviceName: svc.serviceName,
            functionName: fnName,
            triggerName: t.triggerName,
            body: result.body,
            ...(result.error ? { error: result.error } : {}),
          });
        }
      }
    }
    return out;
  }

  /** Test helper: invokes a function as its timer trigger would, with FC's timer event. */
  async fireTimer(
    serviceName: string,
    functionName: string,
    triggerName: string,
  ): Promise<{ body: Uint8Array; error?: { message: string } }> {
    const svc = this.service(serviceName);
    const t = svc.triggers.get(functionName)?.get(triggerName);
    if (t?.triggerType !== 'timer') throw fcErrors.triggerNotFound(serviceName, functionName, triggerName);
    return this.runTimer(serviceName, functionName, t, new Date(this.clock));
  }

  /** The emulator's clock (ms since the epoch): real time at start, moved by {@link advanceClock}. */
  private clock = Date.now();

  /**
   * Test helper: moves the emulator's clock forward by `ms` and fires, in time order, every enabled
   * timer trigger due in that span: FC's six-field cron (seconds first, evaluated in UTC) or `@every`
   * counted from the trigger's creation.
   */
  async advanceClock(ms: number): Promise<
    Array<{
      serviceName: string;
      functionName: string;
      triggerName: string;
      body: Uint8Array;
      error?: { message: string };
    }>
  > {
    const from = this.clock;
    const to = from + ms;
    this.clock = to;
    const due: Array<{ at: number; serviceName: string; functionName: string; trigger: TriggerRecord }> = [];
    for (const svc of this.state.services.values()) {
      for (const [functionName, triggers] of svc.triggers) {
        for (const t of triggers.values()) {
          const config = t.triggerConfig as { cronExpression?: string; enable?: boolean };
          if (t.triggerType !== 'timer' || !config.enable || !config.cronExpression) continue;
          for (const at of timerTimes(config.cronExpression, Date.parse(t.createdTime), from, to))
            due.push({ at, serviceName: svc.serviceName, functionName, trigger: t });
        }
      }
    }
    const out = [];
    for (const d of due.sort((a, b) => a.at - b.at)) {
      const result = await this.runTimer(d.serviceName, d.functionName, d.trigger, new Date(d.at));
      out.push({
        serviceName: d.serviceName,
        functionName: d.functionName,
        triggerName: d.trigger.triggerName,
        ...result,
      });
    }
    return out;
  }

  private async runTimer(
    serviceName: string,
    functionName: string,
    t: TriggerRecord,
    time: Date,
  ): Promise<{ body: Uint8Array; error?: { message: string } }> {
    const { fn, site } = this.resolveForCall(serviceName, t.qualifier, functionName);
    const event = {
      triggerTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      triggerName: t.triggerName,
      payload: (t.triggerConfig as { payload?: string }).payload ?? '',
    };
    const requestId = randomUUID();
    const exe = await this.options.execution.executable(fn, 'event', site);
    return exe.invokeEvent(new TextEncoder().encode(JSON.stringify(event)), {
      requestId,
      context: fcContext(fn, site, requestId),
    });
  }
}

// -----------------------------------------------------------------------------------------------

/**
 * The times in (from, to] a timer fires: `@every <n>s|m|h` counted from `since`, or FC's six-field cron
 * with seconds `0` (evaluated in UTC, reference Part A9). Other second values are not evaluated.
 */
function timerTimes(expression: string, since: number, from: number, to: number): number[] {
  const every = /^@every (\d+)([smh])$/.exec(expression.trim());
  if (every) {
    const step = Number(every[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[every[2] as 's' | 'm' | 'h'];
    const out: number[] = [];
    for (let at = since + Math.max(1, Math.floor((from - since) / step) + 1) * step; at <= to; at += step)
      out.push(at);
    return out;
  }
  const five = fromSixFieldCron(expression);
  if (!five) return [];
  const out: number[] = [];
  let cursor = new Date(from);
  for (;;) {
    const [next] = nextCronTimes(five, { timezone: 'UTC', from: cursor });
    if (!next || next.getTime() > to) return out;
    out.push(next.getTime());
    cursor = next;
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
 * An FC HTTP handler that throws: the executor answers 500 with its `FunctionError` body; FC answers
 * with `X-Fc-Error-Type: UnhandledInvocationError` and lowercase `errorMessage`/`errorType` (the status,
 * 502 here, is not verified against FC).
 */
async function unhandledHttpError(response: Response): Promise<Response | Reply> {
  if (response.status !== 500 || !(response.headers.get('content-type') ?? '').startsWith('application/json'))
    return response;
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; type?: string; message?: string } };
    if (body.error?.code === 'FunctionError') {
      return {
        status: 502,
        body: { errorMessage: body.error.message ?? '', errorType: body.error.type ?? 'Error' },
        headers: { 'x-fc-error-type': 'UnhandledInvocationError' },
      };
    }
  } catch {
    // the function's own JSON
  }
  return new Response(text, { status: response.status, headers: response.headers });
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

function splitQualifier(segment: string): [string, string | undefined] {
  const i = segment.indexOf('.');
  return i < 0 ? [segment, undefined] : [segment.slice(0, i), segment.slice(i + 1)];
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function withEtag(body: unknown): Reply {
  return { status: 200, body, headers: { etag: etagOf(body) } };
}

function checkEtag(ifMatch: string | undefined, current: unknown): void {
  if (ifMatch !== undefined && ifMatch.replace(/"/g, '') !== etagOf(current))
    throw fcErrors.preconditionFailed();
}

function checkTriggerConfig(type: string, config: Record<string, unknown> | string): Record<string, unknown> {
  let value: unknown = config;
  if (typeof config === 'string') {
    try {
      value = JSON.parse(config);
    } catch {
      throw fcErrors.invalidArgument('triggerConfig is not valid JSON');
    }
  }
  const schema = triggerConfigSchemas[type];
  return (schema ? parseBody(schema, value) : value) as Record<string, unknown>;
}

function applyFunctionFields(fn: FunctionRecord, input: Record<string, unknown>): void {
  const {
    code,
    functionName: _ignored,
    ...fields
  } = input as { code?: { zipFile?: string; ossBucketName?: string; ossObjectName?: string } } & Record<
    string,
    unknown
  >;
  for (const [k, v] of Object.entries(fields))
    if (v !== undefined) (fn as unknown as Record<string, unknown>)[k] = v;
  if (code?.zipFile !== undefined) {
    const zip = new Uint8Array(Buffer.from(code.zipFile, 'base64'));
    if (zip.length < 4 || zip[0] !== 0x50 || zip[1] !== 0x4b)
      throw fcErrors.invalidArgument('code.zipFile is not a base64-encoded zip file');
    fn.zip = zip;
    delete fn.oss;
    fn.codeSize = zip.length;
    fn.codeChecksum = crc64(zip);
  } else if (code?.ossBucketName) {
    fn.oss = { bucket: code.ossBucketName, object: code.ossObjectName! };
    delete fn.zip;
    fn.codeSize = 0;
    fn.codeChecksum = crc64(new TextEncoder().encode(`${code.ossBucketName}/${code.ossObjectName}`));
  }
}

function serviceView(svc: ServiceRecord): Json {
  return {
    serviceId: svc.serviceId,
    serviceName: svc.serviceName,
    ...svc.fields,
    createdTime: svc.createdTime,
    lastModifiedTime: svc.lastModifiedTime,
  };
}

function functionView(fn: FunctionRecord): Json {
  const { zip: _zip, oss: _oss, ...rest } = fn;
  return {
    ...rest,
    customContainerConfig: fn.customContainerConfig ?? null,
    initializer: fn.initializer ?? '',
  };
}

function versionView(v: VersionRecord): Json {
  return {
    versionId: v.versionId,
    description: v.description,
    createdTime: v.createdTime,
    lastModifiedTime: v.lastModifiedTime,
  };
}

function aliasView(a: AliasRecord): Json {
  const { cursor: _cursor, ...rest } = a;
  return rest;
}

function provisionView(accountId: string, svc: ServiceRecord, qualifier: string, fnName: string): Json {
  const p = svc.provision.get(`${qualifier}/${fnName}`);
  // The resource string format was not verified against a live response.
  return {
    resource: `${accountId}#${svc.serviceName}#${qualifier}#${fnName}`,
    target: p?.target ?? 0,
    current: p?.target ?? 0,
    ...(p?.extra ?? {}),
  };
}

/**
 * Picks the version an alias sends this call to. FC picks at random by weight; the emulator walks an
 * accumulator instead, so that N calls give exactly round(N × weight) to the additional version.
 */
function pickVersion(alias: AliasRecord): string {
  const [extra, weight] = Object.entries(alias.additionalVersionWeight)[0] ?? [];
  if (extra === undefined || !weight) return alias.versionId;
  const permille = Math.round(weight * 1000);
  const before = Math.floor((alias.cursor * permille) / 1000);
  alias.cursor++;
  const after = Math.floor((alias.cursor * permille) / 1000);
  return after > before ? extra : alias.versionId;
}

function fcContext(fn: FunctionRecord, site: FcCallSite, requestId: string): Record<string, unknown> {
  return {
    requestId,
    credentials: {},
    function: {
      name: fn.functionName,
      handler: fn.handler,
      memory: fn.memorySize,
      timeout: fn.timeout,
      initializer: fn.initializer ?? '',
      initializationTimeout: fn.initializationTimeout,
    },
    service: {
      name: site.serviceName,
      logProject: '',
      logStore: '',
      qualifier: site.qualifier,
      versionId: site.versionId,
    },
    region: site.region,
    accountId: site.accountId,
  };
}

function functionError(
  headers: Record<string, string>,
  type: string,
  error: { message: string; type?: string; stack?: string },
): Reply {
  return {
    status: 200,
    headers: { ...headers, 'x-fc-error-type': type, 'content-type': 'application/octet-stream' },
    raw: new TextEncoder().encode(
      JSON.stringify({
        errorMessage: error.message,
        errorType: error.type ?? 'Error',
        stackTrace: error.stack ? error.stack.split('\n') : [],
      }),
    ),
  };
}

async function send(res: ServerResponse, reply: Reply | Response, requestId: string): Promise<void> {
  res.setHeader('x-fc-request-id', requestId);
  if (reply instanceof Response) {
    res.statusCode = reply.status;
    reply.headers.forEach((value, key) => {
      if (
        key === 'content-length' ||
        key === 'transfer-encoding' ||
        key === 'connection' ||
        key === 'set-cookie'
      )
        return;
      res.setHeader(key, value);
    });
    const cookies = reply.headers.getSetCookie();
    if (cookies.length) res.setHeader('set-cookie', cookies);
    res.end(Buffer.from(await reply.arrayBuffer()));
    return;
  }
  res.statusCode = reply.status;
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.raw) {
    res.end(Buffer.from(reply.raw));
  } else if (reply.body !== undefined) {
    // Never JSON with an empty body: fc2 would JSON.parse('') and throw.
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(reply.body));
  } else {
    res.end();
  }
}
