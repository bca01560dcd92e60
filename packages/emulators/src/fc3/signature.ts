import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Alibaba Cloud's V3 signature, `ACS3-HMAC-SHA256` ("V3 request body and signature",
 * https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature): the canonical
 * request is method, canonical URI, sorted and percent-encoded query, the sorted `x-acs-*`, `host` and
 * `content-type` headers, their names, and the hex SHA-256 of the body; the signature is the hex
 * HMAC-SHA256 of `ACS3-HMAC-SHA256\n<hex sha256 of the canonical request>`.
 */
const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The canonical request of a received request, over the headers its Authorization names. */
export function acs3CanonicalRequest(
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  signedHeaders: readonly string[],
): string {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  const pairs = [...query]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encode(k)}=${encode(v)}`);
  const header = (name: string) => {
    const v = headers[name];
    return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
  };
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${header(h)}\n`).join('');
  return `${method}\n${path}\n${pairs.join('&')}\n${canonicalHeaders}\n${signedHeaders.join(';')}\n${header('x-acs-content-sha256')}`;
}

/** Why a request's signature was refused, or undefined when it is valid. */
export function verifyAcs3(
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  body: Uint8Array,
  secrets: ReadonlyMap<string, string>,
): { code: string; message: string; status: number } | undefined {
  const auth = String(headers.authorization ?? '');
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(auth);
  if (!m)
    return {
      status: 403,
      code: 'MissingAuthorization',
      message: 'The request has no ACS3-HMAC-SHA256 Authorization header.',
    };
  const [, keyId, signed, signature] = m as unknown as [string, string, string, string];
  const secret = secrets.get(keyId);
  if (secret === undefined)
    return {
      status: 403,
      code: 'InvalidAccessKeyId.NotFound',
      message: `Specified access key is not found: ${keyId}`,
    };
  const names = signed.split(';');
  if (!names.includes('host') || !names.includes('x-acs-date') || !names.includes('x-acs-content-sha256'))
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'SignedHeaders must include host, x-acs-date and x-acs-content-sha256.',
    };
  const payloadHash = createHash('sha256').update(body).digest('hex');
  if (headers['x-acs-content-sha256'] !== payloadHash)
    return {
      status: 400,
      code: 'InvalidContentSha256',
      message: 'x-acs-content-sha256 does not match the body.',
    };
  const canonical = acs3CanonicalRequest(method, rawUrl, headers, names);
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest('hex');
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature)))
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: `The request signature we calculated does not match the signature you provided. Server string to sign is: ${JSON.stringify(stringToSign)}`,
    };
  return undefined;
}
