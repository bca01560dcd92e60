// Alibaba Cloud FC 2.0's native Node.js contracts in the Node worker: `fc-http` (an HTTP trigger's
// `(req, resp, context)`) and `fc-event` (`(event: Buffer, context, callback)`), with FC's context object
// (reference fc-and-functiongraph-apis.md, Part A14) and its timer and OSS trigger events.
import { Readable } from 'node:stream';
import { formattedLogger } from '../calls.mjs';
import {
  callWithCallback,
  jsonResponse,
  nativeTriggerEvent,
  objectOf,
  payloadText,
  scheduleName,
} from './shared.mjs';

/**
 * FC's context object. Initializers get it on every contract but FunctionGraph's (initializers are FC's
 * idea: `initializer` in CreateFunction).
 */
export function fcContext(fn, message) {
  const spec = fn.spec;
  const logger = formattedLogger();
  logger.log = logger.info;
  const extra = message.context ?? {};
  return {
    requestId: message.rid,
    credentials: { accessKeyId: '', accessKeySecret: '', securityToken: '', ...extra.credentials },
    function: {
      name: spec.functionName,
      handler: spec.handler,
      memory: spec.memoryMb,
      timeout: Math.round(spec.timeoutMs / 1000),
      initializer: spec.initializer ?? '',
      initializationTimeout: Math.round(spec.timeoutMs / 1000),
      ...extra.function,
    },
    service: { name: '', logProject: '', logStore: '', qualifier: 'LATEST', versionId: '', ...extra.service },
    region: extra.region ?? 'local',
    accountId: extra.accountId ?? '',
    tracing: extra.tracing ?? {},
    logger,
  };
}

function fcHttpCall(fn, message) {
  const url = new URL(message.url);
  const ignoredIn = new Set(['connection', 'keep-alive']);
  const headers = {};
  for (const [key, value] of message.headers) {
    const name = key.toLowerCase();
    if (ignoredIn.has(name) || name.startsWith('x-fc-')) continue;
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const queries = {};
  for (const [key, value] of url.searchParams) {
    if (key in queries) queries[key] = [].concat(queries[key], value);
    else queries[key] = value;
  }
  const bodyBuffer = Buffer.from(message.body ?? new Uint8Array());
  const req = new Readable({ read() {} });
  if (bodyBuffer.length) req.push(bodyBuffer);
  req.push(null);
  Object.assign(req, {
    headers,
    path: decodeURIComponent(url.pathname),
    queries,
    method: message.method,
    clientIP: message.clientIp ?? '127.0.0.1',
    url: url.pathname + url.search,
    body: bodyBuffer,
  });
  return new Promise((resolve, reject) => {
    let status = 200;
    const out = new Map();
    let sent = false;
    const ignoredOut = new Set(['connection', 'content-length', 'date', 'keep-alive', 'server', 'upgrade']);
    const finish = (body) => {
      if (sent) return;
      sent = true;
      const list = [];
      for (const [name, value] of out) {
        if (ignoredOut.has(name) || name.startsWith('x-fc-')) continue;
        for (const item of [].concat(value)) list.push([name, String(item)]);
      }
      resolve({ t: 'res', status, headers: list, body });
    };
    const resp = {
      setStatusCode(code) {
        status = Number(code);
      },
      setHeader(name, value) {
        out.set(String(name).toLowerCase(), value);
      },
      deleteHeader(name) {
        out.delete(String(name).toLowerCase());
      },
      hasHeader(name) {
        return out.has(String(name).toLowerCase());
      },
      send(data) {
        if (
          data instanceof Readable ||
          (data && typeof data.pipe === 'function' && typeof data.on === 'function')
        ) {
          const chunks = [];
          data.on('data', (chunk) => chunks.push(Buffer.from(chunk)));
          data.on('end', () => finish(new Uint8Array(Buffer.concat(chunks))));
          data.on('error', reject);
          return;
        }
        if (data === undefined || data === null) finish(new Uint8Array());
        else if (typeof data === 'string') finish(new TextEncoder().encode(data));
        else if (data instanceof Uint8Array) finish(new Uint8Array(data));
        else finish(new TextEncoder().encode(JSON.stringify(data)));
      },
    };
    try {
      const returned = fn.handler(req, resp, fcContext(fn, message));
      if (returned && typeof returned.then === 'function') returned.then(undefined, reject);
    } catch (error) {
      reject(error);
    }
  });
}

/** An event call of an FC handler `(event: Buffer, context, callback)`; FC 3.0 passes its own context. */
export async function fcEventCall(fn, message, payload, context = fcContext(fn, message)) {
  const result = await callWithCallback(fn.handler, [Buffer.from(payload), context]);
  let body;
  if (Buffer.isBuffer(result) || result instanceof Uint8Array) body = new Uint8Array(result);
  else if (result !== null && typeof result === 'object')
    body = new TextEncoder().encode(JSON.stringify(result));
  else body = new TextEncoder().encode(result === undefined ? '' : String(result));
  return { t: 'eres', body };
}

/** An event call's answer over HTTP: the bytes as they are, or a 500 naming the function's error. */
function eventToHttp(reply) {
  if (reply.error)
    return jsonResponse(500, {
      error: { code: 'FunctionError', type: reply.error.type, message: reply.error.message },
    });
  return { t: 'res', status: 200, headers: [['content-type', 'application/octet-stream']], body: reply.body };
}

/**
 * FC's timer event (`{triggerTime, triggerName, payload}`) and OSS notification (`{events: [...]}`), the
 * same on FC 2.0 and 3.0.
 */
export function fcTriggerEvent(event, kind) {
  if (kind === 'schedule')
    return { triggerTime: event.time, triggerName: scheduleName(event), payload: payloadText(event.data) };
  const object = objectOf(event);
  return {
    events: [
      {
        eventName: kind === 'deleted' ? 'ObjectRemoved:DeleteObject' : 'ObjectCreated:PutObject',
        eventSource: 'acs:oss',
        eventTime: event.time,
        eventVersion: '1.0',
        region: 'local',
        oss: {
          bucket: { name: object.bucket, arn: `acs:oss:local::${object.bucket}` },
          object: { key: object.key, size: object.size, eTag: object.etag },
          ossSchemaVersion: '1.0',
        },
        responseElements: { requestId: event.id },
      },
    ],
  };
}

export const hosts = {
  'fc-http': {
    http: fcHttpCall,
    event() {
      throw new Error('an FC HTTP handler takes HTTP requests, not events');
    },
  },
  'fc-event': {
    http: async (fn, message) =>
      eventToHttp(await fcEventCall(fn, message, message.body ?? new Uint8Array())),
    event: (fn, message, payload) => fcEventCall(fn, message, nativeTriggerEvent(payload, fcTriggerEvent)),
  },
};
