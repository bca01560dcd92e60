// The generic Node.js worker of the faasport executor. It starts without any function code, waits
// for a `load` message (code folder, handler, contract, environment), then serves calls sent over the
// IPC channel. One process runs one function instance; the parent kills it on timeout.
// Plain JavaScript on purpose: it runs in a child process without a build step.
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { existsSync, fstatSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

// The channel to the executor is file descriptor 3, carrying length-prefixed frames. Frames written in the same turn go out in one write, so a busy instance makes one system
// call for many answers.
try {
  fstatSync(3);
} catch {
  process.stderr.write('node-worker.mjs must be started by the faasport executor (channel fd 3 missing)\n');
  process.exit(2);
}
const channel = new net.Socket({ fd: 3, readable: true, writable: true });
let outgoing = [];
let flushQueued = false;
function flush() {
  flushQueued = false;
  const frames = outgoing;
  outgoing = [];
  if (frames.length && channel.writable)
    channel.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
}
// Frames: a 4-byte total length, a 4-byte JSON length, the JSON, then the bytes of the field named by
// `$bin` (`body` or `payload`). The executor's src/executor/frames.ts is the other end.
let incoming = Buffer.alloc(0);
channel.on('data', (chunk) => {
  incoming = incoming.length ? Buffer.concat([incoming, chunk]) : chunk;
  let offset = 0;
  while (incoming.length - offset >= 4) {
    const size = incoming.readUInt32LE(offset);
    if (incoming.length - offset - 4 < size) break;
    const jsonLength = incoming.readUInt32LE(offset + 4);
    const jsonStart = offset + 8;
    const message = JSON.parse(incoming.toString('utf8', jsonStart, jsonStart + jsonLength));
    if (message.$bin) {
      message[message.$bin] = new Uint8Array(incoming.subarray(jsonStart + jsonLength, offset + 4 + size));
      delete message.$bin;
    }
    offset += 4 + size;
    onMessage(message);
  }
  incoming = offset === incoming.length ? Buffer.alloc(0) : incoming.subarray(offset);
});
// The executor went away (or killed the channel): nothing can reach this instance any more.
channel.on('end', () => process.exit(0));
channel.on('error', () => process.exit(0));

const calls = new AsyncLocalStorage();
/** @type {{ spec: any, handler: Function, env: Record<string,string> } | undefined} */
let fn;

function encodeFrame(message) {
  let bytes;
  let text;
  if (message.t === 'res' && (message.body == null || message.body instanceof Uint8Array)) {
    // HTTP answers are the hot path: their JSON is written field by field, which is several times
    // cheaper than JSON.stringify of the message on Node 20.
    bytes = message.body instanceof Uint8Array ? message.body : undefined;
    text = `{"t":"res","id":${message.id},"ms":${message.ms},"status":${Number(message.status) || 500},"headers":${JSON.stringify(message.headers)}${bytes ? ',"$bin":"body"' : ',"body":null'}}`;
  } else {
    let fields = message;
    for (const field of ['body', 'payload']) {
      if (message[field] instanceof Uint8Array) {
        bytes = message[field];
        fields = { ...message, [field]: undefined, $bin: field };
        break;
      }
    }
    text = JSON.stringify(fields);
  }
  const json = Buffer.from(text);
  const size = 4 + json.length + (bytes?.length ?? 0);
  const frame = Buffer.allocUnsafe(4 + size);
  frame.writeUInt32LE(size, 0);
  frame.writeUInt32LE(json.length, 4);
  json.copy(frame, 8);
  if (bytes) frame.set(bytes, 8 + json.length);
  return frame;
}

const send = (message) => {
  outgoing.push(encodeFrame(message));
  if (!flushQueued) {
    flushQueued = true;
    setImmediate(flush);
  }
};

// Console output becomes structured log lines carrying the request id of the call that wrote them.
const consoleLevels = {
  log: 'info',
  info: 'info',
  debug: 'debug',
  trace: 'debug',
  warn: 'warn',
  error: 'error',
};
for (const [name, level] of Object.entries(consoleLevels)) {
  console[name] = (...args) => emitLog(level, format(...args));
}

// Which call wrote a console line. With one call in flight it is that one (as on Lambda). Telling
// concurrent calls apart takes an AsyncLocalStorage, which slows every promise in the process, so it
// is switched on only once the function logs while several calls are in flight.
const active = new Set();
let tracking = false;
function currentCall() {
  if (tracking) return calls.getStore();
  if (active.size === 1) for (const call of active) return call;
  if (active.size > 1) tracking = true;
  return undefined;
}

function emitLog(level, message, fields, call = currentCall()) {
  const text = fields && Object.keys(fields).length ? `${message} ${safeJson(fields)}` : message;
  if (call) call.logs.push(text);
  // The fields travel as fields too, so `faasport logs --json` can keep them structured.
  const structured = fields && Object.keys(fields).length ? JSON.parse(safeJson(fields)) : undefined;
  send({ t: 'log', level, message, fields: structured, rid: call?.rid, time: new Date().toISOString() });
}

function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function onMessage(message) {
  if (message.t === 'load')
    load(message.spec).then(
      () => send({ t: 'loaded' }),
      (error) => send({ t: 'loadError', error: errorInfo(error) }),
    );
  else if (message.t === 'http' || message.t === 'event') {
    if (running >= (fn?.spec.concurrency ?? Number.POSITIVE_INFINITY)) held.push(message);
    else begin(message);
  }
}

// The executor may send calls beyond the function's concurrency while this instance is busy: they
// wait here, in the order they came, and each starts when a running call has answered, so no more
// than `concurrency` calls ever run at once (with 1, never two).
const held = [];
let running = 0;

function begin(message) {
  running++;
  const call = { rid: message.rid, logs: [] };
  // The context's log functions write for this call exactly, whatever else is in flight.
  message.call = call;
  active.add(call);
  const done = () => {
    active.delete(call);
    running--;
    const next = held.shift();
    if (next) {
      // Its time starts now, not when it was sent.
      next.deadline = Date.now() + fn.spec.timeoutMs;
      begin(next);
    }
  };
  (tracking ? calls.run(call, () => serve(message, call)) : serve(message, call)).then(done, done);
}
// Web APIs load lazily in Node (undici is big): build one Request and Response before reporting
// ready, so a pooled worker pays this before the cold start, not during it.
await new Response(new Request('http://localhost/', { method: 'POST', body: 'warm' }).body).arrayBuffer();
// The same for the module loaders a cold start uses: one file import and one file require.
await import(new URL('./warm-module.mjs', import.meta.url).href);
createRequire(import.meta.url)('./warm-module.cjs');
send({ t: 'ready' });

// ---------------------------------------------------------------------------------------------
// Loading

// A sandboxed worker may write only its scratch folder: it stays the temp folder after the load.
const scratch = process.env.FAASPORT_SCRATCH;

async function load(spec) {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, spec.baseEnv, spec.env, scratch ? { TMPDIR: scratch } : {});
  process.chdir(spec.codeDir);
  const main = splitHandler(spec.handler ?? 'index.handler');
  const loaded = await importCode(spec.codeDir, main.file);
  const handler = resolveExport(loaded, main, 'handler', spec.handler ?? 'index.handler');
  fn = {
    spec,
    handler,
    env: { ...spec.env },
    frozenEnv: Object.freeze({ ...spec.env }),
    seesNothing: declaresNoParameters(handler),
  };
  if (spec.initializer) {
    const init = splitHandler(spec.initializer);
    const initLoaded = init.file === main.file ? loaded : await importCode(spec.codeDir, init.file);
    const initializer = resolveExport(initLoaded, init, 'initializer', spec.initializer);
    const rid = `init-${Date.now()}`;
    await calls.run({ rid, logs: [] }, () =>
      callWithCallback(initializer, [
        providerContext({ rid, deadline: Date.now() + spec.timeoutMs }, 'init'),
      ]),
    );
  }
}

