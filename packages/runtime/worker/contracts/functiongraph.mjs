// Huawei Cloud FunctionGraph's native Node.js contract in the Node worker: `fg-event`, a handler
// `(event, context)` with FunctionGraph's context methods (reference fc-and-functiongraph-apis.md,
// "context methods"); APIG calls arrive as APIG trigger events and answer
// `{statusCode, headers, body, isBase64Encoded}`.
import { formattedLogger } from '../calls.mjs';
import {
  callWithCallback,
  jsonResponse,
  nativeTriggerEvent,
  parseJsonOrText,
  payloadText,
  resultBytes,
  s3Record,
  scheduleName,
  structuredHttpResult,
} from './shared.mjs';

/** FunctionGraph's context object. */
export function fgContext(fn, message) {
  const spec = fn.spec;
  const extra = message.context ?? {};
  const logger = formattedLogger();
  const userData = { ...fn.env, ...extra.userData };
  return {
    getRequestID: () => message.rid,
    getRemainingTimeInMilliSeconds: () => Math.max(0, message.deadline - Date.now()),
    getAccessKey: () => extra.accessKey ?? '',
    getSecretKey: () => extra.secretKey ?? '',
    getSecurityAccessKey: () => extra.securityAccessKey ?? '',
    getSecuritySecretKey: () => extra.securitySecretKey ?? '',
    getSecurityToken: () => extra.securityToken ?? '',
    getToken: () => extra.token ?? '',
    getUserData: (key) => userData[key],
    getFunctionName: () => spec.functionName,
    getRunningTimeInSeconds: () => Math.round(spec.timeoutMs / 1000),
    getVersion: () => extra.version ?? spec.revision,
    getMemorySize: () => spec.memoryMb,
    getCPUNumber: () => extra.cpu ?? Math.max(1, Math.round(spec.memoryMb / 128) * 100),
    getProjectID: () => extra.projectId ?? '',
    getPackage: () => extra.package ?? 'default',
    getAlias: () => extra.alias ?? '',
    getLogger: () => logger,
  };
}

async function fgApigCall(fn, message) {
  const url = new URL(message.url);
  const headers = {};
  for (const [key, value] of message.headers) headers[key.toLowerCase()] = value;
  const query = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const event = {
    body: Buffer.from(message.body ?? new Uint8Array()).toString('base64'),
    isBase64Encoded: true,
    requestContext: { apiId: 'local', requestId: message.rid, stage: 'RELEASE' },
    queryStringParameters: query,
    pathParameters: {},
    httpMethod: message.method,
    path: decodeURIComponent(url.pathname),
    headers,
  };
  const result = await callWithCallback(fn.handler, [event, fgContext(fn, message)]);
  if (!result || typeof result !== 'object' || typeof result.statusCode !== 'number') {
    return jsonResponse(500, {
      error: {
        code: 'FunctionError',
        message: 'an APIG-triggered function must return {statusCode, headers, body, isBase64Encoded}',
      },
    });
  }
  return structuredHttpResult(result);
}

/** FunctionGraph's TIMER event and OBS notification (S3-style records). */
function fgTriggerEvent(event, kind) {
  if (kind === 'schedule')
    return {
      version: 'v1.0',
      time: event.time,
      trigger_type: 'TIMER',
      trigger_name: scheduleName(event),
      user_event: payloadText(event.data),
    };
  return {
    Records: [s3Record(event, kind, kind === 'deleted' ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put')],
  };
}

export const hosts = {
  'fg-event': {
    http: fgApigCall,
    async event(fn, message, payload) {
      const event = parseJsonOrText(nativeTriggerEvent(payload, fgTriggerEvent));
      const result = await callWithCallback(fn.handler, [event, fgContext(fn, message)]);
      return { t: 'eres', body: resultBytes(result) };
    },
    initContext: fgContext,
  },
};
