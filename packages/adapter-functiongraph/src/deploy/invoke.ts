/** Invoking a FunctionGraph function: APIG-shaped for web, raw events, async, and through APIG for HTTP functions. */
import { InvokeError, type InvokeOptions, NotFoundError, UnsupportedFeatureError } from '@faasport/core';

import { type FgAlias, type FgConfig, type FgContext, httpUrlOf, parseJson } from './context';
import { mainAlias, parseDescription } from './function-body';
import { readRaw } from './live';
import { signRequest } from './signer';

/** A function's runtime and contract, cached until the function changes. */
export async function kindOf(fg: FgContext, name: string): Promise<{ runtime: string; contract?: string }> {
  const cached = fg.kinds.get(name);
  if (cached) return cached;
  const config = await fg.client.call<FgConfig>(
    'GetFunctionConfig',
    'GET',
    `functions/${fg.urn(name, 'latest')}/config`,
    { allow: [404] },
  );
  if (config.status === 404)
    throw new NotFoundError({ functionName: name, target: fg.o.target, adapter: 'functiongraph' });
  const marker = parseDescription(config.data.description).marker;
  const kind = { runtime: config.data.runtime, ...(marker ? { contract: marker.k } : {}) };
  fg.kinds.set(name, kind);
  return kind;
}

/** The URN qualifier an invocation goes to: a version, a tag alias, the main alias, or latest. */
export async function qualifierFor(fg: FgContext, name: string, options: InvokeOptions): Promise<string> {
  if (options.revision) return options.revision;
  if (options.tag) return `!${options.tag}`;
  const aliases = (
    await fg.client.call<FgAlias[]>('ListVersionAliases', 'GET', `functions/${fg.urn(name)}/aliases`, {
      allow: [404],
    })
  ).data;
  return Array.isArray(aliases) && aliases.some((a) => a.name === mainAlias) ? `!${mainAlias}` : 'latest';
}

/** Invokes a function: web functions get an APIG-shaped event, event mode sends the body as the event, HTTP functions and custom images answer through their APIG URL. Function errors become InvokeError. */
export async function invoke(
  fg: FgContext,
  name: string,
  request: Request,
  options: InvokeOptions = {},
): Promise<Response> {
  const kind = await kindOf(fg, name);
  const qualifier = await qualifierFor(fg, name, options);
  const target = fg.urn(name, qualifier);
  const bodyBytes = new Uint8Array(await request.arrayBuffer());
  const httpFunction = kind.runtime === 'http' || kind.runtime === 'Custom Image';
  const eventMode =
    options.mode === 'event' ||
    kind.contract === 'event' ||
    (kind.runtime === 'Custom Image' && options.mode !== 'http');
  if (httpFunction && !eventMode) return invokeThroughApig(fg, name, request, bodyBytes, options);
  let payload: unknown;
  if (eventMode) {
    const text = new TextDecoder().decode(bodyBytes);
    payload = text === '' ? {} : parseJson(text);
  } else {
    payload = apigEventOf(request, bodyBytes);
  }
  if (options.async) {
    const r = await fg.client.call<{ request_id?: string }>(
      'AsyncInvokeFunction',
      'POST',
      `functions/${target}/invocations-async`,
      { body: payload },
    );
    return new Response(JSON.stringify({ requestId: r.data.request_id }), {
      status: 202,
      headers: { 'content-type': 'application/json', 'x-cff-request-id': r.data.request_id ?? '' },
    });
  }
  const r = await fg.client.call<{ request_id?: string; result?: string; status?: number; log?: string }>(
    'InvokeFunction',
    'POST',
    `functions/${target}/invocations`,
    {
      body: payload,
      headers: { 'X-CFF-Request-Version': 'v1', 'X-Cff-Log-Type': 'tail' },
    },
  );
  const requestId = r.data.request_id ?? r.headers['x-cff-request-id'] ?? '';
  const result =
    typeof r.data.result === 'string'
      ? r.data.result
      : typeof r.data === 'string'
        ? r.data
        : JSON.stringify(r.data.result ?? null);
  if (r.headers['x-is-func-err'] === 'true' || (r.headers['x-func-err-code'] ?? '0') !== '0') {
    const parsed = parseJson(result) as { errorMessage?: string; errorType?: string };
    throw new InvokeError({
      functionName: name,
      message:
        typeof parsed === 'object' && parsed?.errorMessage
          ? `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage} (request id ${requestId})`
          : `${result} (request id ${requestId})`,
      status: r.data.status ?? 500,
      functionError: typeof parsed === 'object' && parsed?.errorType ? parsed.errorType : 'FunctionError',
      adapter: 'functiongraph',
    });
  }
  const base = {
    'x-cff-request-id': requestId,
    'x-faasport-version': r.headers['x-cff-func-version'] ?? '',
  };
  if (!eventMode) {
    const answer = parseJson(result) as
      | { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean }
      | undefined;
    if (answer && typeof answer === 'object' && typeof answer.statusCode === 'number') {
      const bytes = answer.isBase64Encoded
        ? Buffer.from(answer.body ?? '', 'base64')
        : Buffer.from(answer.body ?? '');
      const nullBody = answer.statusCode === 204 || answer.statusCode === 304 || request.method === 'HEAD';
      return new Response(nullBody ? null : bytes, {
        status: answer.statusCode,
        headers: { ...(answer.headers ?? {}), ...base },
      });
    }
  }
  const json = parseJson(result) !== result;
  return new Response(result, {
    status: 200,
    headers: { 'content-type': json ? 'application/json' : 'text/plain; charset=utf-8', ...base },
  });
}