/**
 * Whether a function provably cannot see what it is called with: no parameters (a default or rest
 * parameter counts as one) and no `arguments`. Such a web handler is called without building its
 * Web Request, which costs more than the rest of a small call. Anything unclear counts as "sees".
 */
function declaresNoParameters(handler) {
  if (handler.length !== 0) return false;
  const source = Function.prototype.toString.call(handler);
  if (source.includes('[native code]') || /\barguments\b/.test(source)) return false;
  return /^(?:async\s*)?(?:function\b\s*\*?\s*[\w$]*\s*|\*?\s*[\w$]+\s*)?\(\s*\)\s*(?:=>|\{)/.test(source);
}

function splitHandler(handler) {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) return { file: handler, exportName: 'default' };
  return { file: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

function resolveFile(codeDir, file) {
  const base = path.resolve(codeDir, file);
  const root = path.resolve(codeDir) + path.sep;
  if (!base.startsWith(root)) throw new Error(`handler file "${file}" is outside the code folder`);
  const candidates = path.extname(base) ? [base] : [];
  candidates.push(
    `${base}.js`,
    `${base}.mjs`,
    `${base}.cjs`,
    path.join(base, 'index.js'),
    path.join(base, 'index.mjs'),
  );
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (!found)
    throw new Error(
      `handler file "${file}" not found in the code (tried ${candidates.map((c) => path.relative(codeDir, c)).join(', ')})`,
    );
  return found;
}

/**
 * Loads a handler module the way Node.js does: `.mjs` (and `.js` that is an ES module) with import(),
 * anything else with require(). Returns the module and its kind, which decides how exports are read.
 */
async function importCode(codeDir, file) {
  const found = resolveFile(codeDir, file);
  const relative = path.relative(codeDir, found);
  if (found.endsWith('.mjs')) return { mod: await importModule(found), kind: 'esm', relative };
  try {
    return { mod: createRequire(path.join(codeDir, 'index.js'))(found), kind: 'cjs', relative };
  } catch (error) {
    // ESM in a .js file (type: module, or detected module syntax), or top-level await.
    if (
      error?.code === 'ERR_REQUIRE_ESM' ||
      error?.code === 'ERR_REQUIRE_ASYNC_MODULE' ||
      error instanceof SyntaxError
    ) {
      return { mod: await importModule(found), kind: 'esm', relative };
    }
    throw error;
  }
}

async function importModule(file) {
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    // import() leaves a syntax error's file and line out of its stack; `node --check` prints them.
    if (error instanceof SyntaxError && !error.stack?.startsWith(file)) {
      const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 5000 });
      const where = check.stderr?.split('\n\n')[0];
      if (where?.startsWith(file)) error.stack = `${where}\n\n${error.stack}`;
    }
    throw error;
  }
}

