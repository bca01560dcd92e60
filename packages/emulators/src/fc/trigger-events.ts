import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { fromSixFieldCron, nextCronTimes } from '@faasport/core';

/**
 * The event sources FC 2.0 and FC 3.0 share: timer, OSS and MNS topic triggers fire the same way and
 * hand functions the same events on both APIs, so both emulators deliver them through this module and
 * differ only in where their triggers are stored.
 */

/** The answer of a function to an event an emulated trigger delivered. */
export interface FcEventResult {
  body: Uint8Array;
  error?: { message: string };
}

/** A trigger as an emulator stores it, with the way to run its function. */
export interface EmulatedTrigger {
  triggerName: string;
  triggerType: string;
  triggerId: string;
  /** The parsed `triggerConfig`. */
  config: Record<string, unknown>;
  sourceArn?: string;
  invocationRole?: string;
  /** When the trigger was created (FC's timestamp), where `@every` timers count from. */
  createdTime: string;
  /** Runs the trigger's function (its qualifier resolved) with an event payload. */
  run(payload: Uint8Array, requestId: string): Promise<FcEventResult>;
}

/** One delivery: the trigger that fired and what its function answered. */
export interface TriggerFiring<T extends EmulatedTrigger> {
  trigger: T;
  result: FcEventResult;
}

/** What the event sources know of the account they run in. */
export interface EventAccount {
  accountId: string;
  region: string;
}

const encode = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

/** FC's timestamp format in events: ISO 8601 without milliseconds. */
const eventTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The times in (from, to] a timer fires: `@every <n>s|m|h` counted from `since`, or FC's six-field cron
 * with seconds `0`, evaluated in UTC, or in the zone of a `CRON_TZ=<zone>` prefix (FC 3.0 "Time
 * triggers", time zone expression:
 * https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/time-triggers). Other second values
 * are not evaluated.
 */
