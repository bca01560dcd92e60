// What the contract hosts of the Node worker share: calling handlers that answer through a callback,
// result bytes, structured HTTP results, and the translation of this runtime's own trigger events into
// each cloud's native shape.
import { safeJson } from '../calls.mjs';

/** Calls a handler that may answer through a Node-style callback, a promise, or a plain return. */
export function callWithCallback(handler, args) {
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

/** The bytes of an event handler's result (JSON for values that are not text or bytes). */
export function resultBytes(result) {
  if (result === undefined || result === null) return new Uint8Array();
  if (result instanceof Uint8Array) return result;
  if (result instanceof ArrayBuffer) return new Uint8Array(result);
  if (typeof result === 'string') return new TextEncoder().encode(result);
  return new TextEncoder().encode(JSON.stringify(result));
}

/** The value of a JSON payload, its text when it is not JSON, `{}` when it is empty. */
export function parseJsonOrText(payload) {
  const text = new TextDecoder().decode(payload);
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An HTTP answer with a JSON body. */
export function jsonResponse(status, value) {
  return {
    t: 'res',
    status,
    headers: [['content-type', 'application/json']],
    body: new TextEncoder().encode(JSON.stringify(value)),
  };
}

/** The HTTP answer of a `{statusCode, headers, body, isBase64Encoded, cookies?}` result (APIG, Lambda). */
export function structuredHttpResult(result) {
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

// --- trigger events in each cloud's own shape ----------------------------------------------------
// Schedule and storage triggers on this runtime produce CloudEvents. A native handler written for a
// cloud gets them in the shape that cloud's own timer and object-storage triggers deliver (each
// contract's `triggerEvent`), so its code runs unchanged. Anything else (an invoke, a broker event)
// reaches it as sent.

/**
 * The payload a native handler gets: a CloudEvent of this runtime's schedule or bucket triggers in the
 * shape `triggerEvent(event, kind)` gives it (`kind`: `schedule`, `created` or `deleted`); anything
 * else unchanged.
 */
export function nativeTriggerEvent(payload, triggerEvent) {
  if (!triggerEvent || payload.length === 0 || payload[0] !== 0x7b) return payload;
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
  return new TextEncoder().encode(JSON.stringify(triggerEvent(event, kind)));
}

/** The schedule's name: the last segment of the trigger's source. */
export function scheduleName(event) {
  return event.source.split('/').filter(Boolean).pop() ?? 'timer';
}

/** A schedule's payload as the text a timer trigger carries. */
export function payloadText(data) {
  if (data === undefined || data === null) return '';
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** The object a storage CloudEvent is about. */
export function objectOf(event) {
  const data = event.data && typeof event.data === 'object' ? event.data : {};
  return {
    bucket: String(data.bucket ?? ''),
    key: String(data.key ?? event.subject ?? ''),
    size: data.size ?? 0,
    etag: data.etag ?? '',
  };
}

/** An S3-style record, as Lambda and FunctionGraph's OBS trigger deliver (keys URL-encoded, spaces as +). */
export function s3Record(event, kind, eventName) {
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
