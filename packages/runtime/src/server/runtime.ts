import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ConfigurationError, redact, redactValue, registerSecret } from '@faasport/core';
import { createExecutor, ExecutionError, type Executor, type ExecutorIsolation } from '../executor';
import type { ScheduledExecutable } from '../executor/executable';
import { handleAdmin, publishEventFrom } from './api';
import { Broker, type DeliveryOutcome, type RetryPolicy } from './broker';
import { Buckets } from './buckets';
import { CodeStore } from './code-store';
import { errorReply, type FrontReply, type FrontRequest, HttpFront } from './front';
import { Functions } from './functions';
import {
  BodyTooLargeError,
  failureOf,
  hostName,
  isLoopbackName,
  readBody,
  sendError,
  sendFailure,
} from './http';
import { LogStore } from './logs';
import { Metrics } from './metrics';
import { Scheduler } from './scheduler';
import { type FunctionRow, Store } from './store';
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

/** Everything the request handlers share. */
export interface RuntimeContext {
  store: Store;
  code: CodeStore;
  functions: Functions;
  broker: Broker;
  buckets: Buckets;
  topics: Topics;
  logs: LogStore;
  metrics: Metrics;
  executor: Executor;
  scheduler: Scheduler;
  namespace: string;
  bodyLimit: number;
  baseUrl: () => string;
  countWrite: () => void;
  /** Serves a call to a function (gateway and admin invoke share it). */
  serve: (
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    options?: { mode?: 'event'; body?: Buffer },
  ) => Promise<void>;
}

/** Where a gateway request goes. */
export interface Route {
  fn: FunctionRow;
  tag?: string;
  revision?: string;
  /** The path the function sees. */
  path: string;
}

const adminPrefix = '/_faasport/v1';

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
  const dataDir = privateDataDir(path.resolve(options.dataDir));
  const { token, file: tokenFile } = loadToken(dataDir);
  const tokenBytes = Buffer.from(token);
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

  const authorized = (header = ''): boolean => {
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  };

  const host = options.host ?? '127.0.0.1';
  const listenHost = host.includes(':') ? `[${host}]` : host;
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
  type Decision =
    | { kind: 'metrics' | 'healthz' | 'admin' }
    | { kind: 'refuse'; status: number; code: string; message: string }
    | { kind: 'serve'; route: Route };
  /** Who answers a request: the same rules for Node's HTTP server and the front. */
  function decide(
    method: string,
    url: string,
    hostHeader: string,
    authorization: string | undefined,
  ): Decision {
    if (url === '/metrics' || url.startsWith('/metrics?')) return metricsAccess(hostHeader, authorization);
    if (url === '/healthz') return { kind: 'healthz' };
    const route = gatewayRoute(context, hostHeader, url);
    if (route === 'admin' || (route === undefined && url.startsWith(adminPrefix))) {
      if (!authorized(authorization))
        return {
          kind: 'refuse',
          status: 401,
          code: 'Unauthorized',
          message: `the admin API needs "Authorization: Bearer <token>"; the token is in ${tokenFile}`,
        };
      return { kind: 'admin' };
    }
    if (!route)
      return {
        kind: 'refuse',
        status: 404,
        code: 'FunctionNotFound',
        message: `no function matches host ${JSON.stringify(hostHeader)} and path ${JSON.stringify(url.split('?')[0])}`,
      };
    const settingsOf = functions.settingsOf(route.fn.name);
    // Fail closed: without stored settings nobody knows whether the function is private.
    if (!settingsOf)
      return {
        kind: 'refuse',
        status: 503,
        code: 'FunctionNotReady',
        message: `function "${route.fn.name}" has no stored settings (a deploy did not finish); deploy it again`,
      };
    const needsToken =
      settingsOf?.visibility === 'private' ||
      settingsOf?.triggers.some((t) => t.kind === 'http' && t.auth !== 'anonymous');
    if (needsToken && !authorized(authorization))
      return {
        kind: 'refuse',
        status: 401,
        code: 'Unauthorized',
        message: `function "${route.fn.name}" is private; send "Authorization: Bearer <token>"`,
      };
    const httpTrigger = settingsOf?.triggers.find((t) => t.kind === 'http');
    if (settingsOf && !httpTrigger)
      return {
        kind: 'refuse',
        status: 404,
        code: 'FunctionNotFound',
        message: `function "${route.fn.name}" has no http trigger`,
      };
    if (httpTrigger && httpTrigger.kind === 'http' && !httpTrigger.methods.includes(method))
      return {
        kind: 'refuse',
        status: 405,
        code: 'MethodNotAllowed',
        message: `function "${route.fn.name}" accepts ${httpTrigger.methods.join(', ')}`,
      };
    return { kind: 'serve', route };
  }
  /**
   * `/metrics` needs the admin token, unless `publicMetrics` opens it. Open metrics answer only under a
   * loopback host name or the listening address: a browser page served under another name that
   * resolves to this machine (DNS rebinding) is refused.
   */
  function metricsAccess(hostHeader: string, authorization: string | undefined): Decision {
    if (authorized(authorization)) return { kind: 'metrics' };
    if (!options.publicMetrics)
      return {
        kind: 'refuse',
        status: 401,
        code: 'Unauthorized',
        message: `/metrics needs "Authorization: Bearer <token>" (the token is in ${tokenFile}); start the runtime with --public-metrics to serve them without it on loopback host names`,
      };
    const name = hostName(hostHeader);
    if (isLoopbackName(name) || name === hostName(listenHost)) return { kind: 'metrics' };
    return {
      kind: 'refuse',
      status: 403,
      code: 'ForbiddenHost',
      message: `/metrics without a token answers only to loopback host names (localhost, *.localhost, 127.0.0.0/8, [::1]) or the listening address, not Host ${JSON.stringify(hostHeader)}; send the admin token to scrape under other names`,
    };
  }
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

