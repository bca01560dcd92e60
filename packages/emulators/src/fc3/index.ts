import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FcExecution, type FcExecutor, type FcLocalImage } from '../fc/execution';
import { Fc3ControlPlane } from './api';
import { Fc3Error } from './errors';
import { type Fc3Delivery, Fc3EventSources } from './events';
import { type Fc3Call, Fc3Invoker } from './invoke';
import { verifyAcs3 } from './signature';
import type { Fc3State } from './state';

export type { Fc3Delivery } from './events';
export { acs3CanonicalRequest, verifyAcs3 } from './signature';
export type { Fc3State } from './state';

/** Options of {@link startFc3Emulator}. @public */
export interface Fc3EmulatorOptions {
  /** The account id (default `1234567890`). */
  accountId?: string;
  /** The region (default `cn-hangzhou`). */
  region?: string;
  /** The access key accepted by the signature check (default `LTAI-emulator`). */
  accessKeyId?: string;
  /** Its secret (default `emulator-secret`). */
  accessKeySecret?: string;
  /** Stand-ins for container images, by image reference (see the FC 2.0 emulator). */
  images?: Record<string, FcLocalImage>;
  /** The executor that runs deployed code (default: `createExecutor()` of `@faasport/runtime`). */
  executor?: FcExecutor;
  /** Where alias weights draw from (default Math.random), for tests that need a known sequence. */
  random?: () => number;
}

/** One request the emulator received. */
export interface Fc3RecordedRequest {
  method: string;
  path: string;
  status: number;
  /** A control-plane write (POST/PUT/DELETE other than invocations and HTTP trigger calls). */
  write: boolean;
}

/** A running FC 3.0 API emulator. @public */
export interface Fc3Emulator {
  /** `http://127.0.0.1:<port>`: the fc3 target's `endpoint`. */
  readonly url: string;
  readonly accountId: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly state: Fc3State;
  /** Control-plane writes received, accepted or not. */
  writes(): number;
  requests(): readonly Fc3RecordedRequest[];
  /**
   * Moves the emulator's clock forward by `ms`, firing every enabled timer trigger due in that time, in
   * order (six-field cron in UTC or in its `CRON_TZ` zone, or `@every`), with FC's timer event
   * `{triggerTime, triggerName, payload}`.
   */
  advanceClock(ms: number): Promise<Fc3Delivery[]>;
  /**
   * Delivers an OSS object event (default `ObjectCreated:PutObject`) to the functions whose OSS triggers
   * match the bucket, the event and the key filter, as OSS would through the trigger's invocation role.
   */
  emitOssEvent(bucket: string, key: string, eventName?: string, size?: number): Promise<Fc3Delivery[]>;
  /** Publishes a message on an MNS topic: each mns_topic trigger subscribed to it invokes its function. */
  publishMnsMessage(topic: string, message: string, tag?: string): Promise<Fc3Delivery[]>;
  close(): Promise<void>;
}

const prefix = '/2023-03-30/';
/** HTTP trigger URLs are served at `/fcapp/<domainPrefix>/...` (FC: `https://<domainPrefix>.<region>.fcapp.run/...`). */
const triggerPrefix = '/fcapp/';
/** GetFunctionCode's download URLs (FC: signed OSS URLs), which need no signature. */
const codePrefix = '/_emulator/code/';

/**
 * Starts an emulator of Alibaba Cloud Function Compute 3.0 (API 2023-03-30) on 127.0.0.1: the paths
 * and bodies of the official client `@alicloud/fc20230330`, ACS3-HMAC-SHA256 signature checks, FC's
 * `{Code, Message, RequestId}` errors, functions, versions, aliases with additionalVersionWeight
 * (honoured on invoke), triggers, provision, scaling and concurrency configs, and the code run through the
 * faasport runtime: InvokeFunction, and HTTP trigger URLs served locally at `<url>/fcapp/<prefix>/`.
 *
 * @public
 */
