/** The version and alias endpoints under `/v2/{project_id}/fgs/functions/{function_urn}`. */
import { checkBody, createAliasBody, publishVersionBody, updateAliasBody } from './bodies';
import type { EmuState } from './context';
import { FgApiError, fgErrors } from './errors';
import { type AliasState, type ConfigState, type FunctionState, fgTime, type VersionState } from './state';
import { aliasView, configView, versionView } from './views';

/** Publishes the latest code and config as an immutable version. */
export function publishVersion(em: EmuState, fn: FunctionState, body: unknown) {
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

/** Lists a function's versions, `latest` first. */
export function listVersions(em: EmuState, fn: FunctionState) {
  const versions = [
    configView(em, fn, fn.latest.config, fn.latest.code, 'latest'),
    ...[...fn.versions.values()].map(versionView(em, fn)),
  ];
  return { status: 200, body: { versions, next_marker: versions.length, count: versions.length } };
}

function sameConfig(a: ConfigState, b: ConfigState): boolean {
  const strip = ({ last_modified: _l, ...rest }: ConfigState) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
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

/** Creates an alias of a version, optionally with one weighted additional version. */
export function createAlias(em: EmuState, fn: FunctionState, body: unknown) {
  const b = checkBody(body, createAliasBody, (f) =>
    f === 'name' ? 'FSS.1014' : f === 'additional_version_weights' ? 'FSS.1092' : undefined,
  );
  const name = b.name as string;
  if (fn.aliases.has(name)) throw fgErrors.aliasExists(name);
  return storeAlias(em, fn, name, b);
}

/** Replaces an alias's versions and weights. */
export function updateAlias(em: EmuState, fn: FunctionState, name: string, body: unknown) {
  const existing = fn.aliases.get(name);
  if (!existing) throw fgErrors.aliasNotFound(name);
  const b = checkBody(body, updateAliasBody, (f) =>
    f === 'additional_version_weights' ? 'FSS.1092' : undefined,
  );
  return storeAlias(em, fn, name, b);
}

/** Gets one alias. */
export function getAlias(em: EmuState, fn: FunctionState, name: string) {
  const alias = fn.aliases.get(name);
  if (!alias) throw fgErrors.aliasNotFound(name);
  return { status: 200, body: aliasView(em, fn)(alias) };
}

/** Deletes an alias that no trigger uses, with its reserved instances. */
export function deleteAlias(fn: FunctionState, name: string) {
  if (!fn.aliases.has(name)) throw fgErrors.aliasNotFound(name);
  if (fn.triggers.some((t) => t.qualifier === `!${name}`))
    throw fgErrors.forbidden('FSS.1154', `The alias ${name} has triggers and cannot be deleted.`);
  fn.aliases.delete(name);
  fn.reserved.delete(`!${name}`);
  return { status: 204 };
}
