/** The APIG side: `/_apig/{group}{path}` serves an APIG trigger's API as the gateway would. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmuState } from './context';
import type { FgApiError } from './errors';
import type { CallInfo, FunctionGraphExecution } from './execution';
import { findFunctionUrl } from './function-url';
import { cffHeaders, route } from './invoke';
import { sendJson } from './respond';
import { verifySignature } from './signature';
import type { FunctionState, TriggerState } from './state';
import { snapshotOf } from './views';

/** Serves `/_apig/{group}{path}`: finds the APIG trigger of the group and path, checks its auth, and runs the function with an APIG event (or forwards the request to an HTTP function or custom image). */
export async function handleApig(
  em: EmuState,
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: Uint8Array,
  url: URL,
): Promise<void> {
  const { functions, options, credential } = em;
  const [, , group = '', ...pathParts] = url.pathname.split('/');
  const path = `/${pathParts.join('/')}`;
  const method = req.method ?? 'GET';
  let match: { fn: FunctionState; trigger: TriggerState } | undefined;
  for (const fn of functions.values()) {
    for (const t of fn.triggers) {
      if (t.trigger_type_code !== 'APIG' && t.trigger_type_code !== 'DEDICATEDGATEWAY') continue;
      const d = t.event_data;
      if (d.group_id !== group || (d.req_method !== 'ANY' && d.req_method !== method)) continue;
      const base = d.path as string;
      const hit =
        d.match_mode === 'SWA'
          ? path === base || path.startsWith(base.endsWith('/') ? base : `${base}/`)
          : path === base;
      if (hit && (!match || base.length > (match.trigger.event_data.path as string).length))
        match = { fn, trigger: t };
    }
  }
  if (!match)
    return sendJson(res, 404, {
      error_code: 'APIG.0101',
      error_msg: 'The API does not exist or has not been published in the environment',
    });
  const auth = match.trigger.event_data.auth;
  if (auth === 'IAM') {
    try {
      verifySignature(req, rawBody, [credential], { maxSkewMs: options.maxSkewMs ?? 15 * 60_000 });
    } catch (e) {
      const err = e as FgApiError;
      return sendJson(res, err.status, err.body());
    }
  } else if (auth === 'APP' && !req.headers['x-apig-appcode'] && !req.headers.authorization) {
    return sendJson(res, 401, {
      error_code: 'APIG.0101',
      error_msg: 'Incorrect app authentication information: the app code is missing',
    });
  }
  const { fn, trigger } = match;
  return serveBehindGateway(em, req, res, rawBody, {
    fn,
    qualifier: trigger.qualifier,
    path,
    search: url.search,
    apiId: String(trigger.event_data.api_id ?? ''),
    stage: String(trigger.event_data.env_name ?? 'RELEASE'),
  });
}

/** Serves `/_url/{token}{path}`: a function URL, open (`NONE`) or IAM-signed, in front of its qualifier. */
export async function handleFunctionUrl(
  em: EmuState,
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: Uint8Array,
  url: URL,
): Promise<void> {
  const [, , token = '', ...pathParts] = url.pathname.split('/');
  const found = findFunctionUrl(em, token);
  if (!found)
    return sendJson(res, 404, { error_code: 'FSS.1051', error_msg: 'The function URL does not exist.' });
  if (found.url.auth_type === 'IAM') {
    try {
      verifySignature(req, rawBody, [em.credential], { maxSkewMs: em.options.maxSkewMs ?? 15 * 60_000 });
    } catch (e) {
      const err = e as FgApiError;
      return sendJson(res, err.status, err.body());
    }
  }
  return serveBehindGateway(em, req, res, rawBody, {
    fn: found.fn,
    qualifier: found.qualifier,
    path: `/${pathParts.join('/')}`,
    search: url.search,
    apiId: `url-${token}`,
    stage: 'RELEASE',
  });
}

/** Where a gateway-fronted request goes. */
interface GatewayTarget {
  fn: FunctionState;
  qualifier: string;
  path: string;
  search: string;
  apiId: string;
  stage: string;
}

