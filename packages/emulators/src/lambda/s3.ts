/**
 * Amazon S3 at the emulator's endpoint, path-style (SigV4 service `s3`): what storage triggers need and what a
 * function does with the objects it is told about.
 * - Buckets: ListBuckets `GET /`, CreateBucket `PUT /{bucket}`, HeadBucket `HEAD /{bucket}`, DeleteBucket
 *   `DELETE /{bucket}` (409 BucketNotEmpty while it holds objects), and
 *   Get/PutBucketNotificationConfiguration `GET|PUT /{bucket}?notification`.
 * - Objects: PutObject `PUT /{bucket}/{key}` (also with an `aws-chunked` body; Content-Type, Cache-Control,
 *   Content-Disposition, Content-Encoding and `x-amz-meta-*` kept), GetObject `GET /{bucket}/{key}` (one
 *   byte range, `If-Match`/`If-None-Match`/`If-Modified-Since`/`If-Unmodified-Since`, `response-*`
 *   overrides), HeadObject, CopyObject (`x-amz-copy-source`, `x-amz-metadata-directive`), DeleteObject,
 *   DeleteObjects `POST /{bucket}?delete` and ListObjectsV2 `GET /{bucket}?list-type=2` (prefix, delimiter,
 *   max-keys, continuation-token, start-after, `encoding-type=url`) and ListObjects (v1) `GET /{bucket}` (prefix,
 *   delimiter, marker, max-keys, `encoding-type=url`).
 * - Multipart uploads: CreateMultipartUpload `POST /{bucket}/{key}?uploads` (the object's headers and metadata
 *   given here), UploadPart `PUT /{bucket}/{key}?partNumber=N&uploadId=ID` (also `aws-chunked`),
 *   CompleteMultipartUpload `POST /{bucket}/{key}?uploadId=ID` (parts in ascending order, each with its ETag,
 *   every part but the last at least 5 MiB; the object's ETag is the MD5 of the parts' MD5s, `-` and the part
 *   count), AbortMultipartUpload `DELETE /{bucket}/{key}?uploadId=ID` and ListParts `GET /{bucket}/{key}?uploadId=ID`
 *   (max-parts, part-number-marker), ListMultipartUploads `GET /{bucket}?uploads` (prefix, delimiter, key and upload
 *   id markers, max-uploads).
 * UploadPartCopy (a part copied from an object, all of it or `x-amz-copy-source-range`) too.
 * - Tags: Get/Put/DeleteObjectTagging `…/{key}?tagging`, `x-amz-tagging` on PutObject, CopyObject (with
 *   `x-amz-tagging-directive`) and CreateMultipartUpload, `x-amz-tagging-count` on GetObject and HeadObject, and
 *   Get/Put/DeleteBucketTagging `/{bucket}?tagging`.
 * - Browser uploads: POST Object `POST /{bucket}` (`multipart/form-data`, a signed policy; see
 *   {@link S3Emulation.postObject}; https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html).
 * - Versioning: Get/PutBucketVersioning `/{bucket}?versioning`, versions on every write once it was set, delete
 *   markers, `versionId` on GetObject, HeadObject, DeleteObject, CopyObject's source and DeleteObjects, and
 *   ListObjectVersions `GET /{bucket}?versions` (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html,
 *   API_ListObjectVersions.html, API_PutBucketVersioning.html, API_DeleteObject.html).
 * - CORS: Get/Put/DeleteBucketCors `/{bucket}?cors`, browsers' preflights (`OPTIONS`, unsigned) and
 *   `Access-Control-*` headers on answers to requests with a matching `Origin`.
 * Any other call is S3's `501 NotImplemented`, naming it: ACLs, bucket policy, lifecycle and object lock among
 * them.
 *
 * Shapes: aws-sdk-js-v3 `clients/client-s3/src/schemas/schemas_0.ts` (element names of ListBucketResult,
 * CopyObjectResult, DeleteResult, NotificationConfiguration; a Lambda entry is a flattened
 * `CloudFunctionConfiguration` with `Id`, `CloudFunction`, `Event`s and `Filter/S3Key/FilterRule`), and the S3
 * API reference: GetObject https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, HeadObject
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, ListObjectsV2
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html, CopyObject
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html, DeleteObjects
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html, DeleteBucket
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html, ListObjects
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html, multipart uploads
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html (its errors EntityTooSmall,
 * InvalidPart, InvalidPartOrder, NoSuchUpload), https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html, tagging
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html (10 tags an object, keys up to 128
 * characters, values up to 256) and the API pages named at {@link S3Emulation.tagging}, and the limits in
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html, error codes
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html. Entries for topics, queues and
 * EventBridge are kept as sent. As on S3, a put configuration is refused when a function may not be
 * invoked by `s3.amazonaws.com` for the bucket ("Unable to validate the following destination
 * configurations"; header `x-amz-skip-destination-validation` skips it), and an object write, copy or
 * removal invokes every matching function with an S3 event record
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 */
import { createHash, randomUUID } from 'node:crypto';
import { type LambdaEmuState, parseFunctionName } from './context';
import { type LambdaDelivery, runEvent } from './invoke';
import { escapeXml, S3Error } from './s3-error';
import { type AwsCredential, verifyPostPolicy } from './signature';

export { S3Error } from './s3-error';

/** One Lambda entry of a bucket's notification configuration. */
interface FunctionNotification {
  Id: string;
  FunctionArn: string;
  Events: string[];
  rules: Array<{ Name: string; Value: string }>;
}

/** An object as S3 keeps it: its bytes and the headers it was written with. */
export interface StoredObject {
  body: Uint8Array;
  size: number;
  /** The MD5 of the bytes, in hex (S3's ETag of a single-part upload), without quotes. */
  etag: string;
  lastModified: Date;
  /** Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires as written. */
  headers: Record<string, string>;
  /** User metadata (`x-amz-meta-*`), names lower-cased as S3 returns them. */
  metadata: Record<string, string>;
  /** The object's tags, in the order they were given. */
  tags: Tags;
  /** Its version id, in a bucket that has had versioning (`null` for one written while it was suspended or off). */
  versionId?: string;
}

/** One rule of a bucket's CORS configuration (API_PutBucketCors.html). */
interface CorsRule {
  id?: string;
  origins: string[];
  methods: string[];
  headers: string[];
  expose: string[];
  maxAge?: number;
}

/** Methods a CORS rule may allow. */
const corsMethods = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);

/** Whether `value` matches a CORS pattern with at most one `*` (any run of characters). */
function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const [p, v] = ignoreCase ? [pattern.toLowerCase(), value.toLowerCase()] : [pattern, value];
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  return v.length >= p.length - 1 && v.startsWith(p.slice(0, star)) && v.endsWith(p.slice(star + 1));
}

/** One version of a key, in a bucket that has had versioning: an object, or a delete marker (no object). */
interface ObjectVersion {
  versionId: string;
  object?: StoredObject;
  lastModified: Date;
}

/** Tags of an object or a bucket: key and value pairs, in the order they were given. */
type Tags = Array<[string, string]>;

/** What a write gives an object besides its bytes. */
type Written = Pick<StoredObject, 'headers' | 'metadata'> & { tags?: Tags };

/** One uploaded part of a multipart upload. */
interface UploadedPart {
  body: Uint8Array;
  /** The MD5 of the part's bytes, in hex, without quotes. */
  etag: string;
  lastModified: Date;
}

/** A multipart upload in progress: the object's headers from its creation, and the parts so far. */
interface MultipartUpload {
  id: string;
  key: string;
  written: Written;
  initiated: Date;
  parts: Map<number, UploadedPart>;
}

/** The smallest part but the last of a completed upload (qfacts.html: 5 MiB). */
const minPartBytes = 5 * 1024 * 1024;
/** Part numbers of a multipart upload (qfacts.html: 1 to 10,000). */
const maxPartNumber = 10_000;

const noSuchUpload = (id: string) =>
  new S3Error(
    404,
    'NoSuchUpload',
    `The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed: ${id}`,
  );

/** A bucket: its notification configuration and the objects written to it. */
export interface BucketState {
  name: string;
  functions: FunctionNotification[];
  /** TopicConfiguration, QueueConfiguration and EventBridgeConfiguration elements, as sent. */
  otherXml: string[];
  objects: Map<string, StoredObject>;
  /** The bucket's tags, when it has any. */
  tags?: Tags;
  /** The bucket's CORS rules, when it has any. */
  cors?: CorsRule[];
  /** The bucket's versioning, once it was ever set (a bucket cannot go back to unversioned). */
  versioning?: 'Enabled' | 'Suspended';
  /** Every version of each key, oldest first, once versioning was set; `objects` holds each key's current one. */
  versions: Map<string, ObjectVersion[]>;
  /** Multipart uploads in progress, by upload id. */
  uploads: Map<string, MultipartUpload>;
  /** When the bucket was created (ISO 8601), for ListBuckets. */
  createdAt: string;
}

const unescapeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The elements `<tag>…</tag>` (or `<tag/>`) directly in `xml` (the tags used here do not nest in themselves). */
function elements(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}>)`, 'g');
  for (const m of xml.matchAll(re)) out.push(m[1] ?? '');
  return out;
}
const text = (xml: string, tag: string) => {
  const [first] = elements(xml, tag);
  return first === undefined ? undefined : unescapeXml(first.trim());
};

const noSuchBucket = (bucket: string) =>
  new S3Error(404, 'NoSuchBucket', `The specified bucket does not exist: ${bucket}`);
const noSuchKey = (key: string) => new S3Error(404, 'NoSuchKey', `The specified key does not exist: ${key}`);

/** The object headers PutObject keeps and GetObject/HeadObject answer (PutObject's request headers). */
const storedHeaderNames = [
  'content-type',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
] as const;

/** What S3 answers as Content-Type for an object written without one. */
const defaultContentType = 'binary/octet-stream';

/** GetObject's `response-*` query parameters and the header each one sets in the answer. */
const responseOverrides: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/** The query parameters of ListObjects (v1), a bucket GET without `list-type=2`. */
const listObjectsParams = new Set(['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type']);
/** The query parameters of ListObjectVersions. */
const listVersionsParams = new Set([
  'versions',
  'prefix',
  'delimiter',
  'key-marker',
  'version-id-marker',
  'max-keys',
  'encoding-type',
]);

/** The `x-amz-version-id` header of an answer, for an object that has a version id. */
const versionHeader = (versionId: string | undefined): Record<string, string> =>
  versionId === undefined ? {} : { 'x-amz-version-id': versionId };

/** The query parameters of ListMultipartUploads. */
const listUploadsParams = new Set([
  'uploads',
  'prefix',
  'delimiter',
  'key-marker',
  'upload-id-marker',
  'max-uploads',
  'encoding-type',
]);
/** The query parameters of ListParts. */
const listPartsParams = new Set(['uploadId', 'max-parts', 'part-number-marker']);

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** The headers and metadata of a write: the stored headers, and `x-amz-meta-*`. */
function writtenHeaders(headers: Record<string, string | string[] | undefined>): Written {
  const kept: Record<string, string> = {};
  for (const name of storedHeaderNames) {
    let value = header(headers, name);
    // aws-chunked is the upload's framing, not the object's encoding.
    if (name === 'content-encoding' && value)
      value = value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v && v !== 'aws-chunked')
        .join(',');
    if (value) kept[name] = value;
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (name.startsWith('x-amz-meta-') && value !== undefined)
      metadata[name.slice('x-amz-meta-'.length).toLowerCase()] = Array.isArray(value)
        ? value.join(',')
        : value;
  const tagging = header(headers, 'x-amz-tagging');
  return { headers: kept, metadata, ...(tagging === undefined ? {} : { tags: tagsOfHeader(tagging) }) };
}

/**
 * Checks tags as S3 does (object-tagging.html, API_PutBucketTagging.html): at most `max` (10 on an object, 50 on a
 * bucket), keys of 1 to 128 characters and values of at most 256, no key twice. Throws S3's error otherwise.
 */
function checkTags(tags: Tags, max: number, what: 'Object' | 'Bucket'): Tags {
  if (tags.length > max) throw new S3Error(400, 'BadRequest', `${what} tags cannot be greater than ${max}`);
  const seen = new Set<string>();
  for (const [key, value] of tags) {
    if ([...key].length < 1 || [...key].length > 128)
      throw new S3Error(400, 'InvalidTag', `The TagKey you have provided is invalid: ${key.slice(0, 140)}`);
    if ([...value].length > 256)
      throw new S3Error(
        400,
        'InvalidTag',
        `The TagValue you have provided is invalid: ${value.slice(0, 40)}…`,
      );
    if (seen.has(key))
      throw new S3Error(400, 'InvalidTag', `Cannot provide multiple Tags with the same key: ${key}`);
    seen.add(key);
  }
  return tags;
}

/** The tags of an `x-amz-tagging` header: URL query form, `key1=value1&key2=value2`. */
const tagsOfHeader = (value: string): Tags => checkTags([...new URLSearchParams(value)], 10, 'Object');

/** The tags of a `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>` body. */
function tagsOfXml(xml: string, max: number, what: 'Object' | 'Bucket'): Tags {
  if (!/<Tagging[\s>]/.test(xml) || !/<TagSet[\s>/]/.test(xml))
    throw new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  return checkTags(
    elements(xml, 'Tag').map((tag) => [text(tag, 'Key') ?? '', text(tag, 'Value') ?? '']),
    max,
    what,
  );
}

/**
 * A bucket's CORS rules from `<CORSConfiguration><CORSRule>…</CORSRule>…</CORSConfiguration>`, checked as S3 does:
 * 1 to 100 rules, each with an origin and a method (GET, PUT, HEAD, POST, DELETE), at most one `*` in an origin
 * or an allowed header.
 */
function corsRulesOf(xml: string): CorsRule[] {
  const malformed = (why: string) =>
    new S3Error(
      400,
      'MalformedXML',
      `The XML you provided was not well-formed or did not validate against our published schema: ${why}`,
    );
  if (!/<CORSConfiguration[\s>]/.test(xml)) throw malformed('no CORSConfiguration');
  const rules = elements(xml, 'CORSRule').map((rule): CorsRule => {
    const list = (tag: string) => elements(rule, tag).map((e) => unescapeXml(e.trim()));
    const maxAge = text(rule, 'MaxAgeSeconds');
    const id = text(rule, 'ID');
    return {
      ...(id ? { id } : {}),
      origins: list('AllowedOrigin'),
      methods: list('AllowedMethod'),
      headers: list('AllowedHeader'),
      expose: list('ExposeHeader'),
      ...(maxAge === undefined ? {} : { maxAge: Number(maxAge) }),
    };
  });
  if (rules.length === 0 || rules.length > 100) throw malformed('between 1 and 100 CORSRule elements');
  for (const rule of rules) {
    if (!rule.origins.length || !rule.methods.length)
      throw malformed('each CORSRule needs an AllowedOrigin and an AllowedMethod');
    const bad = rule.methods.find((m) => !corsMethods.has(m));
    if (bad)
      throw new S3Error(
        400,
        'InvalidRequest',
        `Found unsupported HTTP method in CORS config. Unsupported method is ${bad}`,
      );
    for (const pattern of [...rule.origins, ...rule.headers])
      if (pattern.split('*').length > 2)
        throw new S3Error(
          400,
          'InvalidRequest',
          `AllowedOrigin and AllowedHeader may hold at most one wildcard: ${pattern}`,
        );
    if (rule.maxAge !== undefined && !(Number.isInteger(rule.maxAge) && rule.maxAge >= 0))
      throw malformed('MaxAgeSeconds must be a whole number');
  }
  return rules;
}

/** A bucket's CORS rules as S3 answers them. */
const corsXml = (rules: CorsRule[]) =>
  `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules
    .map(
      (r) =>
        `<CORSRule>${r.id ? `<ID>${escapeXml(r.id)}</ID>` : ''}${r.headers.map((h) => `<AllowedHeader>${escapeXml(h)}</AllowedHeader>`).join('')}${r.methods.map((m) => `<AllowedMethod>${m}</AllowedMethod>`).join('')}${r.origins.map((o) => `<AllowedOrigin>${escapeXml(o)}</AllowedOrigin>`).join('')}${r.expose.map((h) => `<ExposeHeader>${escapeXml(h)}</ExposeHeader>`).join('')}${r.maxAge === undefined ? '' : `<MaxAgeSeconds>${r.maxAge}</MaxAgeSeconds>`}</CORSRule>`,
    )
    .join('')}</CORSConfiguration>`;

/** Tags as S3 answers them: `<Tagging><TagSet>…</TagSet></Tagging>`. */
const tagsXml = (tags: Tags) =>
  `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${tags
    .map(([key, value]) => `<Tag><Key>${escapeXml(key)}</Key><Value>${escapeXml(value)}</Value></Tag>`)
    .join('')}</TagSet></Tagging>`;

/** An HTTP date's whole seconds (Last-Modified has no finer precision). */
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** Whether an `If-Match` / `If-None-Match` list names the ETag (`*` names any). */
const etagListHas = (list: string, etag: string) =>
  list.split(',').some((item) => {
    const tag = item.trim().replace(/^W\//, '');
    return tag === '*' || tag === `"${etag}"` || tag === etag;
  });

/**
 * GetObject's and HeadObject's preconditions, in the order RFC 9110 section 13.2.2 evaluates them: If-Match
 * (else If-Unmodified-Since) fails with 412 PreconditionFailed; If-None-Match (else If-Modified-Since, for
 * GET and HEAD) answers 304 Not Modified (API_GetObject.html, "If-Match" to "If-Unmodified-Since").
 */
function preconditionStatus(
  object: StoredObject,
  headers: Record<string, string | string[] | undefined>,
): 304 | 412 | undefined {
  const ifMatch = header(headers, 'if-match');
  const ifUnmodifiedSince = header(headers, 'if-unmodified-since');
  if (ifMatch !== undefined) {
    if (!etagListHas(ifMatch, object.etag)) return 412;
  } else if (ifUnmodifiedSince !== undefined) {
    const since = Date.parse(ifUnmodifiedSince);
    if (!Number.isNaN(since) && seconds(object.lastModified) > Math.floor(since / 1000)) return 412;
  }
  const ifNoneMatch = header(headers, 'if-none-match');
  const ifModifiedSince = header(headers, 'if-modified-since');
  if (ifNoneMatch !== undefined) {
    if (etagListHas(ifNoneMatch, object.etag)) return 304;
  } else if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    if (!Number.isNaN(since) && seconds(object.lastModified) <= Math.floor(since / 1000)) return 304;
  }
  return undefined;
}

/**
 * The byte range a `Range` header asks for (S3 serves one range of the form `bytes=first-last`,
 * `bytes=first-` or `bytes=-suffix`; API_GetObject.html "Range"). Undefined for no header or one this
 * form does not cover (then the whole object is answered, as HTTP says for a Range a server ignores);
 * `'unsatisfiable'` when it starts past the end (416 InvalidRange).
 */
function byteRange(
  value: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = value ? /^bytes=(\d*)-(\d*)$/.exec(value.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** A 200 answer holding an XML document. */
const xmlAnswer = (document: string) => ({
  status: 200,
  body: new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>\n${document}`),
  headers: { 'content-type': 'application/xml' },
});

