import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { admin, runtimeProcesses, ship, waitFor } from './helpers/e2e';
import { marksDir, marksRoot, tempDir } from './helpers/fixtures';
import type { RuntimeProcess } from './helpers/runtime-process';

const { start } = runtimeProcesses([
  '--retry-attempts',
  '3',
  '--retry-backoff-ms',
  '20',
  '--writable',
  marksRoot(),
]);

const publish = (runtime: RuntimeProcess, topic: string, messages: unknown[]) =>
  admin(runtime, `/topics/${topic}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages }),
  });

/**
 * Appends the queue event it got, as one JSON line, to $MARKS (once the file $GATE exists, when set);
 * throws on a message whose data says `failTimes` while its attempt is not past it.
 */
const recorder = `import fs from 'node:fs';
export default async (event, ctx) => {
  if (ctx.env.GATE) while (!fs.existsSync(ctx.env.GATE)) await new Promise((r) => setTimeout(r, 20));
  const { id, type, source, datacontenttype, data, data_base64, faasporttopic, faasportmessageid, faasportattempt } = event;
  fs.appendFileSync(ctx.env.MARKS, JSON.stringify({ id, type, source, datacontenttype, data, data_base64, faasporttopic, faasportmessageid, faasportattempt }) + '\\n');
  if (data && data.failTimes >= faasportattempt) throw new Error('failing attempt ' + faasportattempt);
  return { ok: true };
};`;

const marks = (file: string) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];

describe('local topics', () => {
  test('messages acknowledged before a kill -9 reach the queue trigger after the restart, as portable events', async () => {
    const dataDir = tempDir('faasport-topics-kill9-');
    const folder = marksDir();
    const file = path.join(folder, 'marks.txt');
    const gate = path.join(folder, 'gate');
    let runtime = await start(dataDir);
    await ship(runtime, {
      name: 'orders-consumer',
      contract: 'event',
      source: { inline: recorder },
      env: { MARKS: file, GATE: gate },
      triggers: [{ queue: { topic: 'orders' } }],
    });
    const published = await publish(runtime, 'orders', [
      { body: '{"order":1}', id: 'm-1' },
      { bodyBase64: Buffer.from([0xff, 0x00, 0x01]).toString('base64'), contentType: 'application/x-raw' },
    ]);
    expect(published.status).toBe(202);
    const answer = JSON.parse(published.body);
    expect(answer.messages).toHaveLength(2);
    expect(answer.messages[0]).toEqual({ id: 'm-1', deliveries: ['orders-consumer/queue'], stored: true });
    const secondId = answer.messages[1].id as string;
    await runtime.kill9();
    expect(marks(file)).toEqual([]);

    runtime = await start(dataDir);
    fs.writeFileSync(gate, '');
    await waitFor(() => marks(file).length >= 2, 'both deliveries after the restart', 20_000);
    const got = marks(file).sort((a, b) => (a.id === 'm-1' ? -1 : b.id === 'm-1' ? 1 : 0));
    expect(got).toEqual([
      {
        id: 'm-1',
        type: 'dev.faasport.queue.message',
        source: '/faasport/topics/orders',
        datacontenttype: 'application/json',
        data: { order: 1 },
        faasporttopic: 'orders',
        faasportmessageid: 'm-1',
        faasportattempt: 1,
      },
      {
        id: secondId,
        type: 'dev.faasport.queue.message',
        source: '/faasport/topics/orders',
        datacontenttype: 'application/x-raw',
        data_base64: Buffer.from([0xff, 0x00, 0x01]).toString('base64'),
        faasporttopic: 'orders',
        faasportmessageid: secondId,
        faasportattempt: 1,
      },
    ]);
    // The same message id again is stored once: nothing is queued twice.
    const again = JSON.parse((await publish(runtime, 'orders', [{ body: '{"order":1}', id: 'm-1' }])).body);
    expect(again.messages).toEqual([{ id: 'm-1', deliveries: [], stored: false }]);
    const topics = JSON.parse((await admin(runtime, '/topics')).body).topics;
    expect(topics).toEqual([{ topic: 'orders', messages: 2, triggers: ['orders-consumer/queue'] }]);
  });

  test('a failed delivery is retried with the next attempt number; one that keeps failing is dead-lettered; bad publishes change nothing', async () => {
    const runtime = await start(tempDir('faasport-topics-retry-'));
    const file = path.join(marksDir(), 'marks.txt');
    await ship(runtime, {
      name: 'flaky',
      contract: 'event',
      source: { inline: recorder },
      env: { MARKS: file },
      triggers: [{ queue: { topic: 'jobs' } }],
    });
    const raw = await admin(runtime, '/topics/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-faasport-message-id': 'once' },
      body: '{"failTimes":1}',
    });
    expect(JSON.parse(raw.body).messages).toEqual([
      { id: 'once', deliveries: ['flaky/queue'], stored: true },
    ]);
    await publish(runtime, 'jobs', [{ body: '{"failTimes":99}', id: 'never' }]);
    let dead: Array<{ eventId: string; attempts: number; lastError: string }> = [];
    await waitFor(
      async () => {
        dead = JSON.parse((await admin(runtime, '/deadletters?function=flaky')).body).deadLetters;
        return dead.length > 0 && marks(file).filter((m) => m.id === 'once').length === 2;
      },
      'the retry and the dead letter',
      20_000,
    );
    expect(
      marks(file)
        .filter((m) => m.id === 'once')
        .map((m) => m.faasportattempt),
    ).toEqual([1, 2]);
    expect(
      marks(file)
        .filter((m) => m.id === 'never')
        .map((m) => m.faasportattempt),
    ).toEqual([1, 2, 3]);
    expect(dead).toMatchObject([{ eventId: 'never', attempts: 3 }]);
    expect(dead[0]!.lastError).toContain('failing attempt 3');

    const badTopic = await publish(runtime, 'no spaces', [{ body: 'x' }]);
    expect(badTopic.status).toBe(400);
    expect(badTopic.body).toContain('is not a topic name');
    const badMessage = await publish(runtime, 'jobs', [
      { body: 'fine', id: 'ok-1' },
      { body: 'x', bodyBase64: 'eA==' },
    ]);
    expect(badMessage.status).toBe(400);
    expect(badMessage.body).toContain('messages.1');
    const listed = JSON.parse((await admin(runtime, '/topics/jobs/messages')).body).messages;
    expect(listed.map((m: { id: string }) => m.id)).toEqual(['once', 'never']);
  });
});
