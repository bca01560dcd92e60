import { FgApiError, fgErrors, fieldErrorCodes } from './errors';

/**
 * Strict request-body checks, field by field, as FunctionGraph validates them: unknown fields and
 * wrong types are 400 errors naming the field. Field lists come from the SDK models and API reference
 * (reference B5-B10). A check returns the problem, or undefined when the value is fine.
 */
type Check = (value: unknown) => string | undefined;

interface BodySpec {
  required: string[];
  fields: Record<string, Check>;
}

const str =
  (max = 100_000): Check =>
  (v) =>
    typeof v !== 'string'
      ? 'must be a string'
      : v.length > max
        ? `must be at most ${max} characters`
        : undefined;
const int =
  (min: number, max: number): Check =>
  (v) =>
    typeof v !== 'number' || !Number.isInteger(v)
      ? 'must be an integer'
      : v < min || v > max
        ? `must be between ${min} and ${max}`
        : undefined;
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');
const oneOf =
  (values: readonly (string | number)[]): Check =>
  (v) =>
    values.includes(v as string) ? undefined : `must be one of ${values.join(', ')}`;
const obj =
  (spec?: BodySpec): Check =>
  (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'must be an object';
    if (!spec) return undefined;
    const problem = firstProblem(v as Record<string, unknown>, spec);
    return problem ? `${problem.field}: ${problem.message}` : undefined;
  };
const arr: Check = (v) => (Array.isArray(v) ? undefined : 'must be an array');

/**
 * FunctionGraph's runtimes: the SDK enum plus Node.js20.15, Node.js22.18 and Python3.12 from Huawei's runtime
 * table (https://support.huaweicloud.com/usermanual-functiongraph/functiongraph_01_0151.html).
 */
export const fgRuntimes = [
  'Node.js6.10',
  'Node.js8.10',
  'Node.js10.16',
  'Node.js12.13',
  'Node.js14.18',
  'Node.js16.17',
  'Node.js18.15',
  'Node.js20.15',
  'Node.js22.18',
  'Python2.7',
  'Python3.6',
  'Python3.9',
  'Python3.10',
  'Python3.12',
  'Java8',
  'Java11',
  'Java17',
  'Go1.8',
  'Go1.x',
  'C#(.NET Core 2.0)',
  'C#(.NET Core 2.1)',
  'C#(.NET Core 3.1)',
  'C#(.NET Core 6.0)',
  'PHP7.3',
  'PHP8.3',
  'Cangjie1.0',
  'Custom',
  'http',
  'Custom Image',
] as const;

/** Memory sizes (MB) FunctionGraph accepts. */
export const fgMemorySizes = [
  128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 8192, 10240,
] as const;

const funcName: Check = (v) =>
  typeof v === 'string' && /^[A-Za-z]([A-Za-z0-9_-]{0,58}[A-Za-z0-9])?$/.test(v)
    ? undefined
    : 'must be 1-60 letters, digits, "_" or "-", start with a letter and end with a letter or digit';
const handler: Check = (v) =>
  typeof v === 'string' && (v === '-' || (/\./.test(v) && v.length >= 3 && v.length <= 128))
    ? undefined
    : 'must be "file.function" (3-128 characters)';
