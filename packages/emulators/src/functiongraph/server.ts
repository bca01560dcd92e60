import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidTimezone } from '@faasport/core';
import { createExecutor, type Executor } from '@faasport/runtime';
import { handleApig, handleFunctionUrl } from './apig';
import type { EmuState } from './context';
import { FgApiError, fgErrors } from './errors';
import {
  type EventDelivery,
  emitObsEvent,
  fireDueTimers,
  fireTimer,
  type ObsEventName,
  sendKafkaMessages,
} from './events';
import { FunctionGraphExecution } from './execution';
import { functionsApi } from './functions-api';
import type { FunctionGraphEmulatorOptions } from './options';
import { sendJson } from './respond';
import { type EmulatorCredential, verifySignature } from './signature';
import type { FunctionState } from './state';
import { defaultTimerZone } from './timers';
import { triggersApi } from './triggers-api';

/** A fault the emulator answers instead of handling a request. @public */
export interface InjectedFault {
  status: number;
  code: string;
  message?: string;
  /** How many matching requests get it (default 1). */
  times?: number;
  /** Only requests with this method. */
  method?: string;
  /** Only requests whose path contains this text. */
  pathIncludes?: string;
}

/** A running FunctionGraph emulator. @public */
export interface FunctionGraphEmulator {
  /** The endpoint, e.g. `http://127.0.0.1:41234`; pass it as the adapter's `endpoint`. */
  url: string;
  projectId: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The number of write calls received (non-GET management requests; invocations are not writes). */
  writes(): number;
  /** Every management request received, as `METHOD /path` (paths as sent, URNs included). */
  requests(): string[];
  /** Makes the next matching requests fail with the given status and code (e.g. 429 FSS.0429, 503). */
  injectFault(fault: InjectedFault): void;
  /** The URL an APIG trigger of this group and path is served at. */
  apigUrl(groupId: string, path: string): string;
  /** The names of the functions it holds. */
  functionNames(): string[];
  /**
   * Puts messages on a Kafka topic: every ACTIVE KAFKA / OPENSOURCEKAFKA trigger reading it gets them in
   * batches of its `batch_size`, in FunctionGraph's Kafka event shape.
   */
  sendKafkaMessages(topic: string, messages: string[]): Promise<EventDelivery[]>;
  /** Fires a function's ACTIVE TIMER triggers (or the one named) with FunctionGraph's timer event. */
  fireTimer(functionName: string, triggerName?: string): Promise<EventDelivery[]>;
  /** The emulator's timer clock. */
  now(): Date;
  /**
   * Moves the timer clock forward by `ms` and fires every ACTIVE TIMER trigger due on the way, in time
   * order: `Cron` schedules in their `CRON_TZ` or the region's zone, `Rate` and `@every` from the trigger's
   * creation. Resolves with the deliveries once they ran.
   */
  advanceClock(ms: number): Promise<EventDelivery[]>;
  /** Emits an OBS object event (default `ObjectCreated:Put`, of an object of `size` bytes) to the functions whose OBS triggers match it. */
  emitObsEvent(
    bucket: string,
    key: string,
    eventName?: ObsEventName,
    size?: number,
  ): Promise<EventDelivery[]>;
  close(): Promise<void>;
}

const defaultProjectId = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

/**
 * Starts an HTTP emulator of the FunctionGraph v2 API on 127.0.0.1 (a random port): SDK-HMAC-SHA256
 * signatures, `/v2/{project_id}/fgs/...` paths with every URN form, FunctionGraph's strict bodies,
 * status codes (200, 201, 202, 204) and `{error_code, error_msg}` errors, versions, aliases with
 * weighted routing, triggers, function URLs, reserved instances, and execution of the deployed code
 * through the faasport runtime with FunctionGraph's native contracts. APIG and DEDICATEDGATEWAY triggers
 * are served at `/_apig/{group_id}{path}`, function URLs at `/_url/{token}{path}` (auth `NONE`, or `IAM`
 * with an SDK-HMAC-SHA256 signature).
 *
 * @example
 * ```ts
 * const emu = await startFunctionGraphEmulator({ accessKeyId: 'ak', secretAccessKey: 'sk' });
 * const adapter = createFunctionGraphAdapter({ region: emu.region, projectId: emu.projectId, endpoint: emu.url,
 *   credentials: { accessKeyId: 'ak', secretAccessKey: 'sk' } });
 * ```
 * @public
 */
