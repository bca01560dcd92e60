import {
  type Capabilities,
  type CheckIssue,
  canonicalJson,
  type DesiredState,
  type ResolvedFunction,
  type ResolvedTrigger,
  toFunctionGraphCron,
  ValidationError,
  zipEntries,
} from '@faasport/core';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { shimFileName, shimHandler, shimSource } from '../runtime';

/** The alias that carries a function's traffic split; tags get one alias each. @public */
export const mainAlias = 'main';

/** faasport runtime → FunctionGraph runtime. @public */
export const runtimeMap: Record<string, string> = {
  nodejs18: 'Node.js18.15',
  nodejs20: 'Node.js20.15',
  'python3.9': 'Python3.9',
  'python3.10': 'Python3.10',
  custom: 'http',
};

/** Memory sizes FunctionGraph accepts, in MB. @public */
export const memorySizes = [
  128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 8192, 10240,
] as const;

/** Most environment variables in `user_data` (FSS.1017), and most bytes of its JSON (the API doc; FSS.1018 says 2 KB). */
export const userDataLimits = { keys: 20, bytes: 4096 } as const;

/** What FunctionGraph can do, as faasport features and limits. @public */
export const functionGraphCapabilities: Capabilities = {
  features: {
    'source.inline': 'native',
    'source.dir': 'native',
    'source.archive': 'native',
    'source.bucket': {
      level: 'native',
      note: 'OBS code_url; the archive is deployed as-is, so use contract native',
    },
    'source.image': { level: 'native', note: 'custom image (Custom-Image-Swr) serving port 8000' },
    'contract.web': { level: 'emulated', note: 'a bundled shim maps APIG events to Request/Response' },
    'contract.event': {
      level: 'emulated',
      note: 'a bundled shim delivers timer and OBS events as CloudEvents',
    },
    'contract.native': 'native',
    'trigger.http': {
      level: 'native',
      note: 'an APIG trigger in the group providers.functiongraph.apigGroupId',
    },
    'trigger.http.private': { level: 'native', note: 'auth function → APIG APP auth, private → IAM auth' },
    'trigger.schedule': { level: 'native', note: 'TIMER trigger, 6-field cron in UTC' },
    'trigger.storage': { level: 'native', note: 'OBS trigger' },
    'trigger.queue': {
      level: 'unsupported',
      instead:
        'Create a DMS / Kafka trigger in FunctionGraph directly; faasport does not map queues here yet.',
    },
    'trigger.event': {
      level: 'unsupported',
      instead: 'Use an EventGrid trigger created in FunctionGraph directly, or deploy to knative or local.',
    },
    'traffic.split': {
      level: 'native',
      note: 'alias with additional_version_weights: two revisions, whole percents',
    },
    'traffic.tags': { level: 'emulated', note: 'one alias per tag' },
    'scaling.min': { level: 'native', note: 'reserved instances on the main alias' },
    'scaling.max': 'native',
    'scaling.concurrency': 'native',
    'scaling.toZero': 'native',
    secrets: { level: 'native', note: 'encrypted_user_data' },
    domains: { level: 'unsupported', instead: 'Bind the domain to the APIG API group in the APIG console.' },
    initializer: 'native',
    'visibility.private': {
      level: 'unsupported',
      instead: 'Use an http trigger with auth: private (APIG IAM auth) instead.',
    },
  },
  limits: {
    memoryMb: { min: 128, max: 10240, values: memorySizes, description: memorySizes.join(', ') },
    timeoutSeconds: { min: 3, max: 259_200, description: '3-259200 seconds' },
    concurrency: { min: 1, max: 1000, description: '1-1000 requests per instance' },
    trafficTargets: 2,
    codeBytes: 50 * 1024 * 1024,
    payloadBytes: 6 * 1024 * 1024,
    name: {
      pattern: /^[A-Za-z]([A-Za-z0-9_-]{0,58}[A-Za-z0-9])?$/,
      maxLength: 60,
      description:
        '1-60 letters, digits, "_" or "-", starting with a letter and ending with a letter or digit',
    },
    runtimes: Object.keys(runtimeMap),
  },
};

