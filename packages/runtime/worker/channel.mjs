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
// many answers. Log lines of the turn travel together in one `logs` frame ahead of the rest: one
// frame and one JSON text for the runtime to read, however many lines (a line per call is common).
let outgoing = [];
let logLines = '';
let flushQueued = false;
function flush() {
  flushQueued = false;
  const frames = outgoing;
  outgoing = [];
  if (logLines) {
    frames.unshift(jsonFrame(`{"t":"logs","lines":[${logLines}]}`));
    logLines = '';
  }
  if (frames.length && channel?.writable)
    channel.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
}

/** Reads the executor's messages: `onMessage` is called with each, in order. */
export function receive(onMessage) {
  let incoming = Buffer.alloc(0);
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
        delete message.$bin;
      }
      offset += 4 + size;
      onMessage(message);
    }
    incoming = offset === incoming.length ? Buffer.alloc(0) : incoming.subarray(offset);
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

/** A message as a frame (exported so a pooled worker can compile this path before its first call). */
export function encodeFrame(message) {
  let bytes;
  let text;
  if (message.t === 'res' && (message.body == null || message.body instanceof Uint8Array)) {
    // HTTP answers are the hot path: their JSON is written field by field, which is several times
    // cheaper than JSON.stringify of the message on Node 20.
    bytes = message.body instanceof Uint8Array ? message.body : undefined;
    text = `{"t":"res","id":${message.id},"ms":${message.ms},"status":${Number(message.status) || 500},"headers":${jsonOfHeaders(message.headers)}${bytes ? ',"$bin":"body"' : ',"body":null'}}`;
  } else if (
    message.t === 'eres' &&
    message.body instanceof Uint8Array &&
    Number.isFinite(message.id) &&
    Number.isFinite(message.ms)
  ) {
    // Event answers, the broker's hot path: the same, without a copy of the message to leave the body out.
    bytes = message.body;
    text = `{"t":"eres","id":${message.id},"ms":${message.ms}${message.error === undefined ? '' : `,"error":${JSON.stringify(message.error)}`}${message.logs === undefined ? '' : `,"logs":${JSON.stringify(message.logs)}`},"$bin":"body"}`;
  } else {
    let fields = message;
    for (const field of ['body', 'payload']) {
      if (message[field] instanceof Uint8Array) {
        bytes = message[field];
        fields = { ...message, [field]: undefined, $bin: field };
        break;
      }
    }
    text = JSON.stringify(fields);
  }
  // The JSON goes straight into the frame: no buffer of its own to copy from.
  const jsonLength = Buffer.byteLength(text);
  const size = 4 + jsonLength + (bytes?.length ?? 0);
  const frame = Buffer.allocUnsafe(4 + size);
  frame.writeUInt32LE(size, 0);
  frame.writeUInt32LE(jsonLength, 4);
  frame.write(text, 8, jsonLength);
  if (bytes) frame.set(bytes, 8 + jsonLength);
  return frame;
}

/** Sends a message to the executor (in the next write of this turn). */
export function send(message) {
  queue(encodeFrame(message));
}

/**
 * Sends a log line given as the JSON text of its fields (`{"level":...}`); the lines of a turn go out
 * together, in the order they were written.
 */
export function sendLog(text) {
  logLines = logLines ? `${logLines},${text}` : text;
  queueFlush();
}

/** A frame of a message given as its JSON text (a message without bytes). */
function jsonFrame(text) {
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(8 + length);
  frame.writeUInt32LE(4 + length, 0);
  frame.writeUInt32LE(length, 4);
  frame.write(text, 8, length);
  return frame;
}

function queue(frame) {
  outgoing.push(frame);
  queueFlush();
}

function queueFlush() {
  if (!flushQueued) {
    flushQueued = true;
    setImmediate(flush);
  }
}
