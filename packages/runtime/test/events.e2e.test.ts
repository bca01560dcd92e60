import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createLocalAdapter } from '../src/index';
import { admin, runtimeProcesses, ship, waitFor } from './helpers/e2e';
import { marksDir, marksRoot, tempDir } from './helpers/fixtures';

const { start } = runtimeProcesses([
  '--retry-attempts',
  '3',
  '--retry-backoff-ms',
  '50',
  '--writable',
  marksRoot(),
]);

/** An event handler that appends `<type> <id> <subject>` to $MARKS, once the file $GATE exists when set. */
const recorder = `import fs from 'node:fs';
export default async (event, ctx) => {
  if (ctx.env.GATE) while (!fs.existsSync(ctx.env.GATE)) await new Promise((r) => setTimeout(r, 20));
  fs.appendFileSync(ctx.env.MARKS, event.type + ' ' + event.id + ' ' + (event.subject || '') + '\\n');
  return { ok: true };
};`;

const marks = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];

describe('the CloudEvents broker', () => {
  test('an event acknowledged before a kill -9 is delivered after the restart', async () => {
    const dataDir = tempDir('faasport-kill9-');
    const marksFolder = marksDir();
    const file = path.join(marksFolder, 'marks.txt');
    // The delivery before the kill holds at the gate however long the kill takes on a busy machine.
    const gate = path.join(marksFolder, 'gate');
    let runtime = await start(dataDir);
    await ship(runtime, {
      name: 'consumer',
      contract: 'event',
      source: { inline: recorder },
      env: { MARKS: file, GATE: gate },
      triggers: [{ event: { filter: { type: 'com.example.order' } } }],
    });
    const published = await admin(runtime, '/events', {
      method: 'POST',
      headers: {
        'ce-id': 'order-1',
        'ce-source': '/shop',
        'ce-type': 'com.example.order',
        'ce-specversion': '1.0',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ total: 42 }),
    });
    expect(published.status).toBe(202);
    expect(JSON.parse(published.body).deliveries).toEqual(['consumer/event']);
    await runtime.kill9();
    expect(marks(file)).toEqual([]);

    runtime = await start(dataDir);
    fs.writeFileSync(gate, '');
    await waitFor(() => marks(file).length > 0, 'the delivery after the restart');
    expect(marks(file)[0]).toBe('com.example.order order-1');
    // Functions and traffic survived too.
    const live = await createLocalAdapter({ url: runtime.url, token: runtime.token }).read('consumer');
    expect(live?.traffic[0]?.percent).toBe(100);
  });

  test('structured-mode events reach matching triggers only, and a failing consumer ends in the dead-letter store', async () => {
    const runtime = await start(tempDir('faasport-dlq-'));
    await ship(runtime, {
      name: 'failing',
      contract: 'event',
      source: {
        inline: `export default async (event) => { throw new Error('cannot handle ' + event.id); };`,
      },
      triggers: [{ event: { filter: { type: 'com.example.bad', source: '/tests' } } }],
    });
    const send = (id: string, source: string) =>
      admin(runtime, '/events', {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({ specversion: '1.0', id, source, type: 'com.example.bad', data: { n: 1 } }),
      });
    expect(JSON.parse((await send('ignored-1', '/elsewhere')).body).deliveries).toEqual([]);
    expect(JSON.parse((await send('bad-1', '/tests')).body).deliveries).toEqual(['failing/event']);
    let dead: Array<{ eventId: string; attempts: number; lastError: string; function: string }> = [];
    await waitFor(async () => {
      dead = JSON.parse((await admin(runtime, '/deadletters?function=failing')).body).deadLetters;
      return dead.length > 0;
    }, 'the dead letter');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ eventId: 'bad-1', attempts: 3, function: 'failing' });
    expect(dead[0]!.lastError).toContain('cannot handle bad-1');
    const logs = (await admin(runtime, '/logs?function=failing')).body;
    expect(logs.match(/attempt \d\/3 failed/g)).toHaveLength(3);
    const notCloudEvent = await admin(runtime, '/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notCloudEvent.status).toBe(400);
  });
  test('a batch (batched content mode) is acknowledged in one commit, and a batch with one bad event queues none of it', async () => {
    const runtime = await start(tempDir('faasport-batch-'));
    const file = path.join(marksDir(), 'marks.txt');
    await ship(runtime, {
      name: 'consumer',
      contract: 'event',
      source: { inline: recorder },
      env: { MARKS: file },
      triggers: [{ event: { filter: { type: 'com.example.batch' } } }],
    });
    const batch = (events: object[]) =>
      admin(runtime, '/events', {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body: JSON.stringify(events),
      });
    const event = (id: string, type = 'com.example.batch') => ({
      specversion: '1.0',
      id,
      source: '/tests',
      type,
    });
    const published = await batch([event('b-1'), event('other-1', 'com.example.other'), event('b-2')]);
    expect(published.status).toBe(202);
    expect(JSON.parse(published.body).events).toEqual([
      { id: 'b-1', deliveries: ['consumer/event'] },
      { id: 'other-1', deliveries: [] },
      { id: 'b-2', deliveries: ['consumer/event'] },
    ]);
    await waitFor(() => marks(file).length === 2, 'both events of the batch');
    expect(
      marks(file)
        .map((line) => line.trim())
        .sort(),
    ).toEqual(['com.example.batch b-1', 'com.example.batch b-2']);

    const rejected = await batch([
      event('kept-out'),
      { specversion: '1.0', id: 'no-type', source: '/tests' },
    ]);
    expect(rejected.status).toBe(400);
    expect(JSON.parse(rejected.body).error.message).toContain('event [1] of the batch has no "type"');
    expect((await batch([event('b-3')])).status).toBe(202);
    await waitFor(() => marks(file).length === 3, 'the event after the rejected batch');
    expect(marks(file).map((line) => line.trim())).not.toContain('com.example.batch kept-out');
    expect((await batch({ id: 'x' } as unknown as object[])).status).toBe(400);
  });
});

describe('local buckets', () => {
  test('a bucket write triggers the function whose storage trigger matches', async () => {
    const runtime = await start(tempDir('faasport-buckets-'));
    const file = path.join(marksDir(), 'marks.txt');
    await ship(runtime, {
      name: 'uploads',
      contract: 'event',
      source: { inline: recorder },
      env: { MARKS: file },
      triggers: [{ storage: { bucket: 'inbox', prefix: 'in/', suffix: '.txt', events: ['created'] } }],
    });
    const skipped = await admin(runtime, '/buckets/inbox/other/b.txt', { method: 'PUT', body: 'nope' });
    expect(JSON.parse(skipped.body).deliveries).toEqual([]);
    const put = await admin(runtime, '/buckets/inbox/in/a.txt', {
      method: 'PUT',
      body: 'hello bucket',
      headers: { 'content-type': 'text/plain' },
    });
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body)).toMatchObject({
      bucket: 'inbox',
      key: 'in/a.txt',
      size: 12,
      deliveries: ['uploads/storage'],
    });
    await waitFor(() => marks(file).length > 0, 'the storage event');
    expect(marks(file)).toHaveLength(1);
    expect(marks(file)[0]).toMatch(/^dev\.faasport\.storage\.object\.created \S+ in\/a\.txt$/);
    const got = await admin(runtime, '/buckets/inbox/in/a.txt');
    expect(got.body).toBe('hello bucket');
    const bad = await admin(runtime, '/buckets/inbox/..%2Fescape', { method: 'PUT', body: 'x' });
    expect(bad.status).toBe(400);
  });
});
