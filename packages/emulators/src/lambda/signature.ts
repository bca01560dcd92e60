/**
 * AWS Signature Version 4 verification: the emulator computes the signature the request should carry with
 * `@smithy/signature-v4` (the signer of the AWS SDK for JavaScript v3) over exactly the headers the client
 * says it signed, and compares. A wrong secret, another region or service, or a tampered body fails as on
 * AWS (403 InvalidSignatureException; an unknown key id is UnrecognizedClientException). Reference:
 * "Create a signed AWS API request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 * Presigned S3 URLs are checked here too, SigV4 and Signature Version 2, with S3's XML errors.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { lambdaErrors } from './errors';
import { S3Error } from './s3-error';

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
  options: {
    region: string;
    services: readonly string[];
    maxSkewMs?: number;
    now?: () => number;
    /** The clock presigned URLs expire by (the emulator's, which tests can advance); `now` when absent. */
    presignedNow?: () => number;
  },
): Promise<{ accessKeyId: string; service: string; presigned?: boolean }> {
  if (request.headers.authorization === undefined && request.query.has('X-Amz-Signature'))
    return verifyPresignedS3(request, credentials, options);
  if (
    request.headers.authorization === undefined &&
    request.query.has('Signature') &&
    request.query.has('AWSAccessKeyId') &&
    options.services.includes('s3')
  )
    return verifyPresignedS3V2(request, credentials, options);
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

/** The query parameters of a presigned URL's signature, which are not the request's own. */
export const presignParams = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
] as const;

/** The query parameters of a Signature Version 2 presigned URL. */
export const presignParamsV2 = ['AWSAccessKeyId', 'Signature', 'Expires', 'x-amz-security-token'] as const;

/** The sub-resources a Signature Version 2 string to sign names with the resource. */
const v2SubResources = new Set([
  'acl',
  'cors',
  'delete',
  'lifecycle',
  'location',
  'logging',
  'notification',
  'partNumber',
  'policy',
  'requestPayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
]);

/**
 * A Signature Version 2 presigned S3 URL (`AWSAccessKeyId`, `Expires`, `Signature`), which awscli v1's
 * `aws s3 presign` makes unless told `signature_version = s3v4`: Base64 of HMAC-SHA1 over the method, Content-MD5,
 * Content-Type, the expiry (seconds since the epoch), the `x-amz-*` headers and the resource with its
 * sub-resources (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html, "Query string
 * request authentication alternative").
 */
