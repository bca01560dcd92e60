/**
 * The part of Amazon S3 that storage triggers need, path-style at the emulator's endpoint (SigV4 service
 * `s3`): ListBuckets `GET /`, CreateBucket `PUT /{bucket}`, GetBucketNotificationConfiguration / PutBucketNotificationConfiguration
 * `GET|PUT /{bucket}?notification`, PutObject `PUT /{bucket}/{key}` (also with an `aws-chunked` body) and
 * DeleteObject `DELETE /{bucket}/{key}`; any other call is S3's `501 NotImplemented`, naming it.
 * The XML follows aws-sdk-js-v3 `clients/client-s3/src/schemas/schemas_0.ts` (a Lambda entry is a flattened
 * `CloudFunctionConfiguration` with `Id`, `CloudFunction`, `Event`s and `Filter/S3Key/FilterRule`); entries
 * for topics, queues and EventBridge are kept as sent. As on S3, a put configuration is refused when a
 * function may not be invoked by `s3.amazonaws.com` for the bucket ("Unable to validate the following
 * destination configurations"; header `x-amz-skip-destination-validation` skips it), and an object write
 * invokes every matching function with an S3 event record
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 */
import { createHash, randomUUID } from 'node:crypto';
import { type LambdaEmuState, parseFunctionName } from './context';
import { type LambdaDelivery, runEvent } from './invoke';

/** One Lambda entry of a bucket's notification configuration. */
interface FunctionNotification {
  Id: string;
  FunctionArn: string;
  Events: string[];
  rules: Array<{ Name: string; Value: string }>;
}

/** A bucket: its notification configuration and the objects written to it (size and ETag only). */
export interface BucketState {
  name: string;
  functions: FunctionNotification[];
  /** TopicConfiguration, QueueConfiguration and EventBridgeConfiguration elements, as sent. */
  otherXml: string[];
  objects: Map<string, { size: number; etag: string }>;
  /** When the bucket was created (ISO 8601), for ListBuckets. */
  createdAt: string;
}

/** An S3 error: the status and the XML body S3 sends (`<Error><Code>…`). */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  xml(): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${this.code}</Code><Message>${escapeXml(this.message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
  }
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
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
        createdAt: new Date().toISOString(),
      });
  }

  /** Writes an object and invokes the functions its bucket notifies (awaited, in entry order). */
  async putObject(bucket: string, key: string, body: Uint8Array): Promise<LambdaDelivery[]> {
    const b = this.bucket(bucket);
    const etag = createHash('md5').update(body).digest('hex');
    b.objects.set(key, { size: body.length, etag });
    return this.notify(b, key, 'ObjectCreated:Put', { size: body.length, eTag: etag });
  }

  async deleteObject(bucket: string, key: string): Promise<LambdaDelivery[]> {
    const b = this.bucket(bucket);
    if (!b.objects.delete(key)) return [];
    return this.notify(b, key, 'ObjectRemoved:Delete', {});
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
    const xml = (s: string) => ({
      status: 200,
      body: new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>\n${s}`),
      headers: { 'content-type': 'application/xml' },
    });
    if (!bucket && method === 'GET') {
      // ListBuckets: `ListAllMyBucketsResult` with `Buckets/Bucket/{Name, CreationDate}` (schemas_0.ts).
      const buckets = [...this.buckets.values()]
        .map((b) => `<Bucket><Name>${b.name}</Name><CreationDate>${b.createdAt}</CreationDate></Bucket>`)
        .join('');
      return xml(
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
      if (method === 'GET') return xml(this.notificationXml(b));
      if (method === 'PUT') {
        const skip = String(headers['x-amz-skip-destination-validation'] ?? '') === 'true';
        this.putNotification(b, new TextDecoder().decode(body), skip);
        return { status: 200 };
      }
    }
    if (!key && params.length === 0) {
      if (method === 'PUT') {
        this.createBucket(bucket);
        return { status: 200, headers: { location: `/${bucket}` } };
      }
      if (method === 'HEAD') {
        this.bucket(bucket);
        return { status: 200 };
      }
    }
    if (key && method === 'PUT' && params.length === 0) {
      const chunked = String(headers['content-encoding'] ?? '').includes('aws-chunked');
      const decoded = headers['x-amz-decoded-content-length'];
      await this.putObject(
        bucket,
        key,
        chunked ? decodeAwsChunked(body, decoded === undefined ? undefined : Number(decoded)) : body,
      );
      return { status: 200, headers: { etag: `"${this.buckets.get(bucket)!.objects.get(key)!.etag}"` } };
    }
    if (key && method === 'DELETE') {
      await this.deleteObject(bucket, key);
      return { status: 204 };
    }
    throw new S3Error(
      501,
      'NotImplemented',
      `The emulator does not serve S3 ${method} /${segments.join('/')}`,
    );
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
    object: { size?: number; eTag?: string },
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
