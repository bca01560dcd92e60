import {
  type ShimProcess,
  type ShimTarget,
  type ShimTrigger,
  startShimProcess,
  testShim,
} from '@faasport/core/testing';
import { shimFileName, shimSource } from '../src/runtime';

// FC 2.0's native shapes, as its Node.js runtime hands them to `__faasport_fc.mjs`: an HTTP trigger calls
// `httpHandler(req, resp, context)` (req a readable stream with headers, path, queries, method; reference
// Part A14), an event calls `eventHandler(event: Buffer, context, callback)`.
const driver = `
import { Readable } from 'node:stream';
const shim = await import('./${shimFileName}');
const context = (name) => ({ requestId: 'fc-' + Math.random().toString(16).slice(2), function: { name, timeout: 10 }, service: { qualifier: 'LATEST' } });
async function handle(input) {
  if (input.op === 'http') {
    const body = Buffer.from(input.req.body64, 'base64');
    const req = Object.assign(Readable.from(body.length ? [body] : []), input.req);
    const out = { status: 200, headers: {}, body64: '' };
    const resp = {
      setStatusCode: (status) => (out.status = status),
      setHeader: (name, value) => (out.headers[name.toLowerCase()] = value),
      send: (data) => (out.body64 = Buffer.from(data).toString('base64')),
    };
    await shim.httpHandler(req, resp, context(process.env.FN_NAME));
    return out;
  }
  const result = await new Promise((resolve, reject) =>
    shim.eventHandler(Buffer.from(input.event64, 'base64'), context(process.env.FN_NAME), (error, value) => (error ? reject(error) : resolve(value))),
  );
  return Buffer.from(result).toString('base64');
}
`;

/**
 * The event FC hands the shim: a timer event (reference fc-and-functiongraph-apis.md, "Timer event delivered
 * to the function"), an OSS notification (the shape the local runtime's FC host delivers too), or the payload.
 */
function nativeEvent(trigger: ShimTrigger): unknown {
  switch (trigger.kind) {
    case 'schedule':
      return { triggerTime: trigger.time, triggerName: trigger.name, payload: trigger.payload };
    case 'storage':
      return {
        events: [
          {
            eventName: trigger.deleted ? 'ObjectRemoved:DeleteObject' : 'ObjectCreated:PutObject',
            eventSource: 'acs:oss',
            eventTime: trigger.time,
            region: 'cn-hangzhou',
            oss: {
              bucket: { name: trigger.bucket },
              object: { key: trigger.key, size: trigger.size, eTag: 'e1' },
            },
          },
        ],
      };
    case 'invoke':
      return trigger.payload;
    case 'cloudevent':
      return trigger.event;
  }
}

const fc: ShimTarget = {
  name: 'fc',
  attributes: {
    schedule: (name) => ({ source: `fc:timer/${name}`, subject: name }),
    storage: (bucket) => ({ source: `fc:oss/${bucket}` }),
    invoke: (functionName) => ({ source: `fc:function/${functionName}` }),
  },
  async start(fn) {
    const process: ShimProcess = await startShimProcess({
      files: { ...fn.files, [shimFileName]: shimSource() },
      driver,
      env: {
        FAASPORT_HANDLER: fn.handler,
        FAASPORT_CONTRACT: fn.contract,
        FAASPORT_REVISION: fn.revision,
        FN_NAME: fn.functionName,
      },
    });
    return {
      async http(request) {
        const queries: Record<string, string | string[]> = {};
        for (const [name, value] of request.query) {
          const seen = queries[name];
          queries[name] = seen === undefined ? value : [...([] as string[]).concat(seen), value];
        }
        const out = await process.call<{
          status: number;
          headers: Record<string, string | string[]>;
          body64: string;
        }>({
          op: 'http',
          req: {
            method: request.method,
            path: request.path,
            queries,
            headers: request.headers,
            clientIP: '10.0.0.1',
            url: request.path,
            body64: Buffer.from(request.body ?? new Uint8Array()).toString('base64'),
          },
        });
        const { 'set-cookie': cookies, ...headers } = out.headers;
        return {
          status: out.status,
          headers: headers as Record<string, string>,
          cookies: cookies === undefined ? [] : ([] as string[]).concat(cookies),
          body: new Uint8Array(Buffer.from(out.body64, 'base64')),
        };
      },
      async deliver(trigger) {
        const event64 = Buffer.from(JSON.stringify(nativeEvent(trigger))).toString('base64');
        return new Uint8Array(Buffer.from(await process.call<string>({ op: 'event', event64 }), 'base64'));
      },
      close: () => process.close(),
    };
  },
};

testShim(fc);