/**
 * The export a handler names, strictly: an ES module's export of that name; a CommonJS module's
 * `module.exports.<name>`, where `default` is `module.exports.default` or else `module.exports`
 * itself (as Node.js imports CommonJS). Never another export: a typo is an error naming the module,
 * the export and the exports it has, the same rule core's static check (`checkHandlerExports`) applies.
 */
function resolveExport({ mod, kind, relative }, { exportName }, field, spec) {
  let value = exportOf(mod, exportName);
  if (value === undefined && kind === 'cjs' && exportName === 'default') value = mod;
  const names = exportNames(mod, kind);
  if (value === undefined) {
    const near = nearest(exportName, names);
    const error = new Error(
      `${field} "${spec}": ${relative} has no export "${exportName}" (it exports: ${names.join(', ') || 'nothing'})${near ? `; did you mean "${spec.slice(0, spec.length - exportName.length)}${near}"?` : ''}`,
    );
    error.name = 'HandlerNotFound';
    throw error;
  }
  if (typeof value !== 'function') {
    const error = new Error(
      `${field} "${spec}": export "${exportName}" of ${relative} is ${value === null ? 'null' : `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`}, not a function`,
    );
    error.name = 'HandlerNotFound';
    throw error;
  }
  return value;
}

/** A module's own (or, for CommonJS objects, inherited) property, never one every object has. */
function exportOf(mod, name) {
  if (mod == null) return undefined;
  const object = Object(mod);
  if (Object.hasOwn(object, name)) return object[name];
  if (name in Object.prototype || name in Function.prototype) return undefined;
  return object[name];
}

function exportNames(mod, kind) {
  if (mod == null || (typeof mod !== 'object' && typeof mod !== 'function')) return [];
  const names = Object.keys(mod);
  if (kind === 'cjs' && typeof mod === 'function' && !names.includes('default')) names.unshift('default');
  return names;
}

/**
 * The closest name within two edits (a typo), if any. Core's `didYouMean` does this for the offline check;
 * the worker imports nothing but Node.js built-ins, so it keeps this small copy.
 */
function nearest(name, names) {
  let best;
  let bestDistance = 3;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length];
}

// ---------------------------------------------------------------------------------------------
// Serving

