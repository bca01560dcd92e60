import { describe, expect, it } from 'vitest';
import {
  cloudEventFromRequest,
  cloudEventToBinary,
  createCloudEvent,
  eventResultToBytes,
  toResponse,
} from '../src';

describe('result normalisation', () => {
  it('turns each kind of web result into a Response', async () => {
    const passthrough = new Response('x', { status: 201 });
    expect(toResponse(passthrough)).toBe(passthrough);
    const text = toResponse('hello');
    expect(text.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await text.text()).toBe('hello');
    const bytes = toResponse(new Uint8Array([1, 2, 3]));
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await bytes.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    const json = toResponse({ ok: true });
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toEqual({ ok: true });
    expect(toResponse(undefined).status).toBe(204);
    expect(toResponse(null).status).toBe(204);
    expect(new TextDecoder().decode(eventResultToBytes({ a: 1 }))).toBe('{"a":1}');
  });
});

describe('CloudEvents over HTTP', () => {
  it('round-trips binary mode', async () => {
    const event = createCloudEvent({
      type: 'com.example.order.created',
      source: '/orders',
      data: { id: 7 },
      subject: 'o7',
    });
    const { headers, body } = cloudEventToBinary(event);
    expect(headers['ce-type']).toBe('com.example.order.created');
    expect(headers['content-type']).toBe('application/json');
    const back = await cloudEventFromRequest(
      new Request('http://x/', { method: 'POST', headers, body: body as BodyInit }),
    );
    expect(back).toMatchObject({
      specversion: '1.0',
      id: event.id,
      type: event.type,
      source: '/orders',
      subject: 'o7',
      data: { id: 7 },
    });
  });

  it('reads structured mode and rejects requests that are not events', async () => {
    const structured = new Request('http://x/', {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 't', data: 'x' }),
    });
    expect(await cloudEventFromRequest(structured)).toMatchObject({ id: '1', data: 'x' });
    expect(
      await cloudEventFromRequest(new Request('http://x/', { method: 'POST', body: 'plain' })),
    ).toBeUndefined();
    const missingType = new Request('http://x/', {
      method: 'POST',
      headers: { 'ce-id': '1', 'ce-source': 's' },
    });
    expect(await cloudEventFromRequest(missingType)).toBeUndefined();
  });
});
