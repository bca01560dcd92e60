/** The function, version, alias and reserved-instance endpoints under `/v2/{project_id}/fgs/functions`. */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { unzipSync } from 'fflate';
import {
  checkBody,
  createAliasBody,
  createFunctionBody,
  maxInstanceBody,
  publishVersionBody,
  reservedInstancesBody,
  updateAliasBody,
  updateCodeBody,
  updateConfigBody,
} from './bodies';
import type { EmuState } from './context';
import { FgApiError, fgErrors } from './errors';
import { invokeAsync, invokeSync } from './invoke';
import {
  type AliasState,
  type CodeState,
  type ConfigState,
  type FunctionState,
  fgTime,
  type VersionState,
} from './state';
import { parseFunctionUrn } from './urn';
import { aliasView, codeView, configView, find, key, snapshotOf, urnOf, versionView } from './views';

function codeFrom(em: EmuState, body: Record<string, unknown>, runtime: string): CodeState {
  const { options } = em;
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
  if (bytes.length > 50 * 1024 * 1024) throw fgErrors.tooLarge('FSS.1071', 'The code package exceeds 50 MB.');
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

function checkUserData(_em: EmuState, body: Record<string, unknown>): void {
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
  _em: EmuState,
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

/** Routes the `functions` endpoints (config, code, versions, aliases, invocations, reserved instances). */
export async function functionsApi(
  em: EmuState,
  method: string,
  rest: string[],
  query: URLSearchParams,
  body: unknown,
  req: IncomingMessage,
) {
  if (rest.length === 0) {
    if (method === 'POST') return createFunction(em, body);
    if (method === 'GET') return listFunctions(em, query);
  }
  if (rest.length === 1 && rest[0] === 'reservedinstanceconfigs' && method === 'GET')
    return listReserved(em, query);
  const [urn, sub, subId] = rest as [string, string | undefined, string | undefined];
  if (rest.length === 1 && method === 'DELETE') return deleteFunction(em, urn);
  const { fn, qualifier } = find(em, urn);
  switch (`${method} ${sub}${subId !== undefined ? ' :id' : ''}`) {
    case 'GET config': {
      const snap = snapshotOf(fn, qualifier);
      return { status: 200, body: configView(em, fn, snap.config, snap.code, snap.version) };
    }
    case 'PUT config':
      return updateConfig(em, fn, qualifier, body);
    case 'GET code': {
      const snap = snapshotOf(fn, qualifier);
      return { status: 200, body: codeView(em, fn, snap.code, snap.config, snap.version) };
    }
    case 'PUT code':
      return updateCode(em, fn, qualifier, body);
    case 'PUT config-max-instance': {
      const b = checkBody(body, maxInstanceBody);
      requireLatest(qualifier);
      fn.latest.config = {
        ...fn.latest.config,
        strategy_config: { ...fn.latest.config.strategy_config, concurrency: b.max_instance_num as number },
        last_modified: fgTime(),
      };
      return { status: 200, body: configView(em, fn, fn.latest.config, fn.latest.code, 'latest') };
    }
    case 'POST versions':
      return publishVersion(em, fn, body);
    case 'GET versions': {
      const versions = [
        configView(em, fn, fn.latest.config, fn.latest.code, 'latest'),
        ...[...fn.versions.values()].map(versionView(em, fn)),
      ];
      return { status: 200, body: { versions, next_marker: versions.length, count: versions.length } };
    }
    case 'POST aliases':
      return createAlias(em, fn, body);
    case 'GET aliases':
      return { status: 200, body: [...fn.aliases.values()].map(aliasView(em, fn)) };
    case 'GET aliases :id': {
      const alias = fn.aliases.get(subId!);
      if (!alias) throw fgErrors.aliasNotFound(subId!);
      return { status: 200, body: aliasView(em, fn)(alias) };
    }
    case 'PUT aliases :id':
      return updateAlias(em, fn, subId!, body);
    case 'DELETE aliases :id': {
      if (!fn.aliases.has(subId!)) throw fgErrors.aliasNotFound(subId!);
      if (fn.triggers.some((t) => t.qualifier === `!${subId}`))
        throw fgErrors.forbidden('FSS.1154', `The alias ${subId} has triggers and cannot be deleted.`);
      fn.aliases.delete(subId!);
      fn.reserved.delete(`!${subId}`);
      return { status: 204 };
    }
    case 'POST invocations':
      return invokeSync(em, fn, qualifier, body, req);
    case 'POST invocations-async':
      return invokeAsync(em, fn, qualifier, body);
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

function createFunction(em: EmuState, body: unknown) {
  const { functions } = em;
  const b = checkBody(body, createFunctionBody);
  checkUserData(em, b);
  const pkg = b.package as string;
  if (functions.has(key(pkg, b.func_name as string))) throw fgErrors.functionExists(b.func_name as string);
  if (b.runtime === 'Custom Image' && b.handler !== '-')
    throw new FgApiError(
      400,
      'FSS.1003',
      'Invalid parameter. handler must be "-" for the Custom Image runtime.',
    );
  const code = codeFrom(em, b, b.runtime as string);
  const config = configFrom(em, b, undefined, pkg);
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
  return { status: 200, body: configView(em, fn, config, code, 'latest') };
}

function updateConfig(em: EmuState, fn: FunctionState, qualifier: string | undefined, body: unknown) {
  requireLatest(qualifier);
  const b = checkBody(body, updateConfigBody);
  checkUserData(em, b);
  if (b.func_name !== fn.name)
    throw new FgApiError(
      400,
      'FSS.1002',
      `Invalid parameter. func_name ${String(b.func_name)} does not match the function ${fn.name}.`,
    );
  fn.latest.config = configFrom(em, b, fn.latest.config, fn.package);
  return { status: 200, body: configView(em, fn, fn.latest.config, fn.latest.code, 'latest') };
}

function updateCode(em: EmuState, fn: FunctionState, qualifier: string | undefined, body: unknown) {
  requireLatest(qualifier);
  const b = checkBody(body, updateCodeBody);
  if (fn.latest.config.runtime === 'Custom Image')
    throw fgErrors.invalidParameter(
      'Custom image functions change their image through PUT .../config custom_image.',
    );
  fn.latest.code = codeFrom(em, b, fn.latest.config.runtime);
  fn.latest.config = { ...fn.latest.config, last_modified: fgTime() };
  return { status: 200, body: codeView(em, fn, fn.latest.code, fn.latest.config, 'latest') };
}

function listFunctions(em: EmuState, query: URLSearchParams) {
  const { functions } = em;
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
      functions: page.map((f) => configView(em, f, f.latest.config, f.latest.code, 'latest')),
      next_marker: marker + page.length,
      count: all.length,
    },
  };
}

function deleteFunction(em: EmuState, urn: string) {
  const { functions } = em;
  const { fn, qualifier } = find(em, urn);
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

function publishVersion(em: EmuState, fn: FunctionState, body: unknown) {
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
  return { status: 200, body: versionView(em, fn)(version) };
}

function checkAliasTargets(
  _em: EmuState,
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

/** Checks an alias body's targets and stores it (create and update store the same record). */
function storeAlias(em: EmuState, fn: FunctionState, name: string, b: Record<string, unknown>) {
  const weights = b.additional_version_weights as Record<string, number> | undefined;
  checkAliasTargets(em, fn, b.version as string, weights, b.additional_version_strategy);
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
  return { status: 200, body: aliasView(em, fn)(alias) };
}

function createAlias(em: EmuState, fn: FunctionState, body: unknown) {
  const b = checkBody(body, createAliasBody, (f) =>
    f === 'name' ? 'FSS.1014' : f === 'additional_version_weights' ? 'FSS.1092' : undefined,
  );
  const name = b.name as string;
  if (fn.aliases.has(name)) throw fgErrors.aliasExists(name);
  return storeAlias(em, fn, name, b);
}

function updateAlias(em: EmuState, fn: FunctionState, name: string, body: unknown) {
  const existing = fn.aliases.get(name);
  if (!existing) throw fgErrors.aliasNotFound(name);
  const b = checkBody(body, updateAliasBody, (f) =>
    f === 'additional_version_weights' ? 'FSS.1092' : undefined,
  );
  return storeAlias(em, fn, name, b);
}

function listReserved(em: EmuState, query: URLSearchParams) {
  const { projectId, functions } = em;
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
        function_urn: `${urnOf(em, fn)}:${qualifier}`,
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
