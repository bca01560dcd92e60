import { describe, expect, test } from 'vitest';
import { decodeFrames, encodeFrame } from '../src/executor/frames';

// The worker's end of the channel: plain JavaScript, run as is in instances (it has no types).
const { encodeFrame: encodeWorkerFrame } = (await import(
  new URL('../worker/channel.mjs', import.meta.url).href
)) as { encodeFrame: (message: Record<string, unknown>) => Buffer };

const decodeAll = (buffer: Buffer) => {
  const messages: Record<string, unknown>[] = [];
  const rest = decodeFrames(buffer, (message) => messages.push(message));
  return { messages, rest };
};

describe('executor frames', () => {
  test('an HTTP call, written field by field, decodes to the same message with its body bytes', () => {
    const call = {
      t: 'http',
      id: 7,
      rid: 'req-"quoted"\n',
      method: 'POST',
      url: 'http://fn.default.localhost/a?b=ü',
      headers: [
        ['content-type', 'text/plain'],
        ['x-odd', 'tab\there "and" \\ back'],
      ],
      body: new Uint8Array([0, 1, 2, 255]),
      deadline: 1_700_000_000_000,
      context: { nested: { list: [1, 'two'] } },
      clientIp: '127.0.0.1',
      extraHeaders: { 'x-extra': 'yes' },
    };
    const { messages, rest } = decodeAll(encodeFrame(call));
    expect(rest.length).toBe(0);
    expect(messages).toEqual([call]);
  });

  test('fields left undefined are not sent, and other messages keep their own bytes field', () => {
    const sparse = { t: 'http', id: 1, rid: 'r', method: 'GET', url: 'http://x/', headers: [], deadline: 5 };
    const event = { t: 'event', id: 2, rid: 'e', payload: new Uint8Array([9, 8]), deadline: 6 };
    const both = Buffer.concat([
      encodeFrame({ ...sparse, body: undefined, context: undefined }),
      encodeFrame(event),
    ]);
    const { messages } = decodeAll(both);
    expect(messages).toEqual([sparse, event]);
    expect(Object.keys(messages[0]!)).not.toContain('context');
  });

  test('an event call, written field by field, decodes to the same message with its payload bytes', () => {
    const call = {
      t: 'event',
      id: 11,
      rid: 'evt-"1"',
      payload: new Uint8Array(Buffer.from('{"specversion":"1.0","id":"ü"}')),
      deadline: 0,
      context: { trigger: 'queue', attempt: 2 },
      extraHeaders: { 'x-extra': 'line\nbreak' },
    };
    expect(decodeAll(encodeFrame(call)).messages).toEqual([call]);
  });

  test("the worker's event answers decode to the same message, with and without an error and logs", () => {
    const plain = { t: 'eres', id: 4, us: 125, body: new Uint8Array([1, 2, 3]) };
    const failed = {
      t: 'eres',
      id: 5,
      us: 12,
      body: new Uint8Array(),
      error: { message: 'boom "quoted"', type: 'TypeError', stack: 'TypeError: boom\n    at x' },
      logs: ['{"level":"error","message":"Unhandled"}', 'plain ü'],
    };
    const { messages } = decodeAll(Buffer.concat([encodeWorkerFrame(plain), encodeWorkerFrame(failed)]));
    expect(messages).toEqual([plain, failed]);
    // An answer without a time (not sent by the worker today) still travels as valid JSON.
    const untimed = { t: 'eres', id: 6, body: new Uint8Array([7]) };
    expect(decodeAll(encodeWorkerFrame(untimed)).messages).toEqual([untimed]);
  });

  test('a partial frame is kept for the next read, and a frame with an impossible length is refused', () => {
    const frame = encodeFrame({
      t: 'http',
      id: 3,
      rid: 'p',
      method: 'GET',
      url: 'http://x/',
      headers: [],
      deadline: 1,
    });
    const first = decodeAll(frame.subarray(0, 10));
    expect(first.messages).toEqual([]);
    expect(first.rest.length).toBe(10);
    const second = decodeAll(Buffer.concat([first.rest, frame.subarray(10)]));
    expect(second.messages).toHaveLength(1);
    const bad = Buffer.alloc(8);
    bad.writeUInt32LE(2, 0);
    expect(() => decodeAll(bad)).toThrow(/bad frame length/);
  });
});