/** `providers.functiongraph` of a function: FunctionGraph-only settings. @public */
export const functionGraphProviderSchema = z.strictObject({
  /** The APIG API group http triggers publish into (required for http triggers). */
  apigGroupId: z.string().min(1).optional(),
  /** The APIG environment id; default the RELEASE environment. */
  apigEnvId: z.string().min(1).optional(),
  /** The APIG environment name; default `RELEASE`. */
  apigEnvName: z.string().min(1).optional(),
  /** The API path of http triggers; default `/<function name>`. */
  apigPath: z.string().regex(/^\//, { error: 'must start with "/"' }).optional(),
  /** `HTTPS` (default) or `HTTP`. */
  apigProtocol: z.enum(['HTTP', 'HTTPS']).optional(),
  /** The agency (IAM delegation) the function runs with; needed to pull images from SWR. */
  xrole: z.string().min(1).optional(),
});

/** Provider options of a function, validated. */
export type ProviderOptions = z.infer<typeof functionGraphProviderSchema>;

/** Reads `fn.providers.functiongraph`; throws ValidationError naming the field. */
export function providerOptions(fn: ResolvedFunction): ProviderOptions {
  const parsed = functionGraphProviderSchema.safeParse(fn.providers.functiongraph ?? {});
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((i) => ({
      path: ['providers', 'functiongraph', ...i.path.map(String)].join('.'),
      message: i.message,
      rule: i.code,
    })),
    { subject: `function "${fn.name}"`, adapter: 'functiongraph' },
  );
}

const defaultApigEnvId = 'DEFAULT_ENVIRONMENT_RELEASE_ID';

