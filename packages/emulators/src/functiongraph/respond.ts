import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** Sends a JSON body with FunctionGraph's `X-Request-Id` header. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string = randomUUID(),
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'X-Request-Id': requestId,
  });
  res.end(text);
}
