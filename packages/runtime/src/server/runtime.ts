import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ConfigurationError, registerSecret } from '@faasport/core';
import { createExecutor, type ExecutorIsolation, type WebRequestMode } from '../executor';
import { createAccessPolicy, type Decision } from './access';
import { handleAdmin } from './api';
import { Broker, type DeliveryOutcome, type RetryPolicy } from './broker';
import { Buckets } from './buckets';
import { CodeStore } from './code-store';
import { adminPrefix, type RuntimeContext } from './context';
import { HttpFront } from './front';
import { Functions } from './functions';
import { callFunction, eventsPaths, publishThroughFront, serveFunction } from './gateway';
import { isLoopbackName, sendError, sendFailure } from './http';
import { LogStore } from './logs';
import { Metrics } from './metrics';
import { Scheduler } from './scheduler';
import { Store } from './store';
import { Topics } from './topics';

/** Options of {@link startRuntime}. */
export interface RuntimeOptions {
  /** Where state, code, logs and bucket objects live. Created when missing. */
  dataDir: string;
  /** The port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** The address to bind. Default `127.0.0.1` (loopback only). */
  host?: string;
  /** The namespace in function hosts: `{fn}.{namespace}.localhost`. Default `default`. */
  namespace?: string;
  /** Largest request body through the gateway. Default 6 MiB. */
  bodyLimitBytes?: number;
  /** Largest request head (request line + headers). Default 16 KiB. */
  maxHeaderBytes?: number;
  /** A client must send its whole request within this time (slow-client protection). Default 30 s. */
  requestTimeoutMs?: number;
  /** A client must send its headers within this time. Default 10 s. */
  headersTimeoutMs?: number;
  /** Pre-started generic workers per runtime. Default 1; 0 disables the pool. */
  warmPool?: number;
  /** Calls that may wait for a busy or starting function (per revision) before new ones get 429. Default 1000. */
  maxQueue?: number;
  /** How long a call may wait for an instance before it gets 429. Default: the function timeout, at least 10 s. */
  queueTimeoutMs?: number;
  /** Event delivery retries (per function overridable with `providers.local.retry`). Default 5 attempts, 1 s backoff. */
  retry?: Partial<RetryPolicy>;
  /** The clock of the scheduler and the broker (tests pass a controllable one). Default `Date.now`. */
  clock?: () => number;
  /** How often the scheduler looks for due ticks. Default 1000 ms. */
  schedulerIntervalMs?: number;
  /**
   * Called after each attempt to deliver a queued event (schedule, bucket and published events) with
   * what the function answered: for embedding the runtime, e.g. tests that wait for a trigger's result.
   */
  onDelivery?: (delivery: DeliveryOutcome) => void;
  /**
   * Serve `/metrics` without the admin token, to requests whose `Host` is a loopback name
   * (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`) or the address the runtime listens on.
   * Default `false`: `/metrics` needs `Authorization: Bearer <token>`.
   */
  publicMetrics?: boolean;
  /**
   * Confine instances (Landlock; another user or no capabilities when the runtime runs as root), so a
   * function cannot read the token, the database or the runtime's environment. Default true; where the
   * machine cannot (no Landlock, no python3) the runtime logs a warning and runs them unconfined.
   * `writable` lists folders functions may write besides their own temp folder.
   */
  sandbox?: boolean | { writable?: string[] };
}

/** A running runtime. */
export interface Runtime {
  /** The base URL of the gateway and the admin API. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** The admin bearer token and the file holding it (mode 0600). */
  readonly token: string;
  readonly tokenFile: string;
  /** How instances are confined (see docs/adapters/local.md, "Security model"). */
  readonly isolation: ExecutorIsolation;
  /** Write calls the admin API has accepted (deploys, settings, traffic, removals). */
  writes(): number;
  /** Runs the scheduler once at the clock's time; returns what fired. */
  tick(): Array<{ function: string; trigger: string; at: string }>;
  /**
   * Stops serving, the scheduler, the broker and every instance. With `drainMs`, it first stops
   * accepting connections and lets calls in flight finish (each answer closes its connection) for up
   * to that long; calls still running then are cut. Without it, connections are cut at once.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

function loadToken(dataDir: string): { token: string; file: string } {
  const file = path.join(dataDir, 'token');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  fs.chmodSync(file, 0o600);
  const token = fs.readFileSync(file, 'utf8').trim();
  registerSecret(token);
  return { token, file };
}

/**
 * Creates the data dir (0700), or makes an existing one private: it holds the admin token and secret
 * values. A folder that other users can read and that cannot be tightened is refused.
 */
function privateDataDir(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = fs.statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    try {
      fs.chmodSync(dataDir, 0o700);
    } catch (error) {
      throw new ConfigurationError(
        `The data dir ${dataDir} is open to other users (mode ${mode.toString(8).padStart(4, '0')}) and cannot be made private (${(error as NodeJS.ErrnoException).code}).`,
        {
          option: 'dataDir',
          hint: `Run \`chmod 700 ${dataDir}\` as its owner, or choose a data dir you own.`,
        },
      );
    }
  }
  return dataDir;
}

