import {
  type Adapter,
  type AdapterContext,
  canonicalJson,
  type DesiredState,
  defineAdapter,
  type ExportResult,
  type FieldChange,
  type FunctionConfig,
  type FunctionSummary,
  fromSixFieldCron,
  InvokeError,
  type InvokeOptions,
  type LiveFunction,
  type Manifest,
  type ResolvedFunction,
  type ResolvedTrafficEntry,
  type Step,
  UnsupportedFeatureError,
  ValidationError,
  zipEntries,
} from '@faasport/core';
import { unzipSync } from 'fflate';
import { type FunctionGraphAdapterOptions, resolveOptions } from '../options';
import { readShimConfig, shimFileName } from '../runtime';
import { FunctionGraphClient } from './client';
import {
  aliasDescription,
  checkForFunctionGraph,
  codeFields,
  type DesiredTrigger,
  deployedCode,
  desiredTriggers,
  functionGraphCapabilities,
  type Marker,
  mainAlias,
  managedConfig,
  parseDescription,
  revisionHashOfVersion,
  runtimeMap,
  sameTrigger,
  strategyConfig,
  versionDescription,
} from './mapping';

/** FunctionGraph's function metadata, as far as the adapter reads it (lenient: unknown fields kept). */
interface FgConfig {
  func_urn: string;
  func_name: string;
  runtime: string;
  handler: string;
  memory_size: number;
  timeout: number;
  user_data?: string;
  encrypted_user_data?: string;
  description?: string;
  initializer_handler?: string;
  initializer_timeout?: number;
  custom_image?: {
    enabled?: boolean;
    image?: string;
    command?: string;
    args?: string;
    working_dir?: string;
    uid?: string;
    gid?: string;
  };
  strategy_config?: { concurrency?: number; concurrent_num?: number };
  code_type?: string;
  code_url?: string;
  digest?: string;
  version?: string;
  version_description?: string;
  last_modified?: string;
  xrole?: string;
  [key: string]: unknown;
}

interface FgAlias {
  name: string;
  version: string;
  description?: string;
  alias_urn?: string;
  additional_version_weights?: Record<string, number>;
}

interface FgTrigger {
  trigger_id: string;
  trigger_type_code: string;
  trigger_status?: string;
  event_data?: Record<string, unknown>;
}

/** Everything read() gathers, kept in LiveFunction.raw for plan(). */
interface FgLive {
  config: FgConfig;
  marker?: Marker;
  versions: FgConfig[];
  aliases: FgAlias[];
  triggers: FgTrigger[];
  reserved: number;
}

/** Fields of GET config that PUT config accepts; the rest of a read-modify-write body comes from here. */
const updatableFields = [
  'func_name',
  'runtime',
  'timeout',
  'handler',
  'memory_size',
  'user_data',
  'encrypted_user_data',
  'xrole',
  'app_xrole',
  'description',
  'initializer_handler',
  'initializer_timeout',
  'pre_stop_handler',
  'pre_stop_timeout',
  'custom_image',
  'type',
  'strategy_config',
  'depend_version_list',
  'func_vpc',
  'mount_config',
  'enterprise_project_id',
  'log_config',
  'network_controller',
  'enable_lts_log',
  'lts_custom_tag',
  'is_stateful_function',
  'enable_dynamic_memory',
  'gpu_memory',
  'gpu_type',
  'domain_names',
  'peering_cidr',
  'ephemeral_storage',
  'enable_auth_in_header',
  'heartbeat_handler',
  'restore_hook_handler',
  'restore_hook_timeout',
  'enable_class_isolation',
] as const;

const reverseRuntime: Record<string, string> = Object.fromEntries(
  Object.entries(runtimeMap).map(([k, v]) => [v, k]),
);
const noContext: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};

/**
 * Creates the Huawei Cloud FunctionGraph adapter: deploys faasport functions through the FunctionGraph
 * v2 API (axios + an SDK-HMAC-SHA256 signer), with versions per revision, an alias carrying the
 * traffic split, an alias per tag, APIG / TIMER / OBS triggers and reserved instances.
 *
 * @example
 * ```ts
 * const adapter = createFunctionGraphAdapter({ region: 'cn-north-4', projectId: '<project id>' });
 * await deploy(adapter, defineFunction({ name: 'hello', source: { dir: './hello' },
 *   providers: { functiongraph: { apigGroupId: '<api group id>' } } }));
 * ```
 * @throws {@link ValidationError} for invalid options, {@link ConfigurationError} when region or project
 * id is missing (credentials are checked on the first API call).
 * @public
 */
