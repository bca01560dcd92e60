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
const KAFKA = findResource('sources.knative.dev', 'v1beta1', 'kafkasources')!;

/** A record put on an emulated Kafka topic. */
export interface KafkaRecord {
  /** The record's value: bytes, or text (UTF-8). */
  value: Uint8Array | string;
  /** The record key, sent as the `key` and `partitionkey` extensions. */
  key?: string;
  /** Record headers; `content-type` becomes the event's content type. */
  headers?: Record<string, string>;
}

/** What one KafkaSource did with a record: its name, the Service it sinks to, and the Service's answer. */
export interface KafkaDelivery {
  source: string;
  sink: string;
  response: Response;
}

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

  /** Next offset per topic (one partition, 0, per emulated topic). */
  private readonly offsets = new Map<string, number>();

  /**
   * Puts a record on an emulated Kafka topic: every KafkaSource of the namespace that reads the topic
   * sends it to its sink as a KafkaSource sends a record that is not a CloudEvent (binary mode; id
   * `partition:0/offset:<n>`, source `/apis/v1/namespaces/<ns>/kafkasources/<name>#<topic>`, subject
   * `partition:0#<n>`, type `dev.knative.kafka.event`, the value as the body, record headers as
   * `kafkaheader<name>` extensions): knative-extensions/eventing-kafka-broker
   * data-plane/dispatcher/.../impl/consumer/InvalidCloudEventInterceptor.java.
   */
  async putKafkaRecord(ns: string, topic: string, record: KafkaRecord): Promise<KafkaDelivery[]> {
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    const body = typeof record.value === 'string' ? new TextEncoder().encode(record.value) : record.value;
    const out: KafkaDelivery[] = [];
    for (const source of this.store.list(KAFKA, ns)) {
      const spec = source.spec as Json;
      if (!Array.isArray(spec.topics) || !spec.topics.includes(topic)) continue;
      const ref = (spec.sink as Json | undefined)?.ref as Json | undefined;
      const svc = ref ? this.store.get(KSVC, ns, String(ref.name)) : undefined;
      const url = (svc?.status as Json | undefined)?.url as string | undefined;
      if (!ref || !url) continue;
      const headers: Record<string, string> = {
        'ce-specversion': '1.0',
        'ce-id': `partition:0/offset:${offset}`,
        'ce-source': `/apis/v1/namespaces/${ns}/kafkasources/${source.metadata.name}#${topic}`,
        'ce-subject': `partition:0#${offset}`,
        'ce-type': 'dev.knative.kafka.event',
        'ce-time': new Date().toISOString(),
      };
      if (record.key !== undefined) {
        headers['ce-key'] = record.key;
        headers['ce-partitionkey'] = record.key;
      }
      for (const [name, value] of Object.entries(record.headers ?? {})) {
        if (name.toLowerCase() === 'content-type') headers['content-type'] = value.toLowerCase();
        else headers[`ce-kafkaheader${name.toLowerCase().replace(/[^a-z0-9]/g, '')}`] = value;
      }
      const host = new URL(url).hostname;
      const response = await this.serve(
        host,
        new Request(`http://${host}/`, { method: 'POST', headers, body: body as BodyInit }),
      );
      out.push({ source: source.metadata.name, sink: String(ref.name), response });
    }
    return out;
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
