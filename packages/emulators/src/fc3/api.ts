import { createHash, randomUUID } from 'node:crypto';
import { crc64 } from '../fc/state';
import { Fc3Error, fc3Errors } from './errors';
import { scalingRoute, scalingStatus } from './scaling';
import {
  type Fc3AliasRecord,
  type Fc3Entry,
  type Fc3FunctionRecord,
  type Fc3State,
  type Fc3TriggerRecord,
  fc3Time,
} from './state';
import { validateCreate, validateTriggerConfig, validateTriggerSource, validateUpdate } from './validate';

/** An answer of the control plane. */
export interface Fc3Reply {
  status: number;
  body?: unknown;
}

type Json = Record<string, any>;

const view = (fn: Fc3FunctionRecord): Json => {
  const { code: _code, ...config } = fn.config as Json;
  return {
    ...config,
    functionId: fn.functionId,
    codeChecksum: fn.codeChecksum,
    codeSize: fn.codeSize,
    createdTime: fn.createdTime,
    lastModifiedTime: fn.lastModifiedTime,
  };
};

const triggerView = (t: Fc3TriggerRecord, urlOf: (prefix: string) => string): Json => {
  const { domainPrefix, ...rest } = t;
  return {
    ...rest,
    ...(domainPrefix
      ? { httpTrigger: { urlInternet: urlOf(domainPrefix), urlIntranet: urlOf(domainPrefix) } }
      : {}),
  };
};

function page<T>(items: T[], query: URLSearchParams, key: string): Json {
  const limit = Number(query.get('limit') ?? 20) || 20;
  const start = Number(query.get('nextToken') ?? 0) || 0;
  const slice = items.slice(start, start + limit);
  return { [key]: slice, ...(start + limit < items.length ? { nextToken: String(start + limit) } : {}) };
}

function applyCode(fn: Fc3FunctionRecord, code: Json | undefined): void {
  if (!code) return;
  if (code.zipFile) {
    const zip = new Uint8Array(Buffer.from(String(code.zipFile), 'base64'));
    fn.zip = zip;
    fn.codeSize = zip.length;
    fn.codeChecksum = crc64(zip);
  } else if (code.ossBucketName && code.ossObjectName) {
    delete fn.zip;
    fn.codeSize = 0;
    fn.codeChecksum = crc64(new TextEncoder().encode(`${code.ossBucketName}/${code.ossObjectName}`));
  }
}

const triggerTypes = ['http', 'timer', 'oss', 'log', 'mns_topic', 'cdn_events', 'tablestore', 'eventbridge'];

/** The FC 2023-03-30 control plane over the emulator's state. */
export class Fc3ControlPlane {
  /** Download tokens handed out by GetFunctionCode → the package each one serves. */
  readonly codeLinks = new Map<string, Uint8Array>();

  constructor(
    readonly state: Fc3State,
    private readonly region: string,
    private readonly accountId: string,
    private readonly urlOf: (domainPrefix: string) => string,
    private readonly codeUrlOf: (token: string) => string,
  ) {}

  /** The function a qualifier names: LATEST (the default), a version, or the version an alias points at. */
  private at(name: string, qualifier: string | null): Fc3FunctionRecord {
    const e = this.entry(name);
    if (!qualifier || qualifier === 'LATEST') return e.fn;
    const versionId = e.aliases.get(qualifier)?.versionId ?? qualifier;
    const version = e.versions.get(versionId);
    if (!version) throw fc3Errors.notFound(/^\d+$/.test(qualifier) ? 'Version' : 'Alias', qualifier);
    return version.snapshot;
  }

  entry(name: string): Fc3Entry {
    const e = this.state.functions.get(name);
    if (!e) throw fc3Errors.functionNotFound(name);
    return e;
  }