// Each answer says how long the call ran here (ms): the executor sends calls ahead only to functions
// whose calls are short, and the time it sees includes the trips through the pipe.
async function serve(message, call) {
  const started = performance.now();
  try {
    if (!fn) throw new Error('no function loaded');
    const reply = message.t === 'http' ? await serveHttp(message) : await serveEvent(message);
    reply.id = message.id;
    reply.ms = Math.round((performance.now() - started) * 1000) / 1000;
    if (message.t === 'event') reply.logs = call.logs;
    send(reply);
  } catch (error) {
    emitLog('error', `Unhandled error: ${error?.stack ?? error}`, undefined, call);
    const ms = Math.round((performance.now() - started) * 1000) / 1000;
    if (message.t === 'http') send({ t: 'res', id: message.id, ms, ...errorResponse(error) });
    else
      send({
        t: 'eres',
        id: message.id,
        ms,
        body: new Uint8Array(),
        error: errorInfo(error),
        logs: call.logs,
      });
  }
}

function errorInfo(error) {
  if (error instanceof Error) return { message: error.message, type: error.name, stack: error.stack };
  if (error && typeof error === 'object')
    return { message: String(error.message ?? safeJson(error)), type: 'Error' };
  return { message: String(error), type: 'Error' };
}

function errorResponse(error) {
  const info = errorInfo(error);
  return jsonResponse(500, { error: { code: 'FunctionError', type: info.type, message: info.message } });
}

function jsonResponse(status, value) {
  return {
    t: 'res',
    status,
    headers: [['content-type', 'application/json']],
    body: new TextEncoder().encode(JSON.stringify(value)),
  };
}

async function serveHttp(message) {
  switch (fn.spec.contract) {
    case 'web':
      return webCall(message);
    case 'event':
      return eventOverHttp(message);
    case 'fc-http':
      return fcHttpCall(message);
    case 'fc-event':
      return eventToHttp(message, await fcEventCall(message.body ?? new Uint8Array(), message));
    case 'fg-event':
      return fgApigCall(message);
    case 'lambda':
      return lambdaUrlCall(message);
    default:
      throw new Error(`contract "${fn.spec.contract}" cannot serve HTTP in a Node worker`);
  }
}

async function serveEvent(message) {
  const payload = nativeTriggerEvent(message.payload ?? new Uint8Array(), fn.spec.contract);
  switch (fn.spec.contract) {
    case 'event': {
      const result = await fn.handler(
        parseCloudEvent(payload, message.rid),
        portableContext(message, { payload }),
      );
      return { t: 'eres', body: resultBytes(result) };
    }
    case 'web': {
      const res = await webCall({
        ...message,
        method: 'POST',
        url: 'http://localhost/',
        headers: [['content-type', 'application/json']],
        body: payload,
      });
      const error = res.status >= 400 ? { message: `HTTP ${res.status}`, type: 'HttpError' } : undefined;
      return { t: 'eres', body: res.body ?? new Uint8Array(), error };
    }
    case 'fc-event':
      return fcEventCall(payload, message);
    case 'fg-event': {
      const result = await callWithCallback(fn.handler, [parseJsonOrText(payload), fgContext(message)]);
      return { t: 'eres', body: resultBytes(result) };
    }
    case 'lambda': {
      const result = await callWithCallback(fn.handler, [parseJsonOrText(payload), lambdaContext(message)]);
      return { t: 'eres', body: resultBytes(result) };
    }
    case 'fc-http':
      throw new Error('an FC HTTP handler takes HTTP requests, not events');
    default:
      throw new Error(`unknown contract "${fn.spec.contract}"`);
  }
}

// --- trigger events in each cloud's own shape ----------------------------------------------------
// Schedule and storage triggers on this runtime produce CloudEvents. A native handler written for a
// cloud gets them in the shape that cloud's own timer and object-storage triggers deliver, so its code
// runs unchanged. Anything else (an invoke, a broker event) reaches it as sent.