const userData: Check = (v) => {
  if (typeof v !== 'string') return 'must be a JSON-encoded string';
  if (v === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    return 'must be a JSON object encoded as a string';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return 'must be a JSON object encoded as a string';
  if (Object.values(parsed).some((x) => typeof x !== 'string')) return 'values must be strings';
  return undefined;
};

// Every field is optional in the SDK models (Node CustomImage.d.ts, Go model_custom_image.go: `omitempty`);
// a Custom Image function still needs `image`, which createFunction checks.
const customImage: BodySpec = {
  required: [],
  fields: {
    enabled: bool,
    image: str(1024),
    command: str(5120),
    args: str(5120),
    working_dir: str(5120),
    uid: str(10),
    gid: str(10),
    is_public: bool,
  },
};

const funcCode: BodySpec = { required: [], fields: { file: str(100_000_000), link: str(2048) } };
// StrategyConfig (SDK model): concurrency = most instances of the function (v2: -1..1000, -1 unlimited,
// 0 disabled); concurrent_num = most concurrent requests per instance (v2 only; -1..200000 in current SDKs).
const strategyConfig: BodySpec = {
  required: [],
  fields: { concurrency: int(-1, 1000), concurrent_num: int(-1, 200_000) },
};

const commonConfigFields: Record<string, Check> = {
  func_name: funcName,
  runtime: oneOf(fgRuntimes),
  timeout: int(3, 259_200),
  handler,
  memory_size: oneOf(fgMemorySizes),
  user_data: userData,
  encrypted_user_data: userData,
  xrole: str(256),
  app_xrole: str(256),
  description: str(512),
  initializer_handler: str(128),
  initializer_timeout: int(1, 300),
  pre_stop_handler: str(128),
  pre_stop_timeout: int(1, 90),
  custom_image: obj(customImage),
  type: oneOf(['v1', 'v2']),
  depend_version_list: arr,
  func_vpc: obj(),
  mount_config: obj(),
  enterprise_project_id: str(64),
  log_config: obj(),
  network_controller: obj(),
  enable_lts_log: bool,
  lts_custom_tag: obj(),
  is_stateful_function: bool,
  enable_dynamic_memory: bool,
  gpu_memory: int(0, 1_000_000),
  gpu_type: str(64),
  domain_names: str(10_000),
  // KMS key for encrypted_user_data (CreateFunctionRequestBody / UpdateFunctionConfigRequestBody in the SDKs).
  user_data_encrypt_kms_key_id: str(64),
};

/** POST /functions. */
export const createFunctionBody: BodySpec = {
  required: ['func_name', 'package', 'runtime', 'timeout', 'handler', 'memory_size'],
  fields: {
    ...commonConfigFields,
    package: str(64),
    code_type: oneOf(['inline', 'zip', 'obs', 'jar', 'Custom-Image-Swr']),
    func_code: obj(funcCode),
    code_url: str(2048),
    code_filename: str(128),
    // A JSON string in the SDKs (`tags?: string` in CreateFunctionRequestBody.d.ts); an array is also taken.
    tags: (v) => (typeof v === 'string' || Array.isArray(v) ? undefined : 'must be a string or an array'),
    code_encrypt_kms_key_id: str(64),
  },
};

/** PUT /functions/{urn}/config. Code fields and package are not accepted here. */
export const updateConfigBody: BodySpec = {
  required: ['func_name', 'runtime', 'timeout', 'handler', 'memory_size'],
  fields: {
    ...commonConfigFields,
    strategy_config: obj(strategyConfig),
    peering_cidr: str(64),
    ephemeral_storage: oneOf([512, 10240]),
    enable_auth_in_header: bool,
    heartbeat_handler: str(128),
    restore_hook_handler: str(128),
    restore_hook_timeout: int(1, 300),
    enable_class_isolation: bool,
    // A JSON string in UpdateFunctionConfigRequestBody.d.ts.
    extend_config: str(10_000),
  },
};

/** PUT /functions/{urn}/code. */
export const updateCodeBody: BodySpec = {
  required: ['code_type', 'func_code'],
  fields: {
    code_type: oneOf(['inline', 'zip', 'obs', 'jar', 'Custom-Image-Swr']),
    code_url: str(2048),
    code_filename: str(128),
    func_code: obj(funcCode),
    depend_version_list: arr,
  },
};

/** PUT /functions/{urn}/config-max-instance. */
export const maxInstanceBody: BodySpec = {
  required: ['max_instance_num'],
  fields: { max_instance_num: int(-1, 1000) },
};

/** POST /functions/{urn}/versions. */
export const publishVersionBody: BodySpec = {
  required: [],
  fields: {
    version: (v) =>
      typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,41}$/.test(v)
        ? undefined
        : 'must be 1-42 letters, digits, ".", "_" or "-"',
    description: str(512),
    digest: str(256),
  },
};

