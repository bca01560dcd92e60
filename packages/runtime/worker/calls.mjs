// The calls in flight in a Node worker and their log lines: console output and context loggers become
// structured log lines carrying the request id of the call that wrote them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import { sendLog } from './channel.mjs';

const calls = new AsyncLocalStorage();

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

/** Runs `work` as the call `call`: log lines written meanwhile carry its request id. */
export function runCall(call, work) {
  active.add(call);
  const done = () => active.delete(call);
  const running = tracking ? calls.run(call, work) : work();
  running.then(done, done);
  return running;
}

/** Runs `work` (the initializer) with log lines carrying the request id of `call`. */
export function runTracked(call, work) {
  return calls.run(call, work);
}

/** Sends a log line; `call` defaults to the call that is writing it. */
export function emitLog(level, message, fields, call = currentCall()) {
  // The fields as JSON, once: in the line's text and, structured, in the frame (so `faasport logs
  // --json` keeps them). Fields that are not JSON-able reach the text only, in their string form.
  let fieldsJson;
  let text = message;
  if (fields && Object.keys(fields).length) {
    try {
      fieldsJson = JSON.stringify(fields);
    } catch {
      fieldsJson = undefined;
    }
    text = `${message} ${fieldsJson ?? String(fields)}`;
    // Only an object travels as fields (the executor drops anything else).
    if (typeof fields !== 'object') fieldsJson = undefined;
  }
  // Event calls answer with their lines too; HTTP calls keep none.
  if (call?.logs) call.logs.push(text);
  // Written field by field, like the executor's frames: a log line per call is common, and this is
  // several times cheaper than building a message object and stringifying it.
  sendLog(
    `{"level":${JSON.stringify(level)},"message":${JSON.stringify(message)}${fieldsJson ? `,"fields":${fieldsJson}` : ''}${call?.rid ? `,"rid":${JSON.stringify(call.rid)}` : ''},"time":"${isoNow()}"}`,
  );
}

let isoMs = 0;
let isoText = '';
/** `new Date().toISOString()`, made once per millisecond (calls in the same millisecond share it). */
function isoNow() {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

/** A platform logger (`logger.info(...args)`) whose lines are formatted like console.log's. */
export function formattedLogger() {
  const logger = {};
  for (const level of ['debug', 'info', 'warn', 'error'])
    logger[level] = (...args) => emitLog(level, format(...args));
  return logger;
}

/** JSON of a value, or its string form when it is not JSON-able. */
export function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

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