/** The offline checks beyond declared capabilities. */
export function checkForFunctionGraph(fn: ResolvedFunction): CheckIssue[] {
  const issues: CheckIssue[] = [];
  let provider: ProviderOptions = {};
  try {
    provider = providerOptions(fn);
  } catch (error) {
    for (const i of (error as ValidationError).issues)
      issues.push({ severity: 'error', feature: 'provider-options', path: i.path, message: i.message });
  }
  const isImage = fn.source.kind === 'image';
  if (fn.triggers.some((t) => t.kind === 'http') && !provider.apigGroupId) {
    issues.push({
      severity: 'error',
      feature: 'provider-options',
      path: 'providers.functiongraph.apigGroupId',
      message:
        'an http trigger is published as an APIG API, which needs the API group: providers.functiongraph.apigGroupId is not set',
      hint: 'Create an API group in APIG and set providers: { functiongraph: { apigGroupId: "<group id>" } }, or remove the http trigger.',
    });
  }
  if (!isImage && fn.contract !== 'native' && !fn.runtime.startsWith('nodejs')) {
    issues.push({
      severity: 'error',
      feature: 'contract',
      path: 'contract',
      message: `the ${fn.contract} contract runs through a Node.js shim, so it needs a nodejs runtime (runtime is ${JSON.stringify(fn.runtime)})`,
      hint: 'Use runtime nodejs20, or contract: native with a FunctionGraph handler.',
    });
  }
  if (fn.source.kind === 'bucket' && fn.contract !== 'native') {
    issues.push({
      severity: 'error',
      feature: 'contract',
      path: 'contract',
      message: `an OBS bucket source is deployed as-is, so the ${fn.contract} contract's shim cannot be added`,
      hint: 'Use contract: native with a FunctionGraph handler, or a dir / archive source.',
    });
  }
  if (fn.runtime === 'custom' && !isImage && fn.contract !== 'native') {
    issues.push({
      severity: 'error',
      feature: 'contract',
      path: 'contract',
      message:
        'runtime custom deploys an HTTP function (a bootstrap file serving port 8000); set contract: native',
    });
  }
  if (fn.source.kind === 'image') {
    const image = fn.source;
    if (image.port !== 8000) {
      issues.push({
        severity: 'warning',
        feature: 'source.image',
        path: 'source.image.port',
        message: `FunctionGraph sends requests to port 8000; the image must listen there (source.image.port ${image.port} is not used)`,
      });
    }
    for (const [field, list] of [
      ['command', image.command],
      ['args', image.args],
    ] as const) {
      if (list?.some((part) => part.includes(','))) {
        issues.push({
          severity: 'error',
          feature: 'source.image',
          path: `source.image.${field}`,
          message: `FunctionGraph takes ${field} as one comma-separated string, so no part may contain ","`,
        });
      }
    }
    const joined = [image.command?.join(','), image.args?.join(','), image.workdir]
      .filter(Boolean)
      .join('').length;
    if (joined > 5120) {
      issues.push({
        severity: 'error',
        feature: 'source.image',
        path: 'source.image',
        message: `command, args and workdir take ${joined} characters`,
        actual: joined,
        allowed: 'at most 5120 characters together',
      });
    }
    if (image.user && /^0(:|$)/.test(image.user)) {
      issues.push({
        severity: 'error',
        feature: 'source.image',
        path: 'source.image.user',
        message: 'FunctionGraph never runs images as root (uid 0)',
        actual: image.user,
        allowed: 'a uid other than 0 (default 1003)',
      });
    }
  }
  if (fn.resources.cpu !== undefined) {
    issues.push({
      severity: 'warning',
      feature: 'resources.cpu',
      path: 'resources.cpu',
      message: `FunctionGraph sizes CPU from memory; resources.cpu ${fn.resources.cpu} is not applied (raise resources.memory for more CPU)`,
    });
  }
  if (fn.resources.disk !== undefined) {
    issues.push({
      severity: 'warning',
      feature: 'resources.disk',
      path: 'resources.disk',
      message: `resources.disk ${fn.resources.disk} is not applied; FunctionGraph functions get its default ephemeral storage`,
    });
  }
  const envKeys = Object.keys(fn.env);
  if (envKeys.length > userDataLimits.keys) {
    issues.push({
      severity: 'error',
      feature: 'env',
      path: 'env',
      message: `${envKeys.length} environment variables`,
      actual: envKeys.length,
      allowed: `at most ${userDataLimits.keys} variables (user_data)`,
    });
  }
  const envBytes = Buffer.byteLength(canonicalJson(fn.env));
  if (envBytes > userDataLimits.bytes) {
    issues.push({
      severity: 'error',
      feature: 'env',
      path: 'env',
      message: `the environment takes ${envBytes} bytes as JSON`,
      actual: envBytes,
      allowed: `at most ${userDataLimits.bytes} bytes (user_data)`,
    });
  }
  if (Object.keys(fn.secrets).length > userDataLimits.keys) {
    issues.push({
      severity: 'error',
      feature: 'secrets',
      path: 'secrets',
      message: `${Object.keys(fn.secrets).length} secrets`,
      actual: Object.keys(fn.secrets).length,
      allowed: `at most ${userDataLimits.keys} secrets (encrypted_user_data)`,
    });
  }
  if (fn.scaling.max > 1000) {
    issues.push({
      severity: 'error',
      feature: 'scaling.max',
      path: 'scaling.max',
      message: `max instances ${fn.scaling.max}`,
      actual: fn.scaling.max,
      allowed: '1-1000 instances',
    });
  }
  if (fn.scaling.min > 1000) {
    issues.push({
      severity: 'error',
      feature: 'scaling.min',
      path: 'scaling.min',
      message: `reserved instances ${fn.scaling.min}`,
      actual: fn.scaling.min,
      allowed: '0-1000 reserved instances',
    });
  }
  for (const t of fn.traffic) {
    if (t.tag && (t.tag === mainAlias || !/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(t.tag))) {
      issues.push({
        severity: 'error',
        feature: 'traffic.tags',
        path: 'traffic',
        message: `tag ${JSON.stringify(t.tag)} cannot be a FunctionGraph alias (start with a letter; "${mainAlias}" is the alias faasport routes through)`,
      });
    }
  }
  for (const t of fn.triggers) {
    if (t.kind === 'schedule') {
      try {
        toFunctionGraphCron(t.cron, t.timezone);
      } catch (error) {
        issues.push({
          severity: 'error',
          feature: 'trigger.schedule',
          path: 'triggers',
          message: `schedule ${JSON.stringify(t.cron)} in ${t.timezone}: ${(error as Error).message}`,
          hint: 'Write the cron in UTC, or use a time zone without daylight saving.',
        });
      }
    }
    if (t.kind === 'http' && t.methods.length > 1 && t.methods.length < 7) {
      issues.push({
        severity: 'warning',
        feature: 'trigger.http',
        path: 'triggers',
        message: `an APIG API takes one method or ANY; methods ${t.methods.join(', ')} are published as ANY`,
      });
    }
  }
  return issues;
}

