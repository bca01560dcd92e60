/** The emulator's state: functions with their latest config and code, versions, aliases, triggers. */

/** A function's code as stored. */
export interface CodeState {
  code_type: string;
  code_filename?: string;
  code_url?: string;
  bytes?: Uint8Array;
  /** sha512 hex of the code package. */
  digest: string;
  code_size: number;
}

/** A function's configuration as stored. */
export interface ConfigState {
  func_name: string;
  package: string;
  runtime: string;
  timeout: number;
  handler: string;
  memory_size: number;
  user_data: string;
  encrypted_user_data: string;
  description: string;
  initializer_handler?: string;
  initializer_timeout?: number;
  xrole?: string;
  app_xrole?: string;
  custom_image?: {
    enabled: boolean;
    image: string;
    command?: string;
    args?: string;
    working_dir?: string;
    uid?: string;
    gid?: string;
  };
  type: string;
  strategy_config: { concurrency: number; concurrent_num: number };
  /** Other accepted fields, kept and returned as given. */
  extra: Record<string, unknown>;
  last_modified: string;
}

/** A published version: a frozen copy of config and code. */
export interface VersionState {
  version: string;
  description: string;
  config: ConfigState;
  code: CodeState;
  created: string;
}

/** An alias. */
export interface AliasState {
  name: string;
  version: string;
  description: string;
  additional_version_weights?: Record<string, number>;
  additional_version_strategy?: Record<string, unknown>;
  last_modified: string;
}

/** A trigger, attached to one qualified URN. */
export interface TriggerState {
  trigger_id: string;
  trigger_type_code: string;
  trigger_status: string;
  event_type_code?: string;
  event_data: Record<string, unknown>;
  /** `latest`, a version or `!alias`. */
  qualifier: string;
  /** The emulator clock's time at creation, in ms: `Rate` and `@every` timers count from it. */
  createdAt: number;
  created_time: string;
  last_updated_time: string;
}

/** A function URL of one qualifier (`latest`, a version or `!alias`). */
export interface FunctionUrlState {
  auth_type: string;
  cors: { is_cors?: boolean } | null;
  /** The path segment the URL is served under: `/_url/{token}`. */
  token: string;
  create_time: string;
  last_modified_time: string;
}

/** Reserved instances of a version or alias. */
export interface ReservedState {
  count: number;
  idle_mode: boolean;
  tactics_config?: Record<string, unknown>;
}

/** One function. */
export interface FunctionState {
  id: string;
  package: string;
  name: string;
  latest: { config: ConfigState; code: CodeState };
  versions: Map<string, VersionState>;
  aliases: Map<string, AliasState>;
  triggers: TriggerState[];
  /** Function URLs by qualifier. */
  urls: Map<string, FunctionUrlState>;
  reserved: Map<string, ReservedState>;
  created: string;
}

/** `2019-10-25 15:37:27`, the time format of most FunctionGraph responses. */
export function fgTime(date = new Date()): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '');
}
