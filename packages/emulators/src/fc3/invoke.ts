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
   * A call of an HTTP trigger URL, `/fcapp/<domainPrefix>/<path>`, served as
   * `https://<domainPrefix>.<region>.fcapp.run/<path>`. Built-in runtimes get FC 3.0's HTTP event
   * (`version: "v1"`) and their result is mapped back (`{statusCode, headers, body, isBase64Encoded}`,
   * else the 200 body): the runtime's `fc3-event` contract does both. Custom runtimes and containers
   * serve the request themselves.
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
    const requestHeaders = new Headers();
    for (const [k, v] of Object.entries(headers))
      if (v !== undefined) requestHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
    try {
      // Custom runtimes and containers serve the request; built-in runtimes run in the runtime's
      // `fc3-event` contract, which hands the handler FC 3.0's HTTP event and maps its result back.
      const exe = await this.call.execution.executable(record, 'http', site);
      return await exe.fetch(
        new Request(`http://${domainPrefix}.${this.call.region}.fcapp.run${path}${url.search}`, {
          method,
          headers: requestHeaders,
          ...(raw.length && method !== 'GET' && method !== 'HEAD'
            ? { body: new Uint8Array(raw) as BodyInit }
            : {}),
        }),
        { requestId, context: fcContext(record, site, requestId) },
      );
    } catch (e) {
      return Response.json(
        { errorMessage: (e as Error).message, errorType: 'Error' },
        { status: 502, headers: { 'x-fc-error-type': 'UnhandledInvocationError' } },
      );
    }
  }
}
