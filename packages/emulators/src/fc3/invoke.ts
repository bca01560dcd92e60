import type { IncomingHttpHeaders } from 'node:http';
import type { FcExecution } from '../fc/execution';
import { fcContext } from '../fc/invoke';
import type { Fc3ControlPlane } from './api';
import { Fc3Error, fc3Errors } from './errors';
import { executionRecordOf, type Fc3Entry, type Fc3FunctionRecord } from './state';

/** What calls need besides the state. */
export interface Fc3Call {
  accountId: string;
  region: string;
  execution: FcExecution;
  random: () => number;
}

/** FC's synchronous payload limit (32 MB) and the asynchronous one (128 KB). */
const maxSync = 32 * 1024 * 1024;
const maxAsync = 128 * 1024;

/** Runs code: InvokeFunction and HTTP trigger calls, with alias weights honoured. */
export class Fc3Invoker {
  constructor(
    private readonly api: Fc3ControlPlane,
    private readonly call: Fc3Call,
  ) {}

  /**
   * The function a qualifier runs: LATEST, a version, or an alias, which sends a share
   * `additionalVersionWeight[v]` of calls to version v and the rest to its own version.
   */
  resolve(
    e: Fc3Entry,
    qualifier: string | undefined,
  ): { fn: Fc3FunctionRecord; versionId: string; qualifier: string } {
    const q = qualifier ?? 'LATEST';
    if (q === 'LATEST') return { fn: e.fn, versionId: 'LATEST', qualifier: q };
    const version = e.versions.get(q);
    if (version) return { fn: version.snapshot, versionId: q, qualifier: q };
    const alias = e.aliases.get(q);
    if (!alias) throw fc3Errors.notFound('Alias', q);
    let versionId = alias.versionId;
    let draw = this.call.random();
    for (const [id, weight] of Object.entries(alias.additionalVersionWeight)) {
      if (draw < weight) {
        versionId = id;
        break;
      }
      draw -= weight;
    }
    return { fn: e.versions.get(versionId)!.snapshot, versionId, qualifier: q };
  }

  private site(qualifier: string, versionId: string) {
    return {
      accountId: this.call.accountId,
      region: this.call.region,
      serviceName: 'fc3',
      qualifier,
      versionId,
    };
  }

  /** POST /2023-03-30/functions/{fn}/invocations. */
  async invokeFunction(
    name: string,
    qualifier: string | undefined,
    raw: Buffer,
    headers: IncomingHttpHeaders,
    requestId: string,
  ): Promise<{ status: number; headers: Record<string, string>; body?: Uint8Array }> {
    const target = this.resolve(this.api.entry(name), qualifier);
    const async = String(headers['x-fc-invocation-type'] ?? 'Sync').toLowerCase() === 'async';
    if (raw.length > (async ? maxAsync : maxSync))
      throw new Fc3Error(413, 'EntityTooLarge', `the payload exceeds ${async ? maxAsync : maxSync} bytes`);
    const out = { 'x-fc-invocation-function-version': target.versionId };
    const run = () => this.runEvent(target, raw, requestId);
    if (async) {
      run().catch(() => undefined);
      return { status: 202, headers: out };
    }
    const result = await run();
    if (result.error)
      return {
        status: 200,
        headers: {
          ...out,
          'x-fc-error-type': 'UnhandledInvocationError',
          'content-type': 'application/json',
        },
        body: Buffer.from(
          JSON.stringify({ errorMessage: result.error.message, errorType: result.error.type ?? 'Error' }),
        ),
      };
    return {
      status: 200,
      headers: { ...out, 'content-type': 'application/octet-stream' },
      body: result.body,
    };
  }

  /** Runs the function a qualifier resolved to with an event payload; a failure to start is the result's error. */
  async runEvent(target: ReturnType<Fc3Invoker['resolve']>, payload: Uint8Array, requestId: string) {
    const record = executionRecordOf(target.fn);
    const site = this.site(target.qualifier, target.versionId);
    try {
      const exe = await this.call.execution.executable(record, 'event', site);
      return await exe.invokeEvent(payload, { requestId, context: fcContext(record, site, requestId) });
    } catch (error) {
      return {
        body: new Uint8Array(),
        error: { message: (error as Error).message, type: 'Error' },
        logs: [],
      };
    }
  }