/** The bytes an upload carries: its body, or the payload of an `aws-chunked` body (see {@link decodeAwsChunked}). */
function uploadedBytes(headers: Record<string, string | string[] | undefined>, body: Uint8Array): Uint8Array {
  if (!String(headers['content-encoding'] ?? '').includes('aws-chunked')) return body;
  const decoded = headers['x-amz-decoded-content-length'];
  return decodeAwsChunked(body, decoded === undefined ? undefined : Number(decoded));
}

/** S3's `encoding-type=url` form of a key in a listing: percent-encoded, "/" kept and spaces as "+". */
const urlEncodedKey = (key: string) => encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');

/** Keys in S3's listing order: by their UTF-8 bytes. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** S3's event names of an object write or removal match an entry's event (`s3:ObjectCreated:*` or exact). */
const matchesEvent = (events: string[], eventName: string) =>
  events.some(
    (e) => e === `s3:${eventName}` || (e.endsWith(':*') && `s3:${eventName}`.startsWith(e.slice(0, -1))),
  );

function matchesKey(rules: FunctionNotification['rules'], key: string): boolean {
  return rules.every((r) =>
    r.Name.toLowerCase() === 'prefix' ? key.startsWith(r.Value) : key.endsWith(r.Value),
  );
}

/**
 * The payload of an `aws-chunked` body, as the AWS CLI and SDKs stream uploads: chunks of
 * `<hex size>[;chunk-signature=<sig>][;...]\r\n<bytes>\r\n`, ending with a chunk of size 0 and optional
 * trailing headers (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html). The request's own
 * signature is checked as for any call; the per-chunk signatures are not.
 */
