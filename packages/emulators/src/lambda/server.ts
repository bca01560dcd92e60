import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExecutor, type Executor } from '@faasport/runtime';
import { type LambdaEmuState, parseFunctionName } from './context';
import { LambdaApiError, lambdaErrors } from './errors';
import { LambdaExecution } from './execution';
import { functionsApi, mappingsApi, tagsApi } from './functions-api';
import { invokeApi, type LambdaDelivery, runEvent, urlCall } from './invoke';
import { S3Emulation, S3Error } from './s3';
import { fireDueSchedules, schedulerApi } from './scheduler';
import { type AwsCredential, presignParams, presignParamsV2, verifySigV4 } from './signature';

/** Options of {@link startLambdaEmulator}. @public */
export interface LambdaEmulatorOptions {
  /** The region clients sign for (default `us-east-1`). */
  region?: string;
  /** The account id in ARNs (default `123456789012`). */
  accountId?: string;
  /** The accepted access key id (default `AKIDEMULATOR`). */
  accessKeyId?: string;
  /** Its secret (default `emulator-secret`). */
  secretAccessKey?: string;
  /** When set, requests must carry this `X-Amz-Security-Token` (temporary credentials). */
  sessionToken?: string;
  /** The port (default: a free one). */
  port?: number;
  /** The executor that runs deployed code (default: `createExecutor()` from `@faasport/runtime`). */
  executor?: Executor;
  /** Random numbers in [0, 1) for weighted alias routing (default `Math.random`). */
  random?: () => number;
  /** Where the schedule clock starts (default: now). Signatures always use the real time. */
  startTime?: Date;
}

/** A running Lambda emulator. @public */
export interface LambdaEmulator {
  /** The endpoint, e.g. `http://127.0.0.1:41234`: the adapter's `endpoint`, the aws CLI's `--endpoint-url`. */
  url: string;
  region: string;
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Write calls received (non-GET control-plane requests; invocations are not writes). */
  writes(): number;
  /** Every control-plane request, as `METHOD /path`. */
  requests(): string[];
  /** The emulator's schedule clock. */
  now(): Date;
  /** Moves the schedule clock forward by `ms`, firing every enabled schedule due on the way, in order. */
  advanceClock(ms: number): Promise<LambdaDelivery[]>;
  /**
   * Delivers a message sent to an SQS queue to the functions whose enabled event source mappings read that
   * queue, as a one-record SQS event (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
   */
  sendSqsMessage(queueArn: string, body: string): Promise<LambdaDelivery[]>;
  /** Creates an S3 bucket (as CreateBucket `PUT /{bucket}` does); quiet when it exists. */
  createBucket(name: string): void;
  /**
   * Writes an object into an emulated S3 bucket (as PutObject does) and invokes, one by one, the functions
   * whose bucket notifications match it, with an S3 event record; returns what each answered.
   */
  putObject(bucket: string, key: string, body: string | Uint8Array): Promise<LambdaDelivery[]>;
  /** Deletes an object (as DeleteObject does), invoking the functions notified of `s3:ObjectRemoved:*`. */
  deleteObject(bucket: string, key: string): Promise<LambdaDelivery[]>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const requestId = randomUUID();
  if (body instanceof Uint8Array) {
    res.writeHead(status, { 'x-amzn-RequestId': requestId, ...headers });
    res.end(body);
  } else if (body === undefined || status === 204) {
    res.writeHead(status, { 'x-amzn-RequestId': requestId, ...headers });
    res.end();
  } else {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-amzn-RequestId': requestId,
      ...headers,
    });
    res.end(text);
  }
}

function sendError(res: ServerResponse, error: LambdaApiError): void {
  send(res, error.status, error.body(), { 'x-amzn-ErrorType': `${error.type}:` });
}

/**
 * Starts an HTTP emulator of the AWS Lambda API (and of the EventBridge Scheduler calls faasport makes) on
 * 127.0.0.1: SigV4-signed REST-JSON calls at Lambda's paths, Lambda's error shapes (`x-amzn-ErrorType`),
 * functions, versions, aliases with weighted routing, function URLs served at `/_url/{id}/` (AuthType NONE,
 * or AWS_IAM with a SigV4 signature), reserved and provisioned concurrency, event source mappings, tags, and
 * the execution of Node.js code through the faasport runtime with Lambda's handler contract.
 *
 * @example
 * ```ts
 * const emu = await startLambdaEmulator();
 * process.env.AWS_ACCESS_KEY_ID = emu.accessKeyId; process.env.AWS_SECRET_ACCESS_KEY = emu.secretAccessKey;
 * const adapter = createLambdaAdapter({ region: emu.region, endpoint: emu.url, role: 'arn:aws:iam::123456789012:role/fn' });
 * ```
 * @public
 */