/** The faasport data kept in a function's description, so read() can tell what is deployed. */
export interface Marker {
  /** specHash */
  s: string;
  /** revisionHash */
  r: string;
  /** hash of the deployed code package (first 32 hex) */
  c: string;
  /** the portable handler */
  h?: string;
  /** the contract */
  k: string;
}

const markerPrefix = 'faasport:';

/** The function description: the user's text, then the marker, within FunctionGraph's 512 characters. */
export function descriptionWith(userDescription: string | undefined, marker: Marker): string {
  const text = `${markerPrefix}${JSON.stringify(marker)}`;
  const room = 512 - text.length - 1;
  const user = (userDescription ?? '').slice(0, Math.max(0, room));
  return user ? `${user}\n${text}` : text;
}

/** The marker and user text of a description. */
export function parseDescription(description: string | undefined): { user?: string; marker?: Marker } {
  if (!description) return {};
  const at = description.lastIndexOf(markerPrefix);
  if (at < 0) return { user: description };
  try {
    const marker = JSON.parse(description.slice(at + markerPrefix.length)) as Marker;
    const user = description.slice(0, at).replace(/\n$/, '');
    return { ...(user ? { user } : {}), marker };
  } catch {
    return { user: description };
  }
}

/** Version descriptions hold the revision hash. */
export const versionDescription = (revisionHash: string) => `faasport revision ${revisionHash}`;
/** The revision hash of a version description, if faasport wrote it. */
export const revisionHashOfVersion = (description: string | undefined) =>
  /^faasport revision ([0-9a-f]{64})$/.exec(description ?? '')?.[1];
/** Alias descriptions mark the aliases faasport manages. */
export const aliasDescription = (tag?: string) => (tag ? `faasport tag ${tag}` : 'faasport main');

/** The code package as deployed: the user's files plus the shim for the web and event contracts. */
export interface DeployedCode {
  code_type: 'zip' | 'obs' | 'Custom-Image-Swr';
  zip?: Uint8Array;
  codeUrl?: string;
  /** Hash of what is deployed (package entries, OBS reference or image). */
  hash: string;
  handler: string;
}

const codeCache = new WeakMap<DesiredState, DeployedCode>();

