/**
 * What FunctionGraph's event sources would deliver: a TIMER trigger firing and an OBS object event,
 * sent to every matching trigger's function in the event shapes FunctionGraph documents.
 */
import { randomUUID } from 'node:crypto';
import type { EmuState } from './context';
import { execute } from './invoke';
import type { FunctionState, TriggerState } from './state';
import { fireTimesBetween, parseTimerSchedule, zonedIsoTime } from './timers';

/** What one delivery of an event gave. @public */
export interface EventDelivery {
  function: string;
  trigger: string;
  /** The function's result as text (JSON when it returned a value). */
  result: string;
  /** Set when the function failed. */
  error?: string;
  /** For timers: the scheduled time it fired for. */
  at?: Date;
}

/** The OBS event names the emulator emits. @public */
export type ObsEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectRemoved:Delete';

async function deliver(
  em: EmuState,
  fn: FunctionState,
  trigger: TriggerState,
  event: unknown,
): Promise<EventDelivery> {
  const qualifier = trigger.qualifier === 'latest' ? undefined : trigger.qualifier;
  const { result } = await execute(
    em,
    fn,
    qualifier,
    new TextEncoder().encode(JSON.stringify(event)),
    randomUUID(),
  );
  return {
    function: fn.name,
    trigger: String(trigger.event_data.name ?? trigger.trigger_id),
    result: new TextDecoder().decode(result.body),
    ...(result.error ? { error: result.error.message } : {}),
  };
}

/** The zone a TIMER trigger's times are told in: its `CRON_TZ`, else the region's. */
function zoneOf(em: EmuState, trigger: TriggerState): string {
  const parsed = parseTimerSchedule(
    String(trigger.event_data.schedule_type),
    String(trigger.event_data.schedule),
  );
  return typeof parsed !== 'string' && parsed.kind === 'cron' && parsed.timezone
    ? parsed.timezone
    : em.timerZone;
}

/** FunctionGraph's timer event (functiongraph_01_0207 "Supported Event Sources"): `time` in the schedule's zone with its offset. */
function timerEvent(em: EmuState, t: TriggerState, at: number) {
  return {
    version: 'v1.0',
    time: zonedIsoTime(at, zoneOf(em, t)),
    trigger_type: 'TIMER',
    trigger_name: t.event_data.name,
    ...(t.event_data.user_event === undefined ? {} : { user_event: t.event_data.user_event }),
  };
}

/** Fires the ACTIVE TIMER triggers of a function (all, or the one named) now, whatever their schedule. */
export async function fireTimer(
  em: EmuState,
  functionName: string,
  triggerName?: string,
): Promise<EventDelivery[]> {
  const out: EventDelivery[] = [];
  for (const fn of em.functions.values()) {
    if (fn.name !== functionName) continue;
    for (const t of fn.triggers) {
      if (t.trigger_type_code !== 'TIMER' || t.trigger_status !== 'ACTIVE') continue;
      if (triggerName && t.event_data.name !== triggerName) continue;
      out.push({ ...(await deliver(em, fn, t, timerEvent(em, t, em.now()))), at: new Date(em.now()) });
    }
  }
  return out;
}

/**
 * Fires every ACTIVE TIMER trigger whose schedule falls in `(from, to]`, in time order, as the scheduler
 * would while the clock moves from `from` to `to`.
 */
export async function fireDueTimers(em: EmuState, from: number, to: number): Promise<EventDelivery[]> {
  const due: Array<{ at: number; fn: FunctionState; trigger: TriggerState }> = [];
  for (const fn of em.functions.values()) {
    for (const t of fn.triggers) {
      if (t.trigger_type_code !== 'TIMER' || t.trigger_status !== 'ACTIVE') continue;
      const parsed = parseTimerSchedule(String(t.event_data.schedule_type), String(t.event_data.schedule));
      if (typeof parsed === 'string') continue;
      for (const at of fireTimesBetween(parsed, t.createdAt, from, to, em.timerZone))
        due.push({ at, fn, trigger: t });
    }
  }
  due.sort((a, b) => a.at - b.at);
  const out: EventDelivery[] = [];
  for (const { at, fn, trigger } of due)
    out.push({ ...(await deliver(em, fn, trigger, timerEvent(em, trigger, at))), at: new Date(at) });
  return out;
}