const nativeShapes = {
  'fc-event': (event, kind) =>
    kind === 'schedule'
      ? { triggerTime: event.time, triggerName: scheduleName(event), payload: payloadText(event.data) }
      : {
          events: [
            {
              eventName: kind === 'deleted' ? 'ObjectRemoved:DeleteObject' : 'ObjectCreated:PutObject',
              eventSource: 'acs:oss',
              eventTime: event.time,
              eventVersion: '1.0',
              region: 'local',
              oss: {
                bucket: { name: objectOf(event).bucket, arn: `acs:oss:local::${objectOf(event).bucket}` },
                object: { key: objectOf(event).key, size: objectOf(event).size, eTag: objectOf(event).etag },
                ossSchemaVersion: '1.0',
              },
              responseElements: { requestId: event.id },
            },
          ],
        },
  'fg-event': (event, kind) =>
    kind === 'schedule'
      ? {
          version: 'v1.0',
          time: event.time,
          trigger_type: 'TIMER',
          trigger_name: scheduleName(event),
          user_event: payloadText(event.data),
        }
      : {
          Records: [s3Record(event, kind, kind === 'deleted' ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put')],
        },
  lambda: (event, kind) =>
    kind === 'schedule'
      ? {
          version: '0',
          id: event.id,
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: '000000000000',
          time: event.time,
          region: 'local',
          resources: [`arn:aws:events:local:000000000000:rule/${scheduleName(event)}`],
          detail: {},
        }
      : {
          Records: [s3Record(event, kind, kind === 'deleted' ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put')],
        },
};

function nativeTriggerEvent(payload, contract) {
  const shape = nativeShapes[contract];
  if (!shape || payload.length === 0 || payload[0] !== 0x7b) return payload;
  let event;
  try {
    event = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return payload;
  }
  if (event?.specversion !== '1.0' || typeof event.source !== 'string') return payload;
  // Only events of this runtime's own schedule and bucket triggers (eventTypes in @faasport/core).
  const kind =
    event.source.startsWith('/faasport/schedule/') && event.type === 'dev.faasport.schedule'
      ? 'schedule'
      : event.type === 'dev.faasport.storage.object.created'
        ? 'created'
        : event.type === 'dev.faasport.storage.object.deleted'
          ? 'deleted'
          : undefined;
  if (!kind) return payload;
  return new TextEncoder().encode(JSON.stringify(shape(event, kind)));
}

function scheduleName(event) {
  return event.source.split('/').filter(Boolean).pop() ?? 'timer';
}

function payloadText(data) {
  if (data === undefined || data === null) return '';
  return typeof data === 'string' ? data : JSON.stringify(data);
}

function objectOf(event) {
  const data = event.data && typeof event.data === 'object' ? event.data : {};
  return {
    bucket: String(data.bucket ?? ''),
    key: String(data.key ?? event.subject ?? ''),
    size: data.size ?? 0,
    etag: data.etag ?? '',
  };
}

/** An S3-style record, as Lambda and FunctionGraph's OBS trigger deliver (keys URL-encoded, spaces as +). */
function s3Record(event, kind, eventName) {
  const object = objectOf(event);
  return {
    eventVersion: '2.0',
    eventSource: 'aws:s3',
    awsRegion: 'local',
    eventTime: event.time,
    eventName,
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: object.bucket, arn: `arn:aws:s3:::${object.bucket}` },
      object: {
        key: encodeURIComponent(object.key).replace(/%20/g, '+').replace(/%2F/g, '/'),
        size: kind === 'deleted' ? undefined : object.size,
        eTag: kind === 'deleted' ? undefined : object.etag,
      },
    },
  };
}

/** Calls a handler that may answer through a Node-style callback, a promise, or a plain return. */
function callWithCallback(handler, args) {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error, value) => {
      if (done) return;
      done = true;
      if (error !== null && error !== undefined)
        reject(
          error instanceof Error
            ? error
            : Object.assign(new Error(typeof error === 'string' ? error : safeJson(error)), {
                name: 'HandledError',
              }),
        );
      else resolve(value);
    };
    const takesCallback = handler.length > args.length;
    try {
      const out = handler(...args, (error, value) => finish(error, value));
      if (out && typeof out.then === 'function') {
        out.then(
          (value) => {
            if (value !== undefined || !takesCallback) finish(null, value);
          },
          (error) => finish(error ?? new Error('handler rejected')),
        );
      } else if (!takesCallback) finish(null, out);
    } catch (error) {
      finish(error ?? new Error('handler threw'));
    }
  });
}

function resultBytes(result) {
  if (result === undefined || result === null) return new Uint8Array();
  if (result instanceof Uint8Array) return result;
  if (result instanceof ArrayBuffer) return new Uint8Array(result);
  if (typeof result === 'string') return new TextEncoder().encode(result);
  return new TextEncoder().encode(JSON.stringify(result));
}