  /**
   * A call of an HTTP trigger URL, `/fcapp/<domainPrefix>/<path>`. Built-in runtimes get FC 3.0's HTTP
   * event (`version: "v1"`) and their result is mapped back (`{statusCode, headers, body,
   * isBase64Encoded}`, else the 200 body); custom runtimes and containers serve the request themselves.
   */
  async httpTrigger(
    url: URL,
    method: string,
    headers: IncomingHttpHeaders,
    raw: Buffer,
    requestId: string,
  ): Promise<Response> {
    const rest = url.pathname.slice('/fcapp/'.length);
    const slash = rest.indexOf('/');
    const domainPrefix = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '/' : rest.slice(slash);
    let found: { e: Fc3Entry; config: Record<string, unknown>; qualifier: string } | undefined;
    for (const e of this.api.state.functions.values())
      for (const t of e.triggers.values())
        if (t.domainPrefix === domainPrefix)
          found = { e, config: JSON.parse(t.triggerConfig), qualifier: t.qualifier };
    const error = (status: number, code: string, message: string) =>
      Response.json({ Code: code, Message: message, RequestId: requestId }, { status });
    if (!found) return error(404, 'TriggerNotFound', `no HTTP trigger serves ${domainPrefix}`);
    if (found.config.authType !== 'anonymous' && !headers.authorization)
      return error(
        401,
        'AccessDenied',
        `the HTTP trigger takes signed requests only (authType ${String(found.config.authType)})`,
      );
    const methods = (found.config.methods as string[]).map((m) => m.toUpperCase());
    if (!methods.includes(method))
      return error(405, 'MethodNotAllowed', `${method} is not one of ${methods.join(', ')}`);
    const target = this.resolve(found.e, found.qualifier);
    const record = executionRecordOf(target.fn);
    const site = this.site(target.qualifier, target.versionId);
    if (record.runtime.startsWith('custom')) {
      const requestHeaders = new Headers();
      for (const [k, v] of Object.entries(headers))
        if (v !== undefined) requestHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
      const exe = await this.call.execution.executable(record, 'http', site);
      return exe.fetch(
        new Request(`http://${domainPrefix}.${this.call.region}.fcapp.run${path}${url.search}`, {
          method,
          headers: requestHeaders,
          ...(raw.length && method !== 'GET' && method !== 'HEAD'
            ? { body: new Uint8Array(raw) as BodyInit }
            : {}),
        }),
        { requestId },
      );
    }
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers))
      if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
    const now = new Date();
    const event = {
      version: 'v1',
      rawPath: path,
      headers: flat,
      queryParameters: Object.fromEntries(url.searchParams),
      body: raw.toString('base64'),
      isBase64Encoded: true,
      requestContext: {
        accountId: this.call.accountId,
        domainName: `${domainPrefix}.${this.call.region}.fcapp.run`,
        domainPrefix,
        http: {
          method,
          path,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: flat['user-agent'] ?? '',
        },
        requestId,
        time: now.toISOString().replace(/\.\d+Z$/, 'Z'),
        timeEpoch: String(now.getTime()),
      },
    };
    const result = await this.runEvent(target, Buffer.from(JSON.stringify(event)), requestId);
    if (result.error)
      return Response.json(
        { errorMessage: result.error.message, errorType: result.error.type ?? 'Error' },
        { status: 502, headers: { 'x-fc-error-type': 'UnhandledInvocationError' } },
      );
    return responseOf(result.body);
  }
}

/** The HTTP response of a built-in runtime's result (FC 3.0 HTTP trigger response format). */
function responseOf(bytes: Uint8Array): Response {
  let r: { statusCode?: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown } | undefined;
  try {
    r = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    r = undefined;
  }
  if (!r || typeof r !== 'object' || typeof r.statusCode !== 'number')
    return new Response(bytes as BodyInit, { status: 200 });
  const headers = new Headers();
  for (const [k, v] of Object.entries((r.headers as Record<string, unknown>) ?? {}))
    for (const item of Array.isArray(v) ? v : [v]) headers.append(k, String(item));
  const body =
    r.body === undefined || r.body === null
      ? null
      : r.isBase64Encoded === true
        ? Buffer.from(String(r.body), 'base64')
        : typeof r.body === 'string'
          ? r.body
          : JSON.stringify(r.body);
  return new Response(r.statusCode === 204 || r.statusCode === 304 ? null : body, {
    status: r.statusCode,
    headers,
  });
}