function verifyPresignedS3V2(
  request: SignedRequest,
  credentials: readonly AwsCredential[],
  options: { now?: () => number; presignedNow?: () => number },
): { accessKeyId: string; service: string; presigned: true } {
  const q = request.query;
  const credential = credentials.find((c) => c.accessKeyId === q.get('AWSAccessKeyId'));
  if (!credential)
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  const expires = Number(q.get('Expires'));
  if (!Number.isInteger(expires))
    throw new S3Error(403, 'AccessDenied', 'Query-string authentication requires the Expires parameter');
  if ((options.presignedNow ?? options.now ?? Date.now)() > expires * 1000)
    throw new S3Error(403, 'AccessDenied', 'Request has expired');
  if (credential.sessionToken && q.get('x-amz-security-token') !== credential.sessionToken)
    throw new S3Error(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
  const amzHeaders = Object.keys(request.headers)
    .filter((name) => name.startsWith('x-amz-'))
    .sort()
    .map((name) => `${name}:${headerValue(request.headers[name]).trim()}\n`)
    .join('');
  const subResources = [...q.entries()]
    .filter(([name]) => v2SubResources.has(name))
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`));
  const resource = `${request.path}${subResources.length ? `?${subResources.join('&')}` : ''}`;
  const stringToSign = [
    request.method,
    headerValue(request.headers['content-md5']),
    headerValue(request.headers['content-type']),
    String(expires),
    `${amzHeaders}${resource}`,
  ].join('\n');
  const expected = createHmac('sha1', credential.secretAccessKey).update(stringToSign).digest('base64');
  const given = q.get('Signature') ?? '';
  checkS3Signature(given, expected);
  return { accessKeyId: credential.accessKeyId, service: 's3', presigned: true };
}

/** Compares an S3 signature with the one computed, in constant time; S3's 403 SignatureDoesNotMatch otherwise. */
function checkS3Signature(given: string, expected: string): void {
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected)))
    throw new S3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
}

/** The longest a presigned URL may last: seven days. */
const maxPresignSeconds = 604_800;

/** RFC 3986 encoding, as SigV4 canonical query strings use it. */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** SigV4's signing key for S3 on one day (`yyyymmdd`) in one region. */
const s3SigningKey = (secret: string, day: string, region: string) =>
  hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 's3'), 'aws4_request');

/**
 * A presigned S3 URL (query-string SigV4, as `aws s3 presign` and the SDKs' presigners make them): the
 * canonical request over the query without `X-Amz-Signature`, the signed headers and `UNSIGNED-PAYLOAD`
 * (unless the URL names a payload hash), checked against the accepted keys, and the URL's lifetime
 * (`X-Amz-Expires` seconds from `X-Amz-Date`, at most seven days). Errors are S3's XML ones.
 * References: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html.
 */
function verifyPresignedS3(
  request: SignedRequest,
  credentials: readonly AwsCredential[],
  options: { region: string; services: readonly string[]; now?: () => number; presignedNow?: () => number },
): { accessKeyId: string; service: string; presigned: true } {
  const q = request.query;
  const parameterError = (message: string) => new S3Error(400, 'AuthorizationQueryParametersError', message);
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    throw parameterError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const cm = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(q.get('X-Amz-Credential') ?? '');
  if (!cm)
    throw parameterError(
      'Error parsing the X-Amz-Credential parameter; it must be <key id>/<yyyymmdd>/<region>/s3/aws4_request',
    );
  const [, keyId, day, region, service] = cm as unknown as string[];
  if (service !== 's3' || !options.services.includes('s3'))
    throw parameterError(
      `Error parsing the X-Amz-Credential parameter; incorrect service "${service}". This endpoint belongs to "s3".`,
    );
  if (region !== options.region)
    throw parameterError(
      `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${options.region}'`,
    );
  const credential = credentials.find((c) => c.accessKeyId === keyId);
  if (!credential)
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  const amzDate = q.get('X-Amz-Date') ?? '';
  const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!dm || !amzDate.startsWith(day!))
    throw parameterError(
      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\" and match the credential date",
    );
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > maxPresignSeconds)
    throw parameterError(
      `X-Amz-Expires must be a whole number of seconds from 1 to ${maxPresignSeconds} (a week)`,
    );
  const signedAt = Date.UTC(+dm[1]!, +dm[2]! - 1, +dm[3]!, +dm[4]!, +dm[5]!, +dm[6]!);
  const now = (options.presignedNow ?? options.now ?? Date.now)();
  if (now > signedAt + expires * 1000) throw new S3Error(403, 'AccessDenied', 'Request has expired');
  if (now < signedAt - 15 * 60_000) throw new S3Error(403, 'AccessDenied', 'Request is not valid yet');
  if (credential.sessionToken && q.get('X-Amz-Security-Token') !== credential.sessionToken)
    throw new S3Error(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
  const signed = (q.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean).sort();
  if (!signed.includes('host')) throw parameterError('X-Amz-SignedHeaders must include host');
  const canonicalQuery = [...q.entries()]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalHeaders = signed
    .map((name) => `${name}:${headerValue(request.headers[name]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    request.path,
    canonicalQuery,
    canonicalHeaders,
    signed.join(';'),
    q.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const expected = hmac(s3SigningKey(credential.secretAccessKey, day!, region!), stringToSign).toString(
    'hex',
  );
  const given = q.get('X-Amz-Signature') ?? '';
  checkS3Signature(given, expected);
  return { accessKeyId: credential.accessKeyId, service: 's3', presigned: true };
}

/**
 * The signature of a browser upload's policy (S3 POST Object): SigV4 (`x-amz-algorithm`, `x-amz-credential`,
 * `x-amz-date`, `x-amz-signature`: the hex HMAC of the Base64 policy with the signing key of the credential's
 * scope) or Signature Version 2 (`AWSAccessKeyId`, `signature`: Base64 of HMAC-SHA1 of the policy). `fields` holds
 * the form's fields, names lower-cased. References:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/HTTPPOSTForms.html.
 */
export function verifyPostPolicy(
  fields: ReadonlyMap<string, string>,
  credentials: readonly AwsCredential[],
  region: string,
): void {
  const policy = fields.get('policy') ?? '';
  const unknownKey = () =>
    new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  if (fields.has('x-amz-signature')) {
    if (fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256')
      throw new S3Error(400, 'InvalidArgument', 'x-amz-algorithm only supports "AWS4-HMAC-SHA256"');
    const cm = /^([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request$/.exec(fields.get('x-amz-credential') ?? '');
    if (!cm || cm[3] !== region)
      throw new S3Error(
        400,
        'InvalidArgument',
        `x-amz-credential must be <key id>/<yyyymmdd>/${region}/s3/aws4_request, got ${fields.get('x-amz-credential')}`,
      );
    const credential = credentials.find((c) => c.accessKeyId === cm[1]);
    if (!credential) throw unknownKey();
    const expected = hmac(s3SigningKey(credential.secretAccessKey, cm[2]!, region), policy).toString('hex');
    const given = fields.get('x-amz-signature') ?? '';
    checkS3Signature(given, expected);
    return;
  }
  if (fields.has('signature')) {
    const credential = credentials.find((c) => c.accessKeyId === fields.get('awsaccesskeyid'));
    if (!credential) throw unknownKey();
    const expected = createHmac('sha1', credential.secretAccessKey).update(policy).digest('base64');
    const given = fields.get('signature') ?? '';
    checkS3Signature(given, expected);
    return;
  }
  throw new S3Error(
    403,
    'AccessDenied',
    'Anonymous uploads are not allowed: sign the policy (x-amz-signature, or AWSAccessKeyId and signature)',
  );
}
