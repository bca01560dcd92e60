import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A forwarding HTTP server in front of an emulator. @internal */
export interface Front {
  /** `http://<host>:<port>`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on `port` and forwards every request unchanged (method, path, headers with `Host`, body)
 * to the emulator at `target`, after `latencyMs`. Forwarding byte-for-byte keeps request signatures
 * valid: FunctionGraph's signs the `Host` header the client sent, FC's the path. It lets the CLI give
 * an emulator that picks its own port a chosen port and a delay, without changing it.
 *
 * @internal
 */
export async function startFront(options: {
  target: string;
  port: number;
  host: string;
  latencyMs: number;
}): Promise<Front> {
  const target = new URL(options.target);
  const sockets = new Set<Socket>();
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`the emulator did not answer: ${error.message}\n`);
    });
    req.pipe(upstream);
  };
  const server = createServer((req, res) => {
    if (options.latencyMs > 0) setTimeout(() => forward(req, res), options.latencyMs);
    else forward(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