export async function startFunctionGraphEmulator(
  options: FunctionGraphEmulatorOptions = {},
): Promise<FunctionGraphEmulator> {
  const projectId = options.projectId ?? defaultProjectId;
  const region = options.region ?? 'cn-north-4';
  const credential: EmulatorCredential = {
    accessKeyId: options.accessKeyId ?? 'emulator-ak',
    secretAccessKey: options.secretAccessKey ?? 'emulator-sk',
    ...(options.securityToken ? { securityToken: options.securityToken } : {}),
  };
  const random = options.random ?? Math.random;
  const timerZone = defaultTimerZone(region, options.timeZone);
  if (!isValidTimezone(timerZone)) throw new RangeError(`timeZone "${timerZone}" is not an IANA time zone`);
  let clockOffset = options.startTime ? options.startTime.getTime() - Date.now() : 0;
  let ownExecutor: Executor | undefined;
  const executor = () => {
    if (options.executor) return options.executor;
    if (!ownExecutor) ownExecutor = createExecutor();
    return ownExecutor;
  };
  const execution = new FunctionGraphExecution(executor, options.images ?? {});
  const em: EmuState = {
    projectId,
    region,
    credential,
    options,
    random,
    execution,
    functions: new Map<string, FunctionState>(),
    pending: new Set<Promise<unknown>>(),
    url: '',
    now: () => Date.now() + clockOffset,
    timerZone,
  };
  let firedUntil = em.now();
  const faults: InjectedFault[] = [];
  const requestLog: string[] = [];
  let writeCount = 0;

  async function handleApi(
    method: string,
    segments: string[],
    query: URLSearchParams,
    body: unknown,
    req: IncomingMessage,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const [root, ...rest] = segments;
    if (root === 'functions') return functionsApi(em, method, rest, query, body, req);
    if (root === 'triggers') return triggersApi(em, method, rest, body);
    throw fgErrors.unsupportedPath(method, segments.join('/'));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = new Uint8Array(Buffer.concat(chunks));
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith('/_apig/')) return handleApig(em, req, res, rawBody, url);
    if (url.pathname.startsWith('/_url/')) return handleFunctionUrl(em, req, res, rawBody, url);
    const method = req.method ?? 'GET';
    const requestId = randomUUID();
    try {
      verifySignature(req, rawBody, [credential], { maxSkewMs: options.maxSkewMs ?? 15 * 60_000 });
      const segments = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
      if (segments[0] !== 'v2' || segments[2] !== 'fgs') throw fgErrors.unsupportedPath(method, url.pathname);
      if (decodeURIComponent(segments[1]!) !== projectId)
        throw fgErrors.forbidden('FSS.0403', `The project ${segments[1]} does not match the credentials.`);
      const headerProject = req.headers['x-project-id'];
      if (headerProject !== undefined && headerProject !== projectId)
        throw fgErrors.unauthorized('X-Project-Id does not match the project in the path');
      requestLog.push(`${method} ${req.url}`);
      const isInvoke =
        segments[segments.length - 1] === 'invocations' ||
        segments[segments.length - 1] === 'invocations-async';
      if (method !== 'GET' && !isInvoke) writeCount++;
      const fault = faults.find(
        (f) =>
          (!f.method || f.method === method) && (!f.pathIncludes || (req.url ?? '').includes(f.pathIncludes)),
      );
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
        throw new FgApiError(fault.status, fault.code, fault.message ?? 'Injected fault.');
      }
      let body: unknown;
      if (rawBody.length) {
        try {
          body = JSON.parse(new TextDecoder().decode(rawBody));
        } catch {
          throw fgErrors.invalidParameter('The request body is not valid JSON.');
        }
      }
      const out = await handleApi(method, segments.slice(3), url.searchParams, body, req);
      if (out.status === 204 || out.body === undefined) {
        res.writeHead(out.status, { 'X-Request-Id': requestId, ...(out.headers ?? {}) });
        res.end();
      } else if (out.body instanceof Uint8Array) {
        res.writeHead(out.status, { 'X-Request-Id': requestId, ...(out.headers ?? {}) });
        res.end(out.body);
      } else {
        const text = JSON.stringify(out.body);
        res.writeHead(out.status, {
          'content-type': 'application/json',
          'X-Request-Id': requestId,
          ...(out.headers ?? {}),
        });
        res.end(text);
      }
    } catch (e) {
      const err = e instanceof FgApiError ? e : fgErrors.internal((e as Error).message);
      sendJson(res, err.status, err.body(), requestId);
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) sendJson(res, 500, fgErrors.internal(e.message).body());
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  em.url = url;

  return {
    url,
    projectId,
    region,
    accessKeyId: credential.accessKeyId,
    secretAccessKey: credential.secretAccessKey,
    writes: () => writeCount,
    requests: () => [...requestLog],
    injectFault: (fault) => {
      faults.push({ ...fault });
    },
    apigUrl: (groupId, path) => `${url}/_apig/${groupId}${path}`,
    functionNames: () => [...em.functions.values()].map((f) => f.name),
    fireTimer: (functionName, triggerName) => fireTimer(em, functionName, triggerName),
    sendKafkaMessages: (topic, messages) => sendKafkaMessages(em, topic, messages),
    now: () => new Date(em.now()),
    async advanceClock(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advanceClock(${ms}): ms must be 0 or more`);
      clockOffset += ms;
      // From where the last advance stopped, so no time between two advances goes unchecked.
      const from = firedUntil;
      firedUntil = em.now();
      return fireDueTimers(em, from, firedUntil);
    },
    emitObsEvent: (bucket, key, eventName = 'ObjectCreated:Put', size = 0) =>
      emitObsEvent(em, bucket, key, eventName, size),
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