const obsFamilies: Record<string, string[]> = {
  'ObjectCreated:Put': ['ObjectCreated', 'Put'],
  'ObjectCreated:Post': ['ObjectCreated', 'Post'],
  'ObjectCreated:Copy': ['ObjectCreated', 'Copy'],
  'ObjectRemoved:Delete': ['ObjectRemoved', 'Delete'],
};

/**
 * Sends messages put on a Kafka topic to every ACTIVE KAFKA / OPENSOURCEKAFKA trigger reading it, in
 * batches of the trigger's `batch_size`, in FunctionGraph's Kafka event shape ("DMS for Kafka Event
 * Source": `{ event_version, event_time, trigger_type, region, instance_id, records: [{ messages, topic_id }] }`,
 * https://opentelekomcloud-community.github.io/otc-functiongraph-nodejs-runtime/devguide/event_function/trigger_events/trigger_dms4kafka_event.html).
 */
export async function sendKafkaMessages(
  em: EmuState,
  topic: string,
  messages: string[],
): Promise<EventDelivery[]> {
  const out: EventDelivery[] = [];
  for (const fn of em.functions.values()) {
    for (const t of fn.triggers) {
      const d = t.event_data;
      if (t.trigger_type_code !== 'KAFKA' && t.trigger_type_code !== 'OPENSOURCEKAFKA') continue;
      if (t.trigger_status !== 'ACTIVE' || !(d.topic_ids as string[]).includes(topic)) continue;
      const size = Number(d.batch_size ?? 100);
      for (let at = 0; at < messages.length; at += size) {
        const event = {
          event_version: 'v1.0',
          event_time: Math.floor(em.now() / 1000),
          trigger_type: t.trigger_type_code,
          region: em.region,
          ...(d.instance_id ? { instance_id: d.instance_id } : {}),
          records: [{ messages: messages.slice(at, at + size), topic_id: topic }],
        };
        out.push({ ...(await deliver(em, fn, t, event)), trigger: `${t.trigger_type_code}/${topic}` });
      }
    }
  }
  return out;
}

/**
 * Emits an OBS object event to every OBS trigger whose bucket, events, prefix and suffix match, in the
 * S3-compatible `Records` shape OBS notifications use ("OBS Event Source", OTC FunctionGraph developer guide:
 * https://opentelekomcloud-community.github.io/otc-functiongraph-nodejs-runtime/devguide/event_function/trigger_events/trigger_obs_event.html).
 */
export async function emitObsEvent(
  em: EmuState,
  bucket: string,
  key: string,
  eventName: ObsEventName,
  size = 0,
): Promise<EventDelivery[]> {
  const out: EventDelivery[] = [];
  for (const fn of em.functions.values()) {
    for (const t of fn.triggers) {
      const d = t.event_data;
      if (t.trigger_type_code !== 'OBS' || d.bucket !== bucket) continue;
      if (!((d.events as string[] | undefined) ?? []).some((e) => obsFamilies[eventName]?.includes(e)))
        continue;
      if ((d.prefix && !key.startsWith(String(d.prefix))) || (d.suffix && !key.endsWith(String(d.suffix))))
        continue;
      const event = {
        Records: [
          {
            eventVersion: '2.0',
            eventSource: 'aws:s3',
            awsRegion: em.region,
            eventTime: new Date().toISOString(),
            eventName,
            s3: {
              s3SchemaVersion: '1.0',
              configurationId: t.trigger_id,
              bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
              object: {
                key: encodeURIComponent(key).replace(/%2F/g, '/'),
                size,
                eTag: '',
                sequencer: Date.now().toString(16),
              },
            },
          },
        ],
      };
      out.push(await deliver(em, fn, t, event));
    }
  }
  return out;
}