function parseJsonOrText(payload) {
  const text = new TextDecoder().decode(payload);
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// --- portable contracts -------------------------------------------------------------------------

function portableContext(message, raw) {
  const deadline = message.deadline;
  const log = {};
  const call = message.call ?? { rid: message.rid, logs: [] };
  for (const level of ['debug', 'info', 'warn', 'error'])
    log[level] = (text, fields) => emitLog(level, String(text), fields, call);
  return Object.freeze({
    requestId: message.rid,
    functionName: fn.spec.functionName,
    revision: fn.spec.revision,
    target: fn.spec.target,
    deadline,
    remainingMs: () => Math.max(0, deadline - Date.now()),
    env: fn.frozenEnv,
    log: Object.freeze(log),
    raw: { ...raw, context: message.context },
  });
}

function toRequest(message) {
  const method = message.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD' && message.body && message.body.length > 0;
  return new Request(message.url, {
    method,
    headers: message.headers,
    body: hasBody ? message.body : undefined,
    duplex: 'half',
  });
}

async function fromResponse(response) {
  const body = response.body ? new Uint8Array(await response.arrayBuffer()) : null;
  return { t: 'res', status: response.status, headers: [...response.headers], body };
}

const encoder = new TextEncoder();

async function webCall(message) {
  let result;
  if (fn.seesNothing) result = await fn.handler();
  else {
    const request = toRequest(message);
    result = await fn.handler(request, portableContext(message, { request }));
  }
  return webReply(result);
}

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
      headers: [['content-type', 'text/plain; charset=utf-8']],
      body: encoder.encode(result),
    };
  if (result === undefined || result === null) return { t: 'res', status: 204, headers: [], body: null };
  if (result instanceof Response) return fromResponse(result);
  if (result instanceof Uint8Array)
    return { t: 'res', status: 200, headers: [['content-type', 'application/octet-stream']], body: result };
  if (result instanceof ArrayBuffer)
    return {
      t: 'res',
      status: 200,
      headers: [['content-type', 'application/octet-stream']],
      body: new Uint8Array(result),
    };
  return {
    t: 'res',
    status: 200,
    headers: [['content-type', 'application/json']],
    body: encoder.encode(JSON.stringify(result)),
  };
}

async function eventOverHttp(message) {
  const event = cloudEventFromWire(message);
  // Answered by the web rules, as the Knative shim answers events too.
  return webReply(await fn.handler(event, portableContext(message, { event })));
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

function eventToHttp(_message, reply) {
  if (reply.error)
    return jsonResponse(500, {
      error: { code: 'FunctionError', type: reply.error.type, message: reply.error.message },
    });
  return { t: 'res', status: 200, headers: [['content-type', 'application/octet-stream']], body: reply.body };
}

// --- Alibaba Cloud FC 2.0 ----------------------------------------------------------------------

function providerContext(message, kind) {
  const spec = fn.spec;
  const logger = {};
  for (const level of ['debug', 'info', 'warn', 'error'])
    logger[level] = (...args) => emitLog(level, format(...args));
  logger.log = logger.info;
  const extra = message.context ?? {};
  const base = {
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
  if (kind === 'init' && spec.contract === 'fg-event') return fgContext(message);
  return base;
}

function fcHttpCall(message) {
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
      const returned = fn.handler(req, resp, providerContext(message, 'call'));
      if (returned && typeof returned.then === 'function') returned.then(undefined, reject);
    } catch (error) {
      reject(error);
    }
  });
}

async function fcEventCall(payload, message) {
  const result = await callWithCallback(fn.handler, [Buffer.from(payload), providerContext(message, 'call')]);
  let body;
  if (Buffer.isBuffer(result) || result instanceof Uint8Array) body = new Uint8Array(result);
  else if (result !== null && typeof result === 'object')
    body = new TextEncoder().encode(JSON.stringify(result));
  else body = new TextEncoder().encode(result === undefined ? '' : String(result));
  return { t: 'eres', body };
}

// --- Huawei Cloud FunctionGraph ----------------------------------------------------------------