/**
 * Runs a request that came through a gateway: HTTP functions and custom images get it as it came; other
 * functions get the APIG event and must answer `{statusCode, headers, body, isBase64Encoded}`.
 */
async function serveBehindGateway(
  em: EmuState,
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: Uint8Array,
  target: GatewayTarget,
): Promise<void> {
  const { projectId, region, execution } = em;
  const { fn, path } = target;
  const method = req.method ?? 'GET';
  const requestId = randomUUID().replace(/-/g, '');
  const routed = route(em, fn, target.qualifier === 'latest' ? undefined : target.qualifier);
  const snap = snapshotOf(fn, routed.qualifier);
  const info: CallInfo = {
    functionName: fn.name,
    package: fn.package,
    version: snap.version,
    ...(routed.alias ? { alias: routed.alias } : {}),
    projectId,
    region,
  };
  let executable: Awaited<ReturnType<FunctionGraphExecution['executable']>>;
  try {
    executable = await execution.executable(snap.config, snap.code, info);
  } catch (e) {
    return sendJson(res, 502, {
      error_code: 'APIG.0201',
      error_msg: `Backend unavailable: ${(e as Error).message}`,
    });
  }
  // HTTP functions and custom images receive the request as it came.
  if (snap.config.runtime === 'http' || snap.config.runtime === 'Custom Image') {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    for (const [k, v] of Object.entries(cffHeaders(snap.config, info, requestId))) headers.set(k, v);
    const forwarded = new Request(`http://127.0.0.1${path}${target.search}`, {
      method,
      headers,
      ...(rawBody.length && method !== 'GET' && method !== 'HEAD' ? { body: rawBody as BodyInit } : {}),
    });
    const response = await executable.fetch(forwarded, { requestId });
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => {
      out[k] = v;
    });
    res.writeHead(response.status, { ...out, 'x-apig-request-id': requestId });
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  // Not verified: APIG's documented events show one value per key; a repeated key is passed as an array.
  const query: Record<string, string | string[]> = {};
  const params = new URLSearchParams(target.search);
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    query[name] = values.length === 1 ? values[0]! : values;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const event = {
    body: Buffer.from(rawBody).toString('base64'),
    isBase64Encoded: true,
    requestContext: { apiId: target.apiId, requestId, stage: target.stage },
    queryStringParameters: query,
    pathParameters: {},
    httpMethod: method,
    path,
    headers,
  };
  const result = await executable.invokeEvent(new TextEncoder().encode(JSON.stringify(event)), {
    requestId,
    headers: cffHeaders(snap.config, info, requestId),
    context: {
      version: snap.version,
      alias: routed.alias ?? '',
      package: fn.package,
      projectId,
      functionName: fn.name,
    },
  });
  if (result.error)
    return sendJson(
      res,
      500,
      { error_code: 'FSS.0500', error_msg: `function error: ${result.error.message}` },
      requestId,
    );
  let answer: {
    statusCode?: unknown;
    headers?: Record<string, string>;
    body?: unknown;
    isBase64Encoded?: boolean;
  };
  try {
    answer = JSON.parse(new TextDecoder().decode(result.body));
  } catch {
    answer = {};
  }
  // A function behind APIG must return {statusCode, headers, body, isBase64Encoded}; anything else is a 500.
  if (typeof answer !== 'object' || answer === null || typeof answer.statusCode !== 'number') {
    return sendJson(
      res,
      500,
      {
        error_code: 'FSS.0500',
        error_msg:
          'The function did not return an APIG response ({statusCode, headers, body, isBase64Encoded}).',
      },
      requestId,
    );
  }
  const bodyText =
    typeof answer.body === 'string'
      ? answer.body
      : answer.body === undefined || answer.body === null
        ? ''
        : JSON.stringify(answer.body);
  const bytes = answer.isBase64Encoded ? Buffer.from(bodyText, 'base64') : Buffer.from(bodyText);
  res.writeHead(answer.statusCode, { ...(answer.headers ?? {}), 'x-apig-request-id': requestId });
  res.end(answer.statusCode === 204 || answer.statusCode === 304 ? undefined : bytes);
}
