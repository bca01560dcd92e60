import type { Duplex } from 'node:stream';
import { jsonText, type MustBeNever } from '../json-text';
import type { CallMessage } from './messages';

/** The largest frame accepted from an instance (bodies are limited far below this by the gateway). */
export const maxFrameBytes = 256 * 1024 * 1024;

const emptyBuffer = Buffer.alloc(0);

type HttpCallFields = Extract<CallMessage, { t: 'http' }> & { id?: number };
type EventCallFields = Extract<CallMessage, { t: 'event' }> & { id?: number };

/** The fields {@link httpCallJson} writes (and `body`, which follows the JSON). */
type HttpCallFieldsWritten =
  | 't'
  | 'id'
  | 'rid'
  | 'method'
  | 'url'
  | 'headers'
  | 'deadline'
  | 'context'
  | 'clientIp'
  | 'extraHeaders'
  | 'body';
/** A field added to HTTP calls but not written by {@link httpCallJson} fails to compile here. */
// biome-ignore lint/correctness/noUnusedVariables: a compile-time check that nothing needs to use
type UnwrittenHttpCallFields = MustBeNever<Exclude<keyof HttpCallFields, HttpCallFieldsWritten>>;

/** Every field of an event call but its payload, so the compiler flags a field added but not sent. */
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
 * The JSON of an HTTP call, field by field: several times cheaper than `JSON.stringify` of the whole
 * message (with a copy to leave its bytes out) on Node 20, and calls are the gateway's hot path.
 * Decodes with `JSON.parse` like any frame.
 */
function httpCallJson(message: HttpCallFields, bin: boolean): string {
  let json = `{"t":"http"${message.id === undefined ? '' : `,"id":${message.id}`},"rid":${jsonText(message.rid)},"method":${jsonText(message.method)},"url":${jsonText(message.url)},"headers":${JSON.stringify(message.headers)},"deadline":${message.deadline}`;
  if (message.context !== undefined) json += `,"context":${JSON.stringify(message.context)}`;
  if (message.clientIp !== undefined) json += `,"clientIp":${jsonText(message.clientIp)}`;
  if (message.extraHeaders !== undefined) json += `,"extraHeaders":${JSON.stringify(message.extraHeaders)}`;
  return bin ? `${json},"$bin":"body"}` : `${json}}`;
}

/** The JSON of a call, field by field, for the other calls (events, the broker's hot path). */
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

/** A message's JSON text and the bytes that follow it in its frame. */
function frameParts(message: Record<string, unknown>): { json: string; bytes: Uint8Array | undefined } {
  if (message.t === 'http') {
    const bytes = message.body instanceof Uint8Array ? message.body : undefined;
    return { json: httpCallJson(message as HttpCallFields, bytes !== undefined), bytes };
  }
  if (message.t === 'event' && message.payload instanceof Uint8Array)
    return { json: callJson(message, eventCallKeys, 'payload'), bytes: message.payload };
  for (const field of binaryFields) {
    const value = message[field];
    if (value instanceof Uint8Array)
      return { json: JSON.stringify({ ...message, [field]: undefined, $bin: field }), bytes: value };
  }
  return { json: JSON.stringify(message), bytes: undefined };
}

/**
 * Writes a message's frame into `target` at `offset` and returns the frame's length. `target` must
 * have room for {@link frameRoom} bytes from `offset`.
 */
function writeFrame(target: Buffer, offset: number, json: string, bytes: Uint8Array | undefined): number {
  const jsonLength = target.write(json, offset + 8);
  const size = 4 + jsonLength + (bytes?.length ?? 0);
  target.writeUInt32LE(size, offset);
  target.writeUInt32LE(jsonLength, offset + 4);
  if (bytes) target.set(bytes, offset + 8 + jsonLength);
  return 4 + size;
}

/** Bytes enough for a frame: short JSON is bounded (UTF-8 takes up to 3 bytes a UTF-16 unit), long JSON measured. */
const frameRoom = (json: string, bytes: Uint8Array | undefined) =>
  8 + (json.length > 4096 ? Buffer.byteLength(json) : json.length * 3) + (bytes?.length ?? 0);

/**
 * Encodes a message as a frame: a 4-byte total length, a 4-byte JSON length, the JSON of the message
 * without its bytes, then the bytes of `body` or `payload` (named by `$bin`). JSON is several times
 * cheaper than v8 serialization for these small messages, and bodies are never base64-encoded.
 */
export function encodeFrame(message: Record<string, unknown>): Buffer {
  const { json, bytes } = frameParts(message);
  const frame = Buffer.allocUnsafe(frameRoom(json, bytes));
  return frame.subarray(0, writeFrame(frame, 0, json, bytes));
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
      // Not `delete`: that turns the object into a slow dictionary for every later read of it.
      message.$bin = undefined;
    }
    offset += 4 + size;
    onMessage(message);
  }
  return offset === buffer.length ? emptyBuffer : buffer.subarray(offset);
}

/**
 * A message channel over a stream (the instance's file descriptor 3). Frames sent in the same turn
 * are written together, so a busy instance costs one system call for many messages rather than one
 * each (Node's own IPC channel writes every message separately).
 */
export class FrameChannel {
  /** The frames of this turn, written together at its end: `outgoingBytes` of `outgoing`. */
  private outgoing: Buffer = emptyBuffer;
  private outgoingBytes = 0;
  private flushQueued = false;
  private incoming: Buffer = emptyBuffer;
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
        this.incoming = emptyBuffer;
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
    const { json, bytes } = frameParts(message);
    const room = frameRoom(json, bytes);
    if (this.outgoing.length - this.outgoingBytes < room) this.grow(room);
    this.outgoingBytes += writeFrame(this.outgoing, this.outgoingBytes, json, bytes);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  /** Makes room for `room` more bytes in the turn's buffer, keeping what it holds. */
  private grow(room: number): void {
    // Small buffers come from Node's shared pool; a busy turn's grows by doubling.
    const next = Buffer.allocUnsafe(Math.max(2048, 2 * this.outgoing.length, this.outgoingBytes + room));
    this.outgoing.copy(next, 0, 0, this.outgoingBytes);
    this.outgoing = next;
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.outgoingBytes === 0) return;
    const frames = this.outgoing.subarray(0, this.outgoingBytes);
    // The stream may keep the bytes until the other end reads them: the next turn writes elsewhere.
    this.outgoing = emptyBuffer;
    this.outgoingBytes = 0;
    if (this.stream.writable) this.stream.write(frames);
  }
}
