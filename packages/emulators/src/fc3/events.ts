import {
  deliverMnsMessage,
  deliverOssEvent,
  type EmulatedTrigger,
  type EventAccount,
  type FcEventResult,
  fireDueTimers,
  type TriggerFiring,
} from '../fc/trigger-events';
import type { Fc3Invoker } from './invoke';
import type { Fc3State } from './state';

/** One delivery of an event to a function by one of its triggers. @public */
export interface Fc3Delivery extends FcEventResult {
  functionName: string;
  triggerName: string;
}

type FunctionTrigger = EmulatedTrigger & { functionName: string };

/**
 * The FC 3.0 emulator's event sources: timers fired as its clock moves, OSS object events and MNS topic
 * messages. Timer, OSS and MNS events are the same on FC 2.0 and 3.0, so the delivery is the FC 2.0
 * emulator's (`../fc/trigger-events`); what differs is that FC 3.0 keeps triggers per function.
 */
export class Fc3EventSources {
  /** The emulator's clock (ms since the epoch): real time at start, moved by `advanceClock`. */
  clock = Date.now();

  constructor(
    private readonly state: Fc3State,
    private readonly invoker: Fc3Invoker,
    private readonly account: EventAccount,
  ) {}

  private *triggers(): Generator<FunctionTrigger> {
    for (const [functionName, e] of this.state.functions)
      for (const t of e.triggers.values())
        yield {
          functionName,
          triggerName: t.triggerName,
          triggerType: t.triggerType,
          triggerId: t.triggerId,
          config: JSON.parse(t.triggerConfig) as Record<string, unknown>,
          ...(t.sourceArn ? { sourceArn: t.sourceArn } : {}),
          ...(t.invocationRole ? { invocationRole: t.invocationRole } : {}),
          createdTime: t.createdTime,
          // The qualifier is resolved at each call, so an alias's weights apply to trigger events too.
          run: (payload, requestId) =>
            this.invoker.runEvent(
              this.invoker.resolve(this.state.functions.get(functionName)!, t.qualifier),
              payload,
              requestId,
            ),
        };
  }

  /** Moves the clock forward by `ms`, firing every enabled timer due in that span, in time order. */
  async advanceClock(ms: number): Promise<Fc3Delivery[]> {
    const from = this.clock;
    this.clock = from + ms;
    return deliveries(await fireDueTimers(this.triggers(), from, this.clock));
  }

  /** Delivers an OSS object event to the functions whose OSS triggers match it. */
  async emitOssEvent(
    bucket: string,
    key: string,
    eventName = 'ObjectCreated:PutObject',
    size = 0,
  ): Promise<Fc3Delivery[]> {
    return deliveries(await deliverOssEvent(this.triggers(), this.account, { bucket, key, eventName, size }));
  }

  /** Publishes a message on an MNS topic: each mns_topic trigger subscribed to it invokes its function. */
  async publishMnsMessage(topic: string, body: string, tag?: string): Promise<Fc3Delivery[]> {
    return deliveries(
      await deliverMnsMessage(this.triggers(), this.account, { topic, body, ...(tag ? { tag } : {}) }),
    );
  }
}

const deliveries = (firings: Array<TriggerFiring<FunctionTrigger>>): Fc3Delivery[] =>
  firings.map(({ trigger, result }) => ({
    functionName: trigger.functionName,
    triggerName: trigger.triggerName,
    body: result.body,
    ...(result.error ? { error: result.error } : {}),
  }));