/** Builds (once per desired state) the code package FunctionGraph receives. */
export function deployedCode(desired: DesiredState, region: string): DeployedCode {
  const cached = codeCache.get(desired);
  if (cached) return cached;
  const fn = desired.fn;
  let code: DeployedCode;
  if (fn.source.kind === 'image') {
    code = { code_type: 'Custom-Image-Swr', hash: desired.artifact.codeHash, handler: '-' };
  } else if (fn.source.kind === 'bucket') {
    const s = fn.source;
    const host = s.endpoint ? new URL(s.endpoint).host : `obs.${s.region ?? region}.myhuaweicloud.com`;
    code = {
      code_type: 'obs',
      codeUrl: `https://${s.name}.${host}/${s.key.split('/').map(encodeURIComponent).join('/')}`,
      hash: desired.artifact.codeHash,
      handler: fn.handler ?? 'index.handler',
    };
  } else if (fn.contract === 'native') {
    code = {
      code_type: 'zip',
      zip: desired.artifact.zip!,
      hash: desired.artifact.codeHash,
      handler: fn.handler ?? (fn.runtime === 'custom' ? 'bootstrap' : 'index.handler'),
    };
  } else {
    const files = unzipSync(desired.artifact.zip!);
    const handler = fn.handler ?? 'index.default';
    const dot = handler.lastIndexOf('.');
    const moduleName = handler.slice(0, dot);
    const exportName = handler.slice(dot + 1);
    const module = ['.mjs', '.js', '.cjs']
      .map((ext) => `${moduleName}${ext}`)
      .find((name) => files[name] !== undefined);
    if (!module) {
      throw new ValidationError(
        [
          {
            path: 'handler',
            message: `${JSON.stringify(handler)} names module "${moduleName}", but the code has no ${moduleName}.mjs, .js or .cjs (files: ${Object.keys(files).slice(0, 10).join(', ')})`,
            rule: 'handler-module',
          },
        ],
        { subject: `function "${fn.name}"`, adapter: 'functiongraph' },
      );
    }
    const shim = shimSource({
      module,
      export: exportName,
      contract: fn.contract as 'web' | 'event',
      functionName: fn.name,
      revision: desired.revisionLabel,
    });
    const entries = Object.entries(files)
      .filter(([name]) => !name.endsWith('/') && name !== shimFileName)
      .map(([name, data]) => ({ name, data, executable: false }));
    entries.push({ name: shimFileName, data: new TextEncoder().encode(shim), executable: false });
    const artifact = zipEntries(entries);
    code = { code_type: 'zip', zip: artifact.zip!, hash: artifact.codeHash, handler: shimHandler };
  }
  codeCache.set(desired, code);
  return code;
}

/** The config fields faasport manages, as FunctionGraph takes them (secret values only when `secrets` is given). */
export function managedConfig(
  desired: DesiredState,
  region: string,
  secrets: 'values' | 'references',
): Record<string, unknown> {
  const fn = desired.fn;
  const provider = providerOptions(fn);
  const code = deployedCode(desired, region);
  const isImage = fn.source.kind === 'image';
  const secretKeys = Object.keys(fn.secrets).sort();
  const secretData = Object.fromEntries(
    secretKeys.map((k) => [k, secrets === 'values' ? (desired.secretValues[k] ?? '') : `\${secret:${k}}`]),
  );
  const out: Record<string, unknown> = {
    func_name: fn.name,
    runtime: isImage ? 'Custom Image' : runtimeMap[fn.runtime],
    timeout: fn.resources.timeout,
    handler: code.handler,
    memory_size: fn.resources.memory,
    type: 'v2',
    user_data: Object.keys(fn.env).length ? canonicalJson(fn.env) : '',
    encrypted_user_data: secretKeys.length ? canonicalJson(secretData) : '',
    description: descriptionWith(fn.description, {
      s: desired.specHash,
      r: desired.revisionHash,
      c: code.hash.slice(0, 32),
      ...(fn.handler ? { h: fn.handler } : {}),
      k: fn.contract,
    }),
    ...(fn.initializer
      ? {
          initializer_handler: fn.initializer,
          initializer_timeout: Math.min(300, Math.max(1, fn.resources.timeout)),
        }
      : {}),
    ...(provider.xrole ? { xrole: provider.xrole } : {}),
  };
  if (fn.source.kind === 'image') {
    const image = fn.source;
    const [uid, gid] = (image.user ?? '').split(':');
    out.custom_image = {
      enabled: true,
      image: image.ref,
      ...(image.command?.length ? { command: image.command.join(',') } : {}),
      ...(image.args?.length ? { args: image.args.join(',') } : {}),
      ...(image.workdir ? { working_dir: image.workdir } : {}),
      ...(uid ? { uid, gid: gid ?? uid } : {}),
    };
  }
  return out;
}

/** The strategy_config for scaling: max instances and requests per instance. */
export function strategyConfig(fn: ResolvedFunction): { concurrency: number; concurrent_num: number } {
  return { concurrency: fn.scaling.max, concurrent_num: fn.scaling.concurrency };
}

