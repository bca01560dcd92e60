/** The trigger endpoints under `/v2/{project_id}/fgs/triggers`. */
import { randomUUID } from 'node:crypto';
import {
  apigEventData,
  checkBody,
  createTriggerBody,
  kafkaEventData,
  obsEventData,
  openSourceKafkaEventData,
  timerEventData,
  updateTriggerBody,
} from './bodies';
import type { EmuState } from './context';
import { FgApiError, fgErrors } from './errors';
import { type FunctionState, fgTime, type TriggerState } from './state';
import { parseTimerSchedule } from './timers';
import { find, snapshotOf, triggerView } from './views';

/** FSS codes per trigger type: invalid parameters, already exists, not found. */
const triggerErrors: Record<string, { invalid: string; exists: string; missing: string }> = {
  TIMER: { invalid: 'FSS.1109', exists: 'FSS.1148', missing: 'FSS.1140' },
  OBS: { invalid: 'FSS.1106', exists: 'FSS.1145', missing: 'FSS.1136' },
  APIG: { invalid: 'FSS.1107', exists: 'FSS.1146', missing: 'FSS.1138' },
  DEDICATEDGATEWAY: { invalid: 'FSS.1107', exists: 'FSS.1146', missing: 'FSS.1138' },
};

/** Routes the `triggers` endpoints: create (201), list (bare array), get, update, delete (204). */
export async function triggersApi(em: EmuState, method: string, rest: string[], body: unknown) {
  const [urn, type, id] = rest as [string, string | undefined, string | undefined];
  if (!urn) throw fgErrors.unsupportedPath(method, 'triggers');
  const { fn, qualifier: q } = find(em, urn);
  const qualifier = q ?? 'latest';
  if (type === undefined) {
    if (method === 'POST') return createTrigger(em, fn, qualifier, body);
    if (method === 'GET')
      return {
        status: 200,
        body: fn.triggers.filter((t) => t.qualifier === qualifier).map((t) => triggerView(em, fn, t)),
      };
    if (method === 'DELETE') {
      fn.triggers = fn.triggers.filter((t) => t.qualifier !== qualifier);
      return { status: 204 };
    }
  } else if (id !== undefined) {
    const trigger = fn.triggers.find(
      (t) => t.trigger_id === id && t.trigger_type_code === type && t.qualifier === qualifier,
    );
    if (!trigger)
      throw new FgApiError(404, triggerErrors[type]?.missing ?? 'FSS.1131', 'The trigger does not exist.');
    if (method === 'GET') return { status: 200, body: triggerView(em, fn, trigger) };
    if (method === 'DELETE') {
      fn.triggers = fn.triggers.filter((t) => t !== trigger);
      return { status: 204 };
    }
    if (method === 'PUT') {
      const b = checkBody(body, updateTriggerBody);
      const merged =
        b.event_data && !Array.isArray(b.event_data)
          ? { ...trigger.event_data, ...(b.event_data as Record<string, unknown>) }
          : trigger.event_data;
      if (trigger.trigger_type_code === 'TIMER') {
        const parsed = parseTimerSchedule(String(merged.schedule_type), String(merged.schedule));
        if (typeof parsed === 'string')
          throw new FgApiError(400, 'FSS.1109', `Invalid parameter. schedule: ${parsed}.`);
      }
      if (b.trigger_status) {
        if (
          b.trigger_status === 'DISABLED' &&
          !['TIMER', 'DDS', 'LTS', 'KAFKA'].includes(trigger.trigger_type_code)
        ) {
          throw fgErrors.invalidParameter(`${trigger.trigger_type_code} triggers cannot be disabled.`);
        }
        trigger.trigger_status = b.trigger_status as string;
      }
      trigger.event_data = merged;
      trigger.last_updated_time = fgTime();
      return { status: 200, body: triggerView(em, fn, trigger) };
    }
  }
  throw fgErrors.unsupportedPath(method, ['triggers', ...rest].join('/'));
}