  /** Routes one API call; undefined when the path is not a control-plane path. */
  route(method: string, segments: string[], query: URLSearchParams, body: Json): Fc3Reply | undefined {
    const [root, name, sub, id] = segments;
    if (root === 'scaling-configs' && !name && method === 'GET') return this.listScalingConfigs(query);
    if (root !== 'functions') return undefined;
    if (!name) {
      if (method === 'POST') return this.createFunction(body);
      if (method === 'GET')
        return {
          status: 200,
          body: page(
            [...this.state.functions.values()].map((e) => view(e.fn)),
            query,
            'functions',
          ),
        };
      return undefined;
    }
    if (!sub) {
      if (method === 'GET') return { status: 200, body: view(this.at(name, query.get('qualifier'))) };
      if (method === 'PUT') return this.updateFunction(name, body);
      if (method === 'DELETE') return this.deleteFunction(name);
      return undefined;
    }
    const e = this.entry(name);
    switch (sub) {
      case 'versions':
        if (method === 'POST' && !id) return this.publish(e, body);
        if (method === 'GET' && !id)
          return {
            status: 200,
            body: page(
              [...e.versions.values()].reverse().map(({ snapshot: _s, ...v }) => v),
              query,
              'versions',
            ),
          };
        if (method === 'DELETE' && id) {
          if (!e.versions.has(id)) throw fc3Errors.notFound('Version', id);
          if ([...e.aliases.values()].some((a) => a.versionId === id || id in a.additionalVersionWeight))
            throw fc3Errors.conflict(`version ${id} is used by an alias`);
          e.versions.delete(id);
          return { status: 204 };
        }
        return undefined;
      case 'code': {
        // GetFunctionCode: a URL to download the package from (FC: a signed OSS URL), and its CRC-64.
        if (method !== 'GET' || id) return undefined;
        const fn = this.at(name, query.get('qualifier'));
        if (!fn.zip) throw fc3Errors.invalidArgument(`function '${name}' has no code package to download`);
        const token = randomUUID();
        this.codeLinks.set(token, fn.zip);
        return { status: 200, body: { url: this.codeUrlOf(token), checksum: fn.codeChecksum } };
      }
      case 'aliases':
        return this.aliases(e, method, id, query, body);
      case 'triggers':
        return this.triggers(e, method, id, query, body);
      case 'provision-config':
      case 'scaling-config':
      case 'concurrency':
        return scalingRoute(e, name, sub, method, query, body, (qualifier) => this.arnOf(name, qualifier));
      default:
        return undefined;
    }
  }

  /**
   * ListScalingConfigs: `GET /2023-03-30/scaling-configs` with optional `functionName`, `limit` and
   * `nextToken` (`@alicloud/fc20230330` `dist/client.js` `listScalingConfigsWithOptions`), answering
   * `ListScalingConfigsOutput {scalingConfigs: ScalingConfigStatus[], nextToken}`. Every qualifier's config
   * of every function, or of the one function named.
   */
  private listScalingConfigs(query: URLSearchParams): Fc3Reply {
    const only = query.get('functionName');
    const names = only ? [only] : [...this.state.functions.keys()];
    const configs = names.flatMap((name) =>
      [...this.entry(name).scaling].map(([qualifier, config]) =>
        scalingStatus(this.arnOf(name, qualifier), config),
      ),
    );
    return { status: 200, body: page(configs, query, 'scalingConfigs') };
  }

  private createFunction(body: Json): Fc3Reply {
    const c = validateCreate(body);
    if (this.state.functions.has(c.functionName)) throw fc3Errors.functionExists(c.functionName);
    const now = fc3Time();
    const { code, ...config } = c;
    const fn: Fc3FunctionRecord = {
      config: { timeout: 3, memorySize: 512, ...config } as unknown as Fc3FunctionRecord['config'],
      codeChecksum: '',
      codeSize: 0,
      functionId: randomUUID(),
      createdTime: now,
      lastModifiedTime: now,
    };
    applyCode(fn, code);
    this.state.functions.set(c.functionName, {
      fn,
      versions: new Map(),
      nextVersion: 1,
      aliases: new Map(),
      triggers: new Map(),
      provision: new Map(),
      scaling: new Map(),
    });
    return { status: 200, body: view(fn) };
  }