const aliasName: Check = (v) =>
  typeof v === 'string' && /^[A-Za-z]([A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/.test(v)
    ? undefined
    : 'must be 1-64 letters, digits, "_" or "-", start with a letter and end with a letter or digit';
const weights: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'must be an object of version: percent';
  for (const [k, w] of Object.entries(v)) {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 100)
      return `weight of ${k} must be an integer percent 0-100`;
  }
  return undefined;
};

/** POST /functions/{urn}/aliases. */
export const createAliasBody: BodySpec = {
  required: ['name', 'version'],
  fields: {
    name: aliasName,
    version: str(64),
    description: str(512),
    additional_version_weights: weights,
    additional_version_strategy: obj(),
  },
};

/** PUT /functions/{urn}/aliases/{name}. */
export const updateAliasBody: BodySpec = {
  required: ['version'],
  fields: {
    version: str(64),
    description: str(512),
    additional_version_weights: weights,
    additional_version_strategy: obj(),
  },
};

/** POST /triggers/{urn}. `event_data` is checked per trigger type by the server. */
export const createTriggerBody: BodySpec = {
  required: ['trigger_type_code', 'event_data'],
  fields: {
    trigger_type_code: oneOf([
      'TIMER',
      'APIG',
      'CTS',
      'DDS',
      'DMS',
      'DIS',
      'LTS',
      'OBS',
      'SMN',
      'KAFKA',
      'RABBITMQ',
      'DEDICATEDGATEWAY',
      'OPENSOURCEKAFKA',
      'APIC',
      'GAUSSMONGO',
      'EVENTGRID',
      'ROCKETMQ',
      'IOTDA',
    ]),
    trigger_status: oneOf(['ACTIVE', 'DISABLED']),
    event_type_code: str(64),
    event_data: obj(),
  },
};

/** PUT /triggers/{urn}/{type}/{id}: the SDK types event_data as an array, terraform sends an object; both are accepted. */
export const updateTriggerBody: BodySpec = {
  required: [],
  fields: {
    trigger_status: oneOf(['ACTIVE', 'DISABLED']),
    event_data: (v) => (typeof v === 'object' && v !== null ? undefined : 'must be an object or an array'),
  },
};

/** TIMER event_data. */
export const timerEventData: BodySpec = {
  required: ['name', 'schedule_type', 'schedule'],
  fields: {
    name: str(64),
    schedule_type: oneOf(['Rate', 'Cron']),
    schedule: str(256),
    user_event: str(4096),
  },
};

/** OBS event_data. */
export const obsEventData: BodySpec = {
  required: ['bucket', 'events'],
  fields: {
    bucket: str(64),
    events: (v) =>
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((e) =>
        [
          'ObjectCreated',
          'Put',
          'Post',
          'Copy',
          'CompleteMultipartUpload',
          'ObjectRemoved',
          'Delete',
          'DeleteMarkerCreated',
        ].includes(e),
      )
        ? undefined
        : 'must list OBS events (ObjectCreated, Put, Post, Copy, CompleteMultipartUpload, ObjectRemoved, Delete, DeleteMarkerCreated)',
    prefix: str(1024),
    suffix: str(1024),
    name: str(64),
  },
};

const topicIds: Check = (v) =>
  Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string' && t !== '')
    ? undefined
    : 'must list at least one topic';
const kafkaFields = {
  topic_ids: topicIds,
  batch_size: int(1, 1000),
  kafka_user: str(256),
  kafka_password: str(256),
  kafka_connect_address: str(1024),
  kafka_ssl_enable: bool,
};

/**
 * KAFKA event_data: huaweicloud-sdk-go-v3 services/functiongraph/v2/model/model_trigger_event_data_request_body.go
 * (instance_id, topic_ids and batch_size 1-1000 required for KAFKA; kafka_user, kafka_password,
 * kafka_connect_address, kafka_ssl_enable optional).
 */