export async function startFc3Emulator(options: Fc3EmulatorOptions = {}): Promise<Fc3Emulator> {
  const accountId = options.accountId ?? '1234567890';
  const region = options.region ?? 'cn-hangzhou';
  const accessKeyId = options.accessKeyId ?? 'LTAI-emulator';
  const accessKeySecret = options.accessKeySecret ?? 'emulator-secret';
  const secrets = new Map([[accessKeyId, accessKeySecret]]);
  const state: Fc3State = { functions: new Map() };
  const execution = new FcExecution(options.executor, options.images, {
    http: 'fc3-event',
    event: 'fc3-event',
  });
  let url = '';
  const api = new Fc3ControlPlane(
    state,
    region,
    accountId,
    (domainPrefix) => `${url}${triggerPrefix}${domainPrefix}`,
    (token) => `${url}${codePrefix}${token}`,
  );
  const call: Fc3Call = { accountId, region, execution, random: options.random ?? Math.random };
  const invoker = new Fc3Invoker(api, call);
  const events = new Fc3EventSources(state, invoker, { accountId, region });
  const log: Fc3RecordedRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const rawUrl = req.url ?? '/';
    const parsed = new URL(rawUrl, 'http://emulator');
    const method = req.method ?? 'GET';
    const requestId = randomUUID();
    const isTrigger = parsed.pathname.startsWith(triggerPrefix);
    const isInvoke = /\/invocations$/.test(parsed.pathname);
    const entry: Fc3RecordedRequest = {
      method,
      path: parsed.pathname,
      status: 0,
      write: !isTrigger && !isInvoke && method !== 'GET' && method !== 'HEAD',
    };
    log.push(entry);
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, {
        'x-fc-request-id': requestId,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      if (isTrigger) {
        const response = await invoker.httpTrigger(parsed, method, req.headers, raw, requestId);
        entry.status = response.status;
        res.statusCode = response.status;
        response.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') res.setHeader(k, v);
        });
        res.setHeader('x-fc-request-id', requestId);
        res.end(Buffer.from(await response.arrayBuffer()));
        return;
      }
      if (method === 'GET' && parsed.pathname.startsWith(codePrefix)) {
        const zip = api.codeLinks.get(parsed.pathname.slice(codePrefix.length));
        if (!zip) throw new Fc3Error(404, 'NoSuchKey', 'the code download link does not exist');
        entry.status = 200;
        res.writeHead(200, { 'content-type': 'application/zip', 'x-fc-request-id': requestId });
        res.end(zip);
        return;
      }
      if (!parsed.pathname.startsWith(prefix))
        throw new Fc3Error(
          404,
          'PathNotSupported',
          `${method} ${parsed.pathname} is not an FC 2023-03-30 API`,
        );
      const refused = verifyAcs3(method, rawUrl, req.headers, raw, secrets);
      if (refused) throw new Fc3Error(refused.status, refused.code, refused.message);
      const segments = parsed.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
      if (isInvoke && method === 'POST') {
        const r = await invoker.invokeFunction(
          segments[1]!,
          parsed.searchParams.get('qualifier') ?? undefined,
          raw,
          req.headers,
          requestId,
        );
        entry.status = r.status;
        res.writeHead(r.status, { 'x-fc-request-id': requestId, ...r.headers });
        res.end(r.body);
        return;
      }
      let body: Record<string, unknown> = {};
      if (raw.length) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new Fc3Error(400, 'InvalidArgument', 'the body is not JSON');
        }
      }
      const answer = api.route(method, segments, parsed.searchParams, body);
      if (!answer)
        throw new Fc3Error(
          404,
          'PathNotSupported',
          `${method} ${parsed.pathname} is not an FC 2023-03-30 API`,
        );
      reply(answer.status, answer.body);
    } catch (error) {
      if (error instanceof Fc3Error)
        reply(error.status, { Code: error.code, Message: error.message, RequestId: requestId });
      else
        reply(500, {
          Code: 'InternalServerError',
          Message: String((error as Error)?.message ?? error),
          RequestId: requestId,
        });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    accountId,
    region,
    accessKeyId,
    accessKeySecret,
    state,
    writes: () => log.filter((r) => r.write).length,
    requests: () => log,
    advanceClock: (ms) => events.advanceClock(ms),
    emitOssEvent: (bucket, key, eventName, size) => events.emitOssEvent(bucket, key, eventName, size),
    publishMnsMessage: (topic, message, tag) => events.publishMnsMessage(topic, message, tag),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await execution.close();
    },
  };
}
