import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { fromSixFieldCron, nextCronTimes } from '@faasport/core';
import type { FcEmu } from './context';
import { fcErrors } from './errors';
import { fcContext, resolveForCall } from './invoke';
import { findService } from './lookup';
import type { TriggerRecord } from './state';

/** The answer of a function to an event an emulated trigger delivered. */
export interface FcEventResult {
  body: Uint8Array;
  error?: { message: string };
}

/** One delivery of an event to a function by one of its triggers. */
export interface FcDelivery extends FcEventResult {
  serviceName: string;
  functionName: string;
  triggerName: string;
}

/**
 * Test helper: delivers an OSS object event to every function whose OSS trigger matches the bucket,
 * the event name and the key filter, with FC's OSS event shape (`{events: [...]}`).
 */
export async function emitOssEvent(
  em: FcEmu,
  bucket: string,
  key: string,
  eventName = 'ObjectCreated:PutObject',
  size = 0,
): Promise<FcDelivery[]> {
  const out: FcDelivery[] = [];
  for (const svc of em.state.services.values()) {
    for (const [fnName, triggers] of svc.triggers) {
      for (const t of triggers.values()) {
        if (t.triggerType !== 'oss' || !t.sourceArn?.endsWith(`:${bucket}`)) continue;
        const config = t.triggerConfig as {
          events?: string[];
          filter?: { key?: { prefix?: string; suffix?: string } };
        };
        const matches = (config.events ?? []).some((pattern) => {
          const p = pattern.replace(/^oss:/, '');
          return p.endsWith(':*') ? eventName.startsWith(p.slice(0, -1)) : p === eventName;
        });
        const filter = config.filter?.key ?? {};
        if (!matches || !key.startsWith(filter.prefix ?? '') || !key.endsWith(filter.suffix ?? '')) continue;
        const { fn, site } = resolveForCall(em, svc.serviceName, t.qualifier, fnName);
        const requestId = randomUUID();
        const event = {
          events: [
            {
              eventName,
              eventSource: 'acs:oss',
              eventTime: new Date().toISOString(),
              eventVersion: '1.0',
              oss: {
                bucket: { arn: t.sourceArn, name: bucket, ownerIdentity: em.options.accountId },
                object: { deltaSize: size, eTag: randomBytes(16).toString('hex'), key, size },
                ossSchemaVersion: '1.0',
              },
              region: em.options.region,
              requestParameters: { sourceIPAddress: '127.0.0.1' },
              responseElements: { requestId },
              userIdentity: { principalId: em.options.accountId },
            },
          ],
        };
        const exe = await em.options.execution.executable(fn, 'event', site);
        const result = await exe.invokeEvent(new TextEncoder().encode(JSON.stringify(event)), {
          requestId,
          context: fcContext(fn, site, requestId),
        });
        out.push({
          serviceName: svc.serviceName,
          functionName: fnName,
          triggerName: t.triggerName,
          body: result.body,
          ...(result.error ? { error: result.error } : {}),
        });
      }
    }
  }
  return out;
}

/**
 * Test helper: publishes a message on an MNS topic; every mns_topic trigger subscribed to it (its
 * `sourceArn` ends in `/topics/<topic>`, and its `filterTag`, when set, equals the message tag) invokes
 * its function. With `notifyContentFormat: JSON` the event is MNS's JSON notification
 * (`{TopicOwner, Message, Subscriber, PublishTime, SubscriptionName, MessageMD5, TopicName, MessageId}`,
 * "MNS topic trigger event", https://help.aliyun.com/zh/fc/user-guide/mns-topic-triggers); with
 * STREAM (the default) it is the message body itself.
 */