export const kafkaEventData: BodySpec = {
  required: ['instance_id', 'topic_ids', 'batch_size'],
  fields: { instance_id: str(64), ...kafkaFields },
};

/**
 * OPENSOURCEKAFKA event_data: the same fields; with no instance, the emulator requires the connect
 * address (the SDK's field list does not say which fields this type requires).
 */
export const openSourceKafkaEventData: BodySpec = {
  required: ['kafka_connect_address', 'topic_ids', 'batch_size'],
  fields: kafkaFields,
};

/** APIG / DEDICATEDGATEWAY event_data. */
export const apigEventData: BodySpec = {
  required: [
    'name',
    'group_id',
    'env_id',
    'env_name',
    'protocol',
    'req_method',
    'path',
    'auth',
    'type',
    'backend_type',
    'func_info',
  ],
  fields: {
    name: (v) =>
      typeof v === 'string' && /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9_\u4e00-\u9fa5]{2,63}$/.test(v)
        ? undefined
        : 'must be 3-64 letters, digits or "_", starting with a letter',
    group_id: str(64),
    // TriggerEventDataRequestBody.d.ts in the Node SDK.
    group_name: str(64),
    env_id: str(64),
    env_name: str(64),
    protocol: oneOf(['HTTP', 'HTTPS']),
    req_method: oneOf(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'ANY']),
    path: (v) => (typeof v === 'string' && v.startsWith('/') ? undefined : 'must start with "/"'),
    match_mode: oneOf(['SWA', 'NORMAL']),
    auth: oneOf(['IAM', 'APP', 'NONE']),
    type: oneOf([1, 2]),
    backend_type: oneOf(['FUNCTION']),
    sl_domain: str(256),
    instance_id: str(64),
    func_info: obj({
      required: ['timeout'],
      // ApigTriggerFuncInfo in the SDKs also carries function_urn.
      fields: {
        timeout: int(1, 60_000),
        invocation_type: oneOf(['sync', 'async']),
        version: str(64),
        function_urn: str(256),
      },
    }),
  },
};

/**
 * POST / PUT /functions/{urn}/function-url: FunctionUrlRequestBody of the SDKs. The Go SDK sends both fields
 * always (`cors` as null when unset: model_function_url_request_body.go); the Node, Java and C# SDKs leave
 * nulls out. The SDKs list no `auth_type` values; NONE and IAM are those of APIG triggers.
 */
export const functionUrlBody: BodySpec = {
  required: ['auth_type'],
  fields: {
    auth_type: oneOf(['NONE', 'IAM']),
    cors: obj({ required: [], fields: { is_cors: bool } }),
  },
};

/** PUT /functions/{urn}/reservedinstances. */
export const reservedInstancesBody: BodySpec = {
  required: ['count'],
  fields: { count: int(0, 1000), idle_mode: bool, tactics_config: obj() },
};

function firstProblem(
  body: Record<string, unknown>,
  spec: BodySpec,
): { field: string; message: string } | undefined {
  for (const key of Object.keys(body)) {
    if (!(key in spec.fields))
      return { field: key, message: `is not a known field (known: ${Object.keys(spec.fields).join(', ')})` };
  }
  for (const key of spec.required) {
    if (body[key] === undefined || body[key] === null) return { field: key, message: 'is required' };
  }
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    const problem = spec.fields[key]!(value);
    if (problem) return { field: key, message: problem };
  }
  return undefined;
}

/** Throws FunctionGraph's 400 for the first problem of a body, with the field's own FSS code where it has one. */
export function checkBody(
  body: unknown,
  spec: BodySpec,
  codeFor: (field: string) => string | undefined = (f) => fieldErrorCodes[f],
): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw fgErrors.invalidParameter('The request body must be a JSON object.');
  const problem = firstProblem(body as Record<string, unknown>, spec);
  if (problem) {
    const code = codeFor(problem.field) ?? 'FSS.0400';
    throw new FgApiError(400, code, `Invalid parameter. ${problem.field}: ${problem.message}`);
  }
  return body as Record<string, unknown>;
}