const webRequestModes: readonly WebRequestMode[] = ['auto', 'lazy', 'eager'];

/** `FAASPORT_WEB_REQUEST`, checked: `auto` (the default), `lazy` or `eager`. */
function webRequestMode(value: string | undefined): WebRequestMode | undefined {
  if (value === undefined || value === '') return undefined;
  if ((webRequestModes as readonly string[]).includes(value)) return value as WebRequestMode;
  throw new ConfigurationError(
    `FAASPORT_WEB_REQUEST is ${JSON.stringify(value)}; it must be one of ${webRequestModes.join(', ')}.`,
    {
      option: 'FAASPORT_WEB_REQUEST',
      hint: 'Unset it for the default (auto): lazy Web Requests where a start-up check finds they work.',
    },
  );
}

/**
 * Starts the bundled runtime: the gateway and the admin API on one port, the SQLite state, the
 * executor, the cron scheduler and the CloudEvents broker.
 *
 * @example
 * ```ts
 * const runtime = await startRuntime({ dataDir: '.faasport', port: 0 });
 * console.log(runtime.url, runtime.tokenFile);
 * ```
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  // Diagnostics and tests: how Node workers build a web handler's Request; checked before anything opens.
  const webRequest = webRequestMode(process.env.FAASPORT_WEB_REQUEST);
  const dataDir = privateDataDir(path.resolve(options.dataDir));
  const { token, file: tokenFile } = loadToken(dataDir);
  const namespace = options.namespace ?? 'default';
  const clock = options.clock ?? Date.now;
  const store = new Store(dataDir);
  const code = new CodeStore(dataDir);
  const logs = new LogStore(dataDir);
  const metrics = new Metrics();
  const executor = createExecutor({
    warmPool: options.warmPool ?? 1,
    maxQueue: options.maxQueue,
    // Diagnostics: extra Node.js flags for function workers (e.g. --cpu-prof), from the environment.
    nodeArgs: process.env.FAASPORT_WORKER_NODE_ARGS?.split(/\s+/).filter(Boolean),
    // Diagnostics and tests: how Node workers build a web handler's Request (auto, lazy or eager).
    webRequest,
    queueTimeoutMs: options.queueTimeoutMs,
    sandbox:
      options.sandbox === false
        ? undefined
        : {
            codeRoot: code.codeRoot,
            dataDir,
            writable: (typeof options.sandbox === 'object' ? (options.sandbox.writable ?? []) : []).map(
              (dir) => path.resolve(dir),
            ),
          },
    observer: {
      log: (entry) =>
        logs.write({
          time: entry.time,
          level: entry.level,
          kind: 'log',
          function: entry.functionName,
          revision: entry.revision,
          requestId: entry.requestId,
          message: entry.message,
          ...(entry.fields ? { fields: entry.fields } : {}),
          instance: entry.instanceId,
        }),
      instanceStarted: (info) => {
        const [fn, revision] = info.executableId.split('@') as [string, string];
        metrics.inc('faasport_cold_starts_total', { function: fn, pooled: String(info.fromPool) });
        logs.write({
          time: new Date().toISOString(),
          level: 'info',
          kind: 'system',
          function: fn,
          revision,
          message: `instance ${info.instanceId} started in ${info.startMs} ms${info.fromPool ? ' (warm pool)' : ''}`,
          instance: info.instanceId,
        });
      },
      instanceStopped: (info) => {
        const [fn, revision] = info.executableId.split('@') as [string, string];
        logs.write({
          time: new Date().toISOString(),
          level: info.reason === 'idle' || info.reason === 'closed' ? 'info' : 'warn',
          kind: 'system',
          function: fn,
          revision,
          message: `instance ${info.instanceId} stopped (${info.reason})`,
          instance: info.instanceId,
        });
      },
    },
  });
  const functions = new Functions(store, code, executor, dataDir);
  // Function secrets are redacted from logs and error messages, like the admin token.
  for (const fn of store.listFunctions())
    for (const revision of store.listRevisions(fn.name))
      for (const value of Object.values(revision.secretValues)) registerSecret(value);
  const settings = () => functions.all();
  const broker = new Broker(
    store,
    functions,
    settings,
    logs,
    metrics,
    { attempts: options.retry?.attempts ?? 5, backoffMs: options.retry?.backoffMs ?? 1000 },
    clock,
    options.onDelivery,
  );
  const buckets = new Buckets(dataDir, store, broker, settings);
  const topics = new Topics(store, broker, settings);
  const scheduler = new Scheduler(store, broker, settings, logs, clock);
  metrics.gauge('faasport_instances', 'Running instances per function revision.', () =>
    functions.loaded().map((e) => {
      const [fn, revision] = e.spec.id.split('@') as [string, string];
      return { labels: { function: fn, revision }, value: e.stats().instances };
    }),
  );
  metrics.gauge(
    'faasport_warm_pool_workers',
    'Pre-started workers waiting in the warm pool (a cold start takes one, the pool then refills).',
    () => [{ labels: {}, value: executor.warmWorkers() }],
  );
  metrics.gauge('faasport_events_pending', 'Events waiting in the durable queue.', () => [
    { labels: {}, value: store.pendingCount() },
  ]);

  let writes = 0;
  let baseUrl = '';
  const bodyLimit = options.bodyLimitBytes ?? 6 * 1024 * 1024;
  const context: RuntimeContext = {
    store,
    code,
    functions,
    broker,
    buckets,
    topics,
    logs,
    metrics,
    executor,
    scheduler,
    namespace,
    bodyLimit,
    baseUrl: () => baseUrl,
    countWrite: () => {
      writes++;
    },
    serve: (req, res, route, serveOptions) => serveFunction(context, req, res, route, serveOptions),
  };

  const host = options.host ?? '127.0.0.1';
  const listenHost = host.includes(':') ? `[${host}]` : host;
  const { decide } = createAccessPolicy({
    context,
    token,
    tokenFile,
    listenHost,
    publicMetrics: options.publicMetrics,
  });
  const maxHeaderBytes = options.maxHeaderBytes ?? 16 * 1024;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const keepAliveTimeoutMs = 5_000;
  // How often slow clients are checked against the timeouts above.
  const checkIntervalMs = Math.max(100, Math.min(30_000, Math.floor(headersTimeoutMs / 2)));
  const server = http.createServer(
    {
      maxHeaderSize: maxHeaderBytes,
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: checkIntervalMs,
    },
    (req, res) => {
      const url = req.url ?? '/';
      const decision = decide(req.method ?? 'GET', url, req.headers.host ?? '', req.headers.authorization);
      switch (decision.kind) {
        case 'metrics':
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          res.end(metrics.render());
          return;
        case 'healthz':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('ok');
          return;
        case 'admin': {
          // `decide` matched the prefix already: split off the query without a URL parser.
          const query = url.indexOf('?');
          const pathname = query < 0 ? url : url.slice(0, query);
          const params = new URLSearchParams(query < 0 ? '' : url.slice(query + 1));
          handleAdmin(context, req, res, pathname.slice(adminPrefix.length), params).catch((error) =>
            sendFailure(res, error),
          );
          return;
        }
        case 'refuse':
          req.resume();
          sendError(res, decision.status, decision.code, decision.message);
          return;
        case 'serve':
          serveFunction(context, req, res, decision.route).catch((error) => sendFailure(res, error));
      }
    },
  );
  server.maxHeadersCount = 200;
  // While the runtime drains, an answer through Node's server is its connection's last too.
  let draining = false;
  server.prependListener('request', (_req, res) => {
    if (draining) res.shouldKeepAlive = false;
    // A call that was in flight when draining began: its connection closes once it is answered.
    else res.once('finish', () => draining && setImmediate(() => server.closeIdleConnections()));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({
      error: {
        code: status === 431 ? 'HeadersTooLarge' : status === 408 ? 'RequestTimeout' : 'BadRequest',
        message: error.message,
      },
    });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  // Function calls are read off the connection by the front; everything else reaches `server`.
  // The same few hosts and paths repeat on every call: their decisions are kept until the next write.
  const decisions = new Map<string, Decision>();
  let decisionsGeneration = functions.generation;
  const front = new HttpFront(server, {
    accept(head) {
      if (decisionsGeneration !== functions.generation || decisions.size > 10_000) {
        decisions.clear();
        decisionsGeneration = functions.generation;
      }
      const authorization = head.header('authorization');
      const key = `${head.method} ${head.host} ${head.target} ${authorization ?? ''}`;
      let decision = decisions.get(key);
      if (!decision) {
        decision = decide(head.method, head.target, head.host, authorization);
        decisions.set(key, decision);
      }
      // Publishing an event is the admin API's hot call: the front serves it too (after the token check).
      if (decision.kind === 'admin' && head.method === 'POST' && eventsPaths.has(head.target))
        return (request) => publishThroughFront(context, request);
      if (decision.kind !== 'serve') return undefined;
      const route = decision.route;
      return (request) => callFunction(context, request, route);
    },
    maxHeaderBytes,
    bodyLimit,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs,
    // A client that got a closing answer has this long to close its side, then the socket is destroyed.
    closeGraceMs: 2_000,
    checkIntervalMs,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${listenHost}:${port}`;
  const isolation = executor.isolation;
  logs.write({
    time: new Date().toISOString(),
    level: isolation.level === 'none' && options.sandbox !== false ? 'warn' : 'info',
    kind: 'system',
    function: '_runtime',
    message:
      isolation.level === 'none'
        ? `instances are not sandboxed (${isolation.reason}): a function can read what this user can read`
        : `instances are sandboxed (Landlock${isolation.identity === 'user' ? ', user nobody' : isolation.identity === 'no-capabilities' ? ', no capabilities' : ''})`,
  });
  if (!isLoopbackName(host)) {
    logs.write({
      time: new Date().toISOString(),
      level: 'warn',
      kind: 'system',
      function: '_runtime',
      message: `listening on ${host}, not loopback: anyone who can reach it and has the token can deploy code`,
    });
  }
  fs.writeFileSync(
    path.join(dataDir, 'runtime.json'),
    `${JSON.stringify({ url: baseUrl, token, pid: process.pid }, null, 2)}\n`,
    { mode: 0o600 },
  );

  // Pre-start generic workers for the runtimes and memory sizes in use (and the defaults), so the first
  // cold start of any function is a module load.
  const kinds = new Set(['nodejs20:256']);
  for (const { settings } of functions.all())
    if (settings.runtime !== 'custom') kinds.add(`${settings.runtime}:${settings.resources.memory}`);
  for (const kind of kinds) {
    const [runtimeName, memory] = kind.split(':') as [string, string];
    executor.prewarm(runtimeName, Number(memory));
  }
  functions.warm();
  broker.start();
  scheduler.start(options.schedulerIntervalMs ?? 1000);

  let closed = false;
  return {
    url: baseUrl,
    host,
    port,
    dataDir,
    token,
    tokenFile,
    isolation,
    writes: () => writes,
    tick: () => scheduler.tick(),
    async close(closeOptions = {}) {
      if (closed) return;
      closed = true;
      scheduler.stop();
      await new Promise<void>((resolve) => {
        let deadline: NodeJS.Timeout | undefined;
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        const cut = () => {
          front.close();
          server.closeAllConnections();
        };
        const drainMs = closeOptions.drainMs ?? 0;
        if (drainMs <= 0) return cut();
        draining = true;
        front.drain();
        server.closeIdleConnections();
        deadline = setTimeout(cut, drainMs);
      });
      await broker.close();
      await executor.close();
      await logs.close();
      store.close();
      fs.rmSync(path.join(dataDir, 'runtime.json'), { force: true });
    },
  };
}
