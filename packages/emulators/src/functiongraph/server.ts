import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExecutor, type Executor } from '@faasport/runtime';
import { unzipSync } from 'fflate';
import {
  apigEventData,
  checkBody,
  createAliasBody,
  createFunctionBody,
  createTriggerBody,
  maxInstanceBody,
  obsEventData,
  publishVersionBody,
  reservedInstancesBody,
  timerEventData,
  updateAliasBody,
  updateCodeBody,
  updateConfigBody,
  updateTriggerBody,
} from './bodies';
import { FgApiError, fgErrors } from './errors';
import { type CallInfo, FunctionGraphExecution, type ImageCommand } from './execution';
import { type EmulatorCredential, verifySignature } from './signature';
import {
  type AliasState,
  type CodeState,
  type ConfigState,
  type FunctionState,
  fgTime,
  type TriggerState,
  type VersionState,
} from './state';
import { functionUrn, parseFunctionUrn } from './urn';

/** Options of {@link startFunctionGraphEmulator}. @public */
export interface FunctionGraphEmulatorOptions {
  /** The project id in paths and URNs (default: a fixed 32-hex id). */
  projectId?: string;
  /** The region in URNs (default `cn-north-4`). */
  region?: string;
  /** The accepted access key (default `emulator-ak`). */
  accessKeyId?: string;
  /** Its secret (default `emulator-sk`). */
  secretAccessKey?: string;
  /** When set, requests must carry this `X-Security-Token` (temporary credentials). */
  securityToken?: string;
  /** Container images the emulator may run, each mapped to a local command serving port 8000. */
  images?: Record<string, ImageCommand>;
  /** Objects in OBS buckets, for `code_type: obs` functions: `{ bucket: { key: zip bytes } }`. */
  obs?: Record<string, Record<string, Uint8Array>>;
  /** The executor that runs deployed code (default: `createExecutor()` from `@faasport/runtime`). */
  executor?: Executor;
  /** Random numbers in [0, 1) for weighted alias routing (default `Math.random`); pass a seeded one for repeatable tests. */
  random?: () => number;
  /** Largest clock skew of `X-Sdk-Date` accepted, in ms (default 15 minutes). */
  maxSkewMs?: number;
}

/** A fault the emulator answers instead of handling a request. @public */
export interface InjectedFault {
  status: number;
  code: string;
  message?: string;
  /** How many matching requests get it (default 1). */
  times?: number;
  /** Only requests with this method. */
  method?: string;
  /** Only requests whose path contains this text. */
  pathIncludes?: string;
}

/** A running FunctionGraph emulator. @public */
export interface FunctionGraphEmulator {
  /** The endpoint, e.g. `http://127.0.0.1:41234`; pass it as the adapter's `endpoint`. */
  url: string;
  projectId: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The number of write calls received (non-GET management requests; invocations are not writes). */
  writes(): number;
  /** Every management request received, as `METHOD /path` (paths as sent, URNs included). */
  requests(): string[];
  /** Makes the next matching requests fail with the given status and code (e.g. 429 FSS.0429, 503). */
  injectFault(fault: InjectedFault): void;
  /** The URL an APIG trigger of this group and path is served at. */
  apigUrl(groupId: string, path: string): string;
  /** The names of the functions it holds. */
  functionNames(): string[];
  close(): Promise<void>;
}

const defaultProjectId = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

/**
 * Starts an HTTP emulator of the FunctionGraph v2 API on 127.0.0.1 (a random port): SDK-HMAC-SHA256
 * signatures, `/v2/{project_id}/fgs/...` paths with every URN form, FunctionGraph's strict bodies,
 * status codes (200, 201, 202, 204) and `{error_code, error_msg}` errors, versions, aliases with
 * weighted routing, triggers, reserved instances, and execution of the deployed code through the
 * faasport runtime with FunctionGraph's native contracts. APIG triggers are served at
 * `/_apig/{group_id}{path}` without signature (auth `NONE`).
 *
 * @example
 * ```ts
 * const emu = await startFunctionGraphEmulator({ accessKeyId: 'ak', secretAccessKey: 'sk' });
 * const adapter = createFunctionGraphAdapter({ region: emu.region, projectId: emu.projectId, endpoint: emu.url,
 *   credentials: { accessKeyId: 'ak', secretAccessKey: 'sk' } });
 * ```
 * @public
 */