function createTrigger(em: EmuState, fn: FunctionState, qualifier: string, body: unknown) {
  const b = checkBody(body, createTriggerBody);
  const type = b.trigger_type_code as string;
  if (qualifier !== 'latest') snapshotOf(fn, qualifier);
  const codes = triggerErrors[type] ?? { invalid: 'FSS.0400', exists: 'FSS.0409', missing: 'FSS.1131' };
  const data = b.event_data as Record<string, unknown>;
  const spec =
    type === 'TIMER'
      ? timerEventData
      : type === 'OBS'
        ? obsEventData
        : type === 'APIG' || type === 'DEDICATEDGATEWAY'
          ? apigEventData
          : type === 'KAFKA'
            ? kafkaEventData
            : type === 'OPENSOURCEKAFKA'
              ? openSourceKafkaEventData
              : undefined;
  if (!spec) throw fgErrors.invalidParameter(`The emulator does not support ${type} triggers.`);
  checkBody(data, spec, () => codes.invalid);
  if (type === 'TIMER') {
    const parsed = parseTimerSchedule(data.schedule_type as string, data.schedule as string);
    if (typeof parsed === 'string')
      throw new FgApiError(
        400,
        codes.invalid,
        `Invalid parameter. schedule ${String(data.schedule)} is not a valid ${String(data.schedule_type)} expression: ${parsed}.`,
      );
  }
  const same = fn.triggers.find((t) => {
    if (t.trigger_type_code !== type || t.qualifier !== qualifier) return false;
    if (type === 'TIMER') return t.event_data.name === data.name;
    if (type === 'OBS')
      return (
        t.event_data.bucket === data.bucket &&
        t.event_data.prefix === data.prefix &&
        t.event_data.suffix === data.suffix
      );
    if (type === 'KAFKA' || type === 'OPENSOURCEKAFKA')
      return (
        t.event_data.instance_id === data.instance_id &&
        t.event_data.kafka_connect_address === data.kafka_connect_address &&
        JSON.stringify(t.event_data.topic_ids) === JSON.stringify(data.topic_ids)
      );
    return t.event_data.name === data.name;
  });
  if (same) throw new FgApiError(409, codes.exists, `The ${type} trigger already exists.`);
  if (type === 'APIG' || type === 'DEDICATEDGATEWAY') {
    const clash = [...em.functions.values()]
      .flatMap((f) => f.triggers)
      .find(
        (t) =>
          t.event_data.group_id === data.group_id &&
          t.event_data.path === data.path &&
          (t.event_data.req_method === data.req_method ||
            t.event_data.req_method === 'ANY' ||
            data.req_method === 'ANY'),
      );
    if (clash)
      throw new FgApiError(
        409,
        'FSS.1147',
        `The request path ${String(data.path)} already exists in API group ${String(data.group_id)}.`,
      );
  }
  const id = randomUUID();
  const eventData = { ...data };
  if (type === 'APIG' || type === 'DEDICATEDGATEWAY') {
    Object.assign(eventData, {
      api_id: randomUUID().replace(/-/g, ''),
      api_name: data.name,
      triggerid: id,
      invoke_url: `${em.url}/_apig/${data.group_id as string}${data.path as string}`,
    });
  }
  const now = fgTime();
  const trigger: TriggerState = {
    trigger_id: id,
    trigger_type_code: type,
    // DDS and Kafka triggers are created DISABLED unless the body says otherwise (reference B, "Triggers").
    trigger_status:
      (b.trigger_status as string | undefined) ??
      (['DDS', 'KAFKA', 'OPENSOURCEKAFKA'].includes(type) ? 'DISABLED' : 'ACTIVE'),
    ...(b.event_type_code ? { event_type_code: b.event_type_code as string } : {}),
    event_data: eventData,
    qualifier,
    createdAt: em.now(),
    created_time: now,
    last_updated_time: now,
  };
  fn.triggers.push(trigger);
  return { status: 201, body: triggerView(em, fn, trigger) };
}
