// The generic Node.js worker of the faasport executor. It starts without any function code, waits
// for a `load` message (code folder, handler, contract, environment), then serves calls sent over the
// IPC channel. One process runs one function instance; the parent kills it on timeout.
// Plain JavaScript on purpose: it runs in a child process without a build step. Its parts:
// channel.mjs (the frames to and from the executor), calls.mjs (calls in flight and their logs),
// loader.mjs (the function's module and export), contracts/ (how each contract calls the handler).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { emitLog, runCall, runTracked, safeJson } from './calls.mjs';
import { encodeFrame, openChannel, receive, send } from './channel.mjs';
import { hosts, initContext } from './contracts/index.mjs';
import { callWithCallback, jsonResponse } from './contracts/shared.mjs';
import { lazyRequestsWork, useLazyRequests } from './lazy-request.mjs';
import { loadFunction, warmLoader } from './loader.mjs';

openChannel();

/** @type {{ spec: any, handler: Function, env: Record<string,string>, frozenEnv: object, seesNothing: boolean } | undefined} */
let fn;

receive((message) => {
  if (message.t === 'load') {
    loading = true;
    load(message.spec).then(
      () => {
        loading = false;
        send({ t: 'loaded' });
        // After the frame is written (send flushes in a setImmediate queued first): a call that
        // stops the process must not take the news that the code loaded with it.
        setImmediate(startHeld);
      },
      (error) => {
        loading = false;
        send({ t: 'loadError', error: errorInfo(error) });
      },
    );
  } else if (message.t === 'http' || message.t === 'event') {
    if (loading || running >= (fn?.spec.concurrency ?? Number.POSITIVE_INFINITY)) held.push(message);
    else begin(message);
  }
});

// The executor may send calls beyond the function's concurrency while this instance is busy, and a
// cold start's first calls right behind the load message (saving a round trip): they wait here, in
// the order they came, and each starts when the code has loaded and a turn is free, so no more than
// `concurrency` calls ever run at once (with 1, never two).
const held = [];
let running = 0;
let loading = false;

function startHeld() {
  while (held.length && running < (fn?.spec.concurrency ?? Number.POSITIVE_INFINITY)) {
    const next = held.shift();
    // Its time starts now, not when it was sent.
    if (fn) next.deadline = Date.now() + fn.spec.timeoutMs;
    begin(next);
  }
}

function begin(message) {
  running++;
  // Event calls answer with the lines they wrote; HTTP calls keep none.
  const call = { rid: message.rid, logs: message.t === 'event' ? [] : undefined };
  // The context's log functions write for this call exactly, whatever else is in flight.
  message.call = call;
  const done = () => {
    running--;
    startHeld();
  };
  runCall(call, () => serve(message, call)).then(done, done);
}

// Web APIs load lazily in Node (undici is big): build one Request and Response before reporting
// ready, so a pooled worker pays this before the cold start, not during it.
await new Response(new Request('http://localhost/', { method: 'POST', body: 'warm' }).body).arrayBuffer();
// Lazy Web Requests (lazy-request.mjs), when they behave as real ones on this Node. The executor says
// so once it knows (FAASPORT_WEB_REQUEST=lazy or eager, also a switch for tests); until then each
// worker checks for itself and reports its finding with `ready`. The function never sees the variable:
// loading it replaces the environment.
const requestMode = process.env.FAASPORT_WEB_REQUEST;
const tested = requestMode !== 'lazy' && requestMode !== 'eager';
const lazyRequests = tested ? await lazyRequestsWork() : requestMode === 'lazy';
useLazyRequests(lazyRequests);
// The same for the module loaders a cold start uses (one file import and one file require), the
// loader's own steps, and one web call through the serve path, answered into nothing: functions
// compile on their first call, and that first call should not be the cold start's.
const workerDir = fileURLToPath(new URL('.', import.meta.url));
const warmHandler = await warmLoader(workerDir, 'warm-module.mjs', 'warmHandler');
createRequire(import.meta.url)('./warm-module.cjs');
encodeFrame(
  await hosts.web.http(
    { spec: { functionName: 'warm' }, handler: warmHandler, frozenEnv: {}, seesNothing: false },
    { t: 'http', rid: 'warm', method: 'GET', url: 'http://localhost/?n=1', headers: [['host', 'localhost']] },
  ),
);
send(tested ? { t: 'ready', lazyRequests } : { t: 'ready' });

async function load(spec) {
  const loaded = await loadFunction(spec);
  fn = loaded.fn;
  if (loaded.initializer) {
    const rid = `init-${Date.now()}`;
    await runTracked({ rid, logs: [] }, () =>
      callWithCallback(loaded.initializer, [
        initContext(spec.contract, fn, { rid, deadline: Date.now() + spec.timeoutMs }),
      ]),
    );
  }
}

// Each answer says how long the call ran here (µs): the executor sends calls ahead only to functions
// whose calls are short, and the time it sees includes the trips through the pipe.
async function serve(message, call) {
  const started = performance.now();
  try {
    if (!fn) throw new Error('no function loaded');
    const host = hosts[fn.spec.contract];
    let reply;
    if (message.t === 'http') {
      if (!host) throw new Error(`contract "${fn.spec.contract}" cannot serve HTTP in a Node worker`);
      reply = await host.http(fn, message);
    } else {
      if (!host) throw new Error(`unknown contract "${fn.spec.contract}"`);
      reply = await host.event(fn, message, message.payload ?? new Uint8Array());
    }
    reply.id = message.id;
    reply.us = elapsedMicros(started);
    if (message.t === 'event') reply.logs = call.logs;
    send(reply);
  } catch (error) {
    emitLog('error', `Unhandled error: ${error?.stack ?? error}`, undefined, call);
    const us = elapsedMicros(started);
    if (message.t === 'http') send({ t: 'res', id: message.id, us, ...errorResponse(error) });
    else
      send({
        t: 'eres',
        id: message.id,
        us,
        body: new Uint8Array(),
        error: errorInfo(error),
        logs: call.logs,
      });
  }
}

/** Whole microseconds since `started` (an integer: cheaper to write and read than a fraction of ms). */
function elapsedMicros(started) {
  return Math.round((performance.now() - started) * 1000);
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