export async function startFunctionGraphEmulator(
  options: FunctionGraphEmulatorOptions = {},
): Promise<FunctionGraphEmulator> {
  const projectId = options.projectId ?? defaultProjectId;
  const region = options.region ?? 'cn-north-4';
  const credential: EmulatorCredential = {
    accessKeyId: options.accessKeyId ?? 'emulator-ak',
    secretAccessKey: options.secretAccessKey ?? 'emulator-sk',
    ...(options.securityToken ? { securityToken: options.securityToken } : {}),
  };
  const random = options.random ?? Math.random;
  let ownExecutor: Executor | undefined;
  const executor = () => {
    if (options.executor) return options.executor;
    if (!ownExecutor) ownExecutor = createExecutor();
    return ownExecutor;
  };
  const execution = new FunctionGraphExecution(executor, options.images ?? {});
  const functions = new Map<string, FunctionState>();
  const faults: InjectedFault[] = [];
  const requestLog: string[] = [];
  const pending = new Set<Promise<unknown>>();
  let writeCount = 0;
  let url = '';

  const key = (pkg: string, name: string) => `${pkg}/${name}`;
  const urnOf = (fn: { package: string; name: string }) =>
    functionUrn(region, projectId, fn.package, fn.name);

  function find(raw: string): { fn: FunctionState; qualifier?: string } {
    const ref = parseFunctionUrn(raw, projectId);
    const fn = functions.get(key(ref.package, ref.name));
    if (!fn) throw fgErrors.functionNotFound();
    return { fn, ...(ref.qualifier ? { qualifier: ref.qualifier } : {}) };
  }

  /** The config and code a qualifier names (latest, a version, or an alias's main version). */
  function snapshotOf(
    fn: FunctionState,
    qualifier: string | undefined,
  ): { config: ConfigState; code: CodeState; version: string; alias?: string } {
    if (!qualifier || qualifier === 'latest') return { ...fn.latest, version: 'latest' };
    if (qualifier.startsWith('!')) {
      const alias = fn.aliases.get(qualifier.slice(1));
      if (!alias) throw fgErrors.aliasNotFound(qualifier.slice(1));
      return { ...snapshotOf(fn, alias.version), alias: alias.name };
    }
    const version = fn.versions.get(qualifier);
    if (!version) throw fgErrors.versionNotFound(qualifier);
    return { config: version.config, code: version.code, version: version.version };
  }

  function configView(
    fn: FunctionState,
    config: ConfigState,
    code: CodeState,
    version: string,
    extra: Record<string, unknown> = {},
  ) {
    return {
      func_id: fn.id,
      resource_id: `${fn.id}:${version}`,
      func_urn: `${urnOf(fn)}:${version}`,
      func_name: config.func_name,
      domain_id: 'emulator-domain',
      namespace: projectId,
      project_name: region,
      package: config.package,
      runtime: config.runtime,
      timeout: config.timeout,
      handler: config.handler,
      memory_size: config.memory_size,
      cpu: Math.round((config.memory_size / 128) * 50) + 250,
      code_type: code.code_type,
      code_url: code.code_url ?? '',
      code_filename: code.code_filename ?? '',
      code_size: code.code_size,
      user_data: config.user_data,
      encrypted_user_data: config.encrypted_user_data,
      digest: code.digest,
      version,
      image_name: `${version}-emulator`,
      xrole: config.xrole ?? '',
      app_xrole: config.app_xrole ?? '',
      description: config.description,
      last_modified: config.last_modified,
      strategy_config: { ...config.strategy_config },
      initializer_handler: config.initializer_handler ?? '',
      initializer_timeout: config.initializer_timeout ?? 0,
      type: config.type,
      ...(config.custom_image ? { custom_image: { ...config.custom_image } } : {}),
      ...config.extra,
      ...extra,
    };
  }

  /** Reads and checks the code fields of a create or update-code body. */
  function codeFrom(body: Record<string, unknown>, runtime: string): CodeState {
    const type =
      (body.code_type as string | undefined) ?? (runtime === 'Custom Image' ? 'Custom-Image-Swr' : undefined);
    if (!type) throw new FgApiError(400, 'FSS.1006', 'Invalid parameter. code_type is required.');
    const file = (body.func_code as { file?: string } | undefined)?.file;
    if (type === 'Custom-Image-Swr') return { code_type: type, digest: '', code_size: 0 };
    if (type === 'obs') {
      const codeUrl = body.code_url as string | undefined;
      if (!codeUrl)
        throw new FgApiError(
          400,
          'FSS.1012',
          'The function code must be configured: code_url is required for code_type obs.',
        );
      const m = /^https?:\/\/([^./]+)\.obs\.[^/]+\/(.+)$/.exec(codeUrl);
      const bytes = m ? options.obs?.[m[1]!]?.[decodeURIComponent(m[2]!)] : undefined;
      if (!bytes)
        throw new FgApiError(
          400,
          'FSS.1011',
          `Invalid function code: the OBS object ${codeUrl} does not exist.`,
        );
      checkZip(bytes);
      return {
        code_type: 'obs',
        code_url: codeUrl,
        bytes,
        digest: sha512(bytes),
        code_size: bytes.length,
        code_filename: codeUrl.split('/').pop() ?? '',
      };
    }
    if (!file) throw new FgApiError(400, 'FSS.1012', 'The function code must be configured.');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(file))
      throw new FgApiError(400, 'FSS.1011', 'Invalid function code: func_code.file must be base64.');
    const bytes = new Uint8Array(Buffer.from(file, 'base64'));
    if (type === 'inline') {
      if (bytes.length > 10 * 1024) throw fgErrors.tooLarge('FSS.1072', 'The inline code exceeds 10 KB.');
      return { code_type: type, bytes, digest: sha512(bytes), code_size: bytes.length };
    }
    if (bytes.length > 50 * 1024 * 1024)
      throw fgErrors.tooLarge('FSS.1071', 'The code package exceeds 50 MB.');
    if (!body.code_filename)
      throw new FgApiError(
        400,
        'FSS.1011',
        'Invalid function code: code_filename is required for zip and jar code.',
      );
    checkZip(bytes);
    return {
      code_type: type,
      code_filename: body.code_filename as string,
      bytes,
      digest: sha512(bytes),
      code_size: bytes.length,
    };
  }

  function checkUserData(body: Record<string, unknown>): void {
    for (const field of ['user_data', 'encrypted_user_data']) {
      const text = body[field];
      if (typeof text !== 'string' || text === '') continue;
      // FSS.1017 / FSS.1018: at most 20 variables; the size limit is 2 KB per the error table (4 KB per the API doc).
      if (Object.keys(JSON.parse(text)).length > 20)
        throw new FgApiError(
          400,
          'FSS.1017',
          `Invalid parameter. ${field}: more than 20 environment variables.`,
        );
      if (Buffer.byteLength(text) > 4096)
        throw new FgApiError(400, 'FSS.1018', `Invalid parameter. ${field}: larger than 4 KB.`);
    }
  }

  function configFrom(
    body: Record<string, unknown>,
    previous: ConfigState | undefined,
    pkg: string,
  ): ConfigState {
    const known = new Set([
      'func_name',
      'package',
      'runtime',
      'timeout',
      'handler',
      'memory_size',
      'user_data',
      'encrypted_user_data',
      'description',
      'initializer_handler',
      'initializer_timeout',
      'xrole',
      'app_xrole',
      'custom_image',
      'type',
      'strategy_config',
      'code_type',
      'func_code',
      'code_url',
      'code_filename',
    ]);
    const extra: Record<string, unknown> = { ...(previous?.extra ?? {}) };
    for (const [k, v] of Object.entries(body)) if (!known.has(k)) extra[k] = v;
    const runtime = body.runtime as string;
    if (runtime === 'Custom Image' && !(body.custom_image ?? previous?.custom_image)) {
      throw fgErrors.invalidParameter('custom_image is required for the Custom Image runtime.');
    }
    const strategy =
      (body.strategy_config as Partial<ConfigState['strategy_config']> | undefined) ??
      previous?.strategy_config ??
      {};
    // Omitted optional fields are reset on update, as FunctionGraph does (callers read, modify, write).
    return {
      func_name: body.func_name as string,
      package: pkg,
      runtime,
      timeout: body.timeout as number,
      handler: body.handler as string,
      memory_size: body.memory_size as number,
      user_data: (body.user_data as string | undefined) ?? '',
      encrypted_user_data: (body.encrypted_user_data as string | undefined) ?? '',
      description: (body.description as string | undefined) ?? '',
      ...(body.initializer_handler
        ? {
            initializer_handler: body.initializer_handler as string,
            initializer_timeout: (body.initializer_timeout as number | undefined) ?? 30,
          }
        : {}),
      ...(body.xrole ? { xrole: body.xrole as string } : {}),
      ...(body.app_xrole ? { app_xrole: body.app_xrole as string } : {}),
      ...((body.custom_image ?? previous?.custom_image)
        ? { custom_image: (body.custom_image ?? previous?.custom_image) as ConfigState['custom_image'] }
        : {}),
      type: (body.type as string | undefined) ?? previous?.type ?? 'v2',
      strategy_config: {
        concurrency: strategy.concurrency ?? -1,
        concurrent_num: strategy.concurrent_num ?? 1,
      },
      extra,
      last_modified: fgTime(),
    };
  }

  // ----------------------------------------------------------------------------------------------
  // Management API

  async function handleApi(
    method: string,
    segments: string[],
    query: URLSearchParams,
    body: unknown,
    req: IncomingMessage,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const [root, ...rest] = segments;
    if (root === 'functions') return functionsApi(method, rest, query, body, req);
    if (root === 'triggers') return triggersApi(method, rest, body);
    throw fgErrors.unsupportedPath(method, segments.join('/'));
  }

  async function functionsApi(
    method: string,
    rest: string[],
    query: URLSearchParams,
    body: unknown,
    req: IncomingMessage,
  ) {
    if (rest.length === 0) {
      if (method === 'POST') return createFunction(body);
      if (method === 'GET') return listFunctions(query);
    }
    if (rest.length === 1 && rest[0] === 'reservedinstanceconfigs' && method === 'GET')
      return listReserved(query);
    const [urn, sub, subId] = rest as [string, string | undefined, string | undefined];
    if (rest.length === 1 && method === 'DELETE') return deleteFunction(urn);
    const { fn, qualifier } = find(urn);
    switch (`${method} ${sub}${subId !== undefined ? ' :id' : ''}`) {
      case 'GET config': {
        const snap = snapshotOf(fn, qualifier);
        return { status: 200, body: configView(fn, snap.config, snap.code, snap.version) };
      }
      case 'PUT config':
        return updateConfig(fn, qualifier, body);
      case 'GET code': {
        const snap = snapshotOf(fn, qualifier);
        return { status: 200, body: codeView(fn, snap.code, snap.config, snap.version) };
      }
      case 'PUT code':
        return updateCode(fn, qualifier, body);
      case 'PUT config-max-instance': {
        const b = checkBody(body, maxInstanceBody);
        requireLatest(qualifier);
        fn.latest.config = {
          ...fn.latest.config,
          strategy_config: { ...fn.latest.config.strategy_config, concurrency: b.max_instance_num as number },
          last_modified: fgTime(),
        };
        return { status: 200, body: configView(fn, fn.latest.config, fn.latest.code, 'latest') };
      }
      case 'POST versions':
        return publishVersion(fn, body);
      case 'GET versions': {
        const versions = [
          configView(fn, fn.latest.config, fn.latest.code, 'latest'),
          ...[...fn.versions.values()].map(versionView(fn)),
        ];
        return { status: 200, body: { versions, next_marker: versions.length, count: versions.length } };
      }
      case 'POST aliases':
        return createAlias(fn, body);
      case 'GET aliases':
        return { status: 200, body: [...fn.aliases.values()].map(aliasView(fn)) };
      case 'GET aliases :id': {
        const alias = fn.aliases.get(subId!);
        if (!alias) throw fgErrors.aliasNotFound(subId!);
        return { status: 200, body: aliasView(fn)(alias) };
      }
      case 'PUT aliases :id':
        return updateAlias(fn, subId!, body);
      case 'DELETE aliases :id': {
        if (!fn.aliases.has(subId!)) throw fgErrors.aliasNotFound(subId!);
        if (fn.triggers.some((t) => t.qualifier === `!${subId}`))
          throw fgErrors.forbidden('FSS.1154', `The alias ${subId} has triggers and cannot be deleted.`);
        fn.aliases.delete(subId!);
        fn.reserved.delete(`!${subId}`);
        return { status: 204 };
      }
      case 'POST invocations':
        return invokeSync(fn, qualifier, body, req);
      case 'POST invocations-async':
        return invokeAsync(fn, qualifier, body);
      case 'PUT reservedinstances': {
        const b = checkBody(body, reservedInstancesBody);
        if (!qualifier || qualifier === 'latest')
          throw fgErrors.invalidParameter('Reserved instances need a version or alias URN.');
        snapshotOf(fn, qualifier);
        const state = {
          count: b.count as number,
          idle_mode: (b.idle_mode as boolean | undefined) ?? false,
          ...(b.tactics_config ? { tactics_config: b.tactics_config as Record<string, unknown> } : {}),
        };
        if (state.count === 0) fn.reserved.delete(qualifier);
        else fn.reserved.set(qualifier, state);
        return { status: 200, body: state };
      }
    }
    throw fgErrors.unsupportedPath(method, ['functions', ...rest].join('/'));
  }

  function requireLatest(qualifier: string | undefined): void {
    if (qualifier && qualifier !== 'latest')
      throw fgErrors.invalidParameter(
        'Only the latest version can be modified; published versions are immutable.',
      );
  }

  function createFunction(body: unknown) {
    const b = checkBody(body, createFunctionBody);
    checkUserData(b);
    const pkg = b.package as string;
    if (functions.has(key(pkg, b.func_name as string))) throw fgErrors.functionExists(b.func_name as string);
    if (b.runtime === 'Custom Image' && b.handler !== '-')
      throw new FgApiError(
        400,
        'FSS.1003',
        'Invalid parameter. handler must be "-" for the Custom Image runtime.',
      );
    const code = codeFrom(b, b.runtime as string);
    const config = configFrom(b, undefined, pkg);
    const fn: FunctionState = {
      id: randomUUID(),
      package: pkg,
      name: config.func_name,
      latest: { config, code },
      versions: new Map(),
      aliases: new Map(),
      triggers: [],
      reserved: new Map(),
      created: fgTime(),
    };
    functions.set(key(pkg, fn.name), fn);
    return { status: 200, body: configView(fn, config, code, 'latest') };
  }

  function updateConfig(fn: FunctionState, qualifier: string | undefined, body: unknown) {
    requireLatest(qualifier);
    const b = checkBody(body, updateConfigBody);
    checkUserData(b);
    if (b.func_name !== fn.name)
      throw new FgApiError(
        400,
        'FSS.1002',
        `Invalid parameter. func_name ${String(b.func_name)} does not match the function ${fn.name}.`,
      );
    fn.latest.config = configFrom(b, fn.latest.config, fn.package);
    return { status: 200, body: configView(fn, fn.latest.config, fn.latest.code, 'latest') };
  }

  function updateCode(fn: FunctionState, qualifier: string | undefined, body: unknown) {
    requireLatest(qualifier);
    const b = checkBody(body, updateCodeBody);
    if (fn.latest.config.runtime === 'Custom Image')
      throw fgErrors.invalidParameter(
        'Custom image functions change their image through PUT .../config custom_image.',
      );
    fn.latest.code = codeFrom(b, fn.latest.config.runtime);
    fn.latest.config = { ...fn.latest.config, last_modified: fgTime() };
    return { status: 200, body: codeView(fn, fn.latest.code, fn.latest.config, 'latest') };
  }

  function codeView(fn: FunctionState, code: CodeState, config: ConfigState, version: string) {
    return {
      func_urn: `${urnOf(fn)}:${version}`,
      func_name: fn.name,
      domain_id: 'emulator-domain',
      runtime: config.runtime,
      code_type: code.code_type,
      code_url: code.code_url ?? '',
      code_filename: code.code_filename ?? '',
      code_size: code.code_size,
      digest: code.digest,
      last_modified: config.last_modified,
      func_code: { file: code.bytes ? Buffer.from(code.bytes).toString('base64') : '', link: '' },
      depend_version_list: [],
      strategy_config: { ...config.strategy_config },
    };
  }

  function listFunctions(query: URLSearchParams) {
    const marker = Number(query.get('marker') ?? '0') || 0;
    const max = Math.min(Number(query.get('maxitems') ?? '400') || 400, 400);
    const pkg = query.get('package_name');
    const name = query.get('func_name');
    const all = [...functions.values()].filter(
      (f) => (!pkg || f.package === pkg) && (!name || f.name.includes(name)),
    );
    const page = all.slice(marker, marker + max);
    return {
      status: 200,
      body: {
        functions: page.map((f) => configView(f, f.latest.config, f.latest.code, 'latest')),
        next_marker: marker + page.length,
        count: all.length,
      },
    };
  }

  function deleteFunction(urn: string) {
    const { fn, qualifier } = find(urn);
    if (!qualifier) {
      functions.delete(key(fn.package, fn.name));
      return { status: 204 };
    }
    if (qualifier === 'latest')
      throw fgErrors.invalidParameter('The latest version cannot be deleted; delete the function instead.');
    if (!fn.versions.has(qualifier)) throw fgErrors.versionNotFound(qualifier);
    const user = [...fn.aliases.values()].find(
      (a) => a.version === qualifier || a.additional_version_weights?.[qualifier] !== undefined,
    );
    if (user)
      throw fgErrors.forbidden('FSS.1094', `The version ${qualifier} is used by the alias ${user.name}.`);
    fn.versions.delete(qualifier);
    return { status: 204 };
  }

  function publishVersion(fn: FunctionState, body: unknown) {
    const b = checkBody(body ?? {}, publishVersionBody);
    const name =
      (b.version as string | undefined) ??
      `v${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
    if (name === 'latest' || fn.versions.has(name)) throw fgErrors.versionExists(name);
    if (b.digest && b.digest !== fn.latest.code.digest)
      throw new FgApiError(400, 'FSS.1015', 'Invalid version: the code digest does not match.');
    const last = [...fn.versions.values()].pop();
    if (last && last.code.digest === fn.latest.code.digest && sameConfig(last.config, fn.latest.config))
      throw fgErrors.noChanges();
    const version: VersionState = {
      version: name,
      description: (b.description as string | undefined) ?? '',
      config: structuredClone(fn.latest.config),
      code: fn.latest.code,
      created: fgTime(),
    };
    fn.versions.set(name, version);
    return { status: 200, body: versionView(fn)(version) };
  }

  const versionView = (fn: FunctionState) => (v: VersionState) =>
    configView(fn, v.config, v.code, v.version, {
      version_description: v.description,
      last_modified: v.created,
    });

  const aliasView = (fn: FunctionState) => (a: AliasState) => ({
    name: a.name,
    version: a.version,
    description: a.description,
    last_modified: a.last_modified,
    alias_urn: `${urnOf(fn)}:!${a.name}`,
    additional_version_weights: a.additional_version_weights ?? {},
    ...(a.additional_version_strategy ? { additional_version_strategy: a.additional_version_strategy } : {}),
  });

  function checkAliasTargets(
    fn: FunctionState,
    version: string,
    weights: Record<string, number> | undefined,
    strategy: unknown,
  ) {
    if (version !== 'latest' && !fn.versions.has(version)) throw fgErrors.versionNotFound(version);
    if (weights && strategy)
      throw fgErrors.invalidParameter(
        'Use additional_version_weights or additional_version_strategy, not both.',
      );
    const entries = Object.entries(weights ?? {});
    if (entries.length > 1)
      throw new FgApiError(
        400,
        'FSS.1091',
        'Invalid additional version: an alias routes to at most one additional version.',
      );
    for (const [v, w] of entries) {
      if (v === version)
        throw new FgApiError(400, 'FSS.1093', 'The additional version must differ from the major version.');
      if (v !== 'latest' && !fn.versions.has(v))
        throw new FgApiError(400, 'FSS.1091', `Invalid additional version: ${v} does not exist.`);
      if (w < 0 || w > 100) throw new FgApiError(400, 'FSS.1092', 'Invalid weight.');
    }
  }

  function createAlias(fn: FunctionState, body: unknown) {
    const b = checkBody(body, createAliasBody, (f) =>
      f === 'name' ? 'FSS.1014' : f === 'additional_version_weights' ? 'FSS.1092' : undefined,
    );
    const name = b.name as string;
    if (fn.aliases.has(name)) throw fgErrors.aliasExists(name);
    const weights = b.additional_version_weights as Record<string, number> | undefined;
    checkAliasTargets(fn, b.version as string, weights, b.additional_version_strategy);
    const alias: AliasState = {
      name,
      version: b.version as string,
      description: (b.description as string | undefined) ?? '',
      ...(weights && Object.keys(weights).length ? { additional_version_weights: weights } : {}),
      ...(b.additional_version_strategy
        ? { additional_version_strategy: b.additional_version_strategy as Record<string, unknown> }
        : {}),
      last_modified: fgTime(),
    };
    fn.aliases.set(name, alias);
    return { status: 200, body: aliasView(fn)(alias) };
  }

  function updateAlias(fn: FunctionState, name: string, body: unknown) {
    const existing = fn.aliases.get(name);
    if (!existing) throw fgErrors.aliasNotFound(name);
    const b = checkBody(body, updateAliasBody, (f) =>
      f === 'additional_version_weights' ? 'FSS.1092' : undefined,
    );
    const weights = b.additional_version_weights as Record<string, number> | undefined;
    checkAliasTargets(fn, b.version as string, weights, b.additional_version_strategy);
    const alias: AliasState = {
      name,
      version: b.version as string,
      description: (b.description as string | undefined) ?? '',
      ...(weights && Object.keys(weights).length ? { additional_version_weights: weights } : {}),
      ...(b.additional_version_strategy
        ? { additional_version_strategy: b.additional_version_strategy as Record<string, unknown> }
        : {}),
      last_modified: fgTime(),
    };
    fn.aliases.set(name, alias);
    return { status: 200, body: aliasView(fn)(alias) };
  }

  function listReserved(query: URLSearchParams) {
    const urn = query.get('function_urn');
    const out: unknown[] = [];
    for (const fn of functions.values()) {
      if (urn) {
        const ref = parseFunctionUrn(urn, projectId);
        if (ref.package !== fn.package || ref.name !== fn.name) continue;
      }
      for (const [qualifier, state] of fn.reserved) {
        // Fields of the SDK model ReservedInstanceConfigs.
        out.push({
          function_urn: `${urnOf(fn)}:${qualifier}`,
          qualifier_type: qualifier.startsWith('!') ? 'alias' : 'version',
          qualifier_name: qualifier.replace(/^!/, ''),
          min_count: state.count,
          idle_mode: state.idle_mode,
          ...(state.tactics_config ? { tactics_config: state.tactics_config } : {}),
        });
      }
    }
    return {
      status: 200,
      body: {
        reserved_instances: out,
        page_info: { next_marker: out.length, previous_marker: 0 },
        count: out.length,
      },
    };
  }

  // ----------------------------------------------------------------------------------------------
  // Triggers

  const triggerErrors: Record<string, { invalid: string; exists: string; missing: string }> = {
    TIMER: { invalid: 'FSS.1109', exists: 'FSS.1148', missing: 'FSS.1140' },
    OBS: { invalid: 'FSS.1106', exists: 'FSS.1145', missing: 'FSS.1136' },
    APIG: { invalid: 'FSS.1107', exists: 'FSS.1146', missing: 'FSS.1138' },
    DEDICATEDGATEWAY: { invalid: 'FSS.1107', exists: 'FSS.1146', missing: 'FSS.1138' },
  };

  async function triggersApi(method: string, rest: string[], body: unknown) {
    const [urn, type, id] = rest as [string, string | undefined, string | undefined];
    if (!urn) throw fgErrors.unsupportedPath(method, 'triggers');
    const { fn, qualifier: q } = find(urn);
    const qualifier = q ?? 'latest';
    if (type === undefined) {
      if (method === 'POST') return createTrigger(fn, qualifier, body);
      if (method === 'GET')
        return {
          status: 200,
          body: fn.triggers.filter((t) => t.qualifier === qualifier).map((t) => triggerView(fn, t)),
        };
      if (method === 'DELETE') {
        fn.triggers = fn.triggers.filter((t) => t.qualifier !== qualifier);
        return { status: 204 };
      }
    } else if (id !== undefined) {
      const trigger = fn.triggers.find(
        (t) => t.trigger_id === id && t.trigger_type_code === type && t.qualifier === qualifier,
      );
      if (!trigger)
        throw new FgApiError(404, triggerErrors[type]?.missing ?? 'FSS.1131', 'The trigger does not exist.');
      if (method === 'GET') return { status: 200, body: triggerView(fn, trigger) };
      if (method === 'DELETE') {
        fn.triggers = fn.triggers.filter((t) => t !== trigger);
        return { status: 204 };
      }
      if (method === 'PUT') {
        const b = checkBody(body, updateTriggerBody);
        if (b.trigger_status) {
          if (
            b.trigger_status === 'DISABLED' &&
            !['TIMER', 'DDS', 'LTS', 'KAFKA'].includes(trigger.trigger_type_code)
          ) {
            throw fgErrors.invalidParameter(`${trigger.trigger_type_code} triggers cannot be disabled.`);
          }
          trigger.trigger_status = b.trigger_status as string;
        }
        if (b.event_data && !Array.isArray(b.event_data))
          trigger.event_data = { ...trigger.event_data, ...(b.event_data as Record<string, unknown>) };
        trigger.last_updated_time = fgTime();
        return { status: 200, body: triggerView(fn, trigger) };
      }
    }
    throw fgErrors.unsupportedPath(method, ['triggers', ...rest].join('/'));
  }

  function createTrigger(fn: FunctionState, qualifier: string, body: unknown) {
    const b = checkBody(body, createTriggerBody);
    const type = b.trigger_type_code as string;
    if (qualifier !== 'latest') snapshotOf(fn, qualifier);
    const codes = triggerErrors[type] ?? { invalid: 'FSS.0400', exists: 'FSS.0409', missing: 'FSS.1131' };
    const data = b.event_data as Record<string, unknown>;
    const spec =
      type === 'TIMER'
        ? timerEventData
        : type === 'OBS'
          ? obsEventData
          : type === 'APIG' || type === 'DEDICATEDGATEWAY'
            ? apigEventData
            : undefined;
    if (!spec) throw fgErrors.invalidParameter(`The emulator does not support ${type} triggers.`);
    checkBody(data, spec, () => codes.invalid);
    if (type === 'TIMER') {
      const schedule = data.schedule as string;
      const ok =
        data.schedule_type === 'Rate'
          ? /^([1-9]\d*)[mhd]$/.test(schedule)
          : /^@every (\d+h)?(\d+m)?$/.test(schedule) || schedule.trim().split(/\s+/).length === 6;
      if (!ok)
        throw new FgApiError(
          400,
          codes.invalid,
          `Invalid parameter. schedule ${schedule} is not a valid ${data.schedule_type} expression.`,
        );
    }
    const same = fn.triggers.find((t) => {
      if (t.trigger_type_code !== type || t.qualifier !== qualifier) return false;
      if (type === 'TIMER') return t.event_data.name === data.name;
      if (type === 'OBS')
        return (
          t.event_data.bucket === data.bucket &&
          t.event_data.prefix === data.prefix &&
          t.event_data.suffix === data.suffix
        );
      return t.event_data.name === data.name;
    });
    if (same) throw new FgApiError(409, codes.exists, `The ${type} trigger already exists.`);
    if (type === 'APIG' || type === 'DEDICATEDGATEWAY') {
      const clash = [...functions.values()]
        .flatMap((f) => f.triggers)
        .find(
          (t) =>
            t.event_data.group_id === data.group_id &&
            t.event_data.path === data.path &&
            (t.event_data.req_method === data.req_method ||
              t.event_data.req_method === 'ANY' ||
              data.req_method === 'ANY'),
        );
      if (clash)
        throw new FgApiError(
          409,
          'FSS.1147',
          `The request path ${String(data.path)} already exists in API group ${String(data.group_id)}.`,
        );
    }
    const id = randomUUID();
    const eventData = { ...data };
    if (type === 'APIG' || type === 'DEDICATEDGATEWAY') {
      Object.assign(eventData, {
        api_id: randomUUID().replace(/-/g, ''),
        api_name: data.name,
        triggerid: id,
        invoke_url: `${url}/_apig/${data.group_id as string}${data.path as string}`,
      });
    }
    const now = fgTime();
    const trigger: TriggerState = {
      trigger_id: id,
      trigger_type_code: type,
      trigger_status: (b.trigger_status as string | undefined) ?? 'ACTIVE',
      ...(b.event_type_code ? { event_type_code: b.event_type_code as string } : {}),
      event_data: eventData,
      qualifier,
      created_time: now,
      last_updated_time: now,
    };
    fn.triggers.push(trigger);
    return { status: 201, body: triggerView(fn, trigger) };
  }

  function triggerView(_fn: FunctionState, t: TriggerState) {
    return {
      trigger_id: t.trigger_id,
      trigger_type_code: t.trigger_type_code,
      trigger_status: t.trigger_status,
      ...(t.event_type_code ? { event_type_code: t.event_type_code } : {}),
      event_data: t.event_data,
      last_updated_time: t.last_updated_time,
      created_time: t.created_time,
    };
  }

  // ----------------------------------------------------------------------------------------------
  // Invocation

  /** Picks the version an alias call runs: the additional version with its weight, else the main one. */
  function route(
    fn: FunctionState,
    qualifier: string | undefined,
  ): { qualifier: string | undefined; alias?: string } {
    if (!qualifier?.startsWith('!')) return { qualifier };
    const alias = fn.aliases.get(qualifier.slice(1));
    if (!alias) throw fgErrors.aliasNotFound(qualifier.slice(1));
    const extra = Object.entries(alias.additional_version_weights ?? {})[0];
    if (extra && random() * 100 < extra[1]) return { qualifier: extra[0], alias: alias.name };
    return { qualifier: alias.version, alias: alias.name };
  }

  async function execute(
    fn: FunctionState,
    qualifier: string | undefined,
    payload: Uint8Array,
    requestId: string,
  ) {
    const routed = route(fn, qualifier);
    const snap = snapshotOf(fn, routed.qualifier);
    const info: CallInfo = {
      functionName: fn.name,
      package: fn.package,
      version: snap.version,
      ...(routed.alias ? { alias: routed.alias } : {}),
      projectId,
      region,
    };
    const executable = await execution.executable(snap.config, snap.code, info).catch((e: Error) => {
      throw fgErrors.internal(`The function cannot be started: ${e.message}`);
    });
    const headers = cffHeaders(snap.config, info, requestId);
    const result = await executable.invokeEvent(payload, {
      requestId,
      headers,
      context: {
        version: snap.version,
        alias: routed.alias ?? '',
        package: fn.package,
        projectId,
        functionName: fn.name,
      },
    });
    return { result, version: snap.version };
  }

  function cffHeaders(config: ConfigState, info: CallInfo, requestId: string): Record<string, string> {
    return {
      'X-CFF-Request-Id': requestId,
      'X-CFF-Memory': String(config.memory_size),
      'X-CFF-Timeout': String(config.timeout),
      'X-CFF-Func-Version': info.version,
      'X-CFF-Func-Name': info.functionName,
      'X-CFF-Project-Id': info.projectId,
      'X-CFF-Package': info.package,
      'X-CFF-Region': info.region,
    };
  }

  async function invokeSync(
    fn: FunctionState,
    qualifier: string | undefined,
    body: unknown,
    req: IncomingMessage,
  ) {
    const requestId = randomUUID();
    const payload = new TextEncoder().encode(body === undefined ? '' : JSON.stringify(body));
    const { result, version } = await execute(fn, qualifier, payload, requestId);
    const text = new TextDecoder().decode(result.body);
    const log = result.logs.join('\n');
    const headers: Record<string, string> = {
      'X-Cff-Request-Id': requestId,
      'X-Cff-Func-Version': version,
      'X-CFF-Billing-Duration': String(Math.ceil(result.durationMs)),
      'X-Func-Err-Code': result.error ? '1' : '0',
      'X-Is-Func-Err': result.error ? 'true' : 'false',
    };
    if (req.headers['x-cff-log-type'] === 'tail')
      headers['X-Cff-Function-Log'] = Buffer.from(log.slice(-2000)).toString('base64');
    // How a function error looks in the v1 envelope is not verified; the emulator reports it the way
    // the Node.js runtime formats errors (errorMessage / errorType / stackTrace) with the error headers set.
    const output = result.error
      ? JSON.stringify({
          errorMessage: result.error.message,
          errorType: result.error.type ?? 'Error',
          stackTrace: (result.error.stack ?? '').split('\n'),
        })
      : text;
    const version1 = String(req.headers['x-cff-request-version'] ?? '').toLowerCase() === 'v1';
    if (version1) {
      headers['X-Cff-Response-Version'] = 'v1';
      return {
        status: 200,
        headers,
        body: { request_id: requestId, result: output, log, status: result.error ? 500 : 200 },
      };
    }
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
      body: Buffer.from(output),
    };
  }

  async function invokeAsync(fn: FunctionState, qualifier: string | undefined, body: unknown) {
    if (snapshotOf(fn, qualifier).config.runtime === 'http') {
      throw fgErrors.invalidParameter('HTTP functions cannot be invoked asynchronously.');
    }
    const requestId = randomUUID();
    const payload = new TextEncoder().encode(body === undefined ? '' : JSON.stringify(body));
    const run = execute(fn, qualifier, payload, requestId).catch(() => undefined);
    pending.add(run);
    void run.finally(() => pending.delete(run));
    return { status: 202, body: { request_id: requestId } };
  }

  // ----------------------------------------------------------------------------------------------
  // APIG: `/_apig/{group}{path}` serves the API of an APIG trigger as the gateway would.

  async function handleApig(
    req: IncomingMessage,
    res: ServerResponse,
    rawBody: Uint8Array,
    url: URL,
  ): Promise<void> {
    const [, , group = '', ...pathParts] = url.pathname.split('/');
    const path = `/${pathParts.join('/')}`;
    const method = req.method ?? 'GET';
    let match: { fn: FunctionState; trigger: TriggerState } | undefined;
    for (const fn of functions.values()) {
      for (const t of fn.triggers) {
        if (t.trigger_type_code !== 'APIG' && t.trigger_type_code !== 'DEDICATEDGATEWAY') continue;
        const d = t.event_data;
        if (d.group_id !== group || (d.req_method !== 'ANY' && d.req_method !== method)) continue;
        const base = d.path as string;
        const hit =
          d.match_mode === 'SWA'
            ? path === base || path.startsWith(base.endsWith('/') ? base : `${base}/`)
            : path === base;
        if (hit && (!match || base.length > (match.trigger.event_data.path as string).length))
          match = { fn, trigger: t };
      }
    }
    if (!match)
      return sendJson(res, 404, {
        error_code: 'APIG.0101',
        error_msg: 'The API does not exist or has not been published in the environment',
      });
    const auth = match.trigger.event_data.auth;
    if (auth === 'IAM') {
      try {
        verifySignature(req, rawBody, [credential], { maxSkewMs: options.maxSkewMs ?? 15 * 60_000 });
      } catch (e) {
        const err = e as FgApiError;
        return sendJson(res, err.status, err.body());
      }
    } else if (auth === 'APP' && !req.headers['x-apig-appcode'] && !req.headers.authorization) {
      return sendJson(res, 401, {
        error_code: 'APIG.0101',
        error_msg: 'Incorrect app authentication information: the app code is missing',
      });
    }
    const { fn, trigger } = match;
    const requestId = randomUUID().replace(/-/g, '');
    const routed = route(fn, trigger.qualifier === 'latest' ? undefined : trigger.qualifier);
    const snap = snapshotOf(fn, routed.qualifier);
    const info: CallInfo = {
      functionName: fn.name,
      package: fn.package,
      version: snap.version,
      ...(routed.alias ? { alias: routed.alias } : {}),
      projectId,
      region,
    };
    let executable: Awaited<ReturnType<FunctionGraphExecution['executable']>>;
    try {
      executable = await execution.executable(snap.config, snap.code, info);
    } catch (e) {
      return sendJson(res, 502, {
        error_code: 'APIG.0201',
        error_msg: `Backend unavailable: ${(e as Error).message}`,
      });
    }
    // HTTP functions and custom images receive the request as it came.
    if (snap.config.runtime === 'http' || snap.config.runtime === 'Custom Image') {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      for (const [k, v] of Object.entries(cffHeaders(snap.config, info, requestId))) headers.set(k, v);
      const forwarded = new Request(`http://127.0.0.1${path}${url.search}`, {
        method,
        headers,
        ...(rawBody.length && method !== 'GET' && method !== 'HEAD' ? { body: rawBody as BodyInit } : {}),
      });
      const response = await executable.fetch(forwarded, { requestId });
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => {
        out[k] = v;
      });
      res.writeHead(response.status, { ...out, 'x-apig-request-id': requestId });
      res.end(Buffer.from(await response.arrayBuffer()));
      return;
    }
    // Not verified: APIG's documented events show one value per key; a repeated key is passed as an array.
    const query: Record<string, string | string[]> = {};
    for (const name of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(name);
      query[name] = values.length === 1 ? values[0]! : values;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const event = {
      body: Buffer.from(rawBody).toString('base64'),
      isBase64Encoded: true,
      requestContext: {
        apiId: trigger.event_data.api_id,
        requestId,
        stage: trigger.event_data.env_name ?? 'RELEASE',
      },
      queryStringParameters: query,
      pathParameters: {},
      httpMethod: method,
      path,
      headers,
    };
    const result = await executable.invokeEvent(new TextEncoder().encode(JSON.stringify(event)), {
      requestId,
      headers: cffHeaders(snap.config, info, requestId),
      context: {
        version: snap.version,
        alias: routed.alias ?? '',
        package: fn.package,
        projectId,
        functionName: fn.name,
      },
    });
    if (result.error)
      return sendJson(
        res,
        500,
        { error_code: 'FSS.0500', error_msg: `function error: ${result.error.message}` },
        requestId,
      );
    let answer: {
      statusCode?: unknown;
      headers?: Record<string, string>;
      body?: unknown;
      isBase64Encoded?: boolean;
    };
    try {
      answer = JSON.parse(new TextDecoder().decode(result.body));
    } catch {
      answer = {};
    }
    // A function behind APIG must return {statusCode, headers, body, isBase64Encoded}; anything else is a 500.
    if (typeof answer !== 'object' || answer === null || typeof answer.statusCode !== 'number') {
      return sendJson(
        res,
        500,
        {
          error_code: 'FSS.0500',
          error_msg:
            'The function did not return an APIG response ({statusCode, headers, body, isBase64Encoded}).',
        },
        requestId,
      );
    }
    const bodyText =
      typeof answer.body === 'string'
        ? answer.body
        : answer.body === undefined || answer.body === null
          ? ''
          : JSON.stringify(answer.body);
    const bytes = answer.isBase64Encoded ? Buffer.from(bodyText, 'base64') : Buffer.from(bodyText);
    res.writeHead(answer.statusCode, { ...(answer.headers ?? {}), 'x-apig-request-id': requestId });
    res.end(answer.statusCode === 204 || answer.statusCode === 304 ? undefined : bytes);
  }

  // ----------------------------------------------------------------------------------------------
  // The server

  function sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    requestId: string = randomUUID(),
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'X-Request-Id': requestId,
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = new Uint8Array(Buffer.concat(chunks));
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith('/_apig/')) return handleApig(req, res, rawBody, url);
    const method = req.method ?? 'GET';
    const requestId = randomUUID();
    try {
      verifySignature(req, rawBody, [credential], { maxSkewMs: options.maxSkewMs ?? 15 * 60_000 });
      const segments = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
      if (segments[0] !== 'v2' || segments[2] !== 'fgs') throw fgErrors.unsupportedPath(method, url.pathname);
      if (decodeURIComponent(segments[1]!) !== projectId)
        throw fgErrors.forbidden('FSS.0403', `The project ${segments[1]} does not match the credentials.`);
      const headerProject = req.headers['x-project-id'];
      if (headerProject !== undefined && headerProject !== projectId)
        throw fgErrors.unauthorized('X-Project-Id does not match the project in the path');
      requestLog.push(`${method} ${req.url}`);
      const isInvoke =
        segments[segments.length - 1] === 'invocations' ||
        segments[segments.length - 1] === 'invocations-async';
      if (method !== 'GET' && !isInvoke) writeCount++;
      const fault = faults.find(
        (f) =>
          (!f.method || f.method === method) && (!f.pathIncludes || (req.url ?? '').includes(f.pathIncludes)),
      );
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
        throw new FgApiError(fault.status, fault.code, fault.message ?? 'Injected fault.');
      }
      let body: unknown;
      if (rawBody.length) {
        try {
          body = JSON.parse(new TextDecoder().decode(rawBody));
        } catch {
          throw fgErrors.invalidParameter('The request body is not valid JSON.');
        }
      }
      const out = await handleApi(method, segments.slice(3), url.searchParams, body, req);
      if (out.status === 204 || out.body === undefined) {
        res.writeHead(out.status, { 'X-Request-Id': requestId, ...(out.headers ?? {}) });
        res.end();
      } else if (out.body instanceof Uint8Array) {
        res.writeHead(out.status, { 'X-Request-Id': requestId, ...(out.headers ?? {}) });
        res.end(out.body);
      } else {
        const text = JSON.stringify(out.body);
        res.writeHead(out.status, {
          'content-type': 'application/json',
          'X-Request-Id': requestId,
          ...(out.headers ?? {}),
        });
        res.end(text);
      }
    } catch (e) {
      const err = e instanceof FgApiError ? e : fgErrors.internal((e as Error).message);
      sendJson(res, err.status, err.body(), requestId);
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) sendJson(res, 500, fgErrors.internal(e.message).body());
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    projectId,
    region,
    accessKeyId: credential.accessKeyId,
    secretAccessKey: credential.secretAccessKey,
    writes: () => writeCount,
    requests: () => [...requestLog],
    injectFault: (fault) => {
      faults.push({ ...fault });
    },
    apigUrl: (groupId, path) => `${url}/_apig/${groupId}${path}`,
    functionNames: () => [...functions.values()].map((f) => f.name),
    async close() {
      await Promise.allSettled([...pending]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await execution.close();
      await ownExecutor?.close();
    },
  };
}

function sha512(bytes: Uint8Array): string {
  return createHash('sha512').update(bytes).digest('hex');
}

function checkZip(bytes: Uint8Array): void {
  try {
    unzipSync(bytes);
  } catch {
    throw new FgApiError(400, 'FSS.1011', 'Invalid function code: the package is not a zip archive.');
  }
}

function sameConfig(a: ConfigState, b: ConfigState): boolean {
  const strip = ({ last_modified: _l, ...rest }: ConfigState) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