/**
 * HTTP functions and custom images answer through their function URL or gateway API, as callers reach them.
 * A function URL with IAM auth gets the request signed with the adapter's credentials.
 */
export async function invokeThroughApig(
  fg: FgContext,
  name: string,
  request: Request,
  body: Uint8Array,
  options: InvokeOptions,
): Promise<Response> {
  if (options.tag || options.revision) {
    throw new UnsupportedFeatureError({
      feature: 'traffic.tags',
      target: fg.o.target,
      functionName: name,
      reason: 'an HTTP function is reached only through its function URL or gateway API on the main alias',
      instead: 'Invoke without tag or revision, or with mode: "event".',
    });
  }
  const raw = await readRaw(fg, name);
  const base = raw ? httpUrlOf(raw) : undefined;
  if (!base) {
    throw new InvokeError({
      functionName: name,
      message:
        'it is an HTTP function without a function URL or gateway API; add an http trigger, or invoke with mode: "event"',
      adapter: 'functiongraph',
    });
  }
  const url = new URL(request.url);
  const target = `${base.replace(/\/$/, '')}${url.pathname === '/' ? '' : url.pathname}${url.search}`;
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => {
    if (k !== 'host') headers[k] = v;
  });
  const sendBody = body.length && request.method !== 'GET' && request.method !== 'HEAD';
  let signed = headers;
  if (raw?.functionUrl?.function_url === base && raw.functionUrl.auth_type === 'IAM') {
    const { accessKeyId, secretAccessKey, securityToken } = fg.o.credentials();
    signed = signRequest({
      method: request.method,
      url: target,
      headers: { ...headers, ...(securityToken ? { 'X-Security-Token': securityToken } : {}) },
      ...(sendBody ? { body } : {}),
      accessKeyId,
      secretAccessKey,
    }).headers;
  }
  const { host: _host, ...sent } = signed;
  return fetch(target, {
    method: request.method,
    headers: sent,
    ...(sendBody ? { body: body as BodyInit } : {}),
  });
}

/** An APIG trigger event for a Request: what the gateway sends a function (base64 body). */
function apigEventOf(request: Request, body: Uint8Array): Record<string, unknown> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => {
    headers[k] = v;
  });
  headers.host ??= url.host;
  // APIG's documented events show one value per key; a repeated key is passed as an array so no value is lost.
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return {
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      apiId: 'faasport-invoke',
      requestId: crypto.randomUUID().replace(/-/g, ''),
      stage: 'RELEASE',
    },
    queryStringParameters: query,
    pathParameters: {},
    httpMethod: request.method,
    path: url.pathname,
    headers,
  };
}