export function decodeAwsChunked(body: Uint8Array, decodedLength?: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  let total = 0;
  for (;;) {
    const lineEnd = body.indexOf(0x0a, at);
    if (lineEnd < 0)
      throw new S3Error(400, 'IncompleteBody', 'The aws-chunked body ends before its last chunk');
    const header = new TextDecoder().decode(body.subarray(at, lineEnd)).replace(/\r$/, '');
    const size = Number.parseInt(header.split(';')[0]!, 16);
    if (!Number.isInteger(size) || size < 0 || !/^[0-9a-fA-F]+(;|$)/.test(header))
      throw new S3Error(
        400,
        'InvalidRequest',
        `The aws-chunked body has a malformed chunk header: ${header.slice(0, 80)}`,
      );
    if (size === 0) break;
    const start = lineEnd + 1;
    if (start + size > body.length)
      throw new S3Error(400, 'IncompleteBody', 'The aws-chunked body ends inside a chunk');
    parts.push(body.subarray(start, start + size));
    total += size;
    at = start + size;
    if (body[at] === 0x0d) at++;
    if (body[at] === 0x0a) at++;
  }
  if (decodedLength !== undefined && decodedLength !== total)
    throw new S3Error(
      400,
      'IncompleteBody',
      `x-amz-decoded-content-length is ${decodedLength}, but the chunks hold ${total} bytes`,
    );
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The S3 part of the emulator. */
export class S3Emulation {
  readonly buckets = new Map<string, BucketState>();

  constructor(private readonly em: LambdaEmuState) {}

  createBucket(name: string): void {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name))
      throw new S3Error(400, 'InvalidBucketName', `The specified bucket is not valid: ${name}`);
    if (!this.buckets.has(name))
      this.buckets.set(name, {
        name,
        functions: [],
        otherXml: [],
        objects: new Map(),
        versions: new Map(),
        uploads: new Map(),
        createdAt: new Date().toISOString(),
      });
  }

  /** Writes an object and invokes the functions its bucket notifies (awaited, in entry order). */
  async putObject(
    bucket: string,
    key: string,
    body: Uint8Array,
    written: Written = { headers: {}, metadata: {} },
    eventName = 'ObjectCreated:Put',
    etag = createHash('md5').update(body).digest('hex'),
  ): Promise<LambdaDelivery[]> {
    const b = this.bucket(bucket);
    const object: StoredObject = {
      body: body.slice(),
      size: body.length,
      etag,
      lastModified: new Date(this.em.now()),
      headers: written.headers,
      metadata: written.metadata,
      tags: written.tags ?? [],
    };
    if (b.versioning) {
      object.versionId = this.newVersionId(b);
      this.addVersion(b, key, { versionId: object.versionId, object, lastModified: object.lastModified });
    } else b.objects.set(key, object);
    return this.notify(b, key, eventName, {
      size: body.length,
      eTag: etag,
      ...(object.versionId ? { versionId: object.versionId } : {}),
    });
  }

  async deleteObject(bucket: string, key: string): Promise<LambdaDelivery[]> {
    return (await this.removeObject(bucket, key)).deliveries;
  }

  /**
   * DeleteObject (API_DeleteObject.html): without a version id, the key's current object goes, or, in a bucket
   * with versioning, a delete marker becomes its current version (`ObjectRemoved:DeleteMarkerCreated`); with
   * one, that version goes for good, and the newest remaining one becomes current. Deleting what is not there
   * changes nothing, as on S3.
   */
  private async removeObject(
    bucket: string,
    key: string,
    versionId?: string,
  ): Promise<{ deliveries: LambdaDelivery[]; versionId?: string; deleteMarker?: boolean }> {
    const b = this.bucket(bucket);
    if (!b.versioning) {
      if (versionId !== undefined && versionId !== 'null')
        throw new S3Error(400, 'InvalidArgument', `Invalid version id specified: ${versionId}`);
      if (!b.objects.delete(key)) return { deliveries: [] };
      return { deliveries: await this.notify(b, key, 'ObjectRemoved:Delete', {}) };
    }
    if (versionId === undefined) {
      const marker: ObjectVersion = {
        versionId: this.newVersionId(b),
        lastModified: new Date(this.em.now()),
      };
      this.addVersion(b, key, marker);
      return {
        deliveries: await this.notify(b, key, 'ObjectRemoved:DeleteMarkerCreated', {
          versionId: marker.versionId,
        }),
        versionId: marker.versionId,
        deleteMarker: true,
      };
    }
    const list = this.versionsOf(b, key);
    const at = list.findIndex((v) => v.versionId === versionId);
    if (at < 0) return { deliveries: [], versionId };
    const [removed] = list.splice(at, 1);
    this.setVersions(b, key, list);
    return {
      deliveries: removed!.object ? await this.notify(b, key, 'ObjectRemoved:Delete', { versionId }) : [],
      versionId,
      ...(removed!.object ? {} : { deleteMarker: true }),
    };
  }

  /** A new version id: random while versioning is enabled, `null` while it is suspended. */
  private newVersionId(b: BucketState): string {
    return b.versioning === 'Enabled' ? randomUUID().replace(/-/g, '') : 'null';
  }

  /** The versions of a key, oldest first: an object written before versioning was set is version `null`. */
  private versionsOf(b: BucketState, key: string): ObjectVersion[] {
    const list = b.versions.get(key);
    if (list) return [...list];
    const current = b.objects.get(key);
    return current ? [{ versionId: 'null', object: current, lastModified: current.lastModified }] : [];
  }

  /** Adds the newest version of a key (a `null` one replaces the key's `null` version). */
  private addVersion(b: BucketState, key: string, version: ObjectVersion): void {
    const list = this.versionsOf(b, key).filter(
      (v) => version.versionId !== 'null' || v.versionId !== 'null',
    );
    list.push(version);
    this.setVersions(b, key, list);
  }

  /** Stores a key's versions and makes the newest its current object (none when that is a delete marker). */
  private setVersions(b: BucketState, key: string, list: ObjectVersion[]): void {
    if (list.length === 0) b.versions.delete(key);
    else b.versions.set(key, list);
    const newest = list.at(-1);
    if (newest?.object) b.objects.set(key, newest.object);
    else b.objects.delete(key);
  }

  /** A key's version by id (`null` too, for an object from before versioning); 404 NoSuchVersion otherwise. */
  private version(b: BucketState, key: string, versionId: string): ObjectVersion {
    const found = this.versionsOf(b, key).find((v) => v.versionId === versionId);
    if (!found) throw new S3Error(404, 'NoSuchVersion', `The specified version does not exist: ${versionId}`);
    return found;
  }

  /** An S3 call: `segments` are the path's (bucket, then the key's parts). */
  async api(
    method: string,
    segments: string[],
    query: URLSearchParams,
    headers: Record<string, string | string[] | undefined>,
    body: Uint8Array,
  ): Promise<{ status: number; body?: Uint8Array; headers?: Record<string, string> }> {
    const [bucket, ...keyParts] = segments.map(decodeURIComponent);
    const key = keyParts.join('/');
    // The SDK names the operation in `x-id` (e.g. `?x-id=PutObject`); it selects nothing.
    const params = [...query.keys()].filter((k) => k !== 'x-id');
    if (!bucket && method === 'GET') {
      // ListBuckets: `ListAllMyBucketsResult` with `Buckets/Bucket/{Name, CreationDate}` (schemas_0.ts).
      const buckets = [...this.buckets.values()]
        .map((b) => `<Bucket><Name>${b.name}</Name><CreationDate>${b.createdAt}</CreationDate></Bucket>`)
        .join('');
      return xmlAnswer(
        `<ListAllMyBucketsResult><Owner><ID>${this.em.accountId}</ID></Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
      );
    }
    if (!bucket)
      throw new S3Error(
        405,
        'MethodNotAllowed',
        `The specified method is not allowed against this resource: ${method} /`,
      );
    if (!key && query.has('notification')) {
      const b = this.bucket(bucket);
      if (method === 'GET') return xmlAnswer(this.notificationXml(b));
      if (method === 'PUT') {
        const skip = String(headers['x-amz-skip-destination-validation'] ?? '') === 'true';
        this.putNotification(b, new TextDecoder().decode(body), skip);
        return { status: 200 };
      }
    }
    if (params.length === 1 && query.has('tagging')) {
      const tagged = this.tagging(method, bucket, key, body);
      if (tagged) return tagged;
    }
    if (!key && params.length === 1 && query.has('cors')) {
      const b = this.bucket(bucket);
      if (method === 'GET') {
        if (!b.cors)
          throw new S3Error(404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist');
        return xmlAnswer(corsXml(b.cors));
      }
      if (method === 'PUT') {
        b.cors = corsRulesOf(new TextDecoder().decode(body));
        return { status: 200 };
      }
      if (method === 'DELETE') {
        b.cors = undefined;
        return { status: 204 };
      }
    }
    if (!key && params.length === 1 && query.has('versioning')) {
      const b = this.bucket(bucket);
      if (method === 'GET')
        return xmlAnswer(
          `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${b.versioning ? `<Status>${b.versioning}</Status>` : ''}</VersioningConfiguration>`,
        );
      if (method === 'PUT') {
        const status = text(new TextDecoder().decode(body), 'Status');
        if (status !== 'Enabled' && status !== 'Suspended')
          throw new S3Error(
            400,
            'MalformedXML',
            'The XML you provided was not well-formed or did not validate against our published schema: Status must be Enabled or Suspended',
          );
        b.versioning = status;
        return { status: 200 };
      }
    }
    if (!key && method === 'GET' && query.has('versions') && params.every((p) => listVersionsParams.has(p)))
      return xmlAnswer(this.listObjectVersions(bucket, query));
    if (!key && params.length === 0) {
      if (method === 'PUT') {
        this.createBucket(bucket);
        return { status: 200, headers: { location: `/${bucket}` } };
      }
      if (method === 'HEAD') {
        this.bucket(bucket);
        return { status: 200 };
      }
      if (method === 'DELETE') {
        const b = this.bucket(bucket);
        if (b.objects.size || b.versions.size)
          throw new S3Error(
            409,
            'BucketNotEmpty',
            `The bucket you tried to delete is not empty${b.objects.size ? '' : ' (it holds object versions or delete markers)'}: ${bucket}`,
          );
        this.buckets.delete(bucket);
        return { status: 204 };
      }
    }
    if (!key && method === 'GET' && query.get('list-type') === '2')
      return xmlAnswer(this.listObjectsV2(bucket, query));
    if (!key && method === 'GET' && params.every((p) => listObjectsParams.has(p)))
      return xmlAnswer(this.listObjects(bucket, query));
    if (!key && method === 'GET' && query.has('uploads') && params.every((p) => listUploadsParams.has(p)))
      return xmlAnswer(this.listMultipartUploads(bucket, query));
    if (key && method === 'POST' && params.length === 1 && query.has('uploads'))
      return xmlAnswer(this.createMultipartUpload(bucket, key, headers));
    const uploadId = query.get('uploadId');
    if (key && uploadId !== null) {
      const upload = () => {
        const found = this.bucket(bucket).uploads.get(uploadId);
        if (!found || found.key !== key) throw noSuchUpload(uploadId);
        return found;
      };
      if (method === 'PUT' && query.has('partNumber')) {
        const source = header(headers, 'x-amz-copy-source');
        if (source === undefined) return this.uploadPart(upload(), query.get('partNumber')!, headers, body);
        return xmlAnswer(this.uploadPartCopy(upload(), query.get('partNumber')!, source, headers));
      }
      if (method === 'POST' && params.length === 1)
        return xmlAnswer(await this.completeMultipartUpload(bucket, upload(), headers, body));
      if (method === 'DELETE' && params.length === 1) {
        this.bucket(bucket).uploads.delete(upload().id);
        return { status: 204 };
      }
      if (method === 'GET' && params.every((p) => listPartsParams.has(p)))
        return xmlAnswer(this.listParts(bucket, upload(), query));
    }
    if (!key && method === 'POST' && query.has('delete'))
      return xmlAnswer(await this.deleteObjects(bucket, body));
    if (key && method === 'PUT' && params.length === 0) {
      const source = header(headers, 'x-amz-copy-source');
      if (source !== undefined) {
        const copied = await this.copyObject(bucket, key, source, headers);
        const answer = xmlAnswer(copied.xml);
        return { ...answer, headers: { ...answer.headers, ...copied.headers } };
      }
      await this.putObject(bucket, key, uploadedBytes(headers, body), writtenHeaders(headers));
      const written = this.buckets.get(bucket)!.objects.get(key)!;
      return { status: 200, headers: { etag: `"${written.etag}"`, ...versionHeader(written.versionId) } };
    }
    if (
      key &&
      (method === 'GET' || method === 'HEAD') &&
      params.every((p) => p in responseOverrides || p === 'versionId')
    )
      return this.getObject(method, bucket, key, query, headers);
    if (key && method === 'DELETE' && params.every((p) => p === 'versionId')) {
      const removed = await this.removeObject(bucket, key, query.get('versionId') ?? undefined);
      return {
        status: 204,
        headers: {
          ...versionHeader(removed.versionId),
          ...(removed.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
        },
      };
    }
    throw new S3Error(
      501,
      'NotImplemented',
      `The emulator does not serve S3 ${method} /${segments.join('/')}`,
    );
  }

  /**
   * A browser upload (POST Object, `multipart/form-data` to `/{bucket}`): the form's policy is signed, not the
   * request, so the emulator's server sends such a POST here without checking a signature header. The policy
   * (Base64 JSON) must not have expired and every condition must hold: `{"field": "value"}` and
   * `["eq", "$field", "value"]` exactly, `["starts-with", "$field", "prefix"]`, and
   * `["content-length-range", min, max]` on the file's size. Every form field but the signature, `file`, `policy`
   * and `x-ignore-*` ones must be named by a condition. `${filename}` in the key is the uploaded file's name.
   * The answer follows `success_action_redirect` (303) or `success_action_status` (200, 201 with a PostResponse,
   * or 204, the default). Notifies `ObjectCreated:Post`.
   */
  async postObject(
    bucket: string,
    headers: Record<string, string | string[] | undefined>,
    body: Uint8Array,
    credentials: readonly AwsCredential[],
  ): Promise<{ status: number; body?: Uint8Array; headers?: Record<string, string> }> {
    this.bucket(bucket);
    let form: FormData;
    try {
      form = await new Response(body as BodyInit, {
        headers: { 'content-type': header(headers, 'content-type') ?? '' },
      }).formData();
    } catch {
      throw new S3Error(
        400,
        'MalformedPOSTRequest',
        'The body of your POST request is not well-formed multipart/form-data.',
      );
    }
    // Field names are not case-sensitive; what follows the file is ignored.
    const fields = new Map<string, string>();
    let file: File | undefined;
    for (const [name, value] of form) {
      if (name.toLowerCase() === 'file') {
        if (typeof value === 'string') file = new File([value], '');
        else file = value;
        break;
      }
      if (typeof value === 'string') fields.set(name.toLowerCase(), value);
    }
    if (!file)
      throw new S3Error(
        400,
        'InvalidArgument',
        'POST requires exactly one file upload per request, as the last field',
      );
    if (!fields.has('key'))
      throw new S3Error(400, 'InvalidArgument', 'Bucket POST must contain a field named key');
    verifyPostPolicy(fields, credentials, this.em.region);
    const denied = (why: string) => new S3Error(403, 'AccessDenied', `Invalid according to Policy: ${why}`);
    let policy: { expiration?: string; conditions?: unknown[] };
    try {
      policy = JSON.parse(Buffer.from(fields.get('policy') ?? '', 'base64').toString('utf8'));
    } catch {
      throw new S3Error(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
    }
    const expiration = Date.parse(policy.expiration ?? '');
    if (!Number.isFinite(expiration))
      throw new S3Error(400, 'InvalidPolicyDocument', 'Invalid Policy: Policy missing expiration.');
    if (this.em.now() > expiration) throw denied('Policy expired.');
    const bytes = new Uint8Array(await file.arrayBuffer());
    const fieldValue = (name: string) => (name === 'bucket' ? bucket : (fields.get(name) ?? ''));
    const covered = new Set<string>(['bucket']);
    for (const condition of policy.conditions ?? []) {
      if (Array.isArray(condition)) {
        const [op, target, value] = condition as [string, unknown, unknown];
        if (String(op).toLowerCase() === 'content-length-range') {
          const [min, max] = [Number(target), Number(value)];
          if (bytes.length < min)
            throw new S3Error(
              400,
              'EntityTooSmall',
              'Your proposed upload is smaller than the minimum allowed size',
            );
          if (bytes.length > max)
            throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
          continue;
        }
        const name = String(target).replace(/^\$/, '').toLowerCase();
        covered.add(name);
        const actual = fieldValue(name);
        const ok =
          String(op).toLowerCase() === 'eq'
            ? actual === String(value)
            : String(op).toLowerCase() === 'starts-with'
              ? actual.startsWith(String(value))
              : false;
        if (!ok) throw denied(`Policy Condition failed: ${JSON.stringify(condition)}`);
      } else if (condition && typeof condition === 'object') {
        for (const [name, value] of Object.entries(condition)) {
          covered.add(name.toLowerCase());
          if (fieldValue(name.toLowerCase()) !== String(value))
            throw denied(`Policy Condition failed: ${JSON.stringify({ [name]: value })}`);
        }
      }
    }
    const notSigned = new Set(['x-amz-signature', 'signature', 'awsaccesskeyid', 'policy']);
    const extra = [...fields.keys()].filter(
      (name) => !notSigned.has(name) && !name.startsWith('x-ignore-') && !covered.has(name),
    );
    if (extra.length) throw denied(`Extra input fields: ${extra.join(', ')}`);
    const key = fields.get('key')!.replace(/\$\{filename\}/g, file.name);
    const written = writtenHeaders(Object.fromEntries(fields));
    const tagging = fields.get('tagging');
    if (tagging !== undefined) written.tags = tagsOfXml(tagging, 10, 'Object');
    await this.putObject(bucket, key, bytes, written, 'ObjectCreated:Post');
    const etag = `"${this.bucket(bucket).objects.get(key)!.etag}"`;
    const location = this.objectUrl(bucket, key, headers);
    const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
    if (redirect) {
      const to = new URL(redirect);
      to.searchParams.set('bucket', bucket);
      to.searchParams.set('key', key);
      to.searchParams.set('etag', etag);
      return { status: 303, headers: { location: to.href, etag } };
    }
    const status = Number(fields.get('success_action_status') ?? 204);
    if (status === 201)
      return {
        status: 201,
        body: new TextEncoder().encode(
          `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></PostResponse>`,
        ),
        headers: { 'content-type': 'application/xml', etag, location },
      };
    return { status: status === 200 ? 200 : 204, headers: { etag, location } };
  }

  /** GetObject and HeadObject: the object's bytes (or one range of them) with the headers it was written with. */
  private getObject(
    method: string,
    bucket: string,
    key: string,
    query: URLSearchParams,
    headers: Record<string, string | string[] | undefined>,
  ): { status: number; body?: Uint8Array; headers: Record<string, string> } {
    const b = this.bucket(bucket);
    const versionId = query.get('versionId');
    let object: StoredObject | undefined;
    if (versionId !== null) {
      const version = this.version(b, key, versionId);
      // A delete marker has no bytes: asking for it by id is 405, as on S3 (API_GetObject.html).
      if (!version.object)
        throw new S3Error(
          405,
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
          {
            'x-amz-delete-marker': 'true',
            'x-amz-version-id': versionId,
            'last-modified': version.lastModified.toUTCString(),
          },
        );
      object = version.object;
    } else {
      object = b.objects.get(key);
      if (!object) {
        const newest = b.versions.get(key)?.at(-1);
        throw newest && !newest.object
          ? new S3Error(404, 'NoSuchKey', `The specified key does not exist: ${key}`, {
              'x-amz-delete-marker': 'true',
              'x-amz-version-id': newest.versionId,
            })
          : noSuchKey(key);
      }
    }
    const answer: Record<string, string> = {
      'content-type': defaultContentType,
      ...object.headers,
      // An object from before versioning was set is version "null" once it is.
      ...versionHeader(object.versionId ?? (b.versioning ? 'null' : undefined)),
      etag: `"${object.etag}"`,
      'last-modified': object.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
    };
    for (const [name, value] of Object.entries(object.metadata)) answer[`x-amz-meta-${name}`] = value;
    if (object.tags.length) answer['x-amz-tagging-count'] = String(object.tags.length);
    const precondition = preconditionStatus(object, headers);
    if (precondition === 412)
      throw new S3Error(
        412,
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
      );
    // 304 carries the validators and no body (RFC 9110 section 15.4.5).
    if (precondition === 304)
      return {
        status: 304,
        headers: {
          etag: answer.etag!,
          'last-modified': answer['last-modified']!,
          ...versionHeader(object.versionId),
        },
      };
    for (const [param, name] of Object.entries(responseOverrides)) {
      const value = query.get(param);
      if (value !== null) answer[name] = value;
    }
    const range = byteRange(header(headers, 'range'), object.size);
    if (range === 'unsatisfiable')
      throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', {
        'content-range': `bytes */${object.size}`,
      });
    const body = range ? object.body.subarray(range.start, range.end + 1) : object.body;
    if (range) answer['content-range'] = `bytes ${range.start}-${range.end}/${object.size}`;
    answer['content-length'] = String(body.length);
    return { status: range ? 206 : 200, ...(method === 'GET' ? { body } : {}), headers: answer };
  }

  /** `max-keys` (or `max-parts`) of a listing: a whole number of 0 or more, 1,000 when absent. */
  private static limit(query: URLSearchParams, name: string): number {
    const text = query.get(name);
    const value = text === null ? 1000 : Number(text);
    if (!Number.isInteger(value) || value < 0)
      throw new S3Error(400, 'InvalidArgument', `${name} must be a whole number of 0 or more, got ${text}`);
    return value;
  }

  /** A listing's `encoding-type`: only `url`, which encodes keys as {@link urlEncodedKey}. */
  private static encoding(query: URLSearchParams): { type: string | null; encode: (key: string) => string } {
    const type = query.get('encoding-type');
    if (type !== null && type !== 'url')
      throw new S3Error(400, 'InvalidArgument', `Invalid Encoding Method specified in Request: ${type}`);
    return { type, encode: type === 'url' ? urlEncodedKey : (key: string) => key };
  }

  /**
   * The entries of a listing, both versions: keys under `prefix` in UTF-8 order, those sharing a prefix up to
   * the delimiter rolled up into one CommonPrefixes entry, at most `maxKeys` entries in all. `skip` leaves out
   * the entries a previous page returned.
   */
  private listing(
    b: BucketState,
    prefix: string,
    delimiter: string,
    maxKeys: number,
    skip: (key: string, rolledUp: string | undefined) => boolean,
  ): { entries: Array<{ key: string; rolledUp: boolean }>; truncated: boolean } {
    const entries: Array<{ key: string; rolledUp: boolean }> = [];
    let truncated = false;
    const keys = [...b.objects.keys()].filter((k) => k.startsWith(prefix)).sort(byUtf8);
    for (const key of keys) {
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const rolledUp = cut >= 0 ? key.slice(0, cut + delimiter.length) : undefined;
      if (skip(key, rolledUp)) continue;
      const last = entries.at(-1);
      if (rolledUp !== undefined && last?.rolledUp && last.key === rolledUp) continue;
      if (entries.length >= maxKeys) {
        truncated = true;
        break;
      }
      entries.push(rolledUp === undefined ? { key, rolledUp: false } : { key: rolledUp, rolledUp: true });
    }
    return { entries, truncated };
  }

  /** The Contents and CommonPrefixes elements of a listing's entries (v1 names each object's owner). */
  private listedXml(
    b: BucketState,
    entries: Array<{ key: string; rolledUp: boolean }>,
    encode: (key: string) => string,
    withOwner: boolean,
  ): string[] {
    const owner = withOwner ? `<Owner><ID>${this.em.accountId}</ID></Owner>` : '';
    const contents: string[] = [];
    const prefixes: string[] = [];
    for (const { key, rolledUp } of entries) {
      if (rolledUp) {
        prefixes.push(`<CommonPrefixes><Prefix>${escapeXml(encode(key))}</Prefix></CommonPrefixes>`);
        continue;
      }
      const o = b.objects.get(key)!;
      contents.push(
        `<Contents><Key>${escapeXml(encode(key))}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>&quot;${o.etag}&quot;</ETag><Size>${o.size}</Size>${owner}<StorageClass>STANDARD</StorageClass></Contents>`,
      );
    }
    return [...contents, ...prefixes];
  }

  /**
   * ListObjectsV2: the listing after `start-after` or the continuation token. The continuation token is
   * opaque to clients; here it is the last entry returned.
   */
  private listObjectsV2(bucket: string, query: URLSearchParams): string {
    const b = this.bucket(bucket);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const startAfter = query.get('start-after') ?? '';
    const token = query.get('continuation-token');
    const maxKeys = S3Emulation.limit(query, 'max-keys');
    const { type: encodingType, encode } = S3Emulation.encoding(query);
    let after: { key: string; rolledUp: boolean } | undefined;
    if (token !== null) {
      try {
        after = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      } catch {
        after = undefined;
      }
      if (typeof after?.key !== 'string')
        throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
    }
    const { entries, truncated } = this.listing(
      b,
      prefix,
      delimiter,
      maxKeys,
      (key) =>
        (startAfter !== '' && byUtf8(key, startAfter) <= 0) ||
        (after !== undefined &&
          (byUtf8(key, after.key) <= 0 || (after.rolledUp && key.startsWith(after.key)))),
    );
    const last = entries.at(-1);
    const next = truncated && last ? Buffer.from(JSON.stringify(last)).toString('base64url') : undefined;
    return [
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(encode(prefix))}</Prefix>`,
      delimiter ? `<Delimiter>${escapeXml(encode(delimiter))}</Delimiter>` : '',
      `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${entries.length}</KeyCount>`,
      `<IsTruncated>${truncated}</IsTruncated>`,
      encodingType ? '<EncodingType>url</EncodingType>' : '',
      token !== null ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '',
      next ? `<NextContinuationToken>${next}</NextContinuationToken>` : '',
      startAfter ? `<StartAfter>${escapeXml(encode(startAfter))}</StartAfter>` : '',
      ...this.listedXml(b, entries, encode, false),
      '</ListBucketResult>',
    ].join('');
  }

  /**
   * ListObjects (v1): the listing after `marker`, a key or a rolled-up prefix (API_ListObjects.html). NextMarker
   * comes only with a delimiter; without one a client goes on from the last key listed, as S3 documents.
   */
  private listObjects(bucket: string, query: URLSearchParams): string {
    const b = this.bucket(bucket);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const marker = query.get('marker') ?? '';
    const maxKeys = S3Emulation.limit(query, 'max-keys');
    const { type: encodingType, encode } = S3Emulation.encoding(query);
    const { entries, truncated } = this.listing(
      b,
      prefix,
      delimiter,
      maxKeys,
      (key, rolledUp) => marker !== '' && (byUtf8(key, marker) <= 0 || rolledUp === marker),
    );
    const last = entries.at(-1);
    return [
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(encode(prefix))}</Prefix>`,
      `<Marker>${escapeXml(encode(marker))}</Marker>`,
      truncated && delimiter && last ? `<NextMarker>${escapeXml(encode(last.key))}</NextMarker>` : '',
      `<MaxKeys>${maxKeys}</MaxKeys>`,
      delimiter ? `<Delimiter>${escapeXml(encode(delimiter))}</Delimiter>` : '',
      `<IsTruncated>${truncated}</IsTruncated>`,
      encodingType ? '<EncodingType>url</EncodingType>' : '',
      ...this.listedXml(b, entries, encode, true),
      '</ListBucketResult>',
    ].join('');
  }

  /**
   * A browser's CORS preflight, `OPTIONS /{bucket}[/{key}]` with `Origin` and `Access-Control-Request-Method`
   * (unsigned, as browsers send it): the first rule of the bucket's CORS configuration that allows the origin,
   * the method and every requested header answers 200 with the `Access-Control-*` headers; otherwise 403
   * (API_PutBucketCors.html, https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html, "How does Amazon S3
   * evaluate the CORS configuration on a bucket?").
   */
  preflight(
    bucket: string,
    headers: Record<string, string | string[] | undefined>,
  ): { status: number; headers: Record<string, string> } {
    const b = this.bucket(bucket);
    const origin = header(headers, 'origin');
    const method = header(headers, 'access-control-request-method');
    if (!origin || !method)
      throw new S3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
    if (!b.cors)
      throw new S3Error(403, 'AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.');
    const requested = (header(headers, 'access-control-request-headers') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const rule = b.cors.find(
      (r) =>
        r.origins.some((o) => wildcardMatch(o, origin)) &&
        r.methods.includes(method) &&
        requested.every((h) => r.headers.some((allowed) => wildcardMatch(allowed, h, true))),
    );
    if (!rule) throw new S3Error(403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed.');
    return {
      status: 200,
      headers: {
        ...this.corsAnswer(rule, origin),
        ...(requested.length ? { 'access-control-allow-headers': requested.join(', ') } : {}),
        ...(rule.maxAge !== undefined ? { 'access-control-max-age': String(rule.maxAge) } : {}),
        vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
      },
    };
  }

  /**
   * The CORS headers of an answer to a request with `Origin`, when a rule of the bucket allows that origin and
   * method; none otherwise (the browser then refuses the answer).
   */
  corsHeaders(bucket: string, method: string, origin: string | undefined): Record<string, string> {
    const rules = origin ? this.buckets.get(bucket)?.cors : undefined;
    const rule = rules?.find(
      (r) => r.origins.some((o) => wildcardMatch(o, origin!)) && r.methods.includes(method),
    );
    return rule ? { ...this.corsAnswer(rule, origin!), vary: 'Origin' } : {};
  }

  private corsAnswer(rule: CorsRule, origin: string): Record<string, string> {
    const any = rule.origins.includes('*');
    return {
      'access-control-allow-origin': any ? '*' : origin,
      'access-control-allow-methods': rule.methods.join(', '),
      ...(any ? {} : { 'access-control-allow-credentials': 'true' }),
      ...(rule.expose.length ? { 'access-control-expose-headers': rule.expose.join(', ') } : {}),
    };
  }

  /**
   * ListObjectVersions (API_ListObjectVersions.html): every version and delete marker of the keys under `prefix`,
   * keys in UTF-8 order and each key's versions newest first, after `key-marker` (all of that key) or
   * `key-marker` and `version-id-marker` (that key's versions older than that one), at most `max-keys` entries;
   * keys sharing a prefix up to the delimiter are one CommonPrefixes entry. An object written before versioning
   * was set, or in a bucket that never had it, is version `null`.
   */
  private listObjectVersions(bucket: string, query: URLSearchParams): string {
    const b = this.bucket(bucket);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const keyMarker = query.get('key-marker') ?? '';
    const idMarker = query.get('version-id-marker') ?? '';
    const maxKeys = Math.min(S3Emulation.limit(query, 'max-keys'), 1000);
    const { type: encodingType, encode } = S3Emulation.encoding(query);
    const keys = [...new Set([...b.objects.keys(), ...b.versions.keys()])]
      .filter((k) => k.startsWith(prefix))
      .sort(byUtf8);
    const owner = `<Owner><ID>${this.em.accountId}</ID></Owner>`;
    const out: string[] = [];
    const prefixes: string[] = [];
    let count = 0;
    let truncated = false;
    let last: { key: string; versionId?: string } | undefined;
    outer: for (const key of keys) {
      if (keyMarker && byUtf8(key, keyMarker) < 0) continue;
      if (keyMarker && key === keyMarker && !idMarker) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const rolledUp = key.slice(0, cut + delimiter.length);
        if (prefixes.at(-1) === rolledUp || rolledUp === keyMarker) continue;
        if (count >= maxKeys) {
          truncated = true;
          break;
        }
        prefixes.push(rolledUp);
        count++;
        last = { key: rolledUp };
        continue;
      }
      const newestFirst = this.versionsOf(b, key).reverse();
      let start = 0;
      if (key === keyMarker && idMarker) {
        const at = newestFirst.findIndex((v) => v.versionId === idMarker);
        if (at < 0) throw new S3Error(400, 'InvalidArgument', `Invalid version id specified: ${idMarker}`);
        start = at + 1;
      }
      for (const [i, v] of newestFirst.entries()) {
        if (i < start) continue;
        if (count >= maxKeys) {
          truncated = true;
          break outer;
        }
        const common = `<Key>${escapeXml(encode(key))}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${i === 0}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified>`;
        out.push(
          v.object
            ? `<Version>${common}<ETag>&quot;${v.object.etag}&quot;</ETag><Size>${v.object.size}</Size><StorageClass>STANDARD</StorageClass>${owner}</Version>`
            : `<DeleteMarker>${common}${owner}</DeleteMarker>`,
        );
        count++;
        last = { key, versionId: v.versionId };
      }
    }
    return [
      '<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(encode(prefix))}</Prefix>`,
      `<KeyMarker>${escapeXml(encode(keyMarker))}</KeyMarker><VersionIdMarker>${escapeXml(idMarker)}</VersionIdMarker>`,
      truncated && last
        ? `<NextKeyMarker>${escapeXml(encode(last.key))}</NextKeyMarker>${last.versionId ? `<NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>` : ''}`
        : '',
      `<MaxKeys>${maxKeys}</MaxKeys>`,
      delimiter ? `<Delimiter>${escapeXml(encode(delimiter))}</Delimiter>` : '',
      `<IsTruncated>${truncated}</IsTruncated>`,
      encodingType ? '<EncodingType>url</EncodingType>' : '',
      ...out,
      ...prefixes.map((p) => `<CommonPrefixes><Prefix>${escapeXml(encode(p))}</Prefix></CommonPrefixes>`),
      '</ListVersionsResult>',
    ].join('');
  }

  /** CreateMultipartUpload: a new upload id; the object's headers and metadata are the ones given here. */
  private createMultipartUpload(
    bucket: string,
    key: string,
    headers: Record<string, string | string[] | undefined>,
  ): string {
    const b = this.bucket(bucket);
    const id = randomUUID().replace(/-/g, '');
    b.uploads.set(id, {
      id,
      key,
      written: writtenHeaders(headers),
      initiated: new Date(this.em.now()),
      parts: new Map(),
    });
    return `<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`;
  }

  /** UploadPart: stores (or replaces) one part; its ETag is the MD5 of its bytes. */
  private uploadPart(
    upload: MultipartUpload,
    partNumberText: string,
    headers: Record<string, string | string[] | undefined>,
    body: Uint8Array,
  ): { status: number; headers: Record<string, string> } {
    const partNumber = S3Emulation.partNumber(partNumberText);
    const bytes = uploadedBytes(headers, body);
    const etag = createHash('md5').update(bytes).digest('hex');
    upload.parts.set(partNumber, { body: bytes.slice(), etag, lastModified: new Date(this.em.now()) });
    return { status: 200, headers: { etag: `"${etag}"` } };
  }

  /** A part number of a multipart upload, 1 to 10,000. */
  private static partNumber(text: string): number {
    const partNumber = Number(text);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > maxPartNumber)
      throw new S3Error(
        400,
        'InvalidArgument',
        `Part number must be an integer between 1 and ${maxPartNumber}, inclusive; got ${text}`,
      );
    return partNumber;
  }

  /**
   * UploadPartCopy: a part copied from an object (`x-amz-copy-source`, as for CopyObject), all of it or the
   * bytes of `x-amz-copy-source-range: bytes=first-last` (API_UploadPartCopy.html), which must lie within it.
   */
  private uploadPartCopy(
    upload: MultipartUpload,
    partNumberText: string,
    source: string,
    headers: Record<string, string | string[] | undefined>,
  ): string {
    const partNumber = S3Emulation.partNumber(partNumberText);
    const original = this.copySource(source);
    let bytes = original.body;
    const rangeText = header(headers, 'x-amz-copy-source-range');
    if (rangeText !== undefined) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(rangeText.trim());
      if (!m || Number(m[2]) < Number(m[1]) || Number(m[2]) >= original.size)
        throw new S3Error(
          400,
          'InvalidArgument',
          `The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy, within the ${original.size}-byte source: ${rangeText}`,
        );
      bytes = original.body.subarray(Number(m[1]), Number(m[2]) + 1);
    }
    const etag = createHash('md5').update(bytes).digest('hex');
    const lastModified = new Date(this.em.now());
    upload.parts.set(partNumber, { body: bytes.slice(), etag, lastModified });
    return `<CopyPartResult><LastModified>${lastModified.toISOString()}</LastModified><ETag>&quot;${etag}&quot;</ETag></CopyPartResult>`;
  }

  /**
   * CompleteMultipartUpload: the listed parts, in ascending order and each with its ETag, become the object;
   * every part but the last must hold at least 5 MiB. Nothing changes when the list is refused. The object's
   * ETag is the MD5 of the parts' MD5s followed by `-` and the part count, as S3 makes it. Notifies
   * `ObjectCreated:CompleteMultipartUpload`.
   */
  private async completeMultipartUpload(
    bucket: string,
    upload: MultipartUpload,
    headers: Record<string, string | string[] | undefined>,
    body: Uint8Array,
  ): Promise<string> {
    const request = new TextDecoder().decode(body);
    const listed = elements(request, 'Part').map((part) => ({
      number: Number(text(part, 'PartNumber')),
      etag: (text(part, 'ETag') ?? '').replace(/^"|"$/g, ''),
    }));
    if (!/<CompleteMultipartUpload[\s>]/.test(request) || listed.length === 0)
      throw new S3Error(
        400,
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    for (let i = 1; i < listed.length; i++)
      if (!(listed[i]!.number > listed[i - 1]!.number))
        throw new S3Error(
          400,
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
        );
    const parts = listed.map(({ number, etag }) => {
      const part = upload.parts.get(number);
      if (!part || part.etag !== etag)
        throw new S3Error(
          400,
          'InvalidPart',
          `One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag: part ${number}`,
        );
      return part;
    });
    parts.forEach((part, i) => {
      if (i < parts.length - 1 && part.body.length < minPartBytes)
        throw new S3Error(
          400,
          'EntityTooSmall',
          `Your proposed upload is smaller than the minimum allowed object size: part ${listed[i]!.number} holds ${part.body.length} bytes, and every part but the last must hold at least ${minPartBytes}`,
        );
    });
    const size = parts.reduce((sum, part) => sum + part.body.length, 0);
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) {
      bytes.set(part.body, offset);
      offset += part.body.length;
    }
    const digests = Buffer.concat(parts.map((part) => Buffer.from(part.etag, 'hex')));
    const etag = `${createHash('md5').update(digests).digest('hex')}-${parts.length}`;
    this.bucket(bucket).uploads.delete(upload.id);
    await this.putObject(
      bucket,
      upload.key,
      bytes,
      upload.written,
      'ObjectCreated:CompleteMultipartUpload',
      etag,
    );
    const location = this.objectUrl(bucket, upload.key, headers);
    return `<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(upload.key)}</Key><ETag>&quot;${etag}&quot;</ETag></CompleteMultipartUploadResult>`;
  }

  /**
   * ListMultipartUploads: uploads in progress by key (UTF-8 order), then by when they started, after
   * `key-marker` (and `upload-id-marker` within that key), at most `max-uploads`; keys sharing a prefix up to
   * the delimiter are rolled up into CommonPrefixes.
   */
  private listMultipartUploads(bucket: string, query: URLSearchParams): string {
    const b = this.bucket(bucket);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const keyMarker = query.get('key-marker') ?? '';
    const idMarker = query.get('upload-id-marker') ?? '';
    const maxUploads = Math.min(S3Emulation.limit(query, 'max-uploads'), 1000);
    const { type: encodingType, encode } = S3Emulation.encoding(query);
    const uploads = [...b.uploads.values()]
      .filter((u) => u.key.startsWith(prefix))
      .sort((x, y) => byUtf8(x.key, y.key) || x.initiated.getTime() - y.initiated.getTime());
    // After the marker: keys past it, or (with an upload id marker) the marker key's later uploads.
    let start = 0;
    if (keyMarker) {
      const markerAt = idMarker ? uploads.findIndex((u) => u.key === keyMarker && u.id === idMarker) : -1;
      start = markerAt >= 0 ? markerAt + 1 : uploads.findIndex((u) => byUtf8(u.key, keyMarker) > 0);
      if (start < 0) start = uploads.length;
    }
    const shown: string[] = [];
    const prefixes: string[] = [];
    let last: MultipartUpload | undefined;
    let truncated = false;
    for (const upload of uploads.slice(start)) {
      const cut = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
      const rolledUp = cut >= 0 ? upload.key.slice(0, cut + delimiter.length) : undefined;
      if (rolledUp !== undefined && prefixes.at(-1) === rolledUp) continue;
      if (shown.length + prefixes.length >= maxUploads) {
        truncated = true;
        break;
      }
      last = upload;
      if (rolledUp !== undefined) prefixes.push(rolledUp);
      else
        shown.push(
          `<Upload><Key>${escapeXml(encode(upload.key))}</Key><UploadId>${upload.id}</UploadId><Initiator><ID>${this.em.accountId}</ID></Initiator><Owner><ID>${this.em.accountId}</ID></Owner><StorageClass>STANDARD</StorageClass><Initiated>${upload.initiated.toISOString()}</Initiated></Upload>`,
        );
    }
    return [
      '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Bucket>${escapeXml(bucket)}</Bucket><KeyMarker>${escapeXml(encode(keyMarker))}</KeyMarker><UploadIdMarker>${escapeXml(idMarker)}</UploadIdMarker>`,
      truncated && last
        ? `<NextKeyMarker>${escapeXml(encode(last.key))}</NextKeyMarker><NextUploadIdMarker>${last.id}</NextUploadIdMarker>`
        : '',
      prefix ? `<Prefix>${escapeXml(encode(prefix))}</Prefix>` : '',
      delimiter ? `<Delimiter>${escapeXml(encode(delimiter))}</Delimiter>` : '',
      `<MaxUploads>${maxUploads}</MaxUploads><IsTruncated>${truncated}</IsTruncated>`,
      encodingType ? '<EncodingType>url</EncodingType>' : '',
      ...shown,
      ...prefixes.map((p) => `<CommonPrefixes><Prefix>${escapeXml(encode(p))}</Prefix></CommonPrefixes>`),
      '</ListMultipartUploadsResult>',
    ].join('');
  }

  /** ListParts: the upload's parts in part-number order after `part-number-marker`, at most `max-parts`. */
  private listParts(bucket: string, upload: MultipartUpload, query: URLSearchParams): string {
    const maxParts = S3Emulation.limit(query, 'max-parts');
    const markerText = query.get('part-number-marker') ?? '0';
    const marker = Number(markerText);
    if (!Number.isInteger(marker) || marker < 0)
      throw new S3Error(
        400,
        'InvalidArgument',
        `part-number-marker must be a whole number, got ${markerText}`,
      );
    const numbers = [...upload.parts.keys()].filter((n) => n > marker).sort((a, b) => a - b);
    const shown = numbers.slice(0, maxParts);
    const truncated = numbers.length > shown.length;
    const parts = shown.map((n) => {
      const part = upload.parts.get(n)!;
      return `<Part><PartNumber>${n}</PartNumber><LastModified>${part.lastModified.toISOString()}</LastModified><ETag>&quot;${part.etag}&quot;</ETag><Size>${part.body.length}</Size></Part>`;
    });
    return [
      '<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(upload.key)}</Key><UploadId>${upload.id}</UploadId>`,
      `<PartNumberMarker>${marker}</PartNumberMarker>`,
      shown.length ? `<NextPartNumberMarker>${shown.at(-1)}</NextPartNumberMarker>` : '',
      `<MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated><StorageClass>STANDARD</StorageClass>`,
      ...parts,
      '</ListPartsResult>',
    ].join('');
  }

  /**
   * DeleteObjects: `<Delete><Quiet/>?<Object><Key/><VersionId/>?</Object>…</Delete>`, at most 1,000 keys; each
   * removal is {@link removeObject}'s, every key is reported deleted (a missing key too, as S3 does), or only
   * errors when Quiet. Each removal notifies.
   */
  private async deleteObjects(bucket: string, body: Uint8Array): Promise<string> {
    this.bucket(bucket);
    const request = new TextDecoder().decode(body);
    const entries = elements(request, 'Object').map((o) => ({
      key: text(o, 'Key') ?? '',
      versionId: text(o, 'VersionId'),
    }));
    if (!/<Delete[\s>]/.test(request) || entries.length === 0 || entries.length > 1000)
      throw new S3Error(
        400,
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    const quiet = text(request, 'Quiet') === 'true';
    const deleted: string[] = [];
    for (const { key, versionId } of entries) {
      const removed = await this.removeObject(bucket, key, versionId);
      if (quiet) continue;
      // A delete marker made here is named as DeleteMarkerVersionId; a version removed by id echoes its id.
      const made = removed.deleteMarker && versionId === undefined;
      deleted.push(
        `<Deleted><Key>${escapeXml(key)}</Key>${versionId !== undefined ? `<VersionId>${escapeXml(versionId)}</VersionId>` : ''}${removed.deleteMarker ? `<DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>${escapeXml(made ? removed.versionId! : versionId!)}</DeleteMarkerVersionId>` : ''}</Deleted>`,
      );
    }
    return `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${deleted.join('')}</DeleteResult>`;
  }

  /**
   * CopyObject: `x-amz-copy-source` is `[/]bucket/key` (URL-encoded, a `?versionId=` picks a version);
   * the metadata is copied, or replaced by the request's with `x-amz-metadata-directive: REPLACE`. Copying
   * an object onto itself needs REPLACE, as on S3. Notifies `ObjectCreated:Copy`.
   */
  private async copyObject(
    bucket: string,
    key: string,
    source: string,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<{ xml: string; headers: Record<string, string> }> {
    const { bucket: sourceBucket, key: sourceKey } = S3Emulation.copySourcePath(source);
    const original = this.copySource(source);
    this.bucket(bucket);
    const directive = (header(headers, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
    if (directive !== 'COPY' && directive !== 'REPLACE')
      throw new S3Error(400, 'InvalidArgument', `Unknown metadata directive: ${directive}`);
    // Copying an older version onto its key is how a version is restored: allowed as it is.
    const fromVersion = new URLSearchParams(source.split('?')[1] ?? '').has('versionId');
    if (directive === 'COPY' && sourceBucket === bucket && sourceKey === key && !fromVersion)
      throw new S3Error(
        400,
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    const taggingDirective = (header(headers, 'x-amz-tagging-directive') ?? 'COPY').toUpperCase();
    if (taggingDirective !== 'COPY' && taggingDirective !== 'REPLACE')
      throw new S3Error(400, 'InvalidArgument', `Unknown tagging directive: ${taggingDirective}`);
    const tagging = header(headers, 'x-amz-tagging');
    const written: Written = {
      ...(directive === 'REPLACE'
        ? writtenHeaders(headers)
        : { headers: { ...original.headers }, metadata: { ...original.metadata } }),
      tags:
        taggingDirective === 'REPLACE'
          ? tagging === undefined
            ? []
            : tagsOfHeader(tagging)
          : [...original.tags],
    };
    await this.putObject(bucket, key, original.body, written, 'ObjectCreated:Copy');
    const copy = this.buckets.get(bucket)!.objects.get(key)!;
    return {
      xml: `<CopyObjectResult><LastModified>${copy.lastModified.toISOString()}</LastModified><ETag>&quot;${copy.etag}&quot;</ETag></CopyObjectResult>`,
      headers: {
        ...versionHeader(copy.versionId),
        ...(original.versionId ? { 'x-amz-copy-source-version-id': original.versionId } : {}),
      },
    };
  }

  /**
   * Get/Put/DeleteObjectTagging `…/{key}?tagging` and Get/Put/DeleteBucketTagging `/{bucket}?tagging`
   * (API_GetObjectTagging.html, API_PutObjectTagging.html, API_DeleteObjectTagging.html, API_GetBucketTagging.html,
   * API_PutBucketTagging.html, API_DeleteBucketTagging.html). A bucket without tags answers `404 NoSuchTagSet`.
   */
  private tagging(
    method: string,
    bucket: string,
    key: string,
    body: Uint8Array,
  ): { status: number; body?: Uint8Array; headers?: Record<string, string> } | undefined {
    const b = this.bucket(bucket);
    if (key) {
      const object = b.objects.get(key);
      if (!object) throw noSuchKey(key);
      if (method === 'GET') return xmlAnswer(tagsXml(object.tags));
      if (method === 'PUT') {
        object.tags = tagsOfXml(new TextDecoder().decode(body), 10, 'Object');
        return { status: 200 };
      }
      if (method === 'DELETE') {
        object.tags = [];
        return { status: 204 };
      }
      return undefined;
    }
    if (method === 'GET') {
      if (!b.tags) throw new S3Error(404, 'NoSuchTagSet', 'The TagSet does not exist');
      return xmlAnswer(tagsXml(b.tags));
    }
    if (method === 'PUT') {
      b.tags = tagsOfXml(new TextDecoder().decode(body), 50, 'Bucket');
      return { status: 204 };
    }
    if (method === 'DELETE') {
      b.tags = undefined;
      return { status: 204 };
    }
    return undefined;
  }

  /** The bucket and key of `x-amz-copy-source`: `[/]bucket/key`, URL-encoded, with an optional `?versionId=`. */
  private static copySourcePath(source: string): { bucket: string; key: string } {
    const path = decodeURIComponent(source.split('?')[0]!).replace(/^\//, '');
    const slash = path.indexOf('/');
    if (slash <= 0 || slash === path.length - 1)
      throw new S3Error(
        400,
        'InvalidArgument',
        `Copy Source must mention the source bucket and key: sourcebucket/sourcekey, got ${source}`,
      );
    return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
  }

  /** The object `x-amz-copy-source` names (CopyObject, UploadPartCopy). */
  private copySource(source: string): StoredObject {
    const { bucket, key } = S3Emulation.copySourcePath(source);
    const versionId = new URLSearchParams(source.split('?')[1] ?? '').get('versionId');
    if (versionId !== null) {
      const version = this.version(this.bucket(bucket), key, versionId);
      if (!version.object)
        throw new S3Error(
          400,
          'InvalidRequest',
          'The source of a copy request may not specifically refer to a delete marker by version id.',
        );
      return { ...version.object, versionId: version.versionId };
    }
    const original = this.bucket(bucket).objects.get(key);
    if (!original) throw noSuchKey(key);
    return original;
  }

  /** An object's path-style URL at the host the client called (a Location answer). */
  private objectUrl(
    bucket: string,
    key: string,
    headers: Record<string, string | string[] | undefined>,
  ): string {
    const host = header(headers, 'host') ?? new URL(this.em.url).host;
    return `http://${host}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  private bucket(name: string): BucketState {
    const b = this.buckets.get(name);
    if (!b) throw noSuchBucket(name);
    return b;
  }

  private notificationXml(b: BucketState): string {
    const fns = b.functions.map((f) => {
      const filter = f.rules.length
        ? `<Filter><S3Key>${f.rules.map((r) => `<FilterRule><Name>${r.Name}</Name><Value>${escapeXml(r.Value)}</Value></FilterRule>`).join('')}</S3Key></Filter>`
        : '';
      return `<CloudFunctionConfiguration><Id>${escapeXml(f.Id)}</Id><CloudFunction>${escapeXml(f.FunctionArn)}</CloudFunction>${f.Events.map((e) => `<Event>${escapeXml(e)}</Event>`).join('')}${filter}</CloudFunctionConfiguration>`;
    });
    return `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${b.otherXml.join('')}${fns.join('')}</NotificationConfiguration>`;
  }

  /** Replaces the bucket's configuration; nothing changes when an entry is invalid. */
  private putNotification(b: BucketState, xml: string, skipValidation: boolean): void {
    const functions: FunctionNotification[] = elements(xml, 'CloudFunctionConfiguration').map((c) => ({
      Id: text(c, 'Id') || randomUUID(),
      FunctionArn: text(c, 'CloudFunction') ?? '',
      Events: elements(c, 'Event').map((e) => unescapeXml(e.trim())),
      rules: elements(c, 'FilterRule').map((r) => {
        const name = (text(r, 'Name') ?? '').toLowerCase();
        if (name !== 'prefix' && name !== 'suffix')
          throw new S3Error(400, 'InvalidArgument', `filter rule name must be either prefix or suffix`);
        // S3 answers the names capitalised.
        return { Name: name === 'prefix' ? 'Prefix' : 'Suffix', Value: text(r, 'Value') ?? '' };
      }),
    }));
    const ids = new Set<string>();
    for (const f of functions) {
      if (ids.has(f.Id))
        throw new S3Error(400, 'InvalidArgument', `Configuration Id ${f.Id} is used more than once`);
      ids.add(f.Id);
      if (!f.Events.length || f.Events.some((e) => !/^s3:[A-Za-z]+(:[A-Za-z*]+)?$/.test(e)))
        throw new S3Error(
          400,
          'InvalidArgument',
          `The event is not supported for notifications: ${f.Events.join(', ')}`,
        );
      if (!skipValidation && !this.mayInvoke(f.FunctionArn, b.name))
        throw new S3Error(
          400,
          'InvalidArgument',
          `Unable to validate the following destination configurations: ${f.FunctionArn} (the function does not exist, or its policy lets no s3.amazonaws.com call for arn:aws:s3:::${b.name})`,
        );
    }
    const others = ['TopicConfiguration', 'QueueConfiguration'].flatMap((tag) =>
      elements(xml, tag).map((inner) => `<${tag}>${inner}</${tag}>`),
    );
    if (/<EventBridgeConfiguration[\s/>]/.test(xml))
      others.push('<EventBridgeConfiguration></EventBridgeConfiguration>');
    b.functions = functions;
    b.otherXml = others;
  }

  /** Whether the function (and qualifier) of an ARN has a statement letting S3 invoke it for the bucket. */
  private mayInvoke(arn: string, bucket: string): boolean {
    const { name, qualifier } = parseFunctionName(arn);
    const fn = this.em.functions.get(name);
    if (
      !fn ||
      (qualifier && !fn.aliases.has(qualifier) && !fn.versions.some((v) => v.config.Version === qualifier))
    )
      return false;
    return (fn.policies.get(qualifier ?? '$LATEST') ?? []).some((s) => {
      const principal = s.Principal as { Service?: string } | string;
      const source = (s.Condition as { ArnLike?: Record<string, string> } | undefined)?.ArnLike?.[
        'AWS:SourceArn'
      ];
      return (
        (principal === '*' || (typeof principal === 'object' && principal.Service === 's3.amazonaws.com')) &&
        String(s.Action).endsWith('InvokeFunction') &&
        (source === undefined || source === `arn:aws:s3:::${bucket}`)
      );
    });
  }

  private async notify(
    b: BucketState,
    key: string,
    eventName: string,
    /** The record's object fields: size and eTag of a write, versionId in a bucket with versioning. */
    object: { size?: number; eTag?: string; versionId?: string },
  ): Promise<LambdaDelivery[]> {
    const out: LambdaDelivery[] = [];
    for (const f of b.functions) {
      if (!matchesEvent(f.Events, eventName) || !matchesKey(f.rules, key)) continue;
      const target = parseFunctionName(f.FunctionArn);
      const fn = this.em.functions.get(target.name);
      if (!fn) continue;
      const record = {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: this.em.region,
        eventTime: new Date(this.em.now()).toISOString(),
        eventName,
        userIdentity: { principalId: `AWS:${this.em.accountId}` },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': randomUUID(), 'x-amz-id-2': randomUUID() },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: f.Id,
          bucket: {
            name: b.name,
            ownerIdentity: { principalId: this.em.accountId },
            arn: `arn:aws:s3:::${b.name}`,
          },
          // Keys arrive URL-encoded, spaces as "+" (notification-content-structure.html).
          object: {
            key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'),
            ...object,
            sequencer: this.em.now().toString(16).toUpperCase().padStart(16, '0'),
          },
        },
      };
      const result = await runEvent(
        this.em,
        fn,
        target.qualifier,
        new TextEncoder().encode(JSON.stringify({ Records: [record] })),
      );
      out.push({
        function: fn.name,
        version: result.version,
        result: new TextDecoder().decode(result.body),
        ...(result.error ? { error: result.error.errorMessage } : {}),
      });
    }
    return out;
  }
}
