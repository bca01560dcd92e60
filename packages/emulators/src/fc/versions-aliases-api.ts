import type { FcCall, FcEmu, Json, Reply } from './context';
import { FcApiError, fcErrors } from './errors';
import { findService } from './lookup';
import { checkEtag, ok, withEtag } from './respond';
import { createAliasSchema, parseBody, publishVersionSchema, updateAliasSchema } from './schemas';
import { type AliasRecord, fcTime, paginate, type ServiceRecord, type VersionRecord } from './state';
import { aliasView, versionView } from './views';

/** The version and alias endpoints of a service; undefined when the call is not one of them. */
export function versionsAliasesApi(em: FcEmu, call: FcCall): Reply | undefined {
  const { method, route, params: a, query: q } = call;
  // Versions
  if (route === '/services/*/versions') {
    const svc = findService(em, a[0]!);
    if (method === 'POST') return publishVersion(svc, call.body());
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
    const svc = findService(em, a[0]!);
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
    const svc = findService(em, a[0]!);
    if (method === 'POST') return createAlias(svc, call.body());
    if (method === 'GET') {
      const { page, nextToken } = paginate([...svc.aliases.values()], (x) => x.aliasName, q);
      return ok({ aliases: page.map(aliasView), ...(nextToken ? { nextToken } : {}) });
    }
  }
  if (route === '/services/*/aliases/*') {
    const svc = findService(em, a[0]!);
    const alias = svc.aliases.get(a[1]!);
    if (!alias) throw fcErrors.aliasNotFound(svc.serviceName, a[1]!);
    if (method === 'GET') return withEtag(aliasView(alias));
    if (method === 'PUT') {
      checkEtag(call.ifMatch, aliasView(alias));
      const update = parseBody(updateAliasSchema, call.body());
      const versionId = update.versionId ?? alias.versionId;
      const weights = update.additionalVersionWeight ?? alias.additionalVersionWeight;
      checkAliasTarget(svc, versionId, weights);
      alias.versionId = versionId;
      alias.additionalVersionWeight = weights;
      if (update.description !== undefined) alias.description = update.description;
      alias.lastModifiedTime = fcTime();
      return withEtag(aliasView(alias));
    }
    if (method === 'DELETE') {
      checkEtag(call.ifMatch, aliasView(alias));
      svc.aliases.delete(alias.aliasName);
      for (const key of [...svc.provision.keys()])
        if (key.startsWith(`${alias.aliasName}/`)) svc.provision.delete(key);
      return { status: 204 };
    }
  }
  return undefined;
}

/**
 * Picks the version an alias sends this call to. FC picks at random by weight; the emulator walks an
 * accumulator instead, so that N calls give exactly round(N × weight) to the additional version.
 */
export function pickVersion(alias: AliasRecord): string {
  const [extra, weight] = Object.entries(alias.additionalVersionWeight)[0] ?? [];
  if (extra === undefined || !weight) return alias.versionId;
  const permille = Math.round(weight * 1000);
  const before = Math.floor((alias.cursor * permille) / 1000);
  alias.cursor++;
  const after = Math.floor((alias.cursor * permille) / 1000);
  return after > before ? extra : alias.versionId;
}

function publishVersion(svc: ServiceRecord, input: Json): Reply {
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

function checkAliasTarget(svc: ServiceRecord, versionId: string, weights: Record<string, number>): void {
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

function createAlias(svc: ServiceRecord, input: Json): Reply {
  const parsed = parseBody(createAliasSchema, input);
  if (svc.aliases.has(parsed.aliasName)) throw fcErrors.aliasExists(svc.serviceName, parsed.aliasName);
  const weights = parsed.additionalVersionWeight ?? {};
  checkAliasTarget(svc, parsed.versionId, weights);
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
