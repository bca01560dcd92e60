import type { ServerResponse } from 'node:http';
import type { Reply } from './context';
import { fcErrors } from './errors';
import { etagOf } from './state';

/** A 200 answer with a JSON body. */
export function ok(body: unknown): Reply {
  return { status: 200, body };
}

/** A 200 answer with a JSON body and its ETag. */
export function withEtag(body: unknown): Reply {
  return { status: 200, body, headers: { etag: etagOf(body) } };
}

/** Throws PreconditionFailed when `If-Match` is given and differs from the resource's ETag. */
export function checkEtag(ifMatch: string | undefined, current: unknown): void {
  if (ifMatch !== undefined && ifMatch.replace(/"/g, '') !== etagOf(current))
    throw fcErrors.preconditionFailed();
}

/** Writes an answer (ours, or a function's `Response`) with FC's `x-fc-request-id` header. */
export async function send(res: ServerResponse, reply: Reply | Response, requestId: string): Promise<void> {
  res.setHeader('x-fc-request-id', requestId);
  if (reply instanceof Response) {
    res.statusCode = reply.status;
    reply.headers.forEach((value, key) => {
      if (
        key === 'content-length' ||
        key === 'transfer-encoding' ||
        key === 'connection' ||
        key === 'set-cookie'
      )
        return;
      res.setHeader(key, value);
    });
    const cookies = reply.headers.getSetCookie();
    if (cookies.length) res.setHeader('set-cookie', cookies);
    res.end(Buffer.from(await reply.arrayBuffer()));
    return;
  }
  res.statusCode = reply.status;
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.raw) {
    res.end(Buffer.from(reply.raw));
  } else if (reply.body !== undefined) {
    // Never JSON with an empty body: fc2 would JSON.parse('') and throw.
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(reply.body));
  } else {
    res.end();
  }
}
