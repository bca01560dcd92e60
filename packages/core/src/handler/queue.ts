import { toBase64 } from './normalize';
import { type CloudEvent, eventTypes } from './types';

/**
 * The extension attributes of a `dev.faasport.queue.message` event (CloudEvents extension names are
 * lowercase letters and digits only: https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md#naming-conventions).
 *
 * @public
 */
export const queueExtensions = {
  /** The topic (or queue) the message was read from. */
  topic: 'faasporttopic',
  /** The message's id on its platform (Kafka `partition/offset`, an MNS or SQS message id, a local id). */
  messageId: 'faasportmessageid',
  /** Which delivery of the message this is, from 1; absent where the platform does not count them. */
  attempt: 'faasportattempt',
} as const;

/** One message read from a queue, as a runtime shim or the local runtime knows it. @public */
export interface QueueMessage {
  topic: string;
  /** The message's id on its platform. */
  id: string;
  /** The message body: bytes, or text (encoded as UTF-8). */
  body: Uint8Array | string;
  /** The content type the body was published with, when the platform keeps one. */
  contentType?: string;
  /** Which delivery of the message this is (1 = the first), where the platform counts them. */
  attempt?: number;
  /** When the message was published (RFC 3339), where the platform says. */
  time?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The portable event of one queue message (decision 0013): `data` is the body parsed as JSON when
 * it is JSON, else the bytes as `data_base64` with their `datacontenttype`; the topic, message id and
 * delivery attempt are extension attributes. Every target's shim builds it with this function.
 *
 * @public
 */
export function queueMessageEvent(message: QueueMessage): CloudEvent {
  const bytes = typeof message.body === 'string' ? new TextEncoder().encode(message.body) : message.body;
  const event: CloudEvent = {
    specversion: '1.0',
    id: message.id,
    source: `/faasport/topics/${message.topic}`,
    type: eventTypes.queueMessage,
    ...(message.time ? { time: message.time } : {}),
    [queueExtensions.topic]: message.topic,
    [queueExtensions.messageId]: message.id,
    ...(message.attempt === undefined ? {} : { [queueExtensions.attempt]: message.attempt }),
  };
  const json = parseJson(bytes);
  if (json.ok) {
    event.datacontenttype = 'application/json';
    event.data = json.value;
  } else {
    event.datacontenttype = message.contentType ?? 'application/octet-stream';
    event.data_base64 = toBase64(bytes);
  }
  return event;
}

function parseJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  if (bytes.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(utf8.decode(bytes)) };
  } catch {
    return { ok: false };
  }
}
