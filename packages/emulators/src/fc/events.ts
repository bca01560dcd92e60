import type { FcEmu } from './context';
import { fcErrors } from './errors';
import { fcContext, resolveForCall } from './invoke';
import { findService } from './lookup';
import type { TriggerRecord } from './state';
import {
  deliverMnsMessage,
  deliverOssEvent,
  type EmulatedTrigger,
  type FcEventResult,
  fireDueTimers,
  fireTimer as fireTimerAt,
  type TriggerFiring,
} from './trigger-events';

export type { FcEventResult } from './trigger-events';

/** One delivery of an event to a function by one of its triggers. */
export interface FcDelivery extends FcEventResult {
  serviceName: string;
  functionName: string;
  triggerName: string;
}

type ServiceTrigger = EmulatedTrigger & { serviceName: string; functionName: string };

/** A stored trigger with the way to run its function (its qualifier resolved at each call). */
function emulated(em: FcEmu, serviceName: string, functionName: string, t: TriggerRecord): ServiceTrigger {
  return {
    serviceName,
    functionName,
    triggerName: t.triggerName,
    triggerType: t.triggerType,
    triggerId: t.triggerId,
    config: t.triggerConfig as Record<string, unknown>,
    ...(t.sourceArn ? { sourceArn: t.sourceArn } : {}),
    ...(t.invocationRole ? { invocationRole: t.invocationRole } : {}),
    createdTime: t.createdTime,
    run: async (payload, requestId) => {
      const { fn, site } = resolveForCall(em, serviceName, t.qualifier, functionName);
      const exe = await em.options.execution.executable(fn, 'event', site);
      return exe.invokeEvent(payload, { requestId, context: fcContext(fn, site, requestId) });
    },
  };
}

function* allTriggers(em: FcEmu): Generator<ServiceTrigger> {
  for (const svc of em.state.services.values())
    for (const [functionName, triggers] of svc.triggers)
      for (const t of triggers.values()) yield emulated(em, svc.serviceName, functionName, t);
}

const deliveries = (firings: Array<TriggerFiring<ServiceTrigger>>): FcDelivery[] =>
  firings.map(({ trigger, result }) => ({
    serviceName: trigger.serviceName,
    functionName: trigger.functionName,
    triggerName: trigger.triggerName,
    body: result.body,
    ...(result.error ? { error: result.error } : {}),
  }));

const account = (em: FcEmu) => ({ accountId: em.options.accountId, region: em.options.region });

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
  return deliveries(await deliverOssEvent(allTriggers(em), account(em), { bucket, key, eventName, size }));
}

/** Test helper: publishes a message on an MNS topic; every mns_topic trigger subscribed to it invokes its function. */
export async function publishMnsMessage(
  em: FcEmu,
  topic: string,
  message: string,
  tag?: string,
): Promise<FcDelivery[]> {
  return deliveries(
    await deliverMnsMessage(allTriggers(em), account(em), {
      topic,
      body: message,
      ...(tag ? { tag } : {}),
    }),
  );
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
  return fireTimerAt(emulated(em, serviceName, functionName, t), em.clock);
}

/**
 * Test helper: moves the emulator's clock forward by `ms` and fires, in time order, every enabled
 * timer trigger due in that span: FC's six-field cron (seconds first, evaluated in UTC) or `@every`
 * counted from the trigger's creation.
 */
export async function advanceClock(em: FcEmu, ms: number): Promise<FcDelivery[]> {
  const from = em.clock;
  em.clock = from + ms;
  return deliveries(await fireDueTimers(allTriggers(em), from, em.clock));
}