/**
 * The route of a gateway request: `{fn}.{ns}.localhost`, `{tag}-{fn}.{ns}.localhost`, a custom domain,
 * or `/{fn}/...`. Returns `admin` for the admin API, `undefined` when nothing matches.
 */
export function gatewayRoute(
  context: RuntimeContext,
  hostHeader: string,
  url: string,
): Route | 'admin' | undefined {
  const [pathname = '/', query] = url.split('?', 2) as [string, string?];
  const search = query === undefined ? '' : `?${query}`;
  const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${context.namespace}.localhost`;
  if (host.endsWith(suffix)) {
    const label = host.slice(0, -suffix.length);
    if (!label.includes('.')) {
      const fn = context.functions.get(label);
      if (fn) return { fn, path: pathname + search };
      for (let i = label.indexOf('-'); i > 0; i = label.indexOf('-', i + 1)) {
        const tagged = context.functions.get(label.slice(i + 1));
        const tag = label.slice(0, i);
        if (tagged?.traffic.some((t) => t.tag === tag)) return { fn: tagged, tag, path: pathname + search };
      }
      return undefined;
    }
  }
  for (const { name, prefix } of context.functions.domains().get(host) ?? []) {
    if (prefix && pathname !== prefix && !pathname.startsWith(`${prefix}/`)) continue;
    const fn = context.functions.get(name);
    if (fn) return { fn, path: (pathname.slice(prefix.length) || '/') + search };
  }
  if (pathname === adminPrefix || pathname.startsWith(`${adminPrefix}/`)) return 'admin';
  const match = /^\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!match) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  const fn = context.functions.get(name);
  return fn ? { fn, path: (match[2] ?? '/') + search } : undefined;
}

const skippedRequestHeaders = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'authorization-faasport',
]);

const emptyBody = Buffer.alloc(0);

const failureCodes: Record<string, string> = {
  timeout: 'FunctionTimeout',
  crash: 'FunctionCrashed',
  start: 'FunctionStartFailed',
  overloaded: 'TooManyRequests',
  aborted: 'ClientClosedRequest',
};

/** A call to a function as the gateway received it, from Node's HTTP server or from the front. */
interface GatewayCall {
  method: string;
  /** The `Host` header. */
  host: string;
  /** Request headers, names lower-cased. */
  headers: [string, string][];
  body: Buffer;
  remoteAddress: string | undefined;
}

/** Larger error bodies are passed on as they are: redaction reads the whole body as text. */
const maxRedactedBody = 1024 * 1024;

/**
 * Replaces registered secret values (the admin token, every function's secrets) in a 5xx answer's
 * text or JSON body, as logs are redacted: a function's error message, its own or as the worker
 * reports a throw, reaches anonymous callers. JSON is compared decoded, so escaped characters in a
 * secret cannot hide it.
 */
function redactErrorBody(reply: FrontReply): void {
  const body = reply.body;
  if (reply.status < 500 || !body || body.length === 0 || body.length > maxRedactedBody) return;
  const type = reply.headers.find(([name]) => name === 'content-type')?.[1].toLowerCase() ?? '';
  if (type !== '' && !type.includes('json') && !type.startsWith('text/')) return;
  const text = Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8');
  let clean = redact(text);
  if (type.includes('json')) {
    try {
      const value: unknown = JSON.parse(text);
      const redacted = JSON.stringify(redactValue(value));
      if (redacted !== JSON.stringify(value)) clean = redacted;
    } catch {
      // Not JSON after all: the text redaction stands.
    }
  }
  if (clean !== text) reply.body = Buffer.from(clean);
}

/** The runtime's JSON error as a reply; the message is redacted. */
function jsonErrorReply(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FrontReply {
  return errorReply(status, code, redact(message), extra);
}

const validRequestId = /^[\w.:-]{1,128}$/;

/**
 * Calls a function and returns its answer as a reply: revision choice, the executor, then the
 * invocation's log line and metrics. Both Node's HTTP server and the front serve calls through it.
 */
async function callFunction(
  context: RuntimeContext,
  call: GatewayCall,
  route: Route,
  mode?: 'event',
): Promise<FrontReply> {
  const started = performance.now();
  let requestId: string | undefined;
  for (const [name, value] of call.headers)
    if (name === 'x-request-id') {
      if (validRequestId.test(value)) requestId = value;
      break;
    }
  requestId ??= randomUUID();
  const fn = route.fn;
  const label = context.functions.pick(fn, { tag: route.tag, revision: route.revision });
  if (!label) {
    const what = route.revision
      ? `revision "${route.revision}"`
      : route.tag
        ? `tag "${route.tag}"`
        : 'a revision receiving traffic';
    return jsonErrorReply(404, 'RevisionNotFound', `function "${fn.name}" has no ${what}`);
  }
  let reply: FrontReply;
  let failure: string | undefined;
  try {
    const executable = (await context.functions.executableFor(fn.name, label)) as ScheduledExecutable;
    const body = call.body;
    if (mode === 'event') {
      const result = await executable.invokeEvent(new Uint8Array(body.buffer, body.byteOffset, body.length), {
        requestId,
      });
      if (result.error) failure = result.error.message;
      const payload = result.error
        ? Buffer.from(
            JSON.stringify({
              error: { code: 'FunctionError', type: result.error.type, message: result.error.message },
            }),
          )
        : Buffer.from(result.body);
      let json = false;
      try {
        JSON.parse(payload.toString('utf8'));
        json = payload.length > 0;
      } catch {
        json = false;
      }
      reply = {
        status: result.error ? 500 : 200,
        headers: [['content-type', json ? 'application/json' : 'application/octet-stream']],
        body: payload,
      };
    } else {
      const headers: [string, string][] = [];
      for (const header of call.headers) if (!skippedRequestHeaders.has(header[0])) headers.push(header);
      const answer = await executable.forward(
        {
          method: call.method,
          url: `http://${call.host || 'localhost'}${route.path}`,
          headers,
          body: body.length ? body : undefined,
        },
        { requestId, clientIp: call.remoteAddress?.replace(/^::ffff:/, '') },
      );
      reply = { status: answer.status, headers: answer.headers, body: answer.body };
    }
    redactErrorBody(reply);
  } catch (error) {
    if (ExecutionError.is(error)) {
      failure = `${error.reason}: ${error.message}`;
      reply = jsonErrorReply(error.status, failureCodes[error.reason] ?? 'FunctionFailed', error.message, {
        requestId,
      });
    } else {
      const parts = failureOf(error);
      failure = parts.message;
      reply = jsonErrorReply(parts.status, parts.code, parts.message, parts.extra);
    }
  }
  reply.headers = [['x-faasport-request-id', requestId], ['x-faasport-revision', label], ...reply.headers];
  const status = reply.status;
  const milliseconds = performance.now() - started;
  context.metrics.inc('faasport_invocations_total', {
    function: fn.name,
    revision: label,
    status: String(status),
  });
  if (status >= 500)
    context.metrics.inc('faasport_invocation_errors_total', { function: fn.name, revision: label });
  context.metrics.observe({ function: fn.name }, milliseconds / 1000);
  const path = route.path;
  const query = path.indexOf('?');
  context.logs.write({
    time: new Date().toISOString(),
    level: status >= 500 ? 'error' : 'info',
    kind: 'invocation',
    function: fn.name,
    revision: label,
    requestId,
    message: `${mode === 'event' ? 'EVENT' : call.method} ${query < 0 ? path : path.slice(0, query)} ${status} ${Math.round(milliseconds)} ms${failure ? ` (${failure})` : ''}`,
    status,
    durationMs: Math.round(milliseconds),
  });
  return reply;
}

