import { type CloudEvent, eventTypes, type HandlerLogger } from './types';

/**
 * Small Web-only helpers the runtime shims of every target share (FC, FunctionGraph, Lambda, FC 3.0):
 * reading a platform's JSON-or-text payloads, finding and loading the user's export, and a context logger.
 */

/** Whether a value is a plain object (not null, not an array). @public */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of JSON text, or the text itself when it is not JSON. Anything not a string is returned as is. @public */
export function parseJsonOrText(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A fresh request id, for platforms that did not give one. @public */
export function randomRequestId(): string {
  return globalThis.crypto?.randomUUID
    ? globalThis.crypto.randomUUID()
    : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

/**
 * The function a module exports under `name`. A CommonJS module loaded with `import()` has its
 * `module.exports` under `default`, so a missing named export is looked up there too.
 *
 * @public
 */
export function exportedFunction(
  mod: Record<string, unknown>,
  name: string,
): ((...args: any[]) => unknown) | undefined {
  let fn = mod[name];
  if (typeof fn !== 'function' && isRecord(mod.default)) fn = mod.default[name];
  return typeof fn === 'function' ? (fn as (...args: any[]) => unknown) : undefined;
}

/**
 * Loads the user's handler once, on first call: export `name` of `module` (by {@link exportedFunction}),
 * or a TypeError naming the handler string (`file.export`) when the module has no such function.
 *
 * @public
 */
export function handlerLoader(
  importModule: (file: string) => Promise<Record<string, unknown>>,
  module: string,
  name: string,
): () => Promise<(input: unknown, ctx: unknown) => unknown> {
  let loaded: Promise<(input: unknown, ctx: unknown) => unknown> | undefined;
  return () => {
    loaded ??= importModule(module).then((mod) => {
      const fn = exportedFunction(mod, name);
      if (!fn)
        throw new TypeError(
          `${module} has no exported function "${name}" (handler ${module.replace(/\.[^.]+$/, '')}.${name})`,
        );
      return fn as (input: unknown, ctx: unknown) => unknown;
    });
    return loaded;
  };
}

/**
 * The Request a `web` handler gets for a call that carries no HTTP request (a direct invocation): a
 * POST of the event as JSON. @public
 */
export function invocationRequest(event: unknown): Request {
  return new Request('https://localhost/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event ?? null),
  });
}

/**
 * Calls an `event` handler with each CloudEvent of a platform call in turn: one event's result as it is,
 * a batch's results as an array. A throw fails the whole call, which the platform retries. @public
 */
export async function callForEach(
  fn: (input: unknown, ctx: unknown) => unknown,
  events: readonly unknown[],
  ctx: unknown,
): Promise<unknown> {
  const results: unknown[] = [];
  for (const event of events) results.push(await fn(event, ctx));
  return results.length === 1 ? results[0] : results;
}

/** The log levels of a handler's context logger. @public */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * A context logger whose lines are one JSON object each (`level`, `message`, `requestId`, the fields),
 * handed to `write` with their level: a platform's own logger, or the console.
 *
 * @public
 */
export function jsonLineLogger(
  requestId: string,
  write: (level: LogLevel, line: string) => void,
): HandlerLogger {
  const line = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) =>
    write(level, JSON.stringify({ level, message, requestId, ...(fields ?? {}) }));
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/**
 * The portable CloudEvent of one object-storage notification record (OSS, OBS, S3 and their kin): type
 * `dev.faasport.storage.object.deleted` when the platform's event name says removed or deleted, else
 * `.created`; the key as subject; `{bucket, key, size, etag, event}` as data.
 *
 * @public
 */
export function storageCloudEvent(fields: {
  id: string;
  /** The event source, e.g. `fc:oss/<bucket>`. */
  source: string;
  bucket: string;
  key: string;
  /** The record: its `eventName`, `eventTime`, and the object's `size` and `eTag` are read. */
  record: Record<string, unknown>;
  object: Record<string, unknown>;
}): CloudEvent {
  const { record, object, bucket, key } = fields;
  const eventName = typeof record.eventName === 'string' ? record.eventName : '';
  return {
    specversion: '1.0',
    id: fields.id,
    type: /Removed|Delete/i.test(eventName) ? eventTypes.storageDeleted : eventTypes.storageCreated,
    source: fields.source,
    subject: key,
    time:
      typeof record.eventTime === 'string'
        ? new Date(record.eventTime).toISOString()
        : new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { bucket, key, size: object.size, etag: object.eTag, event: eventName },
  };
}

/**
 * The text of a standalone shim file: a banner comment, the function's config as one
 * `const config = {...};` line (which {@link readShimConfig} finds again on export), and the bundled
 * shim script. `prologue` lines go between the banner and the config (e.g. `'use strict';`).
 *
 * @public
 */
export function shimFileText(
  banner: string,
  config: unknown,
  script: string,
  prologue: string[] = [],
): string {
  return [banner, ...prologue, `const config = ${JSON.stringify(config)};`, script].join('\n');
}

/** The config a shim file written by {@link shimFileText} holds, or `undefined` when the text is not one. @public */
export function readShimConfig<Config>(source: string): Config | undefined {
  const match = /^const config = (\{.*\});$/m.exec(source);
  if (!match) return undefined;
  try {
    return JSON.parse(match[1]!) as Config;
  } catch {
    return undefined;
  }
}