export function createFunctionGraphAdapter(options: FunctionGraphAdapterOptions = {}) {
  const o = resolveOptions(options);
  const client = new FunctionGraphClient(o);
  const urn = (name: string, qualifier?: string) =>
    `urn:fss:${o.region}:${o.projectId}:function:${o.package}:${name}${qualifier ? `:${qualifier}` : ''}`;
  const kinds = new Map<string, { runtime: string; contract?: string }>();

  async function readRaw(name: string): Promise<FgLive | undefined> {
    const config = await client.call<FgConfig>(
      'GetFunctionConfig',
      'GET',
      `functions/${urn(name, 'latest')}/config`,
      { allow: [404] },
    );
    if (config.status === 404) return undefined;
    const marker = parseDescription(config.data.description).marker;
    const versions =
      (
        await client.call<{ versions?: FgConfig[] }>(
          'ListFunctionVersions',
          'GET',
          `functions/${urn(name)}/versions`,
          { query: { marker: '0', maxitems: '400' } },
        )
      ).data.versions ?? [];
    const aliases =
      (await client.call<FgAlias[]>('ListVersionAliases', 'GET', `functions/${urn(name)}/aliases`)).data ??
      [];
    const hasMain = aliases.some((a) => a.name === mainAlias);
    const triggers = hasMain
      ? ((
          await client.call<FgTrigger[]>(
            'ListFunctionTriggers',
            'GET',
            `triggers/${urn(name, `!${mainAlias}`)}`,
          )
        ).data ?? [])
      : [];
    let reserved = 0;
    if (hasMain) {
      const list = await client.call<{
        reserved_instances?: Array<{ function_urn?: string; qualifier_name?: string; min_count?: number }>;
      }>('ListReservedInstanceConfigs', 'GET', 'functions/reservedinstanceconfigs', {
        query: { function_urn: urn(name), marker: '0', limit: '100' },
      });
      reserved =
        list.data.reserved_instances?.find(
          (r) => r.qualifier_name === mainAlias || r.function_urn === urn(name, `!${mainAlias}`),
        )?.min_count ?? 0;
    }
    kinds.set(name, { runtime: config.data.runtime, ...(marker ? { contract: marker.k } : {}) });
    return {
      config: config.data,
      ...(marker ? { marker } : {}),
      versions: versions.filter((v) => v.version !== 'latest'),
      aliases,
      triggers,
      reserved,
    };
  }

  function trafficOf(aliases: FgAlias[]): ResolvedTrafficEntry[] {
    const main = aliases.find((a) => a.name === mainAlias);
    const entries: ResolvedTrafficEntry[] = [];
    if (main) {
      const extra = Object.entries(main.additional_version_weights ?? {}).filter(([, w]) => w > 0);
      const extraTotal = extra.reduce((sum, [, w]) => sum + w, 0);
      entries.push({ revision: main.version, percent: 100 - extraTotal });
      for (const [version, weight] of extra) entries.push({ revision: version, percent: weight });
    }
    for (const alias of aliases) {
      const tag = /^faasport tag (.+)$/.exec(alias.description ?? '')?.[1];
      if (!tag) continue;
      const free = entries.find((e) => e.revision === alias.version && !e.tag && e.percent > 0);
      if (free) free.tag = tag;
      else entries.push({ revision: alias.version, percent: 0, tag });
    }
    return entries.filter((e) => e.percent > 0 || e.tag);
  }

  function liveOf(name: string, raw: FgLive): LiveFunction {
    const apig = raw.triggers.find(
      (t) => t.trigger_type_code === 'APIG' || t.trigger_type_code === 'DEDICATEDGATEWAY',
    );
    const invokeUrl = apig?.event_data?.invoke_url;
    return {
      name,
      target: o.target,
      ...(raw.marker ? { specHash: raw.marker.s } : {}),
      revisions: raw.versions.map((v) => {
        const hash = revisionHashOfVersion(v.version_description);
        return {
          label: v.version!,
          id: v.func_urn,
          ...(hash ? { revisionHash: hash } : {}),
          ready: true,
          ...(v.last_modified ? { createdAt: v.last_modified } : {}),
        };
      }),
      traffic: trafficOf(raw.aliases),
      ...(typeof invokeUrl === 'string' ? { url: invokeUrl } : {}),
      config: {
        ...(reverseRuntime[raw.config.runtime] ? { runtime: reverseRuntime[raw.config.runtime] } : {}),
        env: parseEnv(raw.config.user_data),
        resources: { memory: raw.config.memory_size, timeout: raw.config.timeout },
        ...(raw.marker?.h ? { handler: raw.marker.h } : {}),
        ...(raw.marker ? { contract: raw.marker.k as ResolvedFunction['contract'] } : {}),
      },
      raw,
    };
  }

  // ----------------------------------------------------------------------------------------------
  // plan

  function configChanges(desired: DesiredState, raw: FgLive): FieldChange[] {
    const want = managedConfig(desired, o.region, 'references');
    const have = raw.config;
    const changes: FieldChange[] = [];
    for (const field of [
      'runtime',
      'handler',
      'memory_size',
      'timeout',
      'initializer_handler',
      'xrole',
    ] as const) {
      const w = want[field] ?? '';
      const h = have[field] ?? '';
      if (field === 'initializer_handler' || field === 'xrole' ? (w || '') !== (h || '') : w !== h)
        changes.push({ path: field, from: have[field], to: want[field] });
    }
    if (canonicalJson(parseEnv(have.user_data)) !== canonicalJson(desired.fn.env))
      changes.push({ path: 'env', from: parseEnv(have.user_data), to: desired.fn.env });
    const liveSecretKeys = Object.keys(parseEnv(have.encrypted_user_data)).sort();
    const wantSecretKeys = Object.keys(desired.fn.secrets).sort();
    if (
      canonicalJson(liveSecretKeys) !== canonicalJson(wantSecretKeys) ||
      raw.marker?.r !== desired.revisionHash
    ) {
      if (canonicalJson(liveSecretKeys) !== canonicalJson(wantSecretKeys))
        changes.push({ path: 'secrets', from: liveSecretKeys, to: wantSecretKeys });
    }
    if (
      want.custom_image &&
      canonicalJson(stripEmpty(have.custom_image ?? {})) !== canonicalJson(want.custom_image)
    ) {
      changes.push({ path: 'custom_image', from: have.custom_image, to: want.custom_image });
    }
    const strategy = strategyConfig(desired.fn);
    if (
      (have.strategy_config?.concurrency ?? -1) !== strategy.concurrency ||
      (have.strategy_config?.concurrent_num ?? 1) !== strategy.concurrent_num
    ) {
      changes.push({ path: 'strategy_config', from: have.strategy_config, to: strategy });
    }
    if (parseDescription(have.description).user !== (desired.fn.description || undefined))
      changes.push({
        path: 'description',
        from: parseDescription(have.description).user,
        to: desired.fn.description,
      });
    if (raw.marker?.r !== desired.revisionHash)
      changes.push({ path: 'revisionHash', from: raw.marker?.r, to: desired.revisionHash });
    if (raw.marker?.s !== desired.specHash)
      changes.push({ path: 'specHash', from: raw.marker?.s, to: desired.specHash });
    return changes;
  }

  function plan(desired: DesiredState, live: LiveFunction | undefined): Step[] {
    const fn = desired.fn;
    const raw = live?.raw as FgLive | undefined;
    const code = deployedCode(desired, o.region);
    const runtime = fn.source.kind === 'image' ? 'Custom Image' : runtimeMap[fn.runtime];
    const steps: Step[] = [];
    const triggers = desiredTriggers(fn);
    if (!raw) {
      steps.push({
        id: 'function',
        action: 'create',
        resource: `function ${fn.name}`,
        summary: `create FunctionGraph function ${fn.name} (${runtime}, ${fn.resources.memory} MB, ${fn.resources.timeout} s)`,
        changes: [
          {
            path: 'function',
            to: {
              runtime,
              memory_size: fn.resources.memory,
              timeout: fn.resources.timeout,
              code: code.hash.slice(0, 12),
            },
          },
        ],
        phase: 'revision',
      });
      steps.push({
        id: 'scaling',
        action: 'update',
        resource: `function ${fn.name} strategy`,
        summary: `set max instances ${fn.scaling.max} and ${fn.scaling.concurrency} concurrent requests per instance`,
        changes: [{ path: 'strategy_config', to: strategyConfig(fn) }],
        phase: 'revision',
      });
    } else {
      if (raw.marker?.c !== code.hash.slice(0, 32) && code.code_type !== 'Custom-Image-Swr') {
        steps.push({
          id: 'code',
          action: 'update',
          resource: `function ${fn.name} code`,
          summary: `upload code of ${fn.name} (${code.code_type === 'obs' ? code.codeUrl : `${code.zip?.length ?? 0} bytes`})`,
          changes: [{ path: 'code', from: raw.marker?.c, to: code.hash.slice(0, 32) }],
          phase: 'revision',
        });
      }
      const changes = configChanges(desired, raw);
      if (changes.length) {
        steps.push({
          id: 'config',
          action: 'update',
          resource: `function ${fn.name} config`,
          summary: `update configuration of ${fn.name} (${changes.map((c) => c.path).join(', ')})`,
          changes,
          phase: 'revision',
        });
      }
    }
    const existing = raw?.versions.find((v) => v.version === desired.revisionLabel);
    if (existing) {
      const hash = revisionHashOfVersion(existing.version_description);
      if (hash !== desired.revisionHash) {
        throw new ValidationError(
          [
            {
              path: 'revision',
              message: `version ${JSON.stringify(desired.revisionLabel)} of ${fn.name} already exists with other code or settings; FunctionGraph versions are immutable, so give this revision a new label`,
              rule: 'revision-immutable',
            },
          ],
          { subject: `function "${fn.name}"`, adapter: 'functiongraph' },
        );
      }
    } else {
      steps.push({
        id: 'version',
        action: 'publish',
        resource: `version ${desired.revisionLabel}`,
        summary: `publish version ${desired.revisionLabel} of ${fn.name}`,
        changes: [{ path: 'versions', to: desired.revisionLabel }],
        phase: 'revision',
      });
    }
    const liveTriggers = raw?.triggers ?? [];
    const kept = new Set<string>();
    for (const want of triggers) {
      const match = liveTriggers.find(
        (t) => `${t.trigger_type_code}/${String(t.event_data?.name ?? '')}` === want.key,
      );
      if (match && sameTrigger(match, want)) {
        kept.add(match.trigger_id);
        continue;
      }
      if (match) {
        kept.add(match.trigger_id);
        steps.push(triggerStep('delete', want.key, match, fn.name, 'replace'));
      }
      steps.push(triggerStep('create', want.key, want, fn.name));
    }
    for (const t of liveTriggers)
      if (!kept.has(t.trigger_id))
        steps.push(
          triggerStep(
            'delete',
            `${t.trigger_type_code}/${String(t.event_data?.name ?? t.trigger_id)}`,
            t,
            fn.name,
          ),
        );
    if ((raw?.reserved ?? 0) !== fn.scaling.min) {
      steps.push({
        id: 'reserved',
        action: 'update',
        resource: `alias ${mainAlias} reserved instances`,
        summary: `keep ${fn.scaling.min} reserved instances of ${fn.name}`,
        changes: [{ path: 'scaling.min', from: raw?.reserved ?? 0, to: fn.scaling.min }],
        phase: 'finalize',
      });
    }
    return steps;
  }

  function triggerStep(
    action: 'create' | 'delete',
    key: string,
    trigger: DesiredTrigger | FgTrigger,
    name: string,
    why?: string,
  ): Step {
    const type = 'type' in trigger ? trigger.type : trigger.trigger_type_code;
    return {
      id: `trigger-${action}:${key}`,
      action,
      resource: `trigger ${key}`,
      summary: `${action} ${type} trigger ${key.split('/')[1]} of ${name}${why ? ` (${why})` : ''}`,
      changes: [
        action === 'create'
          ? { path: `triggers.${key}`, to: (trigger as DesiredTrigger).eventData }
          : { path: `triggers.${key}`, from: (trigger as FgTrigger).event_data },
      ],
      phase: 'finalize',
      data: action === 'delete' ? { id: (trigger as FgTrigger).trigger_id, type } : { key },
    };
  }

  // ----------------------------------------------------------------------------------------------
  // apply

  async function readModifyWriteConfig(
    name: string,
    desired: DesiredState | undefined,
    extra: Record<string, unknown>,
  ): Promise<void> {
    const current = (
      await client.call<FgConfig>('GetFunctionConfig', 'GET', `functions/${urn(name, 'latest')}/config`)
    ).data;
    const body: Record<string, unknown> = {};
    for (const field of updatableFields) {
      const value = current[field];
      if (value === undefined || value === null || value === '') continue;
      if (
        (field === 'initializer_timeout' ||
          field === 'pre_stop_timeout' ||
          field === 'restore_hook_timeout') &&
        value === 0
      )
        continue;
      body[field] = value;
    }
    if (desired) {
      const managed = managedConfig(desired, o.region, 'values');
      for (const field of [
        'user_data',
        'encrypted_user_data',
        'initializer_handler',
        'initializer_timeout',
        'xrole',
      ] as const)
        delete body[field];
      Object.assign(body, managed, { strategy_config: strategyConfig(desired.fn) });
      if (body.user_data === '') delete body.user_data;
      if (body.encrypted_user_data === '') delete body.encrypted_user_data;
    }
    Object.assign(body, extra);
    await client.call('UpdateFunctionConfig', 'PUT', `functions/${urn(name, 'latest')}/config`, { body });
  }

  async function applyStep(step: Step, desired: DesiredState, _ctx: AdapterContext): Promise<void> {
    const fn = desired.fn;
    kinds.delete(fn.name);
    if (step.id === 'function') {
      const body: Record<string, unknown> = {
        ...managedConfig(desired, o.region, 'values'),
        package: o.package,
        ...codeFields(desired, o.region),
      };
      if (body.user_data === '') delete body.user_data;
      if (body.encrypted_user_data === '') delete body.encrypted_user_data;
      await client.call('CreateFunction', 'POST', 'functions', { body });
    } else if (step.id === 'scaling') {
      // strategy_config is not accepted on create; FunctionGraph takes it through the config update.
      await readModifyWriteConfig(fn.name, undefined, { strategy_config: strategyConfig(fn) });
    } else if (step.id === 'code') {
      await client.call('UpdateFunctionCode', 'PUT', `functions/${urn(fn.name, 'latest')}/code`, {
        body: codeFields(desired, o.region),
      });
    } else if (step.id === 'config') {
      await readModifyWriteConfig(fn.name, desired, {});
    } else if (step.id === 'version') {
      await client.call('PublishVersion', 'POST', `functions/${urn(fn.name)}/versions`, {
        body: { version: desired.revisionLabel, description: versionDescription(desired.revisionHash) },
      });
    } else if (step.id.startsWith('trigger-create:')) {
      const key = (step.data as { key: string }).key;
      const want = desiredTriggers(fn).find((t) => t.key === key)!;
      await client.call('CreateTrigger', 'POST', `triggers/${urn(fn.name, `!${mainAlias}`)}`, {
        body: { trigger_type_code: want.type, trigger_status: want.status, event_data: want.eventData },
      });
    } else if (step.id.startsWith('trigger-delete:')) {
      const { id, type } = step.data as { id: string; type: string };
      await client.call(
        'DeleteTrigger',
        'DELETE',
        `triggers/${urn(fn.name, `!${mainAlias}`)}/${type}/${id}`,
        { allow: [404] },
      );
    } else if (step.id === 'reserved') {
      await client.call(
        'UpdateReservedInstances',
        'PUT',
        `functions/${urn(fn.name, `!${mainAlias}`)}/reservedinstances`,
        {
          body: { count: fn.scaling.min, idle_mode: false },
        },
      );
    } else {
      throw new ValidationError([
        {
          path: 'plan',
          message: `step ${JSON.stringify(step.id)} is not a FunctionGraph step`,
          rule: 'step',
        },
      ]);
    }
  }

  async function setTraffic(
    name: string,
    traffic: ResolvedTrafficEntry[],
    _ctx: AdapterContext,
  ): Promise<void> {
    const routed = traffic.filter((t) => t.percent > 0).sort((a, b) => b.percent - a.percent);
    const byRevision = new Map<string, number>();
    for (const t of routed) byRevision.set(t.revision, (byRevision.get(t.revision) ?? 0) + t.percent);
    const targets = [...byRevision.entries()].sort((a, b) => b[1] - a[1]);
    if (targets.length === 0 || targets.length > 2) {
      throw new ValidationError(
        [
          {
            path: 'traffic',
            message: `routes to ${targets.length} revisions; a FunctionGraph alias routes to one or two`,
            rule: 'traffic-targets',
          },
        ],
        { subject: `traffic of "${name}"`, adapter: 'functiongraph' },
      );
    }
    const aliases =
      (await client.call<FgAlias[]>('ListVersionAliases', 'GET', `functions/${urn(name)}/aliases`)).data ??
      [];
    const wantMain = {
      version: targets[0]![0],
      description: aliasDescription(),
      ...(targets[1] ? { additional_version_weights: { [targets[1][0]]: targets[1][1] } } : {}),
    };
    const wantTags = new Map(traffic.filter((t) => t.tag).map((t) => [t.tag!, t.revision]));
    const upsert = async (
      aliasName: string,
      body: { version: string; description: string; additional_version_weights?: Record<string, number> },
    ) => {
      const have = aliases.find((a) => a.name === aliasName);
      if (!have) {
        await client.call('CreateVersionAlias', 'POST', `functions/${urn(name)}/aliases`, {
          body: { name: aliasName, ...body },
        });
      } else if (
        have.version !== body.version ||
        (have.description ?? '') !== body.description ||
        canonicalJson(nonZero(have.additional_version_weights)) !==
          canonicalJson(body.additional_version_weights ?? {})
      ) {
        await client.call('UpdateVersionAlias', 'PUT', `functions/${urn(name)}/aliases/${aliasName}`, {
          body,
        });
      }
    };
    await upsert(mainAlias, wantMain);
    for (const [tag, revision] of wantTags)
      await upsert(tag, { version: revision, description: aliasDescription(tag) });
    for (const alias of aliases) {
      const tag = /^faasport tag (.+)$/.exec(alias.description ?? '')?.[1];
      if (tag && !wantTags.has(tag))
        await client.call('DeleteVersionAlias', 'DELETE', `functions/${urn(name)}/aliases/${alias.name}`, {
          allow: [404],
        });
    }
  }

  // ----------------------------------------------------------------------------------------------
  // invoke

  async function kindOf(name: string): Promise<{ runtime: string; contract?: string }> {
    const cached = kinds.get(name);
    if (cached) return cached;
    const config = await client.call<FgConfig>(
      'GetFunctionConfig',
      'GET',
      `functions/${urn(name, 'latest')}/config`,
      { allow: [404] },
    );
    if (config.status === 404)
      throw new InvokeError({
        functionName: name,
        message: `it does not exist on target "${o.target}"`,
        status: 404,
        adapter: 'functiongraph',
      });
    const marker = parseDescription(config.data.description).marker;
    const kind = { runtime: config.data.runtime, ...(marker ? { contract: marker.k } : {}) };
    kinds.set(name, kind);
    return kind;
  }

  async function qualifierFor(name: string, options: InvokeOptions): Promise<string> {
    if (options.revision) return options.revision;
    if (options.tag) return `!${options.tag}`;
    const aliases = (
      await client.call<FgAlias[]>('ListVersionAliases', 'GET', `functions/${urn(name)}/aliases`, {
        allow: [404],
      })
    ).data;
    return Array.isArray(aliases) && aliases.some((a) => a.name === mainAlias) ? `!${mainAlias}` : 'latest';
  }

  async function invoke(name: string, request: Request, options: InvokeOptions = {}): Promise<Response> {
    const kind = await kindOf(name);
    const qualifier = await qualifierFor(name, options);
    const target = urn(name, qualifier);
    const bodyBytes = new Uint8Array(await request.arrayBuffer());
    const httpFunction = kind.runtime === 'http' || kind.runtime === 'Custom Image';
    const eventMode =
      options.mode === 'event' ||
      kind.contract === 'event' ||
      (kind.runtime === 'Custom Image' && options.mode !== 'http');
    if (httpFunction && !eventMode) return invokeThroughApig(name, request, bodyBytes, options);
    let payload: unknown;
    if (eventMode) {
      const text = new TextDecoder().decode(bodyBytes);
      payload = text === '' ? {} : parseJson(text);
    } else {
      payload = apigEventOf(request, bodyBytes);
    }
    if (options.async) {
      const r = await client.call<{ request_id?: string }>(
        'AsyncInvokeFunction',
        'POST',
        `functions/${target}/invocations-async`,
        { body: payload },
      );
      return new Response(JSON.stringify({ requestId: r.data.request_id }), {
        status: 202,
        headers: { 'content-type': 'application/json', 'x-cff-request-id': r.data.request_id ?? '' },
      });
    }
    const r = await client.call<{ request_id?: string; result?: string; status?: number; log?: string }>(
      'InvokeFunction',
      'POST',
      `functions/${target}/invocations`,
      {
        body: payload,
        headers: { 'X-CFF-Request-Version': 'v1', 'X-Cff-Log-Type': 'tail' },
      },
    );
    const requestId = r.data.request_id ?? r.headers['x-cff-request-id'] ?? '';
    const result =
      typeof r.data.result === 'string'
        ? r.data.result
        : typeof r.data === 'string'
          ? r.data
          : JSON.stringify(r.data.result ?? null);
    if (r.headers['x-is-func-err'] === 'true' || (r.headers['x-func-err-code'] ?? '0') !== '0') {
      const parsed = parseJson(result) as { errorMessage?: string; errorType?: string };
      throw new InvokeError({
        functionName: name,
        message:
          typeof parsed === 'object' && parsed?.errorMessage
            ? `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage} (request id ${requestId})`
            : `${result} (request id ${requestId})`,
        status: r.data.status ?? 500,
        functionError: typeof parsed === 'object' && parsed?.errorType ? parsed.errorType : 'FunctionError',
        adapter: 'functiongraph',
      });
    }
    const base = {
      'x-cff-request-id': requestId,
      'x-faasport-version': r.headers['x-cff-func-version'] ?? '',
    };
    if (!eventMode) {
      const answer = parseJson(result) as
        | { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean }
        | undefined;
      if (answer && typeof answer === 'object' && typeof answer.statusCode === 'number') {
        const bytes = answer.isBase64Encoded
          ? Buffer.from(answer.body ?? '', 'base64')
          : Buffer.from(answer.body ?? '');
        const nullBody = answer.statusCode === 204 || answer.statusCode === 304 || request.method === 'HEAD';
        return new Response(nullBody ? null : bytes, {
          status: answer.statusCode,
          headers: { ...(answer.headers ?? {}), ...base },
        });
      }
    }
    const json = parseJson(result) !== result;
    return new Response(result, {
      status: 200,
      headers: { 'content-type': json ? 'application/json' : 'text/plain; charset=utf-8', ...base },
    });
  }

  /** HTTP functions and custom images answer through their APIG trigger, as callers reach them. */
  async function invokeThroughApig(
    name: string,
    request: Request,
    body: Uint8Array,
    options: InvokeOptions,
  ): Promise<Response> {
    if (options.tag || options.revision) {
      throw new UnsupportedFeatureError({
        feature: 'traffic.tags',
        target: o.target,
        functionName: name,
        reason: 'an HTTP function is reached only through its APIG trigger on the main alias',
        instead: 'Invoke without tag or revision, or with mode: "event".',
      });
    }
    const raw = await readRaw(name);
    const apig = raw?.triggers.find(
      (t) => t.trigger_type_code === 'APIG' || t.trigger_type_code === 'DEDICATEDGATEWAY',
    );
    const invokeUrl = apig?.event_data?.invoke_url;
    if (typeof invokeUrl !== 'string') {
      throw new InvokeError({
        functionName: name,
        message:
          'it is an HTTP function without an APIG trigger; add an http trigger, or invoke with mode: "event"',
        adapter: 'functiongraph',
      });
    }
    const url = new URL(request.url);
    const target = `${invokeUrl.replace(/\/$/, '')}${url.pathname === '/' ? '' : url.pathname}${url.search}`;
    const headers = new Headers(request.headers);
    headers.delete('host');
    return fetch(target, {
      method: request.method,
      headers,
      ...(body.length && request.method !== 'GET' && request.method !== 'HEAD'
        ? { body: body as BodyInit }
        : {}),
    });
  }

  // ----------------------------------------------------------------------------------------------
  // list, remove, export, render

  async function list(_ctx: AdapterContext): Promise<FunctionSummary[]> {
    const out: FunctionSummary[] = [];
    let marker = '0';
    for (;;) {
      const page = await client.call<{ functions?: FgConfig[]; next_marker?: number; count?: number }>(
        'ListFunctions',
        'GET',
        'functions',
        {
          query: { marker, maxitems: '400', package_name: o.package },
        },
      );
      const functions = page.data.functions ?? [];
      for (const f of functions) {
        if (!parseDescription(f.description).marker) continue;
        const raw = await readRaw(f.func_name);
        if (!raw) continue;
        const live = liveOf(f.func_name, raw);
        out.push({
          name: f.func_name,
          ...(live.url ? { url: live.url } : {}),
          revisions: live.revisions.length,
          traffic: live.traffic,
        });
      }
      const next = page.data.next_marker;
      if (
        !functions.length ||
        next === undefined ||
        String(next) === marker ||
        (page.data.count !== undefined && next >= page.data.count)
      )
        break;
      marker = String(next);
    }
    return out;
  }

  async function remove(name: string, _ctx: AdapterContext): Promise<void> {
    kinds.delete(name);
    const aliases = await client.call<FgAlias[]>(
      'ListVersionAliases',
      'GET',
      `functions/${urn(name)}/aliases`,
      { allow: [404] },
    );
    if (aliases.status === 404) return;
    // An alias with triggers cannot be deleted (FSS.1154), so triggers go first.
    for (const qualifier of ['latest', ...(aliases.data ?? []).map((a) => `!${a.name}`)]) {
      const triggers = await client.call<FgTrigger[]>(
        'ListFunctionTriggers',
        'GET',
        `triggers/${urn(name, qualifier)}`,
        { allow: [404] },
      );
      if (Array.isArray(triggers.data) && triggers.data.length)
        await client.call('DeleteFunctionTriggers', 'DELETE', `triggers/${urn(name, qualifier)}`, {
          allow: [404],
        });
    }
    await client.call('DeleteFunction', 'DELETE', `functions/${urn(name)}`, { allow: [404] });
  }

  async function exportFunction(name: string, ctx: AdapterContext = noContext): Promise<ExportResult> {
    const raw = await readRaw(name);
    if (!raw)
      throw new InvokeError({
        functionName: name,
        message: `it does not exist on target "${o.target}"`,
        status: 404,
        adapter: 'functiongraph',
      });
    void ctx;
    return exportFrom(name, raw);
  }

  async function exportFrom(name: string, raw: FgLive): Promise<ExportResult> {
    const c = raw.config;
    const notes: string[] = [];
    const config: Record<string, unknown> = { name };
    const user = parseDescription(c.description).user;
    if (user) config.description = user.slice(0, 256);
    let code: Uint8Array | undefined;
    let contract = raw.marker?.k as FunctionConfig['contract'] | undefined;
    let handler = raw.marker?.h;
    if (c.runtime === 'Custom Image') {
      const image = c.custom_image ?? {};
      const [uid, gid] = [image.uid, image.gid];
      config.source = {
        image: {
          ref: image.image ?? '',
          ...(image.command ? { command: image.command.split(',') } : {}),
          ...(image.args ? { args: image.args.split(',') } : {}),
          ...(image.working_dir?.startsWith('/') ? { workdir: image.working_dir } : {}),
          port: 8000,
          ...(uid ? { user: gid && gid !== uid ? `${uid}:${gid}` : uid } : {}),
        },
      };
      contract = undefined;
      handler = undefined;
    } else if (c.code_type === 'obs' && c.code_url) {
      const m = /^https?:\/\/([^./]+)\.([^/]+)\/(.+)$/.exec(c.code_url);
      if (m)
        config.source = {
          bucket: { name: m[1]!, key: decodeURIComponent(m[3]!), endpoint: `https://${m[2]}` },
        };
      contract = 'native';
      handler = c.handler;
    } else {
      const codeResponse = await client.call<{ func_code?: { file?: string; link?: string } }>(
        'GetFunctionCode',
        'GET',
        `functions/${urn(name, 'latest')}/code`,
      );
      const file = codeResponse.data.func_code?.file;
      let bytes: Uint8Array | undefined = file ? new Uint8Array(Buffer.from(file, 'base64')) : undefined;
      const link = codeResponse.data.func_code?.link;
      if (!bytes && link) {
        const r = await fetch(link);
        if (r.ok) bytes = new Uint8Array(await r.arrayBuffer());
      }
      if (bytes) {
        let files: Record<string, Uint8Array> | undefined;
        try {
          files = unzipSync(bytes);
        } catch {
          files =
            c.code_type === 'inline' ? { [`${c.handler.replace(/\.[^.]+$/, '')}.js`]: bytes } : undefined;
        }
        if (files) {
          const shim = files[shimFileName]
            ? readShimConfig(new TextDecoder().decode(files[shimFileName]))
            : undefined;
          if (shim) {
            contract = shim.contract;
            handler = `${shim.module.replace(/\.[^.]+$/, '')}.${shim.export}`;
          } else if (c.handler !== 'faasport_shim.handler') {
            contract = 'native';
            handler = c.handler;
          }
          const entries = Object.entries(files)
            .filter(([n]) => n !== shimFileName && !n.endsWith('/'))
            .map(([n, data]) => ({ name: n, data, executable: n === 'bootstrap' }));
          code = zipEntries(entries).zip;
          config.source = { archive: `./${name}.zip` };
        }
      }
      if (!config.source) {
        notes.push('the code could not be downloaded; source points at an archive you must provide');
        config.source = { archive: `./${name}.zip` };
      }
    }
    const runtime = reverseRuntime[c.runtime];
    if (c.runtime !== 'Custom Image') {
      if (runtime) config.runtime = runtime;
      else notes.push(`runtime ${c.runtime} has no faasport equivalent; set runtime by hand`);
      if (handler) config.handler = handler;
      if (contract) config.contract = contract;
    }
    const env = parseEnv(c.user_data);
    if (Object.keys(env).length) config.env = env;
    const secretKeys = Object.keys(parseEnv(c.encrypted_user_data));
    if (secretKeys.length) {
      config.secrets = Object.fromEntries(secretKeys.map((k) => [k, { fromEnv: k }]));
      notes.push(
        `secrets ${secretKeys.join(', ')} are exported as references to environment variables of the same names; their values are not exported`,
      );
    }
    if (c.initializer_handler) config.initializer = c.initializer_handler;
    config.resources = { memory: c.memory_size, timeout: Math.min(c.timeout, 86_400) };
    const max = c.strategy_config?.concurrency;
    const perInstance = c.strategy_config?.concurrent_num;
    config.scaling = {
      ...(raw.reserved ? { min: raw.reserved } : {}),
      ...(max !== undefined && max > 0 ? { max } : {}),
      ...(perInstance !== undefined && perInstance > 1 ? { concurrency: perInstance } : {}),
    };
    const triggers: unknown[] = [];
    let apigGroupId: string | undefined;
    for (const t of raw.triggers) {
      const d = t.event_data ?? {};
      if (t.trigger_type_code === 'APIG' || t.trigger_type_code === 'DEDICATEDGATEWAY') {
        apigGroupId = String(d.group_id ?? '');
        const auth = d.auth === 'IAM' ? 'private' : d.auth === 'APP' ? 'function' : 'anonymous';
        triggers.push({
          http: { ...(d.req_method && d.req_method !== 'ANY' ? { methods: [d.req_method] } : {}), auth },
        });
      } else if (t.trigger_type_code === 'TIMER') {
        const cron = d.schedule_type === 'Cron' ? fromSixFieldCron(String(d.schedule ?? '')) : undefined;
        if (!cron) {
          notes.push(
            `timer ${String(d.name)} (${String(d.schedule_type)} ${String(d.schedule)}) has no 5-field cron form; it was left out`,
          );
          continue;
        }
        const payload = d.user_event === undefined ? undefined : parseJson(String(d.user_event));
        triggers.push({
          schedule: {
            cron,
            timezone: 'UTC',
            ...(payload === undefined ? {} : { payload }),
            ...(t.trigger_status === 'DISABLED' ? { enabled: false } : {}),
          },
        });
      } else if (t.trigger_type_code === 'OBS') {
        const events = [
          ...new Set(
            ((d.events as string[] | undefined) ?? []).map((e) =>
              /Removed|Delete/.test(e) ? 'deleted' : 'created',
            ),
          ),
        ];
        triggers.push({
          storage: {
            bucket: String(d.bucket),
            ...(events.length ? { events } : {}),
            ...(d.prefix ? { prefix: d.prefix } : {}),
            ...(d.suffix ? { suffix: d.suffix } : {}),
          },
        });
      } else {
        notes.push(`a ${t.trigger_type_code} trigger has no faasport equivalent; it was left out`);
      }
    }
    config.triggers = triggers;
    if (apigGroupId) config.providers = { functiongraph: { apigGroupId } };
    const traffic = trafficOf(raw.aliases);
    if (traffic.length) config.traffic = traffic;
    const latestVersion = [...raw.versions].pop()?.version;
    if (latestVersion && !traffic.some((t) => t.revision === latestVersion)) config.revision = latestVersion;
    for (const alias of raw.aliases) {
      if (alias.name !== mainAlias && !/^faasport tag /.test(alias.description ?? ''))
        notes.push(
          `alias ${alias.name} (version ${alias.version}) is not managed by faasport and was left out`,
        );
    }
    if (raw.versions.length)
      notes.push(
        `versions ${raw.versions.map((v) => v.version).join(', ')} exist on FunctionGraph; only the deployed code of latest is exported`,
      );
    return { config: config as unknown as FunctionConfig, ...(code ? { code } : {}), notes };
  }

  function render(desired: DesiredState): Manifest[] {
    const fn = desired.fn;
    const base = `/v2/${o.projectId}/fgs`;
    const manifests: Manifest[] = [
      {
        name: `${fn.name}.create-function.json`,
        format: 'json',
        request: { method: 'POST', path: `${base}/functions` },
        content: {
          ...managedConfig(desired, o.region, 'references'),
          package: o.package,
          ...codeFields(desired, o.region),
        },
      },
      {
        name: `${fn.name}.update-config.json`,
        format: 'json',
        request: { method: 'PUT', path: `${base}/functions/${urn(fn.name, 'latest')}/config` },
        content: { ...managedConfig(desired, o.region, 'references'), strategy_config: strategyConfig(fn) },
      },
      {
        name: `${fn.name}.publish-version.json`,
        format: 'json',
        request: { method: 'POST', path: `${base}/functions/${urn(fn.name)}/versions` },
        content: { version: desired.revisionLabel, description: versionDescription(desired.revisionHash) },
      },
    ];
    const routed = desired.traffic.filter((t) => t.percent > 0).sort((a, b) => b.percent - a.percent);
    if (routed[0]) {
      manifests.push({
        name: `${fn.name}.alias-${mainAlias}.json`,
        format: 'json',
        request: { method: 'POST', path: `${base}/functions/${urn(fn.name)}/aliases` },
        content: {
          name: mainAlias,
          version: routed[0].revision,
          description: aliasDescription(),
          ...(routed[1] ? { additional_version_weights: { [routed[1].revision]: routed[1].percent } } : {}),
        },
      });
    }
    for (const t of desired.traffic.filter((e) => e.tag)) {
      manifests.push({
        name: `${fn.name}.alias-${t.tag}.json`,
        format: 'json',
        request: { method: 'POST', path: `${base}/functions/${urn(fn.name)}/aliases` },
        content: { name: t.tag, version: t.revision, description: aliasDescription(t.tag) },
      });
    }
    for (const t of desiredTriggers(fn)) {
      manifests.push({
        name: `${fn.name}.trigger-${t.type.toLowerCase()}-${t.eventData.name as string}.json`,
        format: 'json',
        request: { method: 'POST', path: `${base}/triggers/${urn(fn.name, `!${mainAlias}`)}` },
        content: { trigger_type_code: t.type, trigger_status: t.status, event_data: t.eventData },
      });
    }
    if (fn.scaling.min > 0) {
      manifests.push({
        name: `${fn.name}.reserved-instances.json`,
        format: 'json',
        request: {
          method: 'PUT',
          path: `${base}/functions/${urn(fn.name, `!${mainAlias}`)}/reservedinstances`,
        },
        content: { count: fn.scaling.min, idle_mode: false },
      });
    }
    return manifests;
  }

  const adapter = defineAdapter({
    specificationVersion: 'v1' as const,
    name: 'functiongraph',
    capabilities: functionGraphCapabilities,
    check: checkForFunctionGraph,
    async read(name: string, _ctx?: AdapterContext) {
      const raw = await readRaw(name);
      return raw ? liveOf(name, raw) : undefined;
    },
    plan,
    applyStep,
    setTraffic,
    invoke,
    list,
    remove,
    export: exportFunction,
    render,
  } satisfies Adapter);
  return adapter;
}

/** The FunctionGraph adapter's type. @public */
export type FunctionGraphAdapter = ReturnType<typeof createFunctionGraphAdapter>;

function parseEnv(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, string>)
      : {};
  } catch {
    return {};
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function nonZero(weights: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(weights ?? {}).filter(([, w]) => w > 0));
}

function stripEmpty(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== '' && v !== undefined && v !== null),
  );
}

/** An APIG trigger event for a Request: what the gateway sends a function (base64 body). */
function apigEventOf(request: Request, body: Uint8Array): Record<string, unknown> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => {
    headers[k] = v;
  });
  headers.host ??= url.host;
  // APIG's documented events show one value per key; a repeated key is passed as an array so no value is lost.
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return {
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      apiId: 'faasport-invoke',
      requestId: crypto.randomUUID().replace(/-/g, ''),
      stage: 'RELEASE',
    },
    queryStringParameters: query,
    pathParameters: {},
    httpMethod: request.method,
    path: url.pathname,
    headers,
  };
}