  private updateFunction(name: string, body: Json): Fc3Reply {
    const e = this.entry(name);
    const { code, functionName: _n, ...u } = validateUpdate(body, e.fn.config);
    const fn: Fc3FunctionRecord = { ...e.fn, config: { ...e.fn.config, ...u }, lastModifiedTime: fc3Time() };
    applyCode(fn, code);
    e.fn = fn;
    return { status: 200, body: view(fn) };
  }

  private deleteFunction(name: string): Fc3Reply {
    const e = this.entry(name);
    if (e.triggers.size) throw fc3Errors.conflict(`function '${name}' still has triggers`);
    if (e.aliases.size) throw fc3Errors.conflict(`function '${name}' still has aliases`);
    if (e.versions.size) throw fc3Errors.conflict(`function '${name}' still has versions`);
    this.state.functions.delete(name);
    return { status: 204 };
  }

  private publish(e: Fc3Entry, body: Json): Fc3Reply {
    const latest = [...e.versions.values()].at(-1);
    // FC publishes nothing new when LATEST did not change since the last version.
    if (latest && latest.snapshot === e.fn)
      throw fc3Errors.conflict('the function has not changed since the last published version');
    const now = fc3Time();
    const versionId = String(e.nextVersion++);
    const v = {
      versionId,
      description: String(body.description ?? ''),
      createdTime: now,
      lastModifiedTime: now,
      snapshot: e.fn,
    };
    e.versions.set(versionId, v);
    const { snapshot: _s, ...out } = v;
    return { status: 200, body: out };
  }

  private aliasBody(e: Fc3Entry, body: Json, name: string, current?: Fc3AliasRecord): Fc3AliasRecord {
    const versionId = String(body.versionId ?? current?.versionId ?? '');
    if (!e.versions.has(versionId)) throw fc3Errors.notFound('Version', versionId || '(none)');
    const weights = (body.additionalVersionWeight ?? current?.additionalVersionWeight ?? {}) as Record<
      string,
      number
    >;
    const entries = Object.entries(weights);
    // An alias routes to its version plus at most one more (FC 3.0 "Manage aliases", canary release).
    if (entries.length > 1)
      throw fc3Errors.invalidArgument('additionalVersionWeight may name at most one version');
    for (const [id, w] of entries) {
      if (!e.versions.has(id)) throw fc3Errors.notFound('Version', id);
      if (id === versionId)
        throw fc3Errors.invalidArgument('additionalVersionWeight cannot name the alias version');
      if (typeof w !== 'number' || w < 0 || w > 1)
        throw fc3Errors.invalidArgument('a weight is a number from 0 to 1');
    }
    const now = fc3Time();
    return {
      aliasName: name,
      versionId,
      description: String(body.description ?? current?.description ?? ''),
      additionalVersionWeight: weights,
      createdTime: current?.createdTime ?? now,
      lastModifiedTime: now,
    };
  }

  private aliases(
    e: Fc3Entry,
    method: string,
    id: string | undefined,
    query: URLSearchParams,
    body: Json,
  ): Fc3Reply | undefined {
    if (!id && method === 'GET')
      return { status: 200, body: page([...e.aliases.values()], query, 'aliases') };
    if (!id && method === 'POST') {
      const name = String(body.aliasName ?? '');
      if (!/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(name))
        throw fc3Errors.invalidArgument(`aliasName ${JSON.stringify(name)} is not valid`);
      if (e.aliases.has(name)) throw fc3Errors.exists('Alias', name);
      const a = this.aliasBody(e, body, name);
      e.aliases.set(name, a);
      return { status: 200, body: a };
    }
    if (!id) return undefined;
    const current = e.aliases.get(id);
    if (!current) throw fc3Errors.notFound('Alias', id);
    if (method === 'GET') return { status: 200, body: current };
    if (method === 'PUT') {
      const a = this.aliasBody(e, body, id, current);
      e.aliases.set(id, a);
      return { status: 200, body: a };
    }
    if (method === 'DELETE') {
      if ([...e.triggers.values()].some((t) => t.qualifier === id))
        throw fc3Errors.conflict(`alias ${id} is used by a trigger`);
      e.aliases.delete(id);
      e.provision.delete(id);
      e.scaling.delete(id);
      return { status: 204 };
    }
    return undefined;
  }

