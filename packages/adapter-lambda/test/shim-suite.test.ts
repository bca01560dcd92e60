import { handlerShimTarget, proxyResultBody, type ShimTrigger, testShim } from '@faasport/core/testing';
import { expect } from 'vitest';
import { type FunctionUrlResult, shimFileName, shimSource } from '../src/runtime';

// Lambda's native shape: its Node.js runtime imports `faasport_shim.mjs` and awaits `handler(event, context)`;
// a function URL hands over a payload 2.0 event and takes `{statusCode, headers, cookies, body,
// isBase64Encoded}` back (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads).
const loader = `
const shim = await import('./${shimFileName}');
const context = {
  awsRequestId: 'req-' + Math.random().toString(16).slice(2),
  functionName: process.env.FN_NAME,
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 10000,
};
`;

/** The event Lambda hands the shim for a trigger: faasport's Scheduler input, an S3 record, or the payload. */
function nativeEvent(trigger: ShimTrigger): unknown {
  switch (trigger.kind) {
    case 'schedule': {
      let payload: unknown = trigger.payload;
      try {
        payload = JSON.parse(trigger.payload);
      } catch {}
      return {
        faasport: 'schedule',
        schedule: `arn:aws:scheduler:us-east-1:123456789012:schedule/default/${trigger.name}`,
        time: trigger.time,
        id: 'exec-1',
        payload,
      };
    }
    case 'storage':
      return {
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: 'us-east-1',
            eventTime: trigger.time,
            eventName: trigger.deleted ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put',
            s3: {
              s3SchemaVersion: '1.0',
              bucket: { name: trigger.bucket, arn: `arn:aws:s3:::${trigger.bucket}` },
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

const lambda = handlerShimTarget<FunctionUrlResult>({
  name: 'lambda',
  attributes: {
    schedule: (name) => ({ source: `lambda:scheduler/${name}`, subject: name }),
    storage: (bucket) => ({ source: `lambda:s3/${bucket}` }),
    invoke: (functionName) => ({ source: `lambda:function/${functionName}` }),
  },
  shimFileName,
  shimSource,
  loader,
  httpEvent(request) {
    const { cookie, ...headers } = request.headers;
    const body = request.body ?? new Uint8Array();
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: request.path,
      rawQueryString: new URLSearchParams(request.query).toString(),
      ...(cookie ? { cookies: cookie.split(/;\s*/) } : {}),
      headers: { host: 'abc.lambda-url.us-east-1.on.aws', ...headers },
      requestContext: {
        domainName: 'abc.lambda-url.us-east-1.on.aws',
        http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        requestId: 'r-1',
      },
      ...(body.length ? { body: Buffer.from(body).toString('base64') } : {}),
      isBase64Encoded: body.length > 0,
    };
  },
  httpAnswer: (result) => ({
    status: result.statusCode,
    headers: result.headers,
    cookies: result.cookies ?? [],
    body: proxyResultBody(result),
  }),
  triggerEvent: nativeEvent,
});

testShim(lambda, {
  instead: {
    'web-error': {
      reason:
        'a handler that throws fails the invocation, and the function URL, not the shim, answers the client (502)',
      async check({ web, get }) {
        await expect(web.http(get('/', [['mode', 'throw']]))).rejects.toThrow(/handler broke/);
      },
    },
  },
});
