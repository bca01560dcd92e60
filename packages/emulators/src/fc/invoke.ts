import type { IncomingMessage } from 'node:http';
import { authenticate } from './auth';
import { type FcEmu, prefix, type Reply } from './context';
import { FcApiError, fcErrors } from './errors';
import type { FcCallSite } from './execution';
import { findService, splitQualifier } from './lookup';
import type { DomainRecord, FunctionRecord } from './state';
import { pickVersion } from './versions-aliases-api';

/**
 * Request headers FC does not pass to HTTP functions, besides `x-fc-*` (doc "Node.js HTTP functions",
 * alibabacloud.com/help/doc-detail/74757.htm).
 */
const ignoredRequestHeaders = new Set([
  'accept-encoding',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
]);

/** Synchronous invocation payload limit (reference Part A14: 32 MB). */
const maxSyncPayload = 32 * 1024 * 1024;

/** Resolves a qualifier to the function to run: LATEST, a version, or an alias's weighted choice. */
export function resolveForCall(
  em: FcEmu,
  svcName: string,
  qualifier: string | undefined,
  fnName: string,
): { fn: FunctionRecord; site: FcCallSite } {
  const svc = findService(em, svcName);
  let versionId = '';
  if (qualifier && qualifier !== 'LATEST') {
    if (/^\d+$/.test(qualifier)) versionId = qualifier;
    else {
      const alias = svc.aliases.get(qualifier);
      if (!alias) throw fcErrors.aliasNotFound(svcName, qualifier);
      versionId = pickVersion(alias);
    }
  }
  const fn = versionId ? svc.versions.get(versionId)?.functions.get(fnName) : svc.functions.get(fnName);
  if (versionId && !svc.versions.has(versionId)) throw fcErrors.versionNotFound(svcName, versionId);
  if (!fn) throw fcErrors.functionNotFound(svcName, fnName);
  return {
    fn,
    site: {
      accountId: em.options.accountId,
      region: em.options.region,
      serviceName: svcName,
      qualifier: qualifier ?? 'LATEST',
      versionId,
    },
  };
}

/** The `context` FC passes to event functions. */
export function fcContext(fn: FunctionRecord, site: FcCallSite, requestId: string): Record<string, unknown> {
  return {
    requestId,
    credentials: {},
    function: {
      name: fn.functionName,
      handler: fn.handler,
      memory: fn.memorySize,
      timeout: fn.timeout,
      initializer: fn.initializer ?? '',
      initializationTimeout: fn.initializationTimeout,
    },
    service: {
      name: site.serviceName,
      logProject: '',
      logStore: '',
      qualifier: site.qualifier,
      versionId: site.versionId,
    },
    region: site.region,
    accountId: site.accountId,
  };
}

/** InvokeFunction: a synchronous (or, with `X-Fc-Invocation-Type: Async`, queued) call of an event function. */
export async function invokeFunction(
  em: FcEmu,
  svcName: string,
  qualifier: string | undefined,
  fnName: string,
  raw: Buffer,
  req: IncomingMessage,
  requestId: string,
): Promise<Reply> {
  const { fn, site } = resolveForCall(em, svcName, qualifier, fnName);
  const async = String(req.headers['x-fc-invocation-type'] ?? 'Sync').toLowerCase() === 'async';
  if (raw.length > (async ? 128 * 1024 : maxSyncPayload))
    throw fcErrors.entityTooLarge(async ? 128 * 1024 : maxSyncPayload);
  const headers: Record<string, string> = { 'x-fc-invocation-service-version': site.versionId || 'LATEST' };
  const run = async () => {
    const exe = await em.options.execution.executable(fn, 'event', site);
    return exe.invokeEvent(new Uint8Array(raw), { requestId, context: fcContext(fn, site, requestId) });
  };
  if (async) {
    run().catch(() => undefined);
    return { status: 202, headers };
  }
  let result: Awaited<ReturnType<typeof run>>;
  try {
    result = await run();
  } catch (error) {
    return functionError(headers, 'UnhandledInvocationError', {
      message: (error as Error).message,
      type: 'Error',
    });
  }
  if (req.headers['x-fc-log-type'] === 'Tail') {
    headers['x-fc-log-result'] = Buffer.from(result.logs.join('\n').slice(-4096)).toString('base64');
  }
  if (result.error) return functionError(headers, 'UnhandledInvocationError', result.error);
  return {
    status: 200,
    raw: result.body,
    headers: { ...headers, 'content-type': 'application/octet-stream' },
  };
}

/** A call of an HTTP trigger through the path `/2016-08-15/proxy/{service}.{qualifier}/{function}/...`. */
export async function proxy(
  em: FcEmu,
  method: string,
  target: string,
  fnName: string,
  rest: string,
  url: URL,
  req: IncomingMessage,
  raw: Buffer,
  requestId: string,
): Promise<Reply | Response> {
  const [svcName, qualifier] = splitQualifier(target);
  const svc = findService(em, svcName);
  const triggers = [...(svc.triggers.get(fnName)?.values() ?? [])].filter((t) => t.triggerType === 'http');
  // FC binds an HTTP trigger to one qualifier; whether the legacy proxy path also serves other
  // qualifiers of the function is not verified, so the emulator serves any qualifier of a function
  // that has an HTTP trigger.
  const trigger = triggers.find((t) => (t.qualifier ?? 'LATEST') === (qualifier ?? 'LATEST')) ?? triggers[0];
  if (!trigger) throw fcErrors.functionNotFound(svcName, fnName);
  const config = trigger.triggerConfig as { authType?: string; methods?: string[] };
  if (config.authType === 'function') authenticate(em.options.secrets, method, req.url ?? '/', req, raw);
  if (config.methods && !config.methods.includes(method)) {
    // Status and code not verified against FC.
    throw new FcApiError(
      405,
      'MethodNotAllowed',
      `method '${method}' is not allowed by the http trigger of function '${fnName}'`,
    );
  }
  return runHttp(
    em,
    svcName,
    qualifier,
    fnName,
    method,
    `${rest}${url.search}`,
    `${prefix}/proxy/${target}/${fnName}`,
    req,
    raw,
    requestId,
  );
}

