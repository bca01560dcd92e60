import { handlerShimTarget, proxyResultBody, type ShimTrigger, testShim } from '@faasport/core/testing';
import { expect } from 'vitest';
import { shimFileName, shimSource } from '../src/runtime';

// FunctionGraph's native shape: its Node.js runtime requires `faasport_shim.js` and calls
// `handler(event, context)`; an APIG trigger's event carries the request with a base64 body, and the
// function answers `{statusCode, headers, body, isBase64Encoded}` (reference fc-and-functiongraph-apis.md,
// "APIG trigger event").
const loader = `
import { createRequire } from 'node:module';
const shim = createRequire(import.meta.url)('./${shimFileName}');
const context = {
  getRequestID: () => 'fg-' + Math.random().toString(16).slice(2),
  getRemainingTimeInMilliSeconds: () => 10000,
  getFunctionName: () => process.env.FN_NAME,
  getVersion: () => 'latest',
};
`;

/** The event FunctionGraph hands the shim for a trigger: a TIMER event, an OBS record, or the payload. */
function nativeEvent(trigger: ShimTrigger): unknown {
  switch (trigger.kind) {
    case 'schedule':
      return {
        version: 'v1.0',
        time: trigger.time,
        trigger_type: 'TIMER',
        trigger_name: trigger.name,
        user_event: trigger.payload,
      };
    case 'storage':
      return {
        Records: [
          {
            eventVersion: '2.0',
            eventSource: 'aws:s3',
            eventTime: trigger.time,
            eventName: trigger.deleted ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put',
            s3: {
              s3SchemaVersion: '1.0',
              bucket: { name: trigger.bucket },
              object: trigger.deleted
                ? { key: trigger.key }
                : { key: trigger.key, size: trigger.size, eTag: 'e1' },
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

/** The result APIG takes from the function: one value per header name. */
interface ApigResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

const functionGraph = handlerShimTarget<ApigResult>({
  name: 'functiongraph',
  attributes: {
    schedule: (name) => ({ source: `functiongraph:timer/${name}`, subject: name }),
    storage: (bucket) => ({ source: `functiongraph:obs/${bucket}` }),
    invoke: (functionName) => ({ source: `functiongraph:function/${functionName}` }),
  },
  shimFileName,
  shimSource,
  loader,
  httpEvent: (request) => ({
    body: Buffer.from(request.body ?? new Uint8Array()).toString('base64'),
    isBase64Encoded: true,
    requestContext: { apiId: 'api-1', requestId: 'r-1', stage: 'RELEASE' },
    queryStringParameters: Object.fromEntries(new URLSearchParams(request.query)),
    pathParameters: {},
    httpMethod: request.method,
    path: request.path,
    headers: request.headers,
  }),
  httpAnswer(result) {
    const { 'set-cookie': cookie, ...headers } = result.headers;
    return {
      status: result.statusCode,
      headers,
      cookies: cookie === undefined ? [] : [cookie],
      body: proxyResultBody(result),
    };
  },
  triggerEvent: nativeEvent,
});

testShim(functionGraph, {
  instead: {
    'web-cookies': {
      reason:
        'the APIG result has one value per header name (`headers: {name: value}`), so it carries one Set-Cookie',
      async check({ web, get }) {
        const answer = await web.http(get('/', [['mode', 'cookies']]));
        expect(answer.status).toBe(201);
        expect(answer.cookies).toHaveLength(1);
      },
    },
    'web-error': {
      reason: 'a handler that throws fails the invocation; APIG, not the shim, answers the client',
      async check({ web, get }) {
        await expect(web.http(get('/', [['mode', 'throw']]))).rejects.toThrow(/handler broke/);
      },
    },
  },
});
