// The channel between a Node worker and the executor: file descriptor 3, carrying length-prefixed
// frames. Frames: a 4-byte total length, a 4-byte JSON length, the JSON, then the bytes of the field named
// by `$bin` (`body` or `payload`). The executor's src/executor/frames.ts is the other end.
import { fstatSync } from 'node:fs';
import net from 'node:net';

/** @type {net.Socket | undefined} */
let channel;

/**
 * Opens the channel (file descriptor 3, which the executor passes). Until then nothing is sent, so the
 * worker's modules can be loaded on their own (the contract registry's test does).
 */
export function openChannel() {
  try {
    fstatSync(3);
  } catch {
    process.stderr.write('node-worker.mjs must be started by the faasport executor (channel fd 3 missing)\n');
    process.exit(2);
  }
  channel = new net.Socket({ fd: 3, readable: true, writable: true });
  // The executor went away (or killed the channel): nothing can reach this instance any more.
  channel.on('end', () => process.exit(0));
  channel.on('error', () => process.exit(0));
}

// Frames written in the same turn go out in one write, so a busy instance makes one system call for
// many answers: they are written into one buffer as they are sent (`outgoingBytes` of `outgoing`). Log
// lines of the turn travel together in one `logs` frame ahead of the rest: one frame and one JSON text
// for the runtime to read, however many lines (a line per call is common).
const emptyBuffer = Buffer.alloc(0);
let outgoing = emptyBuffer;
let outgoingBytes = 0;
let logLines = '';
let flushQueued = false;
function flush() {
  flushQueued = false;
  const frames = outgoing.subarray(0, outgoingBytes);
  // The channel may keep the bytes until the executor reads them: the next turn writes elsewhere.
  outgoing = emptyBuffer;
  outgoingBytes = 0;
  if (!channel?.writable) return;
  if (logLines) {
    const logs = encodeFrame({ t: 'logs', $json: `{"t":"logs","lines":[${logLines}]}` });
    logLines = '';
    if (frames.length === 0) {
      channel.write(logs);
      return;
    }
    channel.cork();
    channel.write(logs);
    channel.write(frames);
    channel.uncork();
  } else if (frames.length) channel.write(frames);
}

/** Reads the executor's messages: `onMessage` is called with each, in order. */
export function receive(onMessage) {
  let incoming = emptyBuffer;
  channel.on('data', (chunk) => {
    incoming = incoming.length ? Buffer.concat([incoming, chunk]) : chunk;
    let offset = 0;
    while (incoming.length - offset >= 4) {
      const size = incoming.readUInt32LE(offset);
      if (incoming.length - offset - 4 < size) break;
      const jsonLength = incoming.readUInt32LE(offset + 4);
      const jsonStart = offset + 8;
      const message = JSON.parse(incoming.toString('utf8', jsonStart, jsonStart + jsonLength));
      if (message.$bin) {
        message[message.$bin] = new Uint8Array(incoming.subarray(jsonStart + jsonLength, offset + 4 + size));
        // Not `delete`: that turns the message into a slow dictionary for every later read of it.
        message.$bin = undefined;
      }
      offset += 4 + size;
      onMessage(message);
    }
    incoming = offset === incoming.length ? emptyBuffer : incoming.subarray(offset);
  });
}

// The JSON of header lists a contract shares between answers (plain results' content types).
const headersJson = new WeakMap();
function jsonOfHeaders(headers) {
  if (!Object.isFrozen(headers)) return JSON.stringify(headers);
  let json = headersJson.get(headers);
  if (json === undefined) {
    json = JSON.stringify(headers);
    headersJson.set(headers, json);
  }
  return json;
}

/** A message's JSON text and the bytes that follow it in its frame. */
function frameParts(message) {
  if (message.$json !== undefined) return { json: message.$json, bytes: undefined };
  if (
    message.t === 'res' &&
    (message.body == null || message.body instanceof Uint8Array) &&
    Number.isInteger(message.us)
  ) {
    // HTTP answers are the hot path: their JSON is written field by field, which is several times
    // cheaper than JSON.stringify of the message on Node 20.
    const bytes = message.body instanceof Uint8Array ? message.body : undefined;
    return {
      json: `{"t":"res","id":${message.id},"us":${message.us},"status":${Number(message.status) || 500},"headers":${jsonOfHeaders(message.headers)}${bytes ? ',"$bin":"body"' : ',"body":null'}}`,
      bytes,
    };
  }
  if (
    message.t === 'eres' &&
    message.body instanceof Uint8Array &&
    Number.isFinite(message.id) &&
    Number.isInteger(message.us)
  ) {
    // Event answers, the broker's hot path: the same, without a copy of the message to leave the body out.
    return {
      json: `{"t":"eres","id":${message.id},"us":${message.us}${message.error === undefined ? '' : `,"error":${JSON.stringify(message.error)}`}${message.logs === undefined ? '' : `,"logs":${JSON.stringify(message.logs)}`},"$bin":"body"}`,
      bytes: message.body,
    };
  }
  for (const field of ['body', 'payload']) {
    if (message[field] instanceof Uint8Array)
      return { json: JSON.stringify({ ...message, [field]: undefined, $bin: field }), bytes: message[field] };
  }
  return { json: JSON.stringify(message), bytes: undefined };
}

/**
 * Bytes enough for a frame of this JSON and these bytes: short JSON is bounded (UTF-8 takes up to 3
 * bytes a UTF-16 unit) rather than measured; long JSON is measured, so a large message costs no 3x buffer.
 */
const frameRoom = (json, bytes) =>
  8 + (json.length > 4096 ? Buffer.byteLength(json) : json.length * 3) + (bytes?.length ?? 0);

/** Writes a frame into `target` at `offset` (with {@link frameRoom} bytes free) and returns its length. */
function writeFrame(target, offset, json, bytes) {
  const jsonLength = target.write(json, offset + 8);
  const size = 4 + jsonLength + (bytes?.length ?? 0);
  target.writeUInt32LE(size, offset);
  target.writeUInt32LE(jsonLength, offset + 4);
  if (bytes) target.set(bytes, offset + 8 + jsonLength);
  return 4 + size;
}

/** A message as a frame (exported so a pooled worker can compile this path before its first call). */
export function encodeFrame(message) {
  const { json, bytes } = frameParts(message);
  const frame = Buffer.allocUnsafe(frameRoom(json, bytes));
  return frame.subarray(0, writeFrame(frame, 0, json, bytes));
}

/** Sends a message to the executor (in the next write of this turn). */
export function send(message) {
  const { json, bytes } = frameParts(message);
  const room = frameRoom(json, bytes);
  if (outgoing.length - outgoingBytes < room) {
    // Small buffers come from Node's shared pool; a busy turn's grows by doubling.
    const next = Buffer.allocUnsafe(Math.max(2048, 2 * outgoing.length, outgoingBytes + room));
    outgoing.copy(next, 0, 0, outgoingBytes);
    outgoing = next;
  }
  outgoingBytes += writeFrame(outgoing, outgoingBytes, json, bytes);
  queueFlush();
}

/**
 * Sends a log line given as the JSON text of its fields (`{"level":...}`); the lines of a turn go out
 * together, in the order they were written.
 */
export function sendLog(text) {
  logLines = logLines ? `${logLines},${text}` : text;
  queueFlush();
}

function queueFlush() {
  if (!flushQueued) {
    flushQueued = true;
    setImmediate(flush);
  }
}
