import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FgApiError, fgErrors } from './errors';

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Parses `YYYYMMDDTHHmmssZ`. */
function parseSdkDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The access keys the emulator accepts. */
export interface EmulatorCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests signed with this key must carry it as `X-Security-Token`. */
  securityToken?: string;
}

/**
 * Verifies an `SDK-HMAC-SHA256` signature as APIG does (reference B3): the canonical request is
 * rebuilt from the wire path (each segment encoded), the sorted query, the signed headers as
 * received, and the payload hash. Throws the gateway's 401 error when it does not match.
 *
 * Which headers are signed is the client's choice, as long as `X-Sdk-Date` is one: Huawei's signing guide
 * ("Can request headers be left out of the signature?", https://support.huaweicloud.com/intl/ar-mena/devg-apisign/api-sign-exclude-header.html)
 * says X-Sdk-Date must take part and the others are optional. The Go SDK signs without `host`
 * (huaweicloud-sdk-go-v3 core/auth/signer/signer.go: `SignedHeaders(userHeaders)`), the Node SDK with it
 * (huaweicloud-sdk-core auth/AKSKSigner.js), and both work against the gateway.
 *
 * `X-Sdk-Content-Sha256` is signed, not ignored: its value stands in the canonical request where the body's
 * hash would be. Sources: the Go signer's `CanonicalRequest` and the Node `AKSKSigner.buildPayloadHash` use
 * the header's value when present, and the FAQ of the same signing guide (devg-apisign) says that with
 * `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` the value at the body-hash position is UNSIGNED-PAYLOAD, so the
 * body goes unsigned by the client's choice. A digest that does not match the body is not checked
 * against it by any of these sources, so it is not checked here either. The header itself is one of the signed headers in both SDKs.
 */
export function verifySignature(
  req: IncomingMessage,
  rawBody: Uint8Array,
  credentials: readonly EmulatorCredential[],
  options: { maxSkewMs: number; now?: number },
): EmulatorCredential {
  const auth = req.headers.authorization ?? '';
  const m = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(auth);
  if (!m) throw fgErrors.unauthorized('the Authorization header is missing or is not SDK-HMAC-SHA256');
  const [, ak, signedHeaders, signature] = m as unknown as [string, string, string, string];
  const credential = credentials.find((c) => c.accessKeyId === ak);
  if (!credential) throw fgErrors.signature('the access key does not exist');
  const names = signedHeaders.split(';');
  if (!names.includes('x-sdk-date')) throw fgErrors.signature('SignedHeaders must include x-sdk-date');
  const date = req.headers['x-sdk-date'];
  const when = typeof date === 'string' ? parseSdkDate(date) : undefined;
  if (when === undefined)
    throw fgErrors.signature('X-Sdk-Date is missing or not in the YYYYMMDDTHHmmssZ form');
  // The ±15 minute window is APIG's commonly documented behaviour; the exact window is not verified.
  if (Math.abs((options.now ?? Date.now()) - when) > options.maxSkewMs)
    throw fgErrors.signature('the request has expired (X-Sdk-Date too far from now)');
  const url = new URL(req.url ?? '/', 'http://emulator');
  let uri = url.pathname.split('/').map(enc).join('/');
  if (!uri.endsWith('/')) uri += '/';
  const query = [...new Set(url.searchParams.keys())]
    .sort()
    .flatMap((k) =>
      url.searchParams
        .getAll(k)
        .sort()
        .map((v) => `${enc(k)}=${enc(v)}`),
    )
    .join('&');
  // Values trimmed, as the Go signer's CanonicalHeaders does (Node's parser trims them on receipt anyway).
  const headerLines = names
    .map((n) => {
      const value = req.headers[n];
      return `${n}:${(Array.isArray(value) ? value.join(',') : (value ?? '')).trim()}\n`;
    })
    .join('');
  const contentSha = req.headers['x-sdk-content-sha256'];
  // The header's value replaces the body's hash (see above); UNSIGNED-PAYLOAD leaves the body unsigned.
  const payloadHash =
    typeof contentSha === 'string' ? contentSha : createHash('sha256').update(rawBody).digest('hex');
  const canonical = [req.method ?? 'GET', uri, query, headerLines, signedHeaders, payloadHash].join('\n');
  const stringToSign = `SDK-HMAC-SHA256\n${date}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = createHmac('sha256', credential.secretAccessKey).update(stringToSign).digest('hex');
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw fgErrors.signature('the signature does not match');
  if (credential.securityToken !== undefined) {
    if (!names.includes('x-security-token') || req.headers['x-security-token'] !== credential.securityToken) {
      throw fgErrors.unauthorized('the security token is missing or invalid for these temporary credentials');
    }
  }
  return credential;
}

export { FgApiError };
