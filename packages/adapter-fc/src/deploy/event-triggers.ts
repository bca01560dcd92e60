import {
  type CheckIssue,
  type ResolvedFunction,
  type ResolvedTrigger,
  ValidationError,
} from '@faasport/core';
import { queueBindingIssues } from '@faasport/core/toolkit';
import type { FcQueueBinding } from './options';

/**
 * OSS and MNS topic triggers, the same on FC 2.0 and FC 3.0: `sourceArn`, `invocationRole` and the
 * `triggerConfig` fields (FC 2.0: aliyun fc-go-sdk `OSSTriggerConfig`, `MnsTopicTriggerConfig`; FC 3.0:
 * `@alicloud/fc20230330` dist/models `OSSTriggerConfig`, `MNSTopicTriggerConfig`; devsapp/fc3
 * docs/zh/yaml/triggers.md). Only where the role is looked up (`providers.fc` or `providers.fc3`) and the
 * adapter named in errors differ, so both adapters map these triggers here.
 */

/** What the OSS and MNS trigger mapping needs to know of the target and the adapter. @public */
export interface EventTriggerContext {
  region: string;
  accountId: string;
  /** `fc` or `fc3`: the adapter named in errors, and the key of its provider options. */
  adapter: 'fc' | 'fc3';
  /** The target's name, for errors naming its options. */
  target?: string;
  /** The target's default invocation role. */
  invocationRole?: string;
  /** The target's topic bindings (queue triggers). */
  queues?: Record<string, FcQueueBinding>;
}

/** A function's own invocation role (`providers.<adapter>.invocationRole`), read by the adapter. */
export type OwnInvocationRole = (fn: ResolvedFunction) => string | undefined;

/** The fields of an OSS or MNS topic trigger's CreateTrigger body, besides its name and qualifier. */
export interface EventTriggerFields {
  triggerType: 'oss' | 'mns_topic';
  sourceArn: string;
  invocationRole: string;
  triggerConfig: Record<string, unknown>;
}

/** The role OSS assumes to invoke a function: the function's own `invocationRole`, else the target's. */
function storageRole(fn: ResolvedFunction, own: OwnInvocationRole, ctx: EventTriggerContext) {
  return own(fn) ?? ctx.invocationRole;
}

/** The role MNS assumes for a queue trigger: the topic binding's, else the function's or the target's. */
function queueRole(
  fn: ResolvedFunction,
  t: ResolvedTrigger & { kind: 'queue' },
  own: OwnInvocationRole,
  ctx: EventTriggerContext,
) {
  return ctx.queues?.[t.topic]?.mns.invocationRole ?? storageRole(fn, own, ctx);
}

/** The plan-time error for a storage trigger without an invocation role, naming both options. */
export function missingInvocationRole(
  fn: ResolvedFunction,
  t: ResolvedTrigger,
  adapter: EventTriggerContext['adapter'],
): CheckIssue {
  return {
    severity: 'error',
    // A missing setting, not an unsupported feature: core reports it as a ValidationError.
    feature: 'invocationRole',
    path: `providers.${adapter}.invocationRole`,
    message: `storage trigger "${t.name}" of "${fn.name}" needs the RAM role OSS assumes to invoke the function: FC's CreateTrigger requires invocationRole for OSS triggers`,
    hint: `Set providers.${adapter}.invocationRole on the function, or invocationRole on the ${adapter} target, to a role that trusts oss.aliyuncs.com (e.g. acs:ram::<account>:role/aliyunosseventnotificationrole).`,
  };
}

/** The plan-time error for a queue trigger with no role for MNS to invoke the function with. */
export function missingQueueRole(
  fn: ResolvedFunction,
  t: ResolvedTrigger,
  adapter: EventTriggerContext['adapter'],
): CheckIssue {
  return {
    severity: 'error',
    feature: 'invocationRole',
    path: `providers.${adapter}.invocationRole`,
    message: `queue trigger "${t.name}" of "${fn.name}" needs the RAM role MNS assumes to invoke the function: FC's CreateTrigger requires invocationRole for mns_topic triggers`,
    hint: `Set invocationRole in the topic binding (targets.<t>.queues.<topic>.mns.invocationRole), on the ${adapter} target, or in providers.${adapter}, to a role that trusts mns.aliyuncs.com.`,
  };
}

/**
 * The plan-time issues of a function's OSS and queue triggers: topics the target does not bind, and
 * triggers without a role to invoke the function with. `own` is undefined when the function's provider
 * options are invalid (core reports those), so the role rules are not applied to them.
 */
export function eventTriggerIssues(
  fn: ResolvedFunction,
  own: OwnInvocationRole | undefined,
  ctx: EventTriggerContext,
): CheckIssue[] {
  const issues = queueBindingIssues(fn, ctx.queues, {
    adapter: ctx.adapter,
    ...(ctx.target ? { target: ctx.target } : {}),
    example: '{ mns: { invocationRole: acs:ram::<account>:role/<role trusting mns> } }',
  });
  if (!own) return issues;
  for (const t of fn.triggers) {
    if (t.kind === 'storage' && !storageRole(fn, own, ctx))
      issues.push(missingInvocationRole(fn, t, ctx.adapter));
    if (t.kind === 'queue' && ctx.queues?.[t.topic] && !queueRole(fn, t, own, ctx))
      issues.push(missingQueueRole(fn, t, ctx.adapter));
  }
  return issues;
}

function refuse(fn: ResolvedFunction, issue: Pick<CheckIssue, 'path' | 'message' | 'hint'>, adapter: string) {
  return new ValidationError([{ path: issue.path!, message: issue.message, rule: 'required' }], {
    subject: `function "${fn.name}"`,
    adapter,
    ...(issue.hint ? { hint: issue.hint } : {}),
  });
}