export async function startLambdaEmulator(options: LambdaEmulatorOptions = {}): Promise<LambdaEmulator> {
  const region = options.region ?? 'us-east-1';
  const credential: AwsCredential = {
    accessKeyId: options.accessKeyId ?? 'AKIDEMULATOR',
    secretAccessKey: options.secretAccessKey ?? 'emulator-secret',
    ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
  };
  let clockOffset = options.startTime ? options.startTime.getTime() - Date.now() : 0;
  let ownExecutor: Executor | undefined;
  const executor = () => {
    if (options.executor) return options.executor;
    ownExecutor ??= createExecutor();
    return ownExecutor;
  };
  const execution = new LambdaExecution(executor, region, () => ({ endpoint: em.url, credential }));
  const em: LambdaEmuState = {
    region,
    accountId: options.accountId ?? '123456789012',
    url: '',
    functions: new Map(),
    mappings: new Map(),
    schedules: new Map(),
    execution,
    random: options.random ?? Math.random,
    now: () => Date.now() + clockOffset,
    pending: new Set(),
  };
  const s3 = new S3Emulation(em);
  let firedUntil = em.now();
  let writeCount = 0;
  const log: string[] = [];

  /** An S3 answer with the bucket's CORS headers for the request's `Origin`, if a rule allows it. */
  function withCors<T extends { headers?: Record<string, string> }>(
    answer: T,
    bucket: string | undefined,
    method: string,
    req: IncomingMessage,
  ): T {
    const origin = req.headers.origin;
    if (!bucket || typeof origin !== 'string') return answer;
    const cors = s3.corsHeaders(decodeURIComponent(bucket), method, origin);
    return Object.keys(cors).length ? { ...answer, headers: { ...answer.headers, ...cors } } : answer;
  }

  async function api(
    req: IncomingMessage,
    url: URL,
    body: Uint8Array,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const method = req.method ?? 'GET';
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const segments = rawPath.split('/').filter(Boolean);
    // A browser's CORS preflight is never signed.
    if (method === 'OPTIONS' && segments.length >= 1 && req.headers.authorization === undefined) {
      log.push(`${method} ${req.url}`);
      return s3.preflight(decodeURIComponent(segments[0]!), req.headers);
    }
    // A browser upload signs its form's policy, not the request (S3's POST Object).
    if (
      method === 'POST' &&
      segments.length === 1 &&
      req.headers.authorization === undefined &&
      String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')
    ) {
      log.push(`${method} ${req.url}`);
      writeCount++;
      const posted = await s3.postObject(decodeURIComponent(segments[0]!), req.headers, body, [credential]);
      return withCors(posted, segments[0]!, method, req);
    }
    const { service, presigned } = await verifySigV4(
      { method, path: rawPath, query: url.searchParams, headers: req.headers, body },
      [credential],
      { region, services: ['lambda', 'scheduler', 's3'], presignedNow: em.now },
    );
    if (service === 's3') {
      log.push(`${method} ${req.url}`);
      if (method !== 'GET' && method !== 'HEAD') writeCount++;
      // A presigned URL's signature is not part of the call.
      const query = new URLSearchParams(url.searchParams);
      if (presigned) for (const name of [...presignParams, ...presignParamsV2]) query.delete(name);
      return withCors(await s3.api(method, segments, query, req.headers, body), segments[0], method, req);
    }
    const isInvoke = segments[3] === 'invocations';
    log.push(`${method} ${req.url}`);
    if (method !== 'GET' && !isInvoke) writeCount++;
    if (isInvoke) {
      const { name, qualifier } = parseFunctionName(decodeURIComponent(segments[2]!));
      const fn = em.functions.get(name);
      if (!fn)
        throw lambdaErrors.functionNotFound(`arn:aws:lambda:${region}:${em.accountId}:function:${name}`);
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      return invokeApi(em, fn, url.searchParams.get('Qualifier') ?? qualifier, type, body);
    }
    let json: Record<string, unknown> = {};
    if (body.length) {
      try {
        json = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
      } catch {
        throw lambdaErrors.invalidRequest('Could not parse request body into json: the body is not JSON.');
      }
    }
    if (service === 'scheduler' || segments[0] === 'schedules') {
      if (segments[0] !== 'schedules') throw lambdaErrors.unsupportedPath(method, rawPath);
      return schedulerApi(
        em,
        method,
        segments[1] ? decodeURIComponent(segments[1]) : undefined,
        url.searchParams,
        json,
      );
    }
    const [version, collection] = segments;
    if (
      collection === 'functions' &&
      ['2015-03-31', '2017-10-31', '2019-09-30', '2021-10-31'].includes(version!)
    )
      return functionsApi(em, method, segments.map(String), url.searchParams, json);
    if (version === '2015-03-31' && collection === 'event-source-mappings')
      return mappingsApi(em, method, segments[2], url.searchParams, json);
    if (version === '2017-03-31' && collection === 'tags')
      return tagsApi(em, method, decodeURIComponent(segments.slice(2).join('/')), url.searchParams, json);
    throw lambdaErrors.unsupportedPath(method, rawPath);
  }

  /** `/_url/{id}/...`: a function URL; AWS_IAM ones need a SigV4 signature for service lambda. */
  async function functionUrl(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Uint8Array,
  ): Promise<void> {
    const [, , id, ...rest] = url.pathname.split('/');
    for (const fn of em.functions.values()) {
      for (const [qualifier, u] of fn.urls) {
        if (u.id !== id) continue;
        if (u.AuthType === 'AWS_IAM')
          await verifySigV4(
            {
              method: req.method ?? 'GET',
              path: (req.url ?? '/').split('?')[0]!,
              query: url.searchParams,
              headers: req.headers,
              body,
            },
            [credential],
            { region, services: ['lambda'] },
          );
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers))
          if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(',') : v);
        const method = req.method ?? 'GET';
        const request = new Request(
          `http://${req.headers.host ?? '127.0.0.1'}/${rest.join('/')}${url.search}`,
          {
            method,
            headers,
            ...(body.length && method !== 'GET' && method !== 'HEAD' ? { body: body as BodyInit } : {}),
          },
        );
        const response = await urlCall(em, fn, qualifier, request);
        const out: Record<string, string> = {};
        response.headers.forEach((v, k) => {
          if (k !== 'set-cookie') out[k] = v;
        });
        const cookies = response.headers.getSetCookie();
        res.writeHead(response.status, {
          ...out,
          ...(cookies.length ? { 'set-cookie': cookies } : {}),
        } as never);
        res.end(Buffer.from(await response.arrayBuffer()));
        return;
      }
    }
    send(res, 403, { Message: 'Forbidden' }, { 'x-amzn-ErrorType': 'AccessDeniedException' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    try {
      if (url.pathname.startsWith('/_url/')) return await functionUrl(req, res, url, body);
      if (url.pathname.startsWith('/_code/')) {
        // Code.Location: a presigned S3 URL on AWS; here an unsigned one.
        const [, , name, version] = url.pathname.split('/');
        const fn = em.functions.get(decodeURIComponent(name ?? ''));
        const code =
          version === '$LATEST' || version === '%24LATEST'
            ? fn?.latestCode
            : fn?.versions.find((v) => v.config.Version === version)?.code;
        if (!code?.zip) return send(res, 404, { message: 'NoSuchKey' });
        return send(res, 200, code.zip, { 'content-type': 'application/zip' });
      }
      const out = await api(req, url, body);
      send(res, out.status, out.body, out.headers);
    } catch (e) {
      if (e instanceof S3Error)
        return send(res, e.status, new TextEncoder().encode(e.xml()), {
          ...e.headers,
          'content-type': 'application/xml',
        });
      sendError(res, e instanceof LambdaApiError ? e : lambdaErrors.service((e as Error).message));
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) sendError(res, lambdaErrors.service(e.message));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  em.url = url;

  return {
    url,
    region,
    accountId: em.accountId,
    accessKeyId: credential.accessKeyId,
    secretAccessKey: credential.secretAccessKey,
    writes: () => writeCount,
    requests: () => [...log],
    now: () => new Date(em.now()),
    async advanceClock(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advanceClock(${ms}): ms must be 0 or more`);
      // Schedules fire for the advanced span only: wall time that passed since the last advance (a test's
      // own deploys) fires nothing, so ten minutes hold exactly two five-minute marks whenever a test runs.
      const from = Math.max(firedUntil, em.now());
      clockOffset += ms;
      firedUntil = from + ms;
      return fireDueSchedules(em, from, firedUntil);
    },
    async sendSqsMessage(queueArn, messageBody) {
      const out: LambdaDelivery[] = [];
      for (const m of em.mappings.values()) {
        if (m.EventSourceArn !== queueArn || m.State !== 'Enabled') continue;
        const target = parseFunctionName(m.FunctionArn);
        const fn = em.functions.get(target.name);
        if (!fn) continue;
        const messageId = randomUUID();
        const event = {
          Records: [
            {
              messageId,
              receiptHandle: Buffer.from(messageId).toString('base64'),
              body: messageBody,
              attributes: {
                ApproximateReceiveCount: '1',
                SentTimestamp: String(em.now()),
                SenderId: em.accountId,
                ApproximateFirstReceiveTimestamp: String(em.now()),
              },
              messageAttributes: {},
              md5OfBody: createHash('md5').update(messageBody).digest('hex'),
              eventSource: 'aws:sqs',
              eventSourceARN: queueArn,
              awsRegion: region,
            },
          ],
        };
        const result = await runEvent(
          em,
          fn,
          target.qualifier,
          new TextEncoder().encode(JSON.stringify(event)),
        );
        out.push({
          function: fn.name,
          version: result.version,
          result: new TextDecoder().decode(result.body),
          ...(result.error ? { error: result.error.errorMessage } : {}),
        });
      }
      return out;
    },
    createBucket: (name) => s3.createBucket(name),
    putObject: (bucket, key, data) =>
      s3.putObject(bucket, key, typeof data === 'string' ? new TextEncoder().encode(data) : data),
    deleteObject: (bucket, key) => s3.deleteObject(bucket, key),
    async close() {
      await Promise.allSettled([...em.pending]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await execution.close();
      await ownExecutor?.close();
    },
  };
}