export function timerTimes(expression: string, since: number, from: number, to: number): number[] {
  const every = /^@every (\d+)([smh])$/.exec(expression.trim());
  if (every) {
    const step = Number(every[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[every[2] as 's' | 'm' | 'h'];
    const out: number[] = [];
    for (let at = since + Math.max(1, Math.floor((from - since) / step) + 1) * step; at <= to; at += step)
      out.push(at);
    return out;
  }
  const zoned = /^CRON_TZ=(\S+) (.*)$/.exec(expression.trim());
  const five = fromSixFieldCron(zoned ? zoned[2]! : expression);
  if (!five) return [];
  const out: number[] = [];
  let cursor = new Date(from);
  for (;;) {
    const [next] = nextCronTimes(five, { timezone: zoned?.[1] ?? 'UTC', from: cursor });
    if (!next || next.getTime() > to) return out;
    out.push(next.getTime());
    cursor = next;
  }
}

/**
 * Fires, in time order, every enabled timer trigger due in (from, to] with FC's timer event
 * `{triggerTime, triggerName, payload}` (the same on FC 2.0 and 3.0: "Time triggers", event format).
 */
export async function fireDueTimers<T extends EmulatedTrigger>(
  triggers: Iterable<T>,
  from: number,
  to: number,
): Promise<Array<TriggerFiring<T>>> {
  const due: Array<{ at: number; trigger: T }> = [];
  for (const t of triggers) {
    const config = t.config as { cronExpression?: string; enable?: boolean };
    if (t.triggerType !== 'timer' || !config.enable || !config.cronExpression) continue;
    for (const at of timerTimes(config.cronExpression, Date.parse(t.createdTime), from, to))
      due.push({ at, trigger: t });
  }
  const out: Array<TriggerFiring<T>> = [];
  for (const d of due.sort((a, b) => a.at - b.at))
    out.push({ trigger: d.trigger, result: await fireTimer(d.trigger, d.at) });
  return out;
}

/** Runs a timer trigger's function as the timer would at `at`. */
export function fireTimer(t: EmulatedTrigger, at: number): Promise<FcEventResult> {
  const event = {
    triggerTime: eventTime(at),
    triggerName: t.triggerName,
    payload: (t.config as { payload?: string }).payload ?? '',
  };
  return t.run(encode(event), randomUUID());
}

/** Whether an OSS trigger's config takes an event name (`oss:ObjectCreated:*` patterns) and an object key. */
export function ossTriggerMatches(config: Record<string, unknown>, eventName: string, key: string): boolean {
  const c = config as { events?: string[]; filter?: { key?: { prefix?: string; suffix?: string } } };
  const named = (c.events ?? []).some((pattern) => {
    const p = pattern.replace(/^oss:/, '');
    return p.endsWith(':*') ? eventName.startsWith(p.slice(0, -1)) : p === eventName;
  });
  const filter = c.filter?.key ?? {};
  return named && key.startsWith(filter.prefix ?? '') && key.endsWith(filter.suffix ?? '');
}

/** Whether an invocation role is one OSS or MNS of this account can assume: `acs:ram::<account>:role/<name>`. */
export function assumableRole(role: string | undefined, accountId: string): boolean {
  const m = /^acs:ram::(\d+):role\/(.+)$/.exec(role ?? '');
  return m !== null && m[1] === accountId;
}

/**
 * Delivers an OSS object event to every OSS trigger on the bucket (`sourceArn`
 * `acs:oss:<region>:<account>:<bucket>`) whose events and key filter match, with OSS's event
 * (`{events: [{eventName, eventSource: "acs:oss", oss: {bucket: {name, arn}, object: {key, size, eTag}},
 * ...}]}`, "OSS triggers", event format). A trigger whose invocation role is not a role of this account
 * fails the delivery, as OSS cannot assume it.
 */
export async function deliverOssEvent<T extends EmulatedTrigger>(
  triggers: Iterable<T>,
  account: EventAccount,
  object: { bucket: string; key: string; eventName: string; size: number },
): Promise<Array<TriggerFiring<T>>> {
  const out: Array<TriggerFiring<T>> = [];
  for (const t of triggers) {
    if (t.triggerType !== 'oss' || !t.sourceArn?.endsWith(`:${object.bucket}`)) continue;
    if (!ossTriggerMatches(t.config, object.eventName, object.key)) continue;
    if (!assumableRole(t.invocationRole, account.accountId)) {
      out.push({ trigger: t, result: refusedRole('OSS', t, account) });
      continue;
    }
    const requestId = randomUUID();
    const event = {
      events: [
        {
          eventName: object.eventName,
          eventSource: 'acs:oss',
          eventTime: new Date().toISOString(),
          eventVersion: '1.0',
          oss: {
            bucket: { arn: t.sourceArn, name: object.bucket, ownerIdentity: account.accountId },
            object: {
              deltaSize: object.size,
              eTag: randomBytes(16).toString('hex'),
              key: object.key,
              size: object.size,
            },
            ossSchemaVersion: '1.0',
          },
          region: account.region,
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: { requestId },
          userIdentity: { principalId: account.accountId },
        },
      ],
    };
    out.push({ trigger: t, result: await t.run(encode(event), requestId) });
  }
  return out;
}

/**
 * Publishes a message on an MNS topic: every mns_topic trigger subscribed to it (its `sourceArn` ends
 * in `/topics/<topic>`, and its `filterTag`, when set, equals the message tag) invokes its function.
 * With `notifyContentFormat: JSON` the event is MNS's JSON notification (`{TopicOwner, Message,
 * Subscriber, PublishTime, SubscriptionName, MessageMD5, TopicName, MessageId}`, "MNS topic trigger
 * event", https://www.alibabacloud.com/help/en/functioncompute/fc-3-0/user-guide/mns-topic-triggers);
 * with STREAM (the default) it is the message body itself.
 */
export async function deliverMnsMessage<T extends EmulatedTrigger>(
  triggers: Iterable<T>,
  account: EventAccount,
  message: { topic: string; body: string; tag?: string },
): Promise<Array<TriggerFiring<T>>> {
  const out: Array<TriggerFiring<T>> = [];
  const messageId = randomBytes(16).toString('hex').toUpperCase();
  for (const t of triggers) {
    if (t.triggerType !== 'mns_topic' || !t.sourceArn?.endsWith(`/topics/${message.topic}`)) continue;
    const config = t.config as { filterTag?: string; notifyContentFormat?: string };
    if (config.filterTag && config.filterTag !== message.tag) continue;
    if (!assumableRole(t.invocationRole, account.accountId)) {
      out.push({ trigger: t, result: refusedRole('MNS', t, account) });
      continue;
    }
    const payload =
      config.notifyContentFormat === 'JSON'
        ? {
            TopicOwner: account.accountId,
            Message: message.body,
            Subscriber: account.accountId,
            PublishTime: Date.now(),
            SubscriptionName: `fc-${t.triggerId}`,
            MessageMD5: createHash('md5').update(message.body).digest('hex').toUpperCase(),
            TopicName: message.topic,
            MessageId: messageId,
          }
        : message.body;
    out.push({ trigger: t, result: await t.run(encode(payload), randomUUID()) });
  }
  return out;
}

function refusedRole(service: string, t: EmulatedTrigger, account: EventAccount): FcEventResult {
  return {
    body: new Uint8Array(),
    error: {
      message: `${service} cannot assume invocationRole ${JSON.stringify(t.invocationRole ?? '')} of trigger ${t.triggerName}: it is not a RAM role of account ${account.accountId}`,
    },
  };
}
