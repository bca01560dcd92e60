/**
 * Event delivery in the emulator: a PingSource fired on request, and CloudEvents published into a
 * Broker reaching the subscribers of the matching Triggers, sent in binary mode to the subscriber
 * Service's route as Knative's senders do.
 */
import type { Json } from './patch';
import { findResource } from './resources';
import type { ObjectStore } from './store';

const KSVC = findResource('serving.knative.dev', 'v1', 'services')!;
const TRIGGER = findResource('eventing.knative.dev', 'v1', 'triggers')!;
const BROKER = findResource('eventing.knative.dev', 'v1', 'brokers')!;
const PING = findResource('sources.knative.dev', 'v1', 'pingsources')!;

/** A CloudEvent to deliver: its attributes and data. */
export interface DeliverableEvent {
  type: string;
  source: string;
  id?: string;
  data?: unknown;
  [extension: string]: unknown;
}

/** Serves a request for a route host (the controller's ingress). */
export type Serve = (host: string, request: Request) => Promise<Response>;

/** Delivers events through the ingress. */
export class EventDelivery {
  constructor(
    private readonly store: ObjectStore,
    private readonly serve: Serve,
  ) {}

  /** Delivers a CloudEvent to a Service by name, as a Trigger or PingSource sink would (binary mode). */
  async deliver(ns: string, service: string, event: DeliverableEvent): Promise<Response> {
    const svc = this.store.get(KSVC, ns, service);
    const url = (svc?.status as Json | undefined)?.url as string | undefined;
    if (!url) return new Response(`service ${ns}/${service} has no URL\n`, { status: 404 });
    const headers: Record<string, string> = {
      'ce-specversion': '1.0',
      'ce-id': event.id ?? crypto.randomUUID(),
      'content-type': 'application/json',
    };
    for (const [key, value] of Object.entries(event)) {
      if (key === 'data' || key === 'id' || value === undefined) continue;
      headers[`ce-${key}`] = String(value);
    }
    const body =
      event.data === undefined
        ? undefined
        : typeof event.data === 'string'
          ? event.data
          : JSON.stringify(event.data);
    const host = new URL(url).hostname;
    return this.serve(
      host,
      new Request(`http://${host}/`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) }),
    );
  }

  /** Fires a PingSource once now: its event goes to its sink. */
  async firePing(ns: string, name: string): Promise<Response> {
    const ping = this.store.get(PING, ns, name);
    if (!ping) return new Response(`pingsource ${ns}/${name} not found\n`, { status: 404 });
    const spec = ping.spec as Json;
    const ref = (spec.sink as Json).ref as Json;
    let data: unknown = spec.data;
    if (spec.dataBase64) data = Buffer.from(String(spec.dataBase64), 'base64').toString('utf8');
    if (typeof data === 'string' && spec.contentType === 'application/json') data = JSON.parse(data);
    return this.deliver(ns, String(ref.name), {
      type: 'dev.knative.sources.ping',
      source: `/apis/v1/namespaces/${ns}/pingsources/${name}`,
      data,
    });
  }

  /** Sends an event into a Broker: every Trigger on it whose filter matches gets it. */
  async publish(ns: string, broker: string, event: DeliverableEvent): Promise<Response[]> {
    if (!this.store.get(BROKER, ns, broker)) throw new Error(`broker ${ns}/${broker} not found`);
    const out: Response[] = [];
    for (const trigger of this.store.list(TRIGGER, ns)) {
      const spec = trigger.spec as Json;
      if (spec.broker !== broker) continue;
      const attributes =
        ((spec.filter as Json | undefined)?.attributes as Record<string, string> | undefined) ?? {};
      if (!Object.entries(attributes).every(([k, v]) => String(event[k]) === v)) continue;
      const ref = (spec.subscriber as Json).ref as Json;
      out.push(await this.deliver(ns, String(ref.name), event));
    }
    return out;
  }
}
