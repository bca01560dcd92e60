/**
 * AWS Signature Version 4 verification: the emulator computes the signature the request should carry with
 * `@smithy/signature-v4` (the signer of the AWS SDK for JavaScript v3) over exactly the headers the client
 * says it signed, and compares. A wrong secret, another region or service, or a tampered body fails as on
 * AWS (403 InvalidSignatureException; an unknown key id is UnrecognizedClientException). Reference:
 * "Create a signed AWS API request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { lambdaErrors } from './errors';

/** The keys the emulator accepts. */
export interface AwsCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What verification needs of a request. */
export interface SignedRequest {
  method: string;
  /** The path as sent (percent-encoded). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

const bytes = (data: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** sha256 for the signer, on node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : (v ?? ''));

/**
 * Checks a request's SigV4 `Authorization` header (or presigned query) against the accepted keys. Returns
 * the key id, region and service of its credential scope.
 *
 * @throws LambdaApiError 403 as AWS answers.
 */
export async function verifySigV4(
  request: SignedRequest,
  credentials: readonly AwsCredential[],
  options: { region: string; services: readonly string[]; maxSkewMs?: number; now?: () => number },
): Promise<{ accessKeyId: string; service: string }> {
  const auth = headerValue(request.headers.authorization);
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) throw lambdaErrors.missingAuth();
  const [, keyId, day, region, service, signedList, signature] = m as unknown as string[];
  const credential = credentials.find((c) => c.accessKeyId === keyId);
  if (!credential) throw lambdaErrors.unknownKey();
  if (region !== options.region || !options.services.includes(service!)) throw lambdaErrors.signature();
  const amzDate = headerValue(request.headers['x-amz-date']);
  const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!dm || !amzDate.startsWith(day!)) throw lambdaErrors.signature();
  const signingDate = new Date(Date.UTC(+dm[1]!, +dm[2]! - 1, +dm[3]!, +dm[4]!, +dm[5]!, +dm[6]!));
  const now = options.now?.() ?? Date.now();
  if (Math.abs(now - signingDate.getTime()) > (options.maxSkewMs ?? 15 * 60_000))
    throw lambdaErrors.expired(`${amzDate} is too far from the server time`);
  if (
    credential.sessionToken &&
    headerValue(request.headers['x-amz-security-token']) !== credential.sessionToken
  )
    throw lambdaErrors.unknownKey();
  const signed = signedList!.split(';');
  const headers: Record<string, string> = {};
  for (const name of signed) headers[name] = headerValue(request.headers[name]);
  // A declared payload hash must be the body's (the signer trusts the header otherwise). Streamed S3
  // uploads declare `STREAMING-…` instead: the seed signature covers that value, and the chunks follow
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
  const declared = headers['x-amz-content-sha256'];
  if (
    declared &&
    declared !== 'UNSIGNED-PAYLOAD' &&
    !(service === 's3' && declared.startsWith('STREAMING-')) &&
    declared !== createHash('sha256').update(request.body).digest('hex')
  )
    throw lambdaErrors.signature();
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(request.query.keys())) {
    const values = request.query.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
    region: region!,
    service: service!,
    sha256: Sha256,
    // S3 signs the path as sent; the other services escape it once more.
    uriEscapePath: service !== 's3',
    // Sign exactly the client's headers: no x-amz-content-sha256 of our own.
    applyChecksum: false,
  });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: (headers.host ?? '').split(':')[0]!,
      path: request.path,
      query,
      headers,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(signed), unsignableHeaders: new Set() },
  );
  const got = /Signature=([0-9a-f]{64})/.exec(headerValue(expected.headers.authorization))?.[1] ?? '';
  if (got.length !== signature!.length || !timingSafeEqual(Buffer.from(got), Buffer.from(signature!)))
    throw lambdaErrors.signature();
  return { accessKeyId: credential.accessKeyId, service: service! };
}
