// faasport's portable contracts in the Node worker: `web` (a Web Request in, a Response out) and
// `event` (a CloudEvent in, any result out), with the same rules as core's handler helpers.
import { emitLog } from '../calls.mjs';
import { webRequest } from '../lazy-request.mjs';
import { parseJsonOrText, resultBytes } from './shared.mjs';

const encoder = new TextEncoder();

/** The portable handler context of a call. */
export function portableContext(fn, message, raw) {
  const deadline = message.deadline;
  const call = message.call ?? { rid: message.rid, logs: [] };
  return Object.freeze({
    requestId: message.rid,
    functionName: fn.spec.functionName,
    revision: fn.spec.revision,
    target: fn.spec.target,
    deadline,
    remainingMs: () => Math.max(0, deadline - Date.now()),
    env: fn.frozenEnv,
    // Written out rather than built in a loop: this runs on every call.
    log: Object.freeze({
      debug: (text, fields) => emitLog('debug', String(text), fields, call),
      info: (text, fields) => emitLog('info', String(text), fields, call),
      warn: (text, fields) => emitLog('warn', String(text), fields, call),
      error: (text, fields) => emitLog('error', String(text), fields, call),
    }),
    raw,
  });
}

async function fromResponse(response) {
  const body = response.body ? new Uint8Array(await response.arrayBuffer()) : null;
  return { t: 'res', status: response.status, headers: [...response.headers], body };
}

async function webCall(fn, message) {
  let result;
  if (fn.seesNothing) result = await fn.handler();
  else {
    const request = webRequest(message);
    result = await fn.handler(request, portableContext(fn, message, { request, context: message.context }));
  }
  return webReply(result);
}

// The headers of plain results, shared by every answer (the channel caches their JSON): never mutated.
const textHeaders = Object.freeze([Object.freeze(['content-type', 'text/plain; charset=utf-8'])]);
const jsonHeaders = Object.freeze([Object.freeze(['content-type', 'application/json'])]);
const bytesHeaders = Object.freeze([Object.freeze(['content-type', 'application/octet-stream'])]);
const noHeaders = Object.freeze([]);

/**
 * A web handler's result as an HTTP answer, by core's `toResponse` rules: a Response as is, a string as
 * text, bytes as octet-stream, nothing as 204, anything else as JSON.
 */
function webReply(result) {
  // Plain results skip building a Response only to read it back.
  if (typeof result === 'string')
    return {
      t: 'res',
      status: 200,
      headers: textHeaders,
      body: encoder.encode(result),
    };
  if (result === undefined || result === null)
    return { t: 'res', status: 204, headers: noHeaders, body: null };
  if (result instanceof Response) return fromResponse(result);
  if (result instanceof Uint8Array) return { t: 'res', status: 200, headers: bytesHeaders, body: result };
  if (result instanceof ArrayBuffer)
    return {
      t: 'res',
      status: 200,
      headers: bytesHeaders,
      body: new Uint8Array(result),
    };
  return {
    t: 'res',
    status: 200,
    headers: jsonHeaders,
    body: encoder.encode(JSON.stringify(result)),
  };
}

function parseCloudEvent(payload, rid) {
  const value = parseJsonOrText(payload);
  if (value && typeof value === 'object' && value.specversion && value.id && value.type && value.source)
    return value;
  return {
    specversion: '1.0',
    id: rid,
    source: 'faasport:invoke',
    type: 'dev.faasport.invoke', // eventTypes.invoke in @faasport/core (the worker is plain JavaScript)
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: value,
  };
}

function cloudEventFromWire(message) {
  const headers = new Map(message.headers.map(([k, v]) => [k.toLowerCase(), v]));
  const contentType = headers.get('content-type') ?? '';
  const body = message.body ?? new Uint8Array();
  if (contentType.startsWith('application/cloudevents+json')) return parseCloudEvent(body, message.rid);
  if (headers.has('ce-id')) {
    const event = { specversion: '1.0' };
    for (const [key, value] of headers) if (key.startsWith('ce-')) event[key.slice(3)] = value;
    if (contentType) event.datacontenttype = contentType;
    if (body.length) {
      const text = new TextDecoder().decode(body);
      if (contentType.includes('json')) event.data = parseJsonOrText(body);
      else if (contentType === '' || contentType.startsWith('text/')) event.data = text;
      else event.data_base64 = Buffer.from(body).toString('base64');
    }
    return event;
  }
  return parseCloudEvent(body, message.rid);
}

/** The contract hosts: how a call over HTTP and an event call reach the handler. */
export const hosts = {
  web: {
    http: (fn, message) => webCall(fn, message),
    async event(fn, message, payload) {
      const res = await webCall(fn, {
        ...message,
        method: 'POST',
        url: 'http://localhost/',
        headers: [['content-type', 'application/json']],
        body: payload,
      });
      const error = res.status >= 400 ? { message: `HTTP ${res.status}`, type: 'HttpError' } : undefined;
      return { t: 'eres', body: res.body ?? new Uint8Array(), error };
    },
  },
  event: {
    async http(fn, message) {
      const event = cloudEventFromWire(message);
      // Answered by the web rules, as the Knative shim answers events too.
      return webReply(
        await fn.handler(event, portableContext(fn, message, { event, context: message.context })),
      );
    },
    async event(fn, message, payload) {
      const result = await fn.handler(
        parseCloudEvent(payload, message.rid),
        portableContext(fn, message, { payload, context: message.context }),
      );
      return { t: 'eres', body: resultBytes(result) };
    },
  },
};
