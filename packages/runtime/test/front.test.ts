import net from 'node:net';
import { defineFunction, deploy } from '@faasport/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, tempDir } from './helpers/fixtures';

// The gateway's front reads simple function calls straight off the connection and hands everything
// else to Node's HTTP server. These tests speak raw HTTP/1.1 to check both paths, and the switch
// from one to the other on the same connection.

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({
    dataDir: tempDir('faasport-front-'),
    port: 0,
    bodyLimitBytes: 1024,
    // Long enough that a loaded machine's stall between split writes cannot pass for a slow client.
    headersTimeoutMs: 1000,
    requestTimeoutMs: 2000,
    warmPool: 0,
  });
  const adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
  await deploy(
    adapter,
    defineFunction({
      name: 'echo',
      source: {
        inline: `export default async (request) => {
          const url = new URL(request.url);
          return Response.json({
            method: request.method,
            path: url.pathname + url.search,
            body: await request.text(),
            host: request.headers.get('host'),
            custom: request.headers.get('x-custom'),
          });
        };`,
      },
      scaling: { min: 1 },
    }),
  );
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  cleanTemp();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses complete HTTP/1.1 responses (Content-Length framed) from the start of `data`. */
function parseResponses(data: string, expectBody: (index: number) => boolean): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) return out;
    const [statusLine, ...lines] = rest.slice(0, headEnd).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = expectBody(out.length) ? Number(headers['content-length'] ?? 0) : 0;
    if (rest.length < headEnd + 4 + length) return out;
    out.push({
      status: Number(statusLine!.split(' ')[1]),
      headers,
      body: rest.slice(headEnd + 4, headEnd + 4 + length),
    });
    rest = rest.slice(headEnd + 4 + length);
  }
}

/**
 * Sends `chunks` on one connection (each write awaited before the next) and collects `count`
 * responses, or what arrived before the server closed the connection.
 */
