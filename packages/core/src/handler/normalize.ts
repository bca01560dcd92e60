import { randomRequestId } from './shim-helpers';
import type { CloudEvent, WebResult } from './types';

/**
 * Turns whatever a web handler returned into a `Response`:
 * a Response as is; a string as `text/plain`; bytes as `application/octet-stream`;
 * `undefined`/`null` as 204; any other value as JSON.
 *
 * @public
 */
export function toResponse(result: WebResult): Response {
  if (result instanceof Response) return result;
  if (result === undefined || result === null) return new Response(null, { status: 204 });
  if (typeof result === 'string')
    return new Response(result, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (result instanceof Uint8Array || result instanceof ArrayBuffer) {
    return new Response(result as BodyInit, { headers: { 'content-type': 'application/octet-stream' } });
  }
  return new Response(JSON.stringify(result), { headers: { 'content-type': 'application/json' } });
}

/** Serialises an event handler's result for a platform that wants bytes. @public */
export function eventResultToBytes(result: unknown): Uint8Array {
  if (result === undefined || result === null) return new Uint8Array();
  if (result instanceof Uint8Array) return result;
  if (result instanceof ArrayBuffer) return new Uint8Array(result);
  if (typeof result === 'string') return new TextEncoder().encode(result);
  return new TextEncoder().encode(JSON.stringify(result));
}

const ceRequired = ['id', 'source', 'type'] as const;

/** Builds a CloudEvent with a fresh id and the current time. @public */
export function createCloudEvent<T>(
  fields: { type: string; source: string; data?: T; subject?: string; id?: string; time?: string } & Record<
    string,
    unknown
  >,
): CloudEvent<T> {
  return {
    specversion: '1.0',
    datacontenttype:
      fields.data === undefined || typeof fields.data === 'string' ? undefined : 'application/json',
    ...fields,
    id: fields.id ?? randomRequestId(),
    time: fields.time ?? new Date().toISOString(),
  } as CloudEvent<T>;
}

/**
 * Reads a CloudEvent from an HTTP request in binary mode (`ce-*` headers, the body is the data) or
 * structured mode (`content-type: application/cloudevents+json`). Returns `undefined` when the request
 * is not a CloudEvent.
 *
 * @public
 */
export async function cloudEventFromRequest(request: Request): Promise<CloudEvent | undefined> {
  const contentType = request.headers.get('content-type') ?? '';
  if (contentType.startsWith('application/cloudevents+json')) {
    const event = (await request.json()) as CloudEvent;
    return ceRequired.every((k) => typeof event[k] === 'string') ? event : undefined;
  }
  if (!request.headers.has('ce-id')) return undefined;
  const event: Record<string, unknown> = { specversion: '1.0' };
  request.headers.forEach((value, key) => {
    if (key.startsWith('ce-')) event[key.slice(3)] = value;
  });
  if (contentType) event.datacontenttype = contentType;
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length) {
    const text = new TextDecoder().decode(body);
    if (contentType.includes('json')) {
      try {
        event.data = JSON.parse(text);
      } catch {
        event.data = text;
      }
    } else if (contentType.startsWith('text/') || contentType === '') event.data = text;
    else event.data_base64 = toBase64(body);
  }
  return ceRequired.every((k) => typeof event[k] === 'string') ? (event as CloudEvent) : undefined;
}

/** Encodes a CloudEvent as a binary-mode HTTP request's headers and body. @public */
export function cloudEventToBinary(event: CloudEvent): { headers: Record<string, string>; body: Uint8Array } {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'data' || key === 'data_base64' || key === 'datacontenttype' || value === undefined) continue;
    headers[`ce-${key}`] = String(value);
  }
  let body: Uint8Array = new Uint8Array();
  if (event.data_base64 !== undefined) {
    body = fromBase64(event.data_base64);
    headers['content-type'] = event.datacontenttype ?? 'application/octet-stream';
  } else if (event.data !== undefined) {
    if (typeof event.data === 'string' && !(event.datacontenttype ?? '').includes('json')) {
      body = new TextEncoder().encode(event.data);
      headers['content-type'] = event.datacontenttype ?? 'text/plain; charset=utf-8';
    } else {
      body = new TextEncoder().encode(JSON.stringify(event.data));
      headers['content-type'] = event.datacontenttype ?? 'application/json';
    }
  }
  return { headers, body };
}

/** Base64 of bytes, with Web APIs only. @public */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Bytes of a base64 string, with Web APIs only. @public */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
