import { createHash, createHmac } from 'node:crypto';

/** The signing algorithm name FunctionGraph (APIG) expects. @public */
export const signingAlgorithm = 'SDK-HMAC-SHA256';

/**
 * Percent-encodes a string as Huawei Cloud's signer does: RFC 3986 unreserved characters
 * (`A-Z a-z 0-9 - _ . ~`) stay, everything else becomes `%XX` (upper case, UTF-8).
 *
 * @public
 */
export function huaweiUrlEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The `X-Sdk-Date` form of a time: `YYYYMMDDTHHmmssZ` in UTC. @public */
export function sdkDate(date: Date = new Date()): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** What to sign: one HTTP request, with the exact body bytes that will be sent. @public */
export interface SignableRequest {
  method: string;
  /** The full URL, query string included. */
  url: string;
  /** Headers to send and sign (`content-type`, `X-Project-Id`, `X-Security-Token`, API headers). */
  headers: Record<string, string>;
  /** The exact bytes (or text) of the body; absent for no body. */
  body?: string | Uint8Array;
  accessKeyId: string;
  secretAccessKey: string;
  /** The signing time; defaults to now. Ignored when `headers['X-Sdk-Date']` is set. */
  date?: Date;
}

/** The intermediate strings of a signature, for tests and debugging. Contains no secret. @public */
export interface SignatureParts {
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  signature: string;
}

/** The canonical URI: each path segment encoded, always ending with `/`. @public */
export function canonicalUri(pathname: string): string {
  const uri = pathname.split('/').map(huaweiUrlEncode).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The canonical query string: keys sorted, values of a repeated key sorted, each part encoded. @public */
export function canonicalQuery(params: URLSearchParams): string {
  return [...new Set(params.keys())]
    .sort()
    .flatMap((key) =>
      params
        .getAll(key)
        .sort()
        .map((value) => `${huaweiUrlEncode(key)}=${huaweiUrlEncode(value)}`),
    )
    .join('&');
}

/** Hex SHA-256. */
function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Signs a request with Huawei Cloud's `SDK-HMAC-SHA256` AK/SK scheme, exactly as the official SDK's
 * `AKSKSigner.sign` does: every header given is signed, plus `X-Sdk-Date` and `host`.
 * Returns the headers to send (the given ones, `X-Sdk-Date`, `host` and `Authorization`) and the parts.
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ k: 'v' });
 * const { headers } = signRequest({ method: 'POST', url, body, accessKeyId, secretAccessKey,
 *   headers: { 'content-type': 'application/json', 'X-Project-Id': projectId } });
 * await axios.post(url, body, { headers });
 * ```
 * @public
 */
export function signRequest(request: SignableRequest): {
  headers: Record<string, string>;
  parts: SignatureParts;
} {
  const url = new URL(request.url);
  const date = request.headers['X-Sdk-Date'] ?? sdkDate(request.date);
  const all: Record<string, string> = { ...request.headers, 'X-Sdk-Date': date, host: url.host };
  const names = Object.keys(all).sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const signedHeaders = names.map((n) => n.toLowerCase()).join(';');
  const canonicalHeaders = names.map((n) => `${n.toLowerCase()}:${all[n]}\n`).join('');
  const contentSha = Object.entries(all).find(([k]) => k.toLowerCase() === 'x-sdk-content-sha256')?.[1];
  const payloadHash = contentSha ?? sha256Hex(request.body ?? '');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const stringToSign = `${signingAlgorithm}\n${date}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', request.secretAccessKey).update(stringToSign).digest('hex');
  return {
    headers: {
      ...all,
      Authorization: `${signingAlgorithm} Access=${request.accessKeyId}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    parts: { canonicalRequest, stringToSign, signedHeaders, signature },
  };
}
