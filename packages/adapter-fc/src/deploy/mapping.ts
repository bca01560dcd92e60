import {
  type DesiredState,
  type ResolvedFunction,
  type ResolvedTrigger,
  sha256,
  toBase64,
  z,
  zipEntries,
} from '@faasport/core';
import { unzipSync } from 'fflate';
import { shimFileName, shimHandlers, shimSource } from '../runtime';
import { toFcCron } from './cron';
import { type EventTriggerContext, triggerFieldsOf } from './event-triggers';
import { fcRuntimeOf } from './limits';
import { type FcQueueBinding, ramRoleArn } from './options';

/** `providers.fc` of a function, validated strictly by this adapter. @public */
export const fcProviderSchema = z.strictObject({
  /** Put the function in this FC service (to group functions); default: a service named after the function. */
  service: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, {
      error: (i) =>
        `${JSON.stringify(i.input)} is not an FC service name (1-128 letters, digits, "_", "-", starting with a letter or "_")`,
    })
    .optional(),
  /** The RAM role the service assumes, e.g. `acs:ram::123:role/fc`. */
  role: ramRoleArn.optional(),
  /**
   * The RAM role OSS assumes to invoke the function for storage triggers (default: the target's
   * `invocationRole`). It must trust `oss.aliyuncs.com`, unlike the service `role`, which FC assumes.
   */
  invocationRole: ramRoleArn.optional(),
  /** Whether the service may reach the internet (default true). */
  internetAccess: z.boolean().optional(),
  /** SLS project and logstore for the service's logs. */
  logConfig: z.strictObject({ project: z.string(), logstore: z.string() }).optional(),
  /** `e1` (elastic, default) or `c1` (performance). */
  instanceType: z.enum(['e1', 'c1']).optional(),
  /** Seconds the initializer may run, 1-300 (FC default 3). */
  initializationTimeout: z.number().int().min(1).max(300).optional(),
  /** Layer ARNs. */
  layers: z.array(z.string()).optional(),
});

/** Validated `providers.fc`. */
export type FcProviderOptions = z.infer<typeof fcProviderSchema>;

/** Reads `providers.fc`; call only after `check` accepted it. */
export function providerOptions(fn: ResolvedFunction): FcProviderOptions {
  const parsed = fcProviderSchema.safeParse(fn.providers.fc ?? {});
  return parsed.success ? parsed.data : {};
}

/** Where a function lives on FC and what its aliases are called. */
export interface FcNames {
  service: string;
  fn: string;
  /** True when the service holds only this function (the default). */
  dedicated: boolean;
  mainAlias: string;
  tagAlias(tag: string): string;
}

/** The names for a function in a given service. */
export function namesFor(fnName: string, service: string): FcNames {
  const dedicated = service === fnName;
  const prefix = dedicated ? '' : `${fnName}--`;
  return {
    service,
    fn: fnName,
    dedicated,
    mainAlias: `${prefix}main`,
    // Aliases must start with a letter or "_", and "main" is the main alias.
    tagAlias: (tag) => (dedicated && tag !== 'main' && /^[a-z]/.test(tag) ? tag : `${prefix}tag_${tag}`),
  };
}

