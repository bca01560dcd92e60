import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The path as FC puts it in CanonicalizedResource: "the request's URL path, decoded" ("一般是先对收到的
 * Path解码", FC signature doc https://help.aliyun.com/document_detail/53252.htm). fc2 and fc-go-sdk sign
 * the path they were given and send it percent-encoded by their HTTP client, so the decoded path is
 * what matches. A malformed escape stays as sent.
 */
function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/**
 * The FC 2.0 string-to-sign (reference Part A4, verified against `@alicloud/fc2` `getSignature` and
 * fc-go-sdk `signature.go` `GetSignature`): method, content-md5, content-type, date, the sorted
 * `x-fc-*` headers, the decoded path, and for `/proxy/` paths the sorted, decoded `key=value` query lines.
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
  const path = decodedPath(url.pathname);
  let text = `${method}\n${header('content-md5')}\n${header('content-type')}\n${header('date')}\n${fcHeaders}${path}`;
  if (path.startsWith('/2016-08-15/proxy/')) {
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

/**
 * How far a request's `Date` may be from the emulator's clock: 15 minutes ("客户端需要保证生成的时间与函数计算
 * 服务端的时间相差不超过15分钟", FC signature doc https://help.aliyun.com/document_detail/53252.htm).
 */
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

/**
 * Whether a `Content-MD5` header matches the body. FC signs it as "the MD5 of the request body" (FC
 * signature doc https://help.aliyun.com/document_detail/53252.htm). Clients write it three ways, all
 * accepted: fc2 sends base64 of the hex digest (`@alicloud/fc2` lib/client.js `request`:
 * `Buffer.from(kitx.md5(buff, 'hex')).toString('base64')`), fc-go-sdk the hex digest (util.go `MD5`),
 * and RFC 1864 clients base64 of the 16 raw bytes.
 */
export function contentMd5Matches(header: string, body: Uint8Array): boolean {
  const digest = createHash('md5').update(body).digest();
  const hex = digest.toString('hex');
  const value = header.trim();
  return (
    value.toLowerCase() === hex ||
    value === Buffer.from(hex, 'utf8').toString('base64') ||
    value === digest.toString('base64')
  );
}
