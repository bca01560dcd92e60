import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The FC 2.0 string-to-sign (reference Part A4, verified against `@alicloud/fc2` `getSignature`):
 * method, content-md5, content-type, date, the sorted `x-fc-*` headers, the raw path, and for
 * `/proxy/` paths the sorted `key=value` query lines.
 */
export function fcStringToSign(method: string, rawUrl: string, headers: IncomingHttpHeaders): string {
  const url = new URL(rawUrl, 'http://emulator');
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(',') : (v ?? '');
  };
  const fcHeaders = Object.keys(headers)
    .filter((k) => k.startsWith('x-fc-'))
    .sort()
    .map((k) => `${k}:${header(k)}\n`)
    .join('');
  // Content-MD5 is used verbatim: fc2 sends base64 of the hex digest, the Go SDK plain hex.
  let text = `${method}\n${header('content-md5')}\n${header('content-type')}\n${header('date')}\n${fcHeaders}${url.pathname}`;
  if (url.pathname.startsWith('/2016-08-15/proxy/')) {
    const lines: string[] = [];
    for (const [k, v] of url.searchParams) lines.push(`${k}=${v}`);
    lines.sort();
    text += `\n${lines.join('\n')}`;
  }
  return text;
}

/** The outcome of checking a request's `Authorization` header. */
export type SignatureCheck =
  | { ok: true; accessKeyId: string }
  | { ok: false; reason: 'missing' | 'unknown-key' | 'mismatch' | 'stale-date'; accessKeyId?: string };

/** How far a request's `Date` may be from the emulator's clock; FC rejects stale requests (window not verified). */
const maxSkewMs = 15 * 60 * 1000;

/**
 * Verifies `Authorization: FC <ak>:<base64 hmac-sha256>` as FC 2.0 does.
 *
 * @param secrets - access key id → secret.
 */
export function verifyFcSignature(
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  secrets: ReadonlyMap<string, string>,
): SignatureCheck {
  const auth = headers.authorization ?? '';
  const match = /^FC ([^:]+):(.+)$/.exec(auth);
  if (!match) return { ok: false, reason: 'missing' };
  const [, accessKeyId, signature] = match as unknown as [string, string, string];
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) return { ok: false, reason: 'unknown-key', accessKeyId };
  const expected = createHmac('sha256', secret)
    .update(fcStringToSign(method, rawUrl, headers), 'utf8')
    .digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'mismatch', accessKeyId };
  const date = Date.parse(String(headers.date ?? ''));
  if (Number.isNaN(date) || Math.abs(Date.now() - date) > maxSkewMs)
    return { ok: false, reason: 'stale-date', accessKeyId };
  return { ok: true, accessKeyId };
}