/** Markers faasport writes into FC descriptions, so that read() finds its hashes and labels. */
export const markers = {
  service: (fnName: string, dedicated: boolean) =>
    dedicated ? `faasport function ${fnName}` : 'faasport service group',
  isService: (description: string | undefined) => (description ?? '').startsWith('faasport '),
  version: (fnName: string, label: string, hash: string) =>
    `faasport fn=${fnName} revision=${label} hash=${hash}`,
  parseVersion: (description: string | undefined) => {
    const m = /^faasport fn=(\S+) revision=(\S+) hash=([0-9a-f]+)$/.exec(description ?? '');
    return m ? { fn: m[1]!, label: m[2]!, hash: m[3]! } : undefined;
  },
  mainAlias: (fnName: string) => `faasport fn=${fnName} main`,
  /** `weighted`: the tag was written on a traffic entry with a share (not a 0% entry of its own). */
  tagAlias: (fnName: string, tag: string, weighted: boolean) =>
    `faasport fn=${fnName} tag=${tag}${weighted ? ' weighted' : ''}`,
  parseAlias: (description: string | undefined) => {
    const m = /^faasport fn=(\S+) (?:(main)|tag=(\S+)( weighted)?)$/.exec(description ?? '');
    return m ? { fn: m[1]!, main: m[2] === 'main', tag: m[3], weighted: m[4] !== undefined } : undefined;
  },
  /** Appended to the function description: the revision hash and the spec hash (32 hex each, to fit 256). */
  fn: (userDescription: string | undefined, revisionHash: string, specHash: string) =>
    `${userDescription ? `${userDescription} ` : ''}[faasport rev=${revisionHash.slice(0, 32)} spec=${specHash.slice(0, 32)}]`,
  parseFn: (description: string | undefined) => {
    const m = /^(?:(.*) )?\[faasport rev=([0-9a-f]+) spec=([0-9a-f]+)\]$/s.exec(description ?? '');
    return m
      ? { user: m[1] ?? '', rev: m[2]!, spec: m[3]! }
      : { user: description ?? '', rev: undefined, spec: undefined };
  },
};

/** The longest user description that fits next to the marker in FC's 256 characters. */
export const maxUserDescription = 256 - markers.fn('', '0'.repeat(64), '0'.repeat(64)).length - 1;

/** Environment variables the adapter sets for the shim and for read(); stripped again by read and export. */
export const envKeys = {
  handler: 'FAASPORT_HANDLER',
  contract: 'FAASPORT_CONTRACT',
  revision: 'FAASPORT_REVISION',
  initializer: 'FAASPORT_INITIALIZER',
  secrets: 'FAASPORT_SECRETS',
} as const;

/**
 * The environment with each secret's value replaced by its sha256, so live state and plans can be
 * compared and printed without holding secret values.
 */
export function maskSecrets(
  env: Record<string, string>,
  secretNames: readonly string[],
): Record<string, string> {
  const out = { ...env };
  for (const name of secretNames) if (out[name] !== undefined) out[name] = `sha256:${sha256(out[name])}`;
  return out;
}

/** Methods an FC HTTP trigger can list (reference A9). */
const fcMethods = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH'];

/** The code package: the user's zip, plus the shim for the web and event contracts. */
export function codePackage(desired: DesiredState): Uint8Array | undefined {
  const zip = desired.artifact.zip;
  if (!zip) return undefined;
  if (desired.fn.contract === 'native') return zip;
  const files = unzipSync(zip);
  const entries = Object.entries(files)
    .filter(([name]) => !name.endsWith('/') && name !== shimFileName)
    .map(([name, data]) => ({ name, data, executable: false }));
  entries.push({ name: shimFileName, data: new TextEncoder().encode(shimSource()), executable: false });
  return zipEntries(entries).zip!;
}

/** The environment the function gets: its env, its secrets, and the shim's settings. */
export function environmentOf(desired: DesiredState): Record<string, string> {
  const fn = desired.fn;
  const env: Record<string, string> = {
    ...fn.env,
    ...desired.secretValues,
    [envKeys.revision]: desired.revisionLabel,
  };
  const secretNames = Object.keys(fn.secrets).sort();
  if (secretNames.length) env[envKeys.secrets] = secretNames.join(',');
  if (fn.contract !== 'native' && fn.source.kind !== 'image') {
    env[envKeys.handler] = fn.handler ?? 'index.default';
    env[envKeys.contract] = fn.contract;
    if (fn.initializer) env[envKeys.initializer] = fn.initializer;
  }
  return env;
}

/**
 * The function's configuration as FC takes it (CreateFunction / UpdateFunction), without the code.
 * Secret values are included: never put this object in a plan.
 */
