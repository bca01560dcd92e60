import fs from 'node:fs';
import path from 'node:path';
import { defineFunction, deploy, type FunctionConfig } from '@faasport/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, marksDir, marksRoot, tempDir } from './helpers/fixtures';

// Native handlers written for a cloud get this runtime's schedule and bucket events in that cloud's
// own shapes: FC timer / OSS events (FC 2.0 and 3.0 alike), FunctionGraph TIMER / OBS events, Lambda
// scheduled / S3 events, from the Node and the Python worker alike. An FC 3.0 handler also serves HTTP
// at its URL, as FC 3.0's HTTP event.

let runtime: Runtime;
let marks: string;
let now = Date.parse('2026-03-01T08:59:30Z');

beforeAll(async () => {
  runtime = await startRuntime({
    dataDir: tempDir('faasport-native-'),
    port: 0,
    clock: () => now,
    schedulerIntervalMs: 60_000,
    sandbox: { writable: [marksRoot()] },
  });
  marks = marksDir();
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  cleanTemp();
});

/** A handler that writes the event it got to $MARKS/<function>.json. */
const recorders = {
  'fc-event': `exports.handler = (event, context, callback) => {
    require('fs').writeFileSync(process.env.MARKS + '/' + context.function.name + '.json', event.toString());
    callback(null, 'ok');
  };`,
  'fc3-event': `exports.handler = async (event, context) => {
    const e = JSON.parse(event.toString());
    if (e.version === 'v1')
      return { statusCode: 201, headers: { 'content-type': 'text/plain' },
        body: context.function.name + ' ' + e.requestContext.http.method + ' ' + e.rawPath + ' ' + e.body };
    require('fs').writeFileSync(process.env.MARKS + '/' + context.function.name + '.json', event.toString());
    return 'ok';
  };`,
  'fg-event': `exports.handler = async (event, context) => {
    require('fs').writeFileSync(process.env.MARKS + '/' + context.getFunctionName() + '.json', JSON.stringify(event));
    return 'ok';
  };`,
  lambda: `exports.handler = async (event, context) => {
    require('fs').writeFileSync(process.env.MARKS + '/' + context.functionName + '.json', JSON.stringify(event));
    return 'ok';
  };`,
} as const;

/** The same recorder in Python, for every native contract: the Python worker reshapes events too. */
const pythonRecorder = `import json, os

def handler(event, context):
    data = event if isinstance(event, (bytes, bytearray)) else json.dumps(event).encode()
    with open(os.path.join(os.environ["MARKS"], os.environ["NAME"] + ".json"), "wb") as file:
        file.write(data)
    return "ok"
`;

async function ship(
  name: string,
  contract: keyof typeof recorders,
  triggers: FunctionConfig['triggers'],
  language: 'node' | 'python' = 'node',
) {
  await deploy(
    createLocalAdapter({ url: runtime.url, token: runtime.token }),
    defineFunction({
      name,
      contract: 'native',
      ...(language === 'python'
        ? { runtime: 'python3.11', handler: 'main.handler', source: { inline: pythonRecorder } }
        : { handler: 'index.handler', source: { inline: recorders[contract] } }),
      env: { MARKS: marks, NAME: name },
      providers: { local: { contract } },
      triggers,
    }),
  );
}

