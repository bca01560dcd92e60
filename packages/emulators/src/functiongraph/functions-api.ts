/**
 * The endpoints under `/v2/{project_id}/fgs/functions`: routes versions, aliases, invocations and reserved
 * instances to their modules, and serves the function, config and code endpoints itself.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { checkBody, createFunctionBody, maxInstanceBody, updateCodeBody, updateConfigBody } from './bodies';
import { checkUserData, codeFrom, configFrom } from './code-and-config';
import type { EmuState } from './context';
import { FgApiError, fgErrors } from './errors';
import { functionUrlApi } from './function-url';
import { invokeAsync, invokeSync } from './invoke';
import { listReserved, setReservedInstances } from './reserved-instances-api';
import { type FunctionState, fgTime } from './state';
import {
  createAlias,
  deleteAlias,
  getAlias,
  listVersions,
  publishVersion,
  updateAlias,
} from './versions-aliases-api';
import { aliasView, codeView, configView, find, key, snapshotOf } from './views';

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
    case 'PUT config-max-instance':
      return setMaxInstances(em, fn, qualifier, body);
    case 'POST versions':
      return publishVersion(em, fn, body);
    case 'GET versions':
      return listVersions(em, fn);
    case 'POST aliases':
      return createAlias(em, fn, body);
    case 'GET aliases':
      return { status: 200, body: [...fn.aliases.values()].map(aliasView(em, fn)) };
    case 'GET aliases :id':
      return getAlias(em, fn, subId!);
    case 'PUT aliases :id':
      return updateAlias(em, fn, subId!, body);
    case 'DELETE aliases :id':
      return deleteAlias(fn, subId!);
    case 'POST invocations':
      return invokeSync(em, fn, qualifier, body, req);
    case 'POST invocations-async':
      return invokeAsync(em, fn, qualifier, body);
    case 'PUT reservedinstances':
      return setReservedInstances(fn, qualifier, body);
    case 'GET function-url':
    case 'POST function-url':
    case 'PUT function-url':
    case 'DELETE function-url':
      return functionUrlApi(em, method, fn, qualifier ?? 'latest', body);
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
    urls: new Map(),
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

function setMaxInstances(em: EmuState, fn: FunctionState, qualifier: string | undefined, body: unknown) {
  const b = checkBody(body, maxInstanceBody);
  requireLatest(qualifier);
  fn.latest.config = {
    ...fn.latest.config,
    strategy_config: { ...fn.latest.config.strategy_config, concurrency: b.max_instance_num as number },
    last_modified: fgTime(),
  };
  return { status: 200, body: configView(em, fn, fn.latest.config, fn.latest.code, 'latest') };
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