export function functionConfigOf(desired: DesiredState): Record<string, unknown> {
  const fn = desired.fn;
  const p = providerOptions(fn);
  const body: Record<string, unknown> = {
    functionName: fn.name,
    description: markers.fn(fn.description, desired.revisionHash, desired.specHash),
    memorySize: fn.resources.memory,
    timeout: fn.resources.timeout,
    instanceConcurrency: fn.scaling.concurrency,
    environmentVariables: environmentOf(desired),
  };
  if (fn.source.kind === 'image') {
    const s = fn.source;
    body.runtime = 'custom-container';
    body.handler = 'index.handler';
    body.caPort = s.port;
    body.customContainerConfig = {
      image: s.ref,
      ...(s.command?.length ? { command: JSON.stringify(s.command) } : {}),
      ...(s.args?.length ? { args: JSON.stringify(s.args) } : {}),
    };
  } else {
    body.runtime = fcRuntimeOf[fn.runtime] ?? fn.runtime;
    if (fn.contract === 'native') {
      body.handler = fn.handler ?? 'index.handler';
      if (fn.initializer) body.initializer = fn.initializer;
    } else {
      body.handler = fn.contract === 'web' ? shimHandlers.web : shimHandlers.event;
      if (fn.initializer) body.initializer = shimHandlers.initializer;
    }
  }
  if (fn.initializer && p.initializationTimeout) body.initializationTimeout = p.initializationTimeout;
  if (p.instanceType) body.instanceType = p.instanceType;
  if (p.layers) body.layers = p.layers;
  if (fn.resources.cpu !== undefined) body.cpu = fn.resources.cpu;
  if (fn.resources.disk !== undefined) body.diskSize = fn.resources.disk;
  return body;
}

/** The `code` field of CreateFunction / UpdateFunction. */
export function codeOf(desired: DesiredState): Record<string, string> | undefined {
  const source = desired.fn.source;
  if (source.kind === 'bucket') return { ossBucketName: source.name, ossObjectName: source.key };
  const zip = codePackage(desired);
  return zip ? { zipFile: toBase64(zip) } : undefined;
}

/** The CreateService body. */
export function serviceBodyOf(fn: ResolvedFunction, names: FcNames): Record<string, unknown> {
  const p = providerOptions(fn);
  return {
    serviceName: names.service,
    description: markers.service(fn.name, names.dedicated),
    internetAccess: p.internetAccess ?? true,
    ...(p.role ? { role: p.role } : {}),
    ...(p.logConfig ? { logConfig: p.logConfig } : {}),
  };
}

/** The account facts and target defaults the trigger mapping needs. */
export interface TriggerContext {
  region: string;
  accountId: string;
  /** The target's `invocationRole`, for functions that set none. */
  invocationRole?: string;
  /** The target's topic bindings (queue triggers). */
  queues?: Record<string, FcQueueBinding>;
  /** The target's name, for errors naming its options. */
  target?: string;
}

/** The function's own OSS/MNS invocation role, `providers.fc.invocationRole`. */
export const ownInvocationRole = (fn: ResolvedFunction) => providerOptions(fn).invocationRole;

/** The context of the OSS and MNS trigger mapping shared with FC 3.0. */
export const eventTriggerContext = (ctx: TriggerContext): EventTriggerContext => ({ ...ctx, adapter: 'fc' });

/** The CreateTrigger body of one trigger. `event` triggers are rejected earlier by capabilities. */
export function triggerBodyOf(
  t: ResolvedTrigger,
  fn: ResolvedFunction,
  names: FcNames,
  ctx: TriggerContext,
): Record<string, unknown> {
  return {
    triggerName: t.name,
    qualifier: names.mainAlias,
    ...triggerFieldsOf(t, fn, ownInvocationRole, eventTriggerContext(ctx), {
      cron: toFcCron,
      httpMethods: fcMethods,
    }),
  };
}

/** The CreateCustomDomain body of one domain, routed to the main alias. */
export function domainBodyOf(
  domain: { host: string; path?: string },
  names: FcNames,
): Record<string, unknown> {
  const path = `${(domain.path ?? '').replace(/\/+$/, '')}/*`;
  return {
    domainName: domain.host,
    protocol: 'HTTP',
    routeConfig: {
      routes: [{ path, serviceName: names.service, functionName: names.fn, qualifier: names.mainAlias }],
    },
  };
}
