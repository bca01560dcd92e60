import type { Duplex } from 'node:stream';
import type { CallMessage } from './messages';

/** The largest frame accepted from an instance (bodies are limited far below this by the gateway). */
export const maxFrameBytes = 256 * 1024 * 1024;

type HttpCallFields = Extract<CallMessage, { t: 'http' }> & { id?: number };
type EventCallFields = Extract<CallMessage, { t: 'event' }> & { id?: number };

/** Every field of an HTTP call, so the compiler flags a field added to the message but not sent here. */
const httpCallFields: Record<Exclude<keyof HttpCallFields, 'body'>, true> = {
  t: true,
  id: true,
  rid: true,
  method: true,
  url: true,
  headers: true,
  deadline: true,
  context: true,
  clientIp: true,
  extraHeaders: true,
};
const httpCallKeys = Object.keys(httpCallFields) as Array<Exclude<keyof HttpCallFields, 'body'>>;

/** Every field of an event call but its payload, for the same reason. */
const eventCallFields: Record<Exclude<keyof EventCallFields, 'payload'>, true> = {
  t: true,
  id: true,
  rid: true,
  deadline: true,
  context: true,
  extraHeaders: true,
};
const eventCallKeys = Object.keys(eventCallFields) as Array<Exclude<keyof EventCallFields, 'payload'>>;

/**
 * The JSON of a call, field by field: several times cheaper than `JSON.stringify` of the whole message
 * (with a copy to leave its bytes out) on Node 20, and calls are the gateway's and the broker's hot path.
 * Decodes with `JSON.parse` like any frame. `bin` names the field whose bytes follow the JSON.
 */
function callJson(
  message: Record<string, unknown>,
  keys: readonly string[],
  bin: string | undefined,
): string {
  let json = '{';
  for (const key of keys) {
    const value = message[key];
    if (value === undefined) continue;
    const text = typeof value === 'number' && Number.isFinite(value) ? value : JSON.stringify(value);
    json += `${json.length > 1 ? ',' : ''}"${key}":${text}`;
  }
  return `${json}${bin ? `,"$bin":"${bin}"` : ''}}`;
}

/** The message fields that may hold bytes; they travel after the JSON part of a frame, not inside it. */
const binaryFields = ['body', 'payload'] as const;

/**
 * Encodes a message as a frame: a 4-byte total length, a 4-byte JSON length, the JSON of the message
 * without its bytes, then the bytes of `body` or `payload` (named by `$bin`). JSON is several times
 * cheaper than v8 serialization for these small messages, and bodies are never base64-encoded.
 */
export function encodeFrame(message: Record<string, unknown>): Buffer {
  let bytes: Uint8Array | undefined;
  let json: string;
  if (message.t === 'http') {
    bytes = message.body instanceof Uint8Array ? message.body : undefined;
    json = callJson(message, httpCallKeys, bytes && 'body');
  } else if (message.t === 'event' && message.payload instanceof Uint8Array) {
    bytes = message.payload;
    json = callJson(message, eventCallKeys, 'payload');
  } else {
    let fields = message;
    for (const field of binaryFields) {
      const value = message[field];
      if (value instanceof Uint8Array) {
        bytes = value;
        fields = { ...message, [field]: undefined, $bin: field };
        break;
      }
    }
    json = JSON.stringify(fields);
  }
  const jsonLength = Buffer.byteLength(json);
  const size = 4 + jsonLength + (bytes?.length ?? 0);
  const frame = Buffer.allocUnsafe(4 + size);
  frame.writeUInt32LE(size, 0);
  frame.writeUInt32LE(jsonLength, 4);
  frame.write(json, 8, jsonLength);
  if (bytes) frame.set(bytes, 8 + jsonLength);
  return frame;
}

/**
 * Decodes the complete frames in `buffer`, calling `onMessage` for each, and returns the bytes of an
 * incomplete last frame. Throws on a frame that cannot be valid.
 */
export function decodeFrames(buffer: Buffer, onMessage: (message: Record<string, unknown>) => void): Buffer {
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const size = buffer.readUInt32LE(offset);
    if (size < 4 || size > maxFrameBytes) throw new Error(`bad frame length ${size}`);
    if (buffer.length - offset - 4 < size) break;
    const jsonLength = buffer.readUInt32LE(offset + 4);
    if (jsonLength > size - 4) throw new Error(`bad frame JSON length ${jsonLength}`);
    const jsonStart = offset + 8;
    const message = JSON.parse(buffer.toString('utf8', jsonStart, jsonStart + jsonLength)) as Record<
      string,
      unknown
    >;
    if (!message || typeof message !== 'object') throw new Error('a frame is not a JSON object');
    const field = message.$bin;
    if (field === 'body' || field === 'payload') {
      message[field] = new Uint8Array(buffer.subarray(jsonStart + jsonLength, offset + 4 + size));
      delete message.$bin;
    }
    offset += 4 + size;
    onMessage(message);
  }
  return offset === buffer.length ? Buffer.alloc(0) : buffer.subarray(offset);
}

/**
 * A message channel over a stream (the instance's file descriptor 3). Frames sent in the same turn
 * are written together, so a busy instance costs one system call for many messages rather than one
 * each (Node's own IPC channel writes every message separately).
 */
export class FrameChannel {
  private outgoing: Buffer[] = [];
  private flushQueued = false;
  private incoming: Buffer = Buffer.alloc(0);
  private broken = false;
  private readonly closed: Promise<void>;

  /**
   * @param onBroken - called once when the other end sends something that is not a valid frame (code
   *   in the instance can write to the channel); the owner kills the instance. Nothing is thrown.
   */
  constructor(
    private readonly stream: Duplex,
    onMessage: (message: Record<string, unknown>) => void,
    onBroken: (reason: string) => void,
  ) {
    stream.on('data', (chunk: Buffer) => {
      if (this.broken) return;
      try {
        this.incoming = decodeFrames(
          this.incoming.length ? Buffer.concat([this.incoming, chunk]) : chunk,
          onMessage,
        );
      } catch (error) {
        this.broken = true;
        this.incoming = Buffer.alloc(0);
        onBroken((error as Error).message);
      }
    });
    stream.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
    });
  }

  /**
   * Resolves once everything the other end wrote has been read (the channel ended), or after
   * `limitMs`: a descendant that kept the channel open must not hold up the report of an exit.
   */
  drained(limitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.closed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, limitMs);
        timer.unref();
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Queues a message; it is written at the end of the current turn. */
  send(message: Record<string, unknown>): void {
    this.outgoing.push(encodeFrame(message));
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    const frames = this.outgoing;
    this.outgoing = [];
    if (frames.length && this.stream.writable)
      this.stream.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  }
}