  private triggers(
    e: Fc3Entry,
    method: string,
    id: string | undefined,
    query: URLSearchParams,
    body: Json,
  ): Fc3Reply | undefined {
    const name = e.fn.config.functionName;
    if (!id && method === 'GET')
      return {
        status: 200,
        body: page(
          [...e.triggers.values()].map((t) => triggerView(t, this.urlOf)),
          query,
          'triggers',
        ),
      };
    if (!id && method === 'POST') {
      const triggerName = String(body.triggerName ?? '');
      if (!/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(triggerName))
        throw fc3Errors.invalidArgument(`triggerName ${JSON.stringify(triggerName)} is not valid`);
      if (!triggerTypes.includes(body.triggerType))
        throw fc3Errors.invalidArgument(`triggerType ${JSON.stringify(body.triggerType)} is not valid`);
      if (e.triggers.has(triggerName)) throw fc3Errors.exists('Trigger', triggerName);
      const config = validateTriggerConfig(body.triggerType, body.triggerConfig);
      validateTriggerSource(body.triggerType, body.sourceArn, body.invocationRole);
      const qualifier = String(body.qualifier ?? 'LATEST');
      if (qualifier !== 'LATEST' && !e.aliases.has(qualifier) && !e.versions.has(qualifier))
        throw fc3Errors.notFound('Alias', qualifier);
      const now = fc3Time();
      const t: Fc3TriggerRecord = {
        triggerName,
        triggerType: body.triggerType,
        triggerId: randomUUID(),
        description: String(body.description ?? ''),
        qualifier,
        ...(body.sourceArn ? { sourceArn: String(body.sourceArn) } : {}),
        ...(body.invocationRole ? { invocationRole: String(body.invocationRole) } : {}),
        triggerConfig: JSON.stringify(config),
        createdTime: now,
        lastModifiedTime: now,
        ...(body.triggerType === 'http'
          ? {
              domainPrefix: `${name.toLowerCase().replace(/_/g, '-')}-${createHash('sha1').update(`${name}/${triggerName}/${now}`).digest('hex').slice(0, 10)}`,
            }
          : {}),
      };
      e.triggers.set(triggerName, t);
      return { status: 200, body: triggerView(t, this.urlOf) };
    }
    if (!id) return undefined;
    const t = e.triggers.get(id);
    if (!t) throw fc3Errors.notFound('Trigger', id);
    if (method === 'GET') return { status: 200, body: triggerView(t, this.urlOf) };
    if (method === 'PUT') {
      const updated: Fc3TriggerRecord = {
        ...t,
        ...(body.triggerConfig !== undefined
          ? { triggerConfig: JSON.stringify(validateTriggerConfig(t.triggerType, body.triggerConfig)) }
          : {}),
        ...(body.qualifier !== undefined ? { qualifier: String(body.qualifier) } : {}),
        ...(body.invocationRole !== undefined ? { invocationRole: String(body.invocationRole) } : {}),
        ...(body.description !== undefined ? { description: String(body.description) } : {}),
        lastModifiedTime: fc3Time(),
      };
      e.triggers.set(id, updated);
      return { status: 200, body: triggerView(updated, this.urlOf) };
    }
    if (method === 'DELETE') {
      e.triggers.delete(id);
      return { status: 204 };
    }
    return undefined;
  }

  /** A function's resource name with a qualifier, as `ScalingConfigStatus.functionArn` shows it. */
  private arnOf(name: string, qualifier: string): string {
    return `acs:fc:${this.region}:${this.accountId}:functions/${name}/${qualifier}`;
  }

  /** The region the emulator reports. */
  get regionId(): string {
    return this.region;
  }
}

export { Fc3Error };