function fgContext(message) {
  const spec = fn.spec;
  const extra = message.context ?? {};
  const logger = {};
  for (const level of ['debug', 'info', 'warn', 'error'])
    logger[level] = (...args) => emitLog(level, format(...args));
  const userData = { ...fn.env, ...extra.userData };
  return {
    getRequestID: () => message.rid,
    getRemainingTimeInMilliSeconds: () => Math.max(0, message.deadline - Date.now()),
    getAccessKey: () => extra.accessKey ?? '',
    getSecretKey: () => extra.secretKey ?? '',
    getSecurityAccessKey: () => extra.securityAccessKey ?? '',
    getSecuritySecretKey: () => extra.securitySecretKey ?? '',
    getSecurityToken: () => extra.securityToken ?? '',
    getToken: () => extra.token ?? '',
    getUserData: (key) => userData[key],
    getFunctionName: () => spec.functionName,
    getRunningTimeInSeconds: () => Math.round(spec.timeoutMs / 1000),
    getVersion: () => extra.version ?? spec.revision,
    getMemorySize: () => spec.memoryMb,
    getCPUNumber: () => extra.cpu ?? Math.max(1, Math.round(spec.memoryMb / 128) * 100),
    getProjectID: () => extra.projectId ?? '',
    getPackage: () => extra.package ?? 'default',
    getAlias: () => extra.alias ?? '',
    getLogger: () => logger,
  };
}

async function fgApigCall(message) {
  const url = new URL(message.url);
  const headers = {};
  for (const [key, value] of message.headers) headers[key.toLowerCase()] = value;
  const query = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const event = {
    body: Buffer.from(message.body ?? new Uint8Array()).toString('base64'),
    isBase64Encoded: true,
    requestContext: { apiId: 'local', requestId: message.rid, stage: 'RELEASE' },
    queryStringParameters: query,
    pathParameters: {},
    httpMethod: message.method,
    path: decodeURIComponent(url.pathname),
    headers,
  };
  const result = await callWithCallback(fn.handler, [event, fgContext(message)]);
  if (!result || typeof result !== 'object' || typeof result.statusCode !== 'number') {
    return jsonResponse(500, {
      error: {
        code: 'FunctionError',
        message: 'an APIG-triggered function must return {statusCode, headers, body, isBase64Encoded}',
      },
    });
  }
  return structuredHttpResult(result);
}

function structuredHttpResult(result) {
  const list = [];
  for (const [name, value] of Object.entries(result.headers ?? {}))
    for (const item of [].concat(value)) list.push([name, String(item)]);
  for (const cookie of result.cookies ?? []) list.push(['set-cookie', String(cookie)]);
  let body = null;
  if (result.body !== undefined && result.body !== null) {
    if (typeof result.body === 'string')
      body = result.isBase64Encoded
        ? new Uint8Array(Buffer.from(result.body, 'base64'))
        : new TextEncoder().encode(result.body);
    else if (result.body instanceof Uint8Array) body = result.body;
    else body = new TextEncoder().encode(JSON.stringify(result.body));
  }
  return { t: 'res', status: result.statusCode, headers: list, body };
}

// --- AWS Lambda ----------------------------------------------------------------------------------

function lambdaContext(message) {
  const spec = fn.spec;
  return {
    awsRequestId: message.rid,
    functionName: spec.functionName,
    functionVersion: spec.revision,
    memoryLimitInMB: String(spec.memoryMb),
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${spec.functionName}`,
    logGroupName: `/aws/lambda/${spec.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    ...message.context,
  };
}

async function lambdaUrlCall(message) {
  const url = new URL(message.url);
  const headers = {};
  const cookies = [];
  for (const [key, value] of message.headers) {
    const name = key.toLowerCase();
    if (name === 'cookie') cookies.push(...value.split(/;\s*/));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const body = Buffer.from(message.body ?? new Uint8Array());
  const now = Date.now();
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: cookies.length ? cookies : undefined,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: url.host,
      http: {
        method: message.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: message.clientIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: message.rid,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
  const result = await callWithCallback(fn.handler, [event, lambdaContext(message)]);
  if (result && typeof result === 'object' && typeof result.statusCode === 'number')
    return structuredHttpResult(result);
  // A function URL sends a plain string as JSON, like anything else that is not a structured result.
  if (result === undefined || result === null) return { t: 'res', status: 200, headers: [], body: null };
  return {
    t: 'res',
    status: 200,
    headers: [['content-type', 'application/json']],
    body: resultBytes(result),
  };
}