export async function publishMnsMessage(
  em: FcEmu,
  topic: string,
  message: string,
  tag?: string,
): Promise<FcDelivery[]> {
  const out: FcDelivery[] = [];
  const messageId = randomBytes(16).toString('hex').toUpperCase();
  for (const svc of em.state.services.values()) {
    for (const [fnName, triggers] of svc.triggers) {
      for (const t of triggers.values()) {
        if (t.triggerType !== 'mns_topic' || !t.sourceArn?.endsWith(`/topics/${topic}`)) continue;
        const config = t.triggerConfig as { filterTag?: string; notifyContentFormat?: string };
        if (config.filterTag && config.filterTag !== tag) continue;
        const { fn, site } = resolveForCall(em, svc.serviceName, t.qualifier, fnName);
        const requestId = randomUUID();
        const payload =
          config.notifyContentFormat === 'JSON'
            ? JSON.stringify({
                TopicOwner: em.options.accountId,
                Message: message,
                Subscriber: em.options.accountId,
                PublishTime: Date.now(),
                SubscriptionName: `fc-${t.triggerId}`,
                MessageMD5: createHash('md5').update(message).digest('hex').toUpperCase(),
                TopicName: topic,
                MessageId: messageId,
              })
            : message;
        const exe = await em.options.execution.executable(fn, 'event', site);
        const result = await exe.invokeEvent(new TextEncoder().encode(payload), {
          requestId,
          context: fcContext(fn, site, requestId),
        });
        out.push({
          serviceName: svc.serviceName,
          functionName: fnName,
          triggerName: t.triggerName,
          body: result.body,
          ...(result.error ? { error: result.error } : {}),
        });
      }
    }
  }
  return out;
}

/** Test helper: invokes a function as its timer trigger would, with FC's timer event. */
export async function fireTimer(
  em: FcEmu,
  serviceName: string,
  functionName: string,
  triggerName: string,
): Promise<FcEventResult> {
  const svc = findService(em, serviceName);
  const t = svc.triggers.get(functionName)?.get(triggerName);
  if (t?.triggerType !== 'timer') throw fcErrors.triggerNotFound(serviceName, functionName, triggerName);
  return runTimer(em, serviceName, functionName, t, new Date(em.clock));
}

/**
 * Test helper: moves the emulator's clock forward by `ms` and fires, in time order, every enabled
 * timer trigger due in that span: FC's six-field cron (seconds first, evaluated in UTC) or `@every`
 * counted from the trigger's creation.
 */
export async function advanceClock(em: FcEmu, ms: number): Promise<FcDelivery[]> {
  const from = em.clock;
  const to = from + ms;
  em.clock = to;
  const due: Array<{ at: number; serviceName: string; functionName: string; trigger: TriggerRecord }> = [];
  for (const svc of em.state.services.values()) {
    for (const [functionName, triggers] of svc.triggers) {
      for (const t of triggers.values()) {
        const config = t.triggerConfig as { cronExpression?: string; enable?: boolean };
        if (t.triggerType !== 'timer' || !config.enable || !config.cronExpression) continue;
        for (const at of timerTimes(config.cronExpression, Date.parse(t.createdTime), from, to))
          due.push({ at, serviceName: svc.serviceName, functionName, trigger: t });
      }
    }
  }
  const out = [];
  for (const d of due.sort((a, b) => a.at - b.at)) {
    const result = await runTimer(em, d.serviceName, d.functionName, d.trigger, new Date(d.at));
    out.push({
      serviceName: d.serviceName,
      functionName: d.functionName,
      triggerName: d.trigger.triggerName,
      ...result,
    });
  }
  return out;
}

async function runTimer(
  em: FcEmu,
  serviceName: string,
  functionName: string,
  t: TriggerRecord,
  time: Date,
): Promise<FcEventResult> {
  const { fn, site } = resolveForCall(em, serviceName, t.qualifier, functionName);
  const event = {
    triggerTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    triggerName: t.triggerName,
    payload: (t.triggerConfig as { payload?: string }).payload ?? '',
  };
  const requestId = randomUUID();
  const exe = await em.options.execution.executable(fn, 'event', site);
  return exe.invokeEvent(new TextEncoder().encode(JSON.stringify(event)), {
    requestId,
    context: fcContext(fn, site, requestId),
  });
}

/**
 * The times in (from, to] a timer fires: `@every <n>s|m|h` counted from `since`, or FC's six-field cron
 * with seconds `0` (evaluated in UTC, reference Part A9). Other second values are not evaluated.
 */
function timerTimes(expression: string, since: number, from: number, to: number): number[] {
  const every = /^@every (\d+)([smh])$/.exec(expression.trim());
  if (every) {
    const step = Number(every[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[every[2] as 's' | 'm' | 'h'];
    const out: number[] = [];
    for (let at = since + Math.max(1, Math.floor((from - since) / step) + 1) * step; at <= to; at += step)
      out.push(at);
    return out;
  }
  const five = fromSixFieldCron(expression);
  if (!five) return [];
  const out: number[] = [];
  let cursor = new Date(from);
  for (;;) {
    const [next] = nextCronTimes(five, { timezone: 'UTC', from: cursor });
    if (!next || next.getTime() > to) return out;
    out.push(next.getTime());
    cursor = next;
  }
}