/**
 * A request to a custom domain (matched on the Host header): the longest matching route path
 * (`/api/*` or `/*`) picks the function and qualifier. DNS and certificates are not checked.
 */
export async function customDomain(
  em: FcEmu,
  domain: DomainRecord,
  method: string,
  url: URL,
  req: IncomingMessage,
  raw: Buffer,
  requestId: string,
): Promise<Reply | Response> {
  const routes = (
    (
      domain.fields.routeConfig as
        | {
            routes?: Array<{
              path: string;
              serviceName: string;
              functionName: string;
              qualifier?: string;
              methods?: string[];
            }>;
          }
        | undefined
    )?.routes ?? []
  )
    .filter((r) =>
      r.path.endsWith('/*')
        ? `${url.pathname}/`.startsWith(r.path.slice(0, -1)) || url.pathname === r.path.slice(0, -2)
        : url.pathname === r.path,
    )
    .sort((a, b) => b.path.length - a.path.length);
  const route = routes[0];
  if (!route) throw fcErrors.pathNotSupported(method, url.pathname);
  if (route.methods?.length && !route.methods.includes(method)) {
    // Status and code not verified against FC.
    throw new FcApiError(
      405,
      'MethodNotAllowed',
      `method '${method}' is not allowed on '${url.pathname}' of domain '${domain.domainName}'`,
    );
  }
  return runHttp(
    em,
    route.serviceName,
    route.qualifier,
    route.functionName,
    method,
    `${url.pathname}${url.search}`,
    '',
    req,
    raw,
    requestId,
  );
}

/** Runs an HTTP call on a function with FC's HTTP handler contract. */
async function runHttp(
  em: FcEmu,
  svcName: string,
  qualifier: string | undefined,
  fnName: string,
  method: string,
  pathAndQuery: string,
  basePath: string,
  req: IncomingMessage,
  raw: Buffer,
  requestId: string,
): Promise<Reply | Response> {
  if (raw.length > maxSyncPayload) throw fcErrors.entityTooLarge(maxSyncPayload);
  const { fn, site } = resolveForCall(em, svcName, qualifier, fnName);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (
      v === undefined ||
      k === 'host' ||
      k === 'authorization' ||
      ignoredRequestHeaders.has(k) ||
      k.startsWith('x-fc-')
    )
      continue;
    headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  headers.set('x-fc-request-id', requestId);
  headers.set('x-fc-base-path', basePath);
  headers.set('x-fc-qualifier', site.qualifier);
  headers.set('x-fc-version-id', site.versionId);
  // Through the proxy path the function sees the path after the function name (what FC passes as
  // req.path there is not verified); through a custom domain it sees the request's own path.
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${pathAndQuery}`, {
    method,
    headers,
    ...(raw.length && method !== 'GET' && method !== 'HEAD' ? { body: new Uint8Array(raw) as BodyInit } : {}),
  });
  try {
    const exe = await em.options.execution.executable(fn, 'http', site);
    const response = await exe.fetch(request, { requestId });
    return fn.runtime.startsWith('custom') ? response : await unhandledHttpError(response);
  } catch (error) {
    return {
      status: 502,
      body: { errorMessage: (error as Error).message, errorType: 'Error' },
      headers: { 'x-fc-error-type': 'UnhandledInvocationError' },
    };
  }
}

/**
 * An FC HTTP handler that throws: the executor answers 500 with its `FunctionError` body; FC answers
 * with `X-Fc-Error-Type: UnhandledInvocationError` and lowercase `errorMessage`/`errorType` (the status,
 * 502 here, is not verified against FC).
 */
async function unhandledHttpError(response: Response): Promise<Response | Reply> {
  if (response.status !== 500 || !(response.headers.get('content-type') ?? '').startsWith('application/json'))
    return response;
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; type?: string; message?: string } };
    if (body.error?.code === 'FunctionError') {
      return {
        status: 502,
        body: { errorMessage: body.error.message ?? '', errorType: body.error.type ?? 'Error' },
        headers: { 'x-fc-error-type': 'UnhandledInvocationError' },
      };
    }
  } catch {
    // the function's own JSON
  }
  return new Response(text, { status: response.status, headers: response.headers });
}

function functionError(
  headers: Record<string, string>,
  type: string,
  error: { message: string; type?: string; stack?: string },
): Reply {
  return {
    status: 200,
    headers: { ...headers, 'x-fc-error-type': type, 'content-type': 'application/octet-stream' },
    raw: new TextEncoder().encode(
      JSON.stringify({
        errorMessage: error.message,
        errorType: error.type ?? 'Error',
        stackTrace: error.stack ? error.stack.split('\n') : [],
      }),
    ),
  };
}
