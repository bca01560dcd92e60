import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FcDelivery, FcEventResult } from './events';
import { FcExecution, type FcExecutor, type FcLocalImage } from './execution';
import { FcApi, type InjectedFault, type RecordedRequest } from './server';
import type { FcState } from './state';

export type { FcDelivery, FcEventResult } from './events';
export type { FcExecutable, FcExecutor, FcLocalImage } from './execution';
export type { InjectedFault, RecordedRequest } from './server';
export { fcStringToSign, verifyFcSignature } from './signature';

/** Options of {@link startFcEmulator}. @public */
export interface FcEmulatorOptions {
  /** The account id requests must carry in `x-fc-account-id` (default `1234567890`). */
  accountId?: string;
  /** The region reported to functions (default `cn-hangzhou`). */
  region?: string;
  /** The access key accepted by the signature check (default `LTAI-emulator`). */
  accessKeyId?: string;
  /** Its secret (default `emulator-secret`). */
  accessKeySecret?: string;
  /** More accepted keys, access key id → secret (e.g. an `STS.` key). */
  keys?: Record<string, string>;
  /**
   * Stand-ins for container images, by image reference: custom-container functions of that image run
   * this command in this folder, serving HTTP on the function's `caPort`. Other images cannot run.
   */
  images?: Record<string, FcLocalImage>;
  /** The executor that runs deployed code (default: `createExecutor()` of `@faasport/runtime`, loaded on first call). */
  executor?: FcExecutor;
}

/** A running FC 2.0 API emulator. @public */
export interface FcEmulator {
  /** `http://127.0.0.1:<port>`: pass as the fc2 `endpoint`. */
  readonly url: string;
  readonly accountId: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** How many control-plane write calls (POST/PUT/DELETE, not invocations) it received, accepted or not. */
  writes(): number;
  /** Every request received, in order. */
  requests(): readonly RecordedRequest[];
  /** The emulator's state, for assertions. */
  readonly state: FcState;
  /** Makes the next `times` API calls (or, with `scope: 'invocations'`, InvokeFunction calls) fail with this error, e.g. 503 ResourceThrottled. */
  injectFault(fault: Omit<InjectedFault, 'times'> & { times?: number }): void;
  /** Invokes a function as its timer trigger fires, with FC's timer event `{triggerTime, triggerName, payload}`. */
  fireTimer(serviceName: string, functionName: string, triggerName: string): Promise<FcEventResult>;
  /**
   * Moves the emulator's clock forward by `ms`, firing every enabled timer trigger due in that time, in
   * order (six-field cron in UTC, or `@every`), with FC's timer event.
   */
  advanceClock(ms: number): Promise<FcDelivery[]>;
  /** Delivers an OSS object event (default `ObjectCreated:PutObject`) to the functions whose OSS triggers match. */
  emitOssEvent(bucket: string, key: string, eventName?: string, size?: number): Promise<FcDelivery[]>;
  /** Publishes a message on an MNS topic: each mns_topic trigger subscribed to it invokes its function. */
  publishMnsMessage(topic: string, message: string, tag?: string): Promise<FcDelivery[]>;
  /** Stops the server and every function instance. */
  close(): Promise<void>;
}

/**
 * Starts an emulator of the Alibaba Cloud Function Compute 2.0 API (2016-08-15) on 127.0.0.1 (a free
 * port): FC's REST paths, FC request signatures, PascalCase error bodies, strict body validation,
 * services, functions, triggers, versions, aliases, provision configs and custom domains, and
 * execution of deployed code through the faasport runtime with FC's native contracts, reachable
 * through InvokeFunction and the HTTP trigger path `/2016-08-15/proxy/{service}.{qualifier}/{function}/...`.
 *
 * @example
 * ```ts
 * const fc = await startFcEmulator();
 * const client = new FCClient(fc.accountId, { accessKeyID: fc.accessKeyId, accessKeySecret: fc.accessKeySecret, region: fc.region, endpoint: fc.url });
 * ```
 * @public
 */
export async function startFcEmulator(options: FcEmulatorOptions = {}): Promise<FcEmulator> {
  const accountId = options.accountId ?? '1234567890';
  const region = options.region ?? 'cn-hangzhou';
  const accessKeyId = options.accessKeyId ?? 'LTAI-emulator';
  const accessKeySecret = options.accessKeySecret ?? 'emulator-secret';
  const secrets = new Map<string, string>([
    [accessKeyId, accessKeySecret],
    ...Object.entries(options.keys ?? {}),
  ]);
  const execution = new FcExecution(options.executor, options.images);
  let url = '';
  const api = new FcApi({ accountId, region, secrets, execution, baseUrl: () => url });
  const server = createServer((req, res) => {
    api.handle(req, res).catch((error) => {
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
    state: api.state,
    writes: () => api.log.filter((r) => r.write).length,
    requests: () => api.log,
    injectFault: (fault) => api.faults.push({ ...fault, times: fault.times ?? 1 }),
    fireTimer: (s, f, t) => api.fireTimer(s, f, t),
    advanceClock: (ms) => api.advanceClock(ms),
    emitOssEvent: (bucket, key, eventName, size) => api.emitOssEvent(bucket, key, eventName, size),
    publishMnsMessage: (topic, message, tag) => api.publishMnsMessage(topic, message, tag),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await execution.close();
    },
  };
}
