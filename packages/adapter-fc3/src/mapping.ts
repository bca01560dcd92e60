import {
  codePackage,
  type EventTriggerContext,
  environmentOf,
  type FcQueueBinding,
  markers,
  ramRoleArn,
  shimHandlers,
  toFcCron,
  triggerFieldsOf,
} from '@faasport/adapter-fc';
import { type DesiredState, type ResolvedFunction, type ResolvedTrigger, toBase64 } from '@faasport/core';
import { z } from 'zod';
import { fc3RuntimeOf } from './limits';

/** `providers.fc3` of a function, validated strictly by this adapter. @public */
export const fc3ProviderSchema = z.strictObject({
  /** The RAM role the function assumes (default: the target's `role`). */
  role: ramRoleArn.optional(),
  /** The RAM role OSS assumes to invoke the function (default: the target's `invocationRole`). */
  invocationRole: ramRoleArn.optional(),
  /** Whether the function may reach the internet (default true). */
  internetAccess: z.boolean().optional(),
  /** SLS project and logstore for the function's logs. */
  logConfig: z.strictObject({ project: z.string(), logstore: z.string() }).optional(),
  /** Seconds the initializer may run, 1-600. */
  initializationTimeout: z.number().int().min(1).max(600).optional(),
  /** Layer ARNs. */
  layers: z.array(z.string()).optional(),
});

/** Validated `providers.fc3`. @public */
export type Fc3ProviderOptions = z.infer<typeof fc3ProviderSchema>;

/** Reads `providers.fc3`; call only after `check` accepted it. */
export function providerOptions(fn: ResolvedFunction): Fc3ProviderOptions {
  const parsed = fc3ProviderSchema.safeParse(fn.providers.fc3 ?? {});
  return parsed.success ? parsed.data : {};
}

/** The main alias every trigger and the scaling config are bound to. */
export const mainAlias = 'main';

/** The alias of a traffic tag: the tag itself where FC allows it, else `tag_<tag>`. */
export function tagAlias(tag: string): string {
  return tag !== mainAlias && /^[a-z][a-z0-9_-]*$/.test(tag) ? tag : `tag_${tag}`;
}

/** The account facts and target defaults the mapping needs. */
export interface Fc3Context {
  region: string;
  accountId: string;
  role?: string;
  invocationRole?: string;
  /** The target's topic bindings (queue triggers). */
  queues?: Record<string, FcQueueBinding>;
  /** The target's name, for errors naming its options. */
  target?: string;
}

/** The function's own OSS/MNS invocation role, `providers.fc3.invocationRole`. */
export const ownInvocationRole = (fn: ResolvedFunction) => providerOptions(fn).invocationRole;

/** The context of the OSS and MNS trigger mapping FC 3.0 shares with FC 2.0 (`@faasport/adapter-fc`). */
export const eventTriggerContext = (ctx: Fc3Context): EventTriggerContext => ({ ...ctx, adapter: 'fc3' });

/** Whether FC 3.0 takes `instanceConcurrency` for this function: custom runtimes and containers only. */
export function takesInstanceConcurrency(fn: ResolvedFunction): boolean {
  return fn.source.kind === 'image' || fn.runtime === 'custom';
}

/**
 * The CreateFunction / UpdateFunction body without `functionName` and `code` (FC 3.0 field names, see
 * `CreateFunctionInput` of `@alicloud/fc20230330`). Secret values are included: never put it in a plan.
 */
export function functionConfigOf(desired: DesiredState, ctx: Fc3Context): Record<string, unknown> {
  const fn = desired.fn;
  const p = providerOptions(fn);
  const body: Record<string, unknown> = {
    description: markers.fn(fn.description, desired.revisionHash, desired.specHash),
    memorySize: fn.resources.memory,
    timeout: fn.resources.timeout,
    environmentVariables: environmentOf(desired),
  };
  if (takesInstanceConcurrency(fn)) body.instanceConcurrency = fn.scaling.concurrency;
  const role = p.role ?? ctx.role;
  if (role) body.role = role;
  let initializer: string | undefined;
  if (fn.source.kind === 'image') {
    const s = fn.source;
    body.runtime = 'custom-container';
    body.handler = 'index.handler';
    body.customContainerConfig = {
      image: s.ref,
      port: s.port,
      ...(s.command?.length ? { entrypoint: s.command } : {}),
      ...(s.args?.length ? { command: s.args } : {}),
    };
  } else {
    body.runtime = fc3RuntimeOf[fn.runtime] ?? fn.runtime;
    if (fn.contract === 'native') {
      body.handler = fn.handler ?? 'index.handler';
      initializer = fn.initializer;
    } else {
      body.handler = fn.contract === 'web' ? shimHandlers.web : shimHandlers.event;
      if (fn.initializer) initializer = shimHandlers.initializer;
    }
  }
  if (initializer)
    body.instanceLifecycleConfig = {
      initializer: {
        handler: initializer,
        ...(p.initializationTimeout ? { timeout: p.initializationTimeout } : {}),
      },
    };
  if (p.internetAccess !== undefined) body.internetAccess = p.internetAccess;
  if (p.logConfig) body.logConfig = p.logConfig;
  if (p.layers) body.layers = p.layers;
  if (fn.resources.cpu !== undefined) body.cpu = fn.resources.cpu;
  if (fn.resources.disk !== undefined) body.diskSize = fn.resources.disk;
  return body;
}

/** The `code` field of CreateFunction / UpdateFunction (`InputCodeLocation`). */
export function codeOf(desired: DesiredState): Record<string, string> | undefined {
  const source = desired.fn.source;
  if (source.kind === 'bucket') return { ossBucketName: source.name, ossObjectName: source.key };
  const zip = codePackage(desired);
  return zip ? { zipFile: toBase64(zip) } : undefined;
}

/** Methods an FC HTTP trigger takes (HTTPTriggerConfig.methods). */
const httpMethods = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'];

/**
 * The timer's cron: six fields, seconds first. FC 3.0 evaluates it in UTC unless it starts with
 * `CRON_TZ=<IANA zone>`, which FC 3.0 documents ("Time triggers", time zone expression,
 * https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/time-triggers), so the zone is
 * passed through exactly, never shifted.
 */
export function toFc3Cron(cron: string, timezone: string): string {
  const six = toFcCron(cron, 'UTC');
  return timezone === 'UTC' || timezone === 'Etc/UTC' ? six : `CRON_TZ=${timezone} ${six}`;
}

/**
 * The CreateTrigger body (`CreateTriggerInput`): FC 3.0 takes `triggerConfig` as a JSON string. The
 * trigger is bound to the main alias. OSS and MNS topic triggers are mapped as on FC 2.0. `event` triggers
 * are rejected earlier by capabilities.
 */
export function triggerBodyOf(
  t: ResolvedTrigger,
  fn: ResolvedFunction,
  ctx: Fc3Context,
): {
  triggerName: string;
  triggerType: string;
  qualifier: string;
  triggerConfig: Record<string, unknown>;
  sourceArn?: string;
  invocationRole?: string;
} {
  return {
    triggerName: t.name,
    qualifier: mainAlias,
    ...triggerFieldsOf(t, fn, ownInvocationRole, eventTriggerContext(ctx), { cron: toFc3Cron, httpMethods }),
  };
}
