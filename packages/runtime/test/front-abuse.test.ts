import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { HttpFront } from '../src/server/front';

// Abusive clients against the gateway's front, on a real server and real sockets: the front's own
// handler answers with the length of the body it read, so what is measured is the front alone.

let server: http.Server;
let front: HttpFront;
let port: number;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('node'));
  front = new HttpFront(server, {
    accept: () => async (request) => ({
      status: 200,
      headers: [['content-type', 'text/plain']],
      body: Buffer.from(String(request.body.length)),
    }),
    maxHeaderBytes: 16 * 1024,
    bodyLimit: 8 * 1024 * 1024,
    headersTimeoutMs: 500,
    requestTimeoutMs: 1000,
    keepAliveTimeoutMs: 5000,
    closeGraceMs: 300,
    checkIntervalMs: 100,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  front?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** A client connection that keeps its side open after the server ends its own (as an attacker would). */
async function connect(): Promise<{
  socket: net.Socket;
  received: () => string;
  waitFor: (text: string) => Promise<void>;
  closed: Promise<void>;
  isClosed: () => boolean;
}> {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  let data = '';
  let isClosed = false;
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk) => {
    data += chunk.toString('latin1');
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      for (const wake of waiters.splice(0)) wake();
      resolve();
    }),
  );
  const waitFor = async (text: string) => {
    while (!data.includes(text)) {
      if (isClosed) throw new Error(`connection closed before ${JSON.stringify(text)}; got ${data}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { socket, received: () => data, waitFor, closed, isClosed: () => isClosed };
}

/**
 * Writes `chunk` again and again (each write awaited) until the server cuts the connection or `limit`
 * bytes went out; returns the bytes sent and the most the front held at any point.
 */
async function flood(
  client: Awaited<ReturnType<typeof connect>>,
  chunk: Buffer,
  limit: number,
): Promise<{ sent: number; mostBuffered: number }> {
  let sent = 0;
  let mostBuffered = 0;
  while (!client.isClosed() && sent < limit) {
    const ok = await new Promise<boolean>((resolve) => {
      client.socket.write(chunk, (error) => resolve(!error));
      client.closed.then(() => resolve(false));
    });
    if (!ok) break;
    sent += chunk.length;
    mostBuffered = Math.max(mostBuffered, front.bufferedBytes);
  }
  // A refused write (reset by the server) comes before the close event.
  if (sent < limit) await client.closed;
  return { sent, mostBuffered };
}

async function normalCall(): Promise<string> {
  const client = await connect();
  client.socket.write('GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await client.waitFor('\r\n\r\n0');
  client.socket.destroy();
  return client.received();
}

const junk = Buffer.alloc(64 * 1024, 'x');

describe('a closing connection', () => {
  test.each([
    [
      'its Connection: close answer',
      'GET /bye HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      'connection: close',
    ],
    ['its 408', 'POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nabc', 'HTTP/1.1 408 '],
  ])(
    'a client that keeps sending after %s is cut off, its bytes never kept',
    async (_what, head, answer) => {
      const client = await connect();
      client.socket.write(head);
      await client.waitFor(answer);
      const limit = 32 * 1024 * 1024;
      const { sent, mostBuffered } = await flood(client, junk, limit);
      expect(client.isClosed()).toBe(true);
      expect(sent).toBeLessThan(limit);
      expect(mostBuffered).toBe(0);
      expect(await normalCall()).toMatch(/^HTTP\/1\.1 200 /);
    },
    60_000,
  );

  test('bytes pipelined behind a Connection: close request are dropped, not buffered', async () => {
    const client = await connect();
    // The request and a large tail in one write: the tail is never served, so it is never held.
    client.socket.write(
      Buffer.concat([
        Buffer.from('GET /bye HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
        Buffer.alloc(512 * 1024, 'y'),
      ]),
    );
    await client.waitFor('connection: close');
    expect(front.bufferedBytes).toBe(0);
    client.socket.destroy();
  });

  test('a client that never closes its side after the answer is destroyed by the timeout sweep', async () => {
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const client = await connect();
    const serverSide = await accepted;
    const serverClosed = new Promise((resolve) => serverSide.once('close', resolve));
    client.socket.write('GET /bye HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await client.waitFor('connection: close');
    // The server ended its side; this client keeps its own open and sends nothing.
    await serverClosed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(front.size).toBe(0);
    client.socket.destroy();
  }, 20_000);
});

describe('bodies in many small writes', () => {
  test('a 6 MB body in 4 KB writes is copied once, not once per write', async () => {
    const size = 6 * 1024 * 1024;
    const client = await connect();
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      client.socket.write(`POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${size}\r\n\r\n`);
      const piece = Buffer.alloc(4096, 'z');
      for (let sent = 0; sent < size; sent += piece.length)
        await new Promise<void>((resolve) => client.socket.write(piece, () => resolve()));
      await client.waitFor(`\r\n\r\n${size}`);
      // Every byte the front copied while joining chunks: linear in the body, not quadratic.
      const copied = concat.mock.results.reduce(
        (total, result) => total + ((result.value as Buffer | undefined)?.length ?? 0),
        0,
      );
      expect(copied).toBeGreaterThanOrEqual(size);
      expect(copied).toBeLessThan(2 * size);
    } finally {
      concat.mockRestore();
      client.socket.destroy();
    }
    expect(await normalCall()).toMatch(/^HTTP\/1\.1 200 /);
  }, 60_000);
});
