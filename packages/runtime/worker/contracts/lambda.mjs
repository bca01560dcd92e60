// AWS Lambda's native Node.js contract in the Node worker: `lambda`, a handler `(event, context)`;
// HTTP calls arrive as function URL events (payload format 2.0) and EventBridge schedules and S3
// notifications in their own shapes.
import {
  callWithCallback,
  nativeTriggerEvent,
  parseJsonOrText,
  resultBytes,
  s3Record,
  scheduleName,
  structuredHttpResult,
} from './shared.mjs';

function lambdaContext(fn, message) {
  const spec = fn.spec;
  return {
    awsRequestId: message.rid,
    functionName: spec.functionName,
    functionVersion: spec.revision,
    memoryLimitInMB: String(spec.memoryMb),
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${spec.functionName}`,
    logGroupName: `/aws/lambda/${spec.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    ...message.context,
  };
}

async function lambdaUrlCall(fn, message) {
  const url = new URL(message.url);
  const headers = {};
  const cookies = [];
  for (const [key, value] of message.headers) {
    const name = key.toLowerCase();
    if (name === 'cookie') cookies.push(...value.split(/;\s*/));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const body = Buffer.from(message.body ?? new Uint8Array());
  const now = Date.now();
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: cookies.length ? cookies : undefined,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: url.host,
      http: {
        method: message.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: message.clientIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: message.rid,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
  const result = await callWithCallback(fn.handler, [event, lambdaContext(fn, message)]);
  if (result && typeof result === 'object' && typeof result.statusCode === 'number')
    return structuredHttpResult(result);
  // A function URL sends a plain string as JSON, like anything else that is not a structured result.
  if (result === undefined || result === null) return { t: 'res', status: 200, headers: [], body: null };
  return {
    t: 'res',
    status: 200,
    headers: [['content-type', 'application/json']],
    body: resultBytes(result),
  };
}

/** An EventBridge scheduled event, or an S3 notification. */
function lambdaTriggerEvent(event, kind) {
  if (kind === 'schedule')
    return {
      version: '0',
      id: event.id,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: event.time,
      region: 'local',
      resources: [`arn:aws:events:local:000000000000:rule/${scheduleName(event)}`],
      detail: {},
    };
  return {
    Records: [s3Record(event, kind, kind === 'deleted' ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put')],
  };
}

export const hosts = {
  lambda: {
    http: lambdaUrlCall,
    async event(fn, message, payload) {
      const event = parseJsonOrText(nativeTriggerEvent(payload, lambdaTriggerEvent));
      const result = await callWithCallback(fn.handler, [event, lambdaContext(fn, message)]);
      return { t: 'eres', body: resultBytes(result) };
    },
  },
};