const eventsPaths = new Set([`${adminPrefix}/events`, `${adminPrefix}/events/`]);

/** `POST /_faasport/v1/events` read by the front: the same rules and answers as the admin API's. */
async function publishThroughFront(context: RuntimeContext, request: FrontRequest): Promise<FrontReply> {
  // Header pairs to Node's header object: repeats joined with ", ", content-type keeps its first.
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else if (name !== 'content-type') headers[name] = `${existing}, ${value}`;
  }
  try {
    const result = await publishEventFrom(context, headers, request.body);
    return {
      status: 202,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(JSON.stringify(result)),
    };
  } catch (error) {
    const parts = failureOf(error);
    return jsonErrorReply(parts.status, parts.code, parts.message, parts.extra);
  }
}

/** Writes a reply through Node's HTTP server (the front writes its own). */
function writeReply(res: ServerResponse, reply: FrontReply): void {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of reply.headers) {
    if (name === 'content-length' || name === 'transfer-encoding' || name === 'connection') continue;
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (name === 'set-cookie')
      out[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
    else out[name] = `${existing}, ${value}`;
  }
  if (reply.body) out['content-length'] = String(reply.body.length);
  try {
    res.writeHead(reply.status, out);
  } catch {
    // A header the function set cannot go on the wire (control characters in a value, a bad name).
    writeReply(
      res,
      jsonErrorReply(
        502,
        'FunctionBadResponse',
        'the function answered with a header that cannot be sent (invalid name, or a value with control characters)',
      ),
    );
    return;
  }
  // A small body goes out as a latin1 string (byte for byte the same): Node then writes the head and
  // the body in one system call instead of two.
  const body = reply.body;
  if (body && body.length <= 16 * 1024)
    res.end(Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1'), 'latin1');
  else res.end(body ?? undefined);
}

/** Serves one call arriving through Node's HTTP server: the body limit, then {@link callFunction}. */
async function serveFunction(
  context: RuntimeContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  options: { mode?: 'event'; body?: Buffer } = {},
): Promise<void> {
  let body: Buffer;
  try {
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    body = options.body ?? (hasBody ? await readBody(req, context.bodyLimit) : emptyBody);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendError(
        res,
        413,
        'PayloadTooLarge',
        `the request body is larger than the ${context.bodyLimit}-byte limit`,
        { limit: context.bodyLimit },
      );
      return;
    }
    throw error;
  }
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  const reply = await callFunction(
    context,
    {
      method: req.method ?? 'GET',
      host: req.headers.host ?? '',
      headers,
      body,
      remoteAddress: req.socket.remoteAddress,
    },
    route,
    options.mode,
  );
  if (res.headersSent || res.destroyed) return;
  writeReply(res, reply);
}
