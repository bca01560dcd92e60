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
 * received, and the SHA-256 of the raw body. Throws the gateway's 401 error when it does not match.
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
  if (!names.includes('host') || !names.includes('x-sdk-date')) {
    throw fgErrors.signature('SignedHeaders must include host and x-sdk-date');
  }
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
  const headerLines = names
    .map((n) => {
      const value = req.headers[n];
      return `${n}:${Array.isArray(value) ? value.join(',') : (value ?? '')}\n`;
    })
    .join('');
  const contentSha = req.headers['x-sdk-content-sha256'];
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