async function received(name: string): Promise<Record<string, unknown>> {
  const file = path.join(marks, `${name}.json`);
  const until = Date.now() + 15_000;
  for (;;) {
    // The handler's writeFileSync creates the file before it writes: an empty read means "not yet".
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (text) return JSON.parse(text);
    if (Date.now() > until) throw new Error(`${name} received no event`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function putObject(bucket: string, key: string, body: string) {
  const res = await fetch(`${runtime.url}/_faasport/v1/buckets/${bucket}/${key}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${runtime.token}` },
    body,
  });
  expect(res.status).toBe(200);
}

describe('native trigger events on the local runtime', () => {
  test('a schedule reaches FC, FunctionGraph and Lambda handlers as their own timer events', async () => {
    const schedule = { schedule: { name: 'nightly', cron: '0 9 * * *', payload: { job: 'report' } } };
    await ship('fc-timer', 'fc-event', [schedule]);
    await ship('fc3-timer', 'fc3-event', [schedule]);
    await ship('fg-timer', 'fg-event', [schedule]);
    await ship('aws-timer', 'lambda', [schedule]);
    await ship('py-fc-timer', 'fc-event', [schedule], 'python');
    await ship('py-fc3-timer', 'fc3-event', [schedule], 'python');
    await ship('py-fg-timer', 'fg-event', [schedule], 'python');
    await ship('py-aws-timer', 'lambda', [schedule], 'python');
    expect(runtime.tick()).toEqual([]); // the scheduler counts from when it first sees a trigger
    now = Date.parse('2026-03-01T09:00:05Z');
    expect(
      runtime
        .tick()
        .map((f) => f.function)
        .sort(),
    ).toEqual([
      'aws-timer',
      'fc-timer',
      'fc3-timer',
      'fg-timer',
      'py-aws-timer',
      'py-fc-timer',
      'py-fc3-timer',
      'py-fg-timer',
    ]);
    for (const name of ['fc-timer', 'fc3-timer', 'py-fc-timer', 'py-fc3-timer'])
      expect(await received(name)).toEqual({
        triggerTime: '2026-03-01T09:00:00.000Z',
        triggerName: 'nightly',
        payload: '{"job":"report"}',
      });
    for (const name of ['fg-timer', 'py-fg-timer'])
      expect(await received(name)).toEqual({
        version: 'v1.0',
        time: '2026-03-01T09:00:00.000Z',
        trigger_type: 'TIMER',
        trigger_name: 'nightly',
        user_event: '{"job":"report"}',
      });
    const aws = await received('aws-timer');
    expect(aws).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-03-01T09:00:00.000Z',
      resources: ['arn:aws:events:local:000000000000:rule/nightly'],
    });
    // Both workers build the same event, but for the event's own id.
    expect(await received('py-aws-timer')).toEqual({ ...aws, id: expect.any(String) });
  });

  test('a bucket write reaches them as OSS, OBS and S3 events', async () => {
    const storage = { storage: { bucket: 'photos', prefix: 'in/' } };
    await ship('fc-oss', 'fc-event', [storage]);
    await ship('fg-obs', 'fg-event', [storage]);
    await ship('aws-s3', 'lambda', [storage]);
    await ship('py-fc-oss', 'fc-event', [storage], 'python');
    await ship('py-fg-obs', 'fg-event', [storage], 'python');
    await ship('py-aws-s3', 'lambda', [storage], 'python');
    await putObject('photos', 'in/my%20cat.png', 'meow');
    const oss = (await received('fc-oss')) as { events: Array<Record<string, any>> };
    expect(oss.events[0]).toMatchObject({
      eventName: 'ObjectCreated:PutObject',
      eventSource: 'acs:oss',
      oss: { bucket: { name: 'photos' }, object: { key: 'in/my cat.png', size: 4 } },
    });
    // The same event from the Python worker, but for its own delivery's time and id.
    const [first] = oss.events;
    expect(await received('py-fc-oss')).toEqual({
      events: [
        { ...first, eventTime: expect.any(String), responseElements: { requestId: expect.any(String) } },
      ],
    });
    for (const name of ['fg-obs', 'aws-s3', 'py-fg-obs', 'py-aws-s3']) {
      const s3 = (await received(name)) as { Records: Array<Record<string, any>> };
      expect(s3.Records[0]).toMatchObject({
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'photos' }, object: { key: 'in/my+cat.png', size: 4 } },
      });
    }
  });

  test('an FC 3.0 handler (providers.local.contract: fc3-event) serves HTTP at its URL as the v1 event', async () => {
    await ship('fc3-web', 'fc3-event', [{ http: {} }]);
    const res = await fetch(`${runtime.url}/fc3-web/orders?x=1`, { method: 'POST', body: 'two sugars' });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('fc3-web POST /orders two sugars');
  });
});