/**
 * The OSS trigger of a storage trigger: `sourceArn` `acs:oss:<region>:<account>:<bucket>`, the events
 * (`oss:ObjectCreated:*`, `oss:ObjectRemoved:DeleteObject(s)`) and the key filter, invoked through the
 * role OSS assumes (CreateTrigger requires `invocationRole` for OSS triggers: FC 2.0 API reference,
 * https://help.aliyun.com/zh/fc/developer-reference/api-createtrigger, "invocationRole ... 是否必选: 是").
 *
 * @throws {@link ValidationError} naming `providers.<adapter>.invocationRole` when no role is set.
 */
export function ossTriggerOf(
  t: ResolvedTrigger & { kind: 'storage' },
  fn: ResolvedFunction,
  own: OwnInvocationRole,
  ctx: EventTriggerContext,
): EventTriggerFields {
  const role = storageRole(fn, own, ctx);
  if (!role) throw refuse(fn, missingInvocationRole(fn, t, ctx.adapter), ctx.adapter);
  const events = t.events.flatMap((e) =>
    e === 'created'
      ? ['oss:ObjectCreated:*']
      : ['oss:ObjectRemoved:DeleteObject', 'oss:ObjectRemoved:DeleteObjects'],
  );
  return {
    triggerType: 'oss',
    sourceArn: `acs:oss:${ctx.region}:${ctx.accountId}:${t.bucket}`,
    invocationRole: role,
    triggerConfig: {
      events,
      ...(t.prefix || t.suffix
        ? {
            filter: {
              key: { ...(t.prefix ? { prefix: t.prefix } : {}), ...(t.suffix ? { suffix: t.suffix } : {}) },
            },
          }
        : {}),
    },
  };
}

/**
 * The mns_topic trigger of a queue trigger, from the target's binding `queues.<topic>.mns`: `sourceArn`
 * `acs:mns:<region>:<account>:/topics/<topic>`, `notifyContentFormat: JSON` (so the shim learns the topic
 * and the message id), `notifyStrategy: BACKOFF_RETRY` and the binding's `filterTag`.
 *
 * @throws {@link ValidationError} naming the missing binding or role.
 */
export function mnsTopicTriggerOf(
  t: ResolvedTrigger & { kind: 'queue' },
  fn: ResolvedFunction,
  own: OwnInvocationRole,
  ctx: EventTriggerContext,
): EventTriggerFields {
  const mns = ctx.queues?.[t.topic]?.mns;
  if (!mns)
    throw refuse(
      fn,
      {
        path: `targets.${ctx.target ?? ctx.adapter}.queues.${t.topic}`,
        message: `topic "${t.topic}" is not bound`,
        hint: 'Add targets.<t>.queues.<topic>.mns.',
      },
      ctx.adapter,
    );
  const role = queueRole(fn, t, own, ctx);
  if (!role) throw refuse(fn, missingQueueRole(fn, t, ctx.adapter), ctx.adapter);
  return {
    triggerType: 'mns_topic',
    sourceArn: `acs:mns:${mns.region ?? ctx.region}:${ctx.accountId}:/topics/${mns.topic ?? t.topic}`,
    invocationRole: role,
    triggerConfig: {
      notifyContentFormat: 'JSON',
      notifyStrategy: 'BACKOFF_RETRY',
      ...(mns.filterTag ? { filterTag: mns.filterTag } : {}),
    },
  };
}

/** Where FC 2.0 and FC 3.0 triggers differ: the timer's cron dialect and the HTTP methods FC takes. */
export interface TriggerDialect {
  /** The timer's `cronExpression` for a five-field cron in a time zone (may throw when it cannot be exact). */
  cron(cron: string, timezone: string): string;
  /** The methods an HTTP trigger may list. */
  httpMethods: readonly string[];
}

/** A CreateTrigger body without its name and qualifier, on FC 2.0 and FC 3.0 alike. */
export type TriggerFields =
  | { triggerType: 'http' | 'timer'; triggerConfig: Record<string, unknown> }
  | EventTriggerFields;

/**
 * The type and configuration of a trigger (CreateTrigger), the same on FC 2.0 and FC 3.0 but for the
 * dialect: http (`authType`, `methods`), timer (`cronExpression`, `payload` as a string, `enable`), OSS
 * and MNS topic triggers. `event` triggers are rejected earlier by capabilities.
 */
export function triggerFieldsOf(
  t: ResolvedTrigger,
  fn: ResolvedFunction,
  own: OwnInvocationRole,
  ctx: EventTriggerContext,
  dialect: TriggerDialect,
): TriggerFields {
  switch (t.kind) {
    case 'http':
      return {
        triggerType: 'http',
        triggerConfig: {
          authType: t.auth === 'anonymous' ? 'anonymous' : 'function',
          methods: t.methods.filter((m) => dialect.httpMethods.includes(m)),
        },
      };
    case 'schedule':
      return {
        triggerType: 'timer',
        triggerConfig: {
          cronExpression: dialect.cron(t.cron, t.timezone),
          ...(t.payload === undefined
            ? {}
            : { payload: typeof t.payload === 'string' ? t.payload : JSON.stringify(t.payload) }),
          enable: t.enabled,
        },
      };
    case 'storage':
      return ossTriggerOf(t, fn, own, ctx);
    case 'queue':
      return mnsTopicTriggerOf(t, fn, own, ctx);
    default:
      throw new Error(`trigger kind ${t.kind} has no ${ctx.adapter} mapping`);
  }
}