async function exchange(
  chunks: string[],
  count: number,
  options: { endAfterWrite?: boolean; untilClosed?: boolean; expectBody?: (index: number) => boolean } = {},
): Promise<{ responses: RawResponse[]; closed: boolean }> {
  const socket = net.connect(runtime.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let data = '';
  let closed = false;
  const expectBody = options.expectBody ?? (() => true);
  const done = new Promise<void>((resolve) => {
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (!options.untilClosed && parseResponses(data, expectBody).length >= count) resolve();
    });
    socket.on('close', () => {
      closed = true;
      resolve();
    });
  });
  for (const chunk of chunks) {
    await new Promise<void>((resolve) => socket.write(chunk, 'latin1', () => resolve()));
    // Let the server read this write on its own, so heads and bodies arrive split.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (options.endAfterWrite) socket.end();
  await done;
  socket.destroy();
  return { responses: parseResponses(data, expectBody), closed };
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;

describe('gateway front', () => {
  test('pipelined calls on one connection are answered in order, with the request id and revision', async () => {
    const { responses } = await exchange([get('/echo/a') + get('/echo/b?x=1') + get('/echo/c')], 3);
    expect(responses.map((r) => JSON.parse(r.body).path)).toEqual(['/a', '/b?x=1', '/c']);
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.headers['x-faasport-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-faasport-revision']).toMatch(/^r-/);
      expect(response.headers.connection).toBe('keep-alive');
      expect(response.headers.date).toBeTruthy();
    }
  });

  test('a body split from its head is read whole, and the connection keeps serving', async () => {
    const head =
      'POST /echo/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 11\r\nX-Custom: yes\r\n\r\n';
    const { responses } = await exchange([head, 'hello', ' world', get('/echo/after')], 2);
    expect(JSON.parse(responses[0]!.body)).toMatchObject({
      method: 'POST',
      path: '/upload',
      body: 'hello world',
      custom: 'yes',
    });
    expect(JSON.parse(responses[1]!.body).path).toBe('/after');
  });

  test('requests the front does not serve move the connection to Node, which keeps serving calls on it', async () => {
    const chunked =
      'POST /echo/chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';
    const { responses } = await exchange(
      [get('/echo/first'), chunked, get('/_faasport/v1/functions'), get('/nowhere/'), get('/echo/last')],
      5,
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 404, 200]);
    expect(JSON.parse(responses[1]!.body)).toMatchObject({ path: '/chunked', body: 'hello' });
    expect(JSON.parse(responses[2]!.body).error.code).toBe('Unauthorized');
    expect(JSON.parse(responses[3]!.body).error.code).toBe('FunctionNotFound');
    expect(JSON.parse(responses[4]!.body).path).toBe('/last');
  });

  test('a body over the limit gets 413 and malformed heads get 400, as from Node', async () => {
    const big = `POST /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(5000)}`;
    const tooLarge = await exchange([big], 1);
    expect(tooLarge.responses[0]!.status).toBe(413);
    expect(JSON.parse(tooLarge.responses[0]!.body).error.code).toBe('PayloadTooLarge');
    const malformed = await exchange(['GET /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n'], 1);
    expect(malformed.responses[0]!.status).toBe(400);
    const ambiguous = await exchange(
      ['POST /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
      1,
    );
    expect(ambiguous.responses[0]!.status).toBe(400);
  });

  test('HEAD gets headers without a body and the next call on the connection is framed right', async () => {
    const { responses } = await exchange(
      [`HEAD /echo/h HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n${get('/echo/next')}`],
      2,
      { expectBody: (index) => index !== 0 },
    );
    expect(responses[0]!.status).toBe(200);
    expect(responses[0]!.body).toBe('');
    expect(JSON.parse(responses[1]!.body).path).toBe('/next');
  });

  test('Connection: close is honoured, and a client that half-closes still gets its answer', async () => {
    const closing = await exchange([get('/echo/bye', 'Connection: close\r\n') + get('/echo/never')], 2, {
      untilClosed: true,
    });
    expect(closing.responses).toHaveLength(1);
    expect(closing.responses[0]!.headers.connection).toBe('close');
    expect(closing.closed).toBe(true);
    const halfClosed = await exchange([get('/echo/half')], 1, { endAfterWrite: true });
    expect(JSON.parse(halfClosed.responses[0]!.body).path).toBe('/half');
  });

  test('a client that stops in the middle of its body is cut off with 408', async () => {
    const head = 'POST /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nabc';
    const { responses, closed } = await exchange([head], 1, { untilClosed: true });
    expect(closed).toBe(true);
    expect(responses[0]!.status).toBe(408);
    expect(responses[0]!.headers.connection).toBe('close');
    expect(JSON.parse(responses[0]!.body).error.code).toBe('RequestTimeout');
  });
});

describe('events through the front', () => {
  const publish = (headers: string, body: string) =>
    `POST /_faasport/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const binary = (id: string) =>
    `ce-id: ${id}\r\nce-source: /front-test\r\nce-type: front.test\r\nce-specversion: 1.0\r\ncontent-type: application/json\r\n`;

  test('a publish with the token is acknowledged with 202; without it 401; a non-event 400', async () => {
    const auth = `Authorization: Bearer ${runtime.token}\r\n`;
    const { responses } = await exchange(
      [
        publish(auth + binary('e-1'), '{"n":1}'),
        publish(binary('e-2'), '{"n":2}'),
        publish(auth, '{"not":"an event"}'),
        publish(`${auth}${binary('e-3').replace('1.0', '0.3')}`, '{}'),
      ],
      4,
    );
    expect(responses.map((r) => r.status)).toEqual([202, 401, 400, 400]);
    expect(JSON.parse(responses[0]!.body)).toEqual({ id: 'e-1', deliveries: [] });
    expect(JSON.parse(responses[2]!.body).error.code).toBe('InvalidEvent');
    expect(JSON.parse(responses[3]!.body).error.message).toContain('0.3');
  });
});
