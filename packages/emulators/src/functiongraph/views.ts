import type { EmuState } from './context';
import { fgErrors } from './errors';
import type { AliasState, CodeState, ConfigState, FunctionState, TriggerState, VersionState } from './state';
import { functionUrn, parseFunctionUrn } from './urn';

/** The map key of a function. */
export const key = (pkg: string, name: string) => `${pkg}/${name}`;
/** The unqualified URN of a function. */
export function urnOf(em: EmuState, fn: { package: string; name: string }): string {
  return functionUrn(em.region, em.projectId, fn.package, fn.name);
}

/** The function a `{function_urn}` path parameter names, and its qualifier; 404 FSS.1051 when missing. */
export function find(em: EmuState, raw: string): { fn: FunctionState; qualifier?: string } {
  const { projectId, functions } = em;
  const ref = parseFunctionUrn(raw, projectId);
  const fn = functions.get(key(ref.package, ref.name));
  if (!fn) throw fgErrors.functionNotFound();
  return { fn, ...(ref.qualifier ? { qualifier: ref.qualifier } : {}) };
}

/** The config and code a qualifier names (latest, a version, or an alias's main version). */
export function snapshotOf(
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

/** A function's metadata as GET .../config returns it. */
export function configView(
  em: EmuState,
  fn: FunctionState,
  config: ConfigState,
  code: CodeState,
  version: string,
  extra: Record<string, unknown> = {},
) {
  const { projectId, region } = em;
  return {
    func_id: fn.id,
    resource_id: `${fn.id}:${version}`,
    func_urn: `${urnOf(em, fn)}:${version}`,
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
/** A function's code as GET .../code returns it. */
export function codeView(
  em: EmuState,
  fn: FunctionState,
  code: CodeState,
  config: ConfigState,
  version: string,
) {
  return {
    func_urn: `${urnOf(em, fn)}:${version}`,
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

/** A version as FunctionGraph returns it. */
export const versionView = (em: EmuState, fn: FunctionState) => (v: VersionState) =>
  configView(em, fn, v.config, v.code, v.version, {
    version_description: v.description,
    last_modified: v.created,
  });

/** An alias as FunctionGraph returns it. */
export const aliasView = (em: EmuState, fn: FunctionState) => (a: AliasState) => ({
  name: a.name,
  version: a.version,
  description: a.description,
  last_modified: a.last_modified,
  alias_urn: `${urnOf(em, fn)}:!${a.name}`,
  additional_version_weights: a.additional_version_weights ?? {},
  ...(a.additional_version_strategy ? { additional_version_strategy: a.additional_version_strategy } : {}),
});

/** A trigger as FunctionGraph returns it. */
export function triggerView(_em: EmuState, _fn: FunctionState, t: TriggerState) {
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
