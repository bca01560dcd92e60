import { describe, expect, it } from 'vitest';
import { defineFunction, queueMessageEvent, ValidationError } from '../src';
import { queueBindingIssues } from '../src/toolkit';

describe('the portable queue message event', () => {
  it('carries a JSON body as data, with the topic, id and attempt as extensions', () => {
    expect(
      queueMessageEvent({
        topic: 'orders',
        id: 'm-1',
        body: '{"n":1}',
        attempt: 2,
        time: '2026-01-01T00:00:00.000Z',
      }),
    ).toEqual({
      specversion: '1.0',
      id: 'm-1',
      source: '/faasport/topics/orders',
      type: 'dev.faasport.queue.message',
      time: '2026-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      data: { n: 1 },
      faasporttopic: 'orders',
      faasportmessageid: 'm-1',
      faasportattempt: 2,
    });
  });

  it('carries bytes that are not JSON (text, invalid UTF-8, nothing) as base64 with their content type', () => {
    const text = queueMessageEvent({ topic: 't', id: '1', body: 'hello', contentType: 'text/plain' });
    expect(text).toMatchObject({ datacontenttype: 'text/plain', data_base64: btoa('hello') });
    expect(text).not.toHaveProperty('data');
    expect(text).not.toHaveProperty('faasportattempt');
    const bytes = queueMessageEvent({ topic: 't', id: '2', body: new Uint8Array([0x22, 0xff, 0x22]) });
    expect(bytes).toMatchObject({ datacontenttype: 'application/octet-stream', data_base64: 'Iv8i' });
    expect(queueMessageEvent({ topic: 't', id: '3', body: '' })).toMatchObject({ data_base64: '' });
  });
});

describe('queue triggers in the model', () => {
  it('resolves batchSize, maxBatchingWindow and startFrom with their defaults', () => {
    const fn = defineFunction({
      name: 'q',
      source: { inline: 'export default () => 1' },
      triggers: [
        { queue: { topic: 'a.b_c-1' } },
        { queue: { topic: 'x', batchSize: 10, maxBatchingWindow: '5s', startFrom: 'earliest' } },
      ],
    });
    expect(fn.triggers).toEqual([
      { kind: 'queue', name: 'queue', topic: 'a.b_c-1', batchSize: 1, startFrom: 'latest' },
      {
        kind: 'queue',
        name: 'queue-2',
        topic: 'x',
        batchSize: 10,
        maxBatchingWindowSeconds: 5,
        startFrom: 'earliest',
      },
    ]);
  });

  it('refuses a topic name no queue service takes and an unknown start position', () => {
    const bad = () =>
      defineFunction({
        name: 'q',
        source: { inline: 'export default () => 1' },
        triggers: [{ queue: { topic: 'has space', startFrom: 'newest' as never } }],
      });
    expect(bad).toThrow(ValidationError);
    expect(bad).toThrow(/"has space" is not a topic name/);
    expect(bad).toThrow(/"newest" is not a start position/);
  });

  it('names the missing target binding, with a did-you-mean among the bound topics', () => {
    const fn = defineFunction({
      name: 'q',
      source: { inline: 'export default () => 1' },
      triggers: [{ queue: { topic: 'orders' } }, { queue: { topic: 'audit' } }],
    });
    const issues = queueBindingIssues(
      fn,
      { order: {}, audit: {} },
      { adapter: 'knative', target: 'k8s', example: '{...}' },
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: 'error', path: 'triggers[0].queue.topic' });
    expect(issues[0]!.message).toContain(
      'targets.k8s.queues.orders is missing; did you mean "order" (bound)?',
    );
  });
});
