/**
 * The shared pieces of the FunctionGraph adapter: the context every operation gets (options, API
 * client, URN builder), the lenient shapes of FunctionGraph responses, and small helpers.
 */
import type { ResolvedOptions } from '../options';
import { runtimeMap } from './capabilities';
import type { FunctionGraphClient } from './client';
import type { Marker } from './function-body';

/** What every adapter operation works with. */
export interface FgContext {
  o: ResolvedOptions;
  client: FunctionGraphClient;
  /** The function URN in the configured package, optionally with a qualifier (`latest`, a version, `!alias`). */
  urn(name: string, qualifier?: string): string;
  /** Runtime and contract per function, cached for invoke(); dropped when the function changes. */
  kinds: Map<string, { runtime: string; contract?: string }>;
}

/** FunctionGraph's function metadata, as far as the adapter reads it (lenient: unknown fields kept). */
export interface FgConfig {
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

/** A version alias, as FunctionGraph lists it. */
export interface FgAlias {
  name: string;
  version: string;
  description?: string;
  alias_urn?: string;
  additional_version_weights?: Record<string, number>;
}

/** A trigger, as FunctionGraph lists it. */
export interface FgTrigger {
  trigger_id: string;
  trigger_type_code: string;
  trigger_status?: string;
  event_data?: Record<string, unknown>;
}

/** A function URL, as GET .../function-url answers (model_show_function_url_response.go in the Go SDK). */
export interface FgFunctionUrl {
  auth_type?: string;
  cors?: { is_cors?: boolean } | null;
  function_url?: string;
}

/** Everything read() gathers, kept in LiveFunction.raw for plan(). */
export interface FgLive {
  config: FgConfig;
  marker?: Marker;
  versions: FgConfig[];
  aliases: FgAlias[];
  triggers: FgTrigger[];
  /** The function URL of the main alias, when it has one. */
  functionUrl?: FgFunctionUrl;
  reserved: number;
}

/** Fields of GET config that PUT config accepts; the rest of a read-modify-write body comes from here. */
export const updatableFields = [
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

/** The URL an http caller uses: the function URL, else a gateway trigger's invoke_url. */
export function httpUrlOf(raw: Pick<FgLive, 'functionUrl' | 'triggers'>): string | undefined {
  if (raw.functionUrl?.function_url) return raw.functionUrl.function_url;
  const api = raw.triggers.find(
    (t) => t.trigger_type_code === 'APIG' || t.trigger_type_code === 'DEDICATEDGATEWAY',
  );
  const invokeUrl = api?.event_data?.invoke_url;
  return typeof invokeUrl === 'string' ? invokeUrl : undefined;
}

/** FunctionGraph runtime → faasport runtime. */
export const reverseRuntime: Record<string, string> = Object.fromEntries(
  Object.entries(runtimeMap).map(([k, v]) => [v, k]),
);

/** The variables of a `user_data` / `encrypted_user_data` JSON string; `{}` when empty or malformed. */
export function parseEnv(text: string | undefined): Record<string, string> {
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

/** JSON when the text is JSON, else the text itself. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Alias weights without the 0 % entries. */
export function nonZero(weights: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(weights ?? {}).filter(([, w]) => w > 0));
}

/** An object without empty-string, null and undefined fields. */
export function stripEmpty(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== '' && v !== undefined && v !== null),
  );
}
