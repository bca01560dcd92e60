import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaasportError, redact } from '@faasport/core';

/** The body was larger than allowed. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** Reads a request body, failing fast (413) once it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(limit));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Sends a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
    ...headers,
  });
  res.end(data);
}

/** Sends the runtime's JSON error shape: `{ error: { code, message, ... } }`. Messages are redacted. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: { code, message: redact(message), ...extra } });
}

/** An admin API failure with its HTTP status and a stable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The status, stable code, message and extra fields an error thrown while serving a call answers with. */
export function failureOf(error: unknown): {
  status: number;
  code: string;
  message: string;
  extra: Record<string, unknown>;
} {
  if (error instanceof HttpError)
    return { status: error.status, code: error.code, message: error.message, extra: {} };
  if (error instanceof BodyTooLargeError)
    return { status: 413, code: 'PayloadTooLarge', message: error.message, extra: {} };
  if (FaasportError.isInstance(error)) {
    const status =
      error.code === 'FP_NOT_FOUND'
        ? 404
        : error.kind === 'validation' || error.kind === 'unsupported' || error.kind === 'usage'
          ? 400
          : 500;
    const { message: _message, code: _code, name: _name, ...extra } = error.toJSON();
    return { status, code: error.code, message: error.message, extra };
  }
  return {
    status: 500,
    code: 'FP_INTERNAL',
    message: `internal error: ${(error as Error)?.message ?? String(error)}`,
    extra: {},
  };
}

/** Maps an error thrown while serving an admin call to a status and the JSON error. */
export function sendFailure(res: ServerResponse, error: unknown): void {
  const failure = failureOf(error);
  sendError(res, failure.status, failure.code, failure.message, failure.extra);
}

/** The host name of a `Host` header: lower-cased, without the port, IPv6 brackets or a trailing dot. */
export function hostName(header: string): string {
  const host = header.trim().toLowerCase();
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Whether a host name (as {@link hostName} returns it) always means this machine: `localhost`,
 * `*.localhost`, 127.0.0.0/8 or `::1`. Other names can be pointed at 127.0.0.1 by anyone who owns
 * them (DNS rebinding), so a browser page from elsewhere could reach the runtime under them.
 */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(?:::ffff:)?127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return v4?.slice(1).every((part) => Number(part) <= 255) ?? false;
}