/** The code fields of a create or update-code body. */
export function codeFields(desired: DesiredState, region: string): Record<string, unknown> {
  const code = deployedCode(desired, region);
  if (code.code_type === 'Custom-Image-Swr') return { code_type: 'Custom-Image-Swr' };
  if (code.code_type === 'obs') return { code_type: 'obs', code_url: code.codeUrl };
  return {
    code_type: 'zip',
    code_filename: 'index.zip',
    func_code: { file: Buffer.from(code.zip!).toString('base64') },
  };
}

/** A trigger as faasport wants it on FunctionGraph. */
export interface DesiredTrigger {
  /** `TYPE/name`, the identity used to match live triggers. */
  key: string;
  type: 'APIG' | 'TIMER' | 'OBS';
  status: 'ACTIVE' | 'DISABLED';
  eventData: Record<string, unknown>;
  /** The trigger it came from. */
  name: string;
}

/** A FunctionGraph-safe trigger name: letters, digits and `_`, starting with a letter, 3-64 characters. */
function triggerName(fn: ResolvedFunction, trigger: ResolvedTrigger): string {
  const base = `${fn.name}_${trigger.name}`.replace(/[^A-Za-z0-9_]/g, '_');
  const named = /^[A-Za-z]/.test(base) ? base : `f_${base}`;
  return named.padEnd(3, '_').slice(0, 64);
}

const storageEvents = { created: 'ObjectCreated', deleted: 'ObjectRemoved' } as const;
const authModes = { anonymous: 'NONE', function: 'APP', private: 'IAM' } as const;

/** The triggers of a function, as FunctionGraph trigger bodies. */
export function desiredTriggers(fn: ResolvedFunction): DesiredTrigger[] {
  const provider = providerOptions(fn);
  const out: DesiredTrigger[] = [];
  for (const t of fn.triggers) {
    const name = triggerName(fn, t);
    if (t.kind === 'http') {
      out.push({
        key: `APIG/${name}`,
        type: 'APIG',
        status: 'ACTIVE',
        name: t.name,
        eventData: {
          name,
          group_id: provider.apigGroupId ?? '',
          env_id: provider.apigEnvId ?? defaultApigEnvId,
          env_name: provider.apigEnvName ?? 'RELEASE',
          protocol: provider.apigProtocol ?? 'HTTPS',
          req_method: t.methods.length === 1 ? t.methods[0] : 'ANY',
          path: provider.apigPath ?? `/${fn.name}`,
          match_mode: 'SWA',
          auth: authModes[t.auth],
          type: 1,
          backend_type: 'FUNCTION',
          func_info: { timeout: Math.min(60_000, fn.resources.timeout * 1000), invocation_type: 'sync' },
        },
      });
    } else if (t.kind === 'schedule') {
      out.push({
        key: `TIMER/${name}`,
        type: 'TIMER',
        status: t.enabled ? 'ACTIVE' : 'DISABLED',
        name: t.name,
        eventData: {
          name,
          schedule_type: 'Cron',
          schedule: toFunctionGraphCron(t.cron, t.timezone),
          ...(t.payload === undefined
            ? {}
            : { user_event: typeof t.payload === 'string' ? t.payload : JSON.stringify(t.payload) }),
        },
      });
    } else if (t.kind === 'storage') {
      out.push({
        key: `OBS/${name}`,
        type: 'OBS',
        status: 'ACTIVE',
        name: t.name,
        eventData: {
          name,
          bucket: t.bucket,
          events: [...new Set(t.events.map((e) => storageEvents[e]))].sort(),
          ...(t.prefix ? { prefix: t.prefix } : {}),
          ...(t.suffix ? { suffix: t.suffix } : {}),
        },
      });
    }
  }
  return out;
}

/** True when a live trigger already matches a desired one (only the fields faasport sends are compared). */
export function sameTrigger(
  live: { trigger_status?: string; event_data?: Record<string, unknown> },
  desired: DesiredTrigger,
): boolean {
  if ((live.trigger_status ?? 'ACTIVE') !== desired.status) return false;
  const data = live.event_data ?? {};
  return Object.entries(desired.eventData).every(
    ([k, v]) =>
      canonicalJson(
        k === 'events' && Array.isArray(data[k]) ? [...(data[k] as string[])].sort() : data[k],
      ) === canonicalJson(v),
  );
}
