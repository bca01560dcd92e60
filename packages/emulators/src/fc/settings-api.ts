import { z } from 'zod';
import { fcErrors } from './errors';
import { parseBody } from './schemas';
import { type FcState, fcTime, type ServiceRecord } from './state';

type Json = Record<string, unknown>;
/** A JSON answer of the FC API. */
export interface SettingsReply {
  status: number;
  body?: unknown;
}

/** What the account, tag and async-config calls need from the API. */
export interface SettingsContext {
  state: FcState;
  accountId: string;
  region: string;
  service(name: string): ServiceRecord;
  /** Throws FunctionNotFound unless the function exists (at LATEST). */
  assertFunction(svc: ServiceRecord, name: string): void;
}

// Bodies as fc-go-sdk sends them (tag.go `TagResourceInput`, `UnTagResourceInput`; async_config.go
// `AsyncConfig`), nulls already removed.
const tagSchema = z.strictObject({
  resourceArn: z.string().min(1),
  tags: z
    .record(z.string(), z.string())
    .refine((t) => Object.keys(t).length >= 1 && Object.keys(t).length <= 20, {
      error: 'tags must have 1 to 20 entries',
    }),
});
const untagSchema = z.strictObject({
  resourceArn: z.string().min(1),
  tagKeys: z.array(z.string()).optional(),
  all: z.boolean().optional(),
});
const destination = z.strictObject({ destination: z.string().optional() });
const asyncConfigSchema = z.strictObject({
  destinationConfig: z
    .strictObject({ onSuccess: destination.optional(), onFailure: destination.optional() })
    .optional(),
  maxAsyncEventAgeInSeconds: z.number().int().min(1).optional(),
  maxAsyncRetryAttempts: z.number().int().min(0).optional(),
  statefulInvocation: z.boolean().optional(),
});

/**
 * The service a tag call names: FC 2.0 tags services, by full ARN `acs:fc:<region>:<account>:services/<name>`
 * or the partial `services/<name>` (fc2 lib/client.js `tagResource`: "Either full ARN or partial ARN").
 */
function taggedService(ctx: SettingsContext, arn: string): ServiceRecord {
  const m = /^(?:acs:fc:([^:]*):([^:]*):)?services\/([^/]+)$/.exec(arn);
  if (!m || (m[1] && m[1] !== ctx.region) || (m[2] && m[2] !== ctx.accountId))
    throw fcErrors.invalidArgument(
      `resourceArn '${arn}' is not a service of this account and region (acs:fc:${ctx.region}:${ctx.accountId}:services/<name>, or services/<name>)`,
    );
  return ctx.service(m[3]!);
}

/**
 * The FC 2.0 calls SDKs make besides the deploy path, answered minimally: GetAccountSettings, the tag
 * calls, and the async-invoke configuration of a function. Returns undefined for other paths.
 *
 * Paths and shapes: fc-go-sdk account.go (`GET /account-settings`, `{availableAZs}`), tag.go
 * (`POST|GET|DELETE /tag`), service.go and async_config.go
 * (`/services/{s}[.{q}]/functions/{f}/async-invoke-config`, `.../async-invoke-configs`); the same paths in
 * `@alicloud/fc2` lib/client.js (`getAccountSettings`, `tagResource`, `getFunctionAsyncConfig`, ...).
 */
export function routeSettings(
  ctx: SettingsContext,
  method: string,
  path: string,
  query: URLSearchParams,
  body: () => Json,
): SettingsReply | undefined {
  if (path === '/account-settings' && method === 'GET') {
    // The zones are placeholders: the emulator has none.
    return { status: 200, body: { availableAZs: [`${ctx.region}-emulator`] } };
  }
  if (path === '/tag') {
    if (method === 'POST') {
      const { resourceArn, tags } = parseBody(tagSchema, body());
      const svc = taggedService(ctx, resourceArn);
      ctx.state.tags.set(svc.serviceName, { ...(ctx.state.tags.get(svc.serviceName) ?? {}), ...tags });
      return { status: 200 };
    }
    if (method === 'GET') {
      const arn = query.get('resourceArn');
      if (!arn) throw fcErrors.invalidArgument('resourceArn is required');
      const svc = taggedService(ctx, arn);
      return { status: 200, body: { resourceArn: arn, tags: ctx.state.tags.get(svc.serviceName) ?? {} } };
    }
    if (method === 'DELETE') {
      const { resourceArn, tagKeys, all } = parseBody(untagSchema, body());
      const svc = taggedService(ctx, resourceArn);
      if (!all && !tagKeys?.length) throw fcErrors.invalidArgument('give tagKeys, or all: true');
      const tags = { ...(ctx.state.tags.get(svc.serviceName) ?? {}) };
      for (const key of all ? Object.keys(tags) : tagKeys!) delete tags[key];
      ctx.state.tags.set(svc.serviceName, tags);
      return { status: 200 };
    }
  }
  const m = /^\/services\/([^/]+)\/functions\/([^/]+)\/(async-invoke-config|async-invoke-configs)$/.exec(
    path,
  );
  if (!m) return undefined;
  const [name, qualifier = 'LATEST'] = m[1]!.split(/\.(.*)/s) as [string, string?];
  const svc = ctx.service(name);
  const fnName = m[2]!;
  ctx.assertFunction(svc, fnName);
  const configs = ctx.state.asyncConfigs;
  const key = `${svc.serviceName}/${qualifier}/${fnName}`;
  if (m[3] === 'async-invoke-configs') {
    if (method !== 'GET') return undefined;
    const prefix = `${svc.serviceName}/`;
    const list = [...configs]
      .filter(([k]) => k.startsWith(prefix) && k.endsWith(`/${fnName}`))
      .map(([, v]) => v);
    return { status: 200, body: { configs: list } };
  }
  if (method === 'PUT') {
    const fields = parseBody(asyncConfigSchema, body());
    const now = fcTime();
    const config = {
      service: svc.serviceName,
      function: fnName,
      qualifier,
      ...fields,
      createdTime: (configs.get(key)?.createdTime as string | undefined) ?? now,
      lastModifiedTime: now,
    };
    configs.set(key, config);
    return { status: 200, body: config };
  }
  if (method === 'GET' || method === 'DELETE') {
    const config = configs.get(key);
    // Code and wording not verified against a live FC response.
    if (!config) throw fcErrors.asyncConfigNotFound(svc.serviceName, qualifier, fnName);
    if (method === 'DELETE') {
      configs.delete(key);
      return { status: 204 };
    }
    return { status: 200, body: config };
  }
  return undefined;
}
