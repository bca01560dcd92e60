/** Synchronous and asynchronous invocations, with weighted alias routing. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EmuState } from './context';
import { fgErrors } from './errors';
import type { CallInfo } from './execution';
import type { ConfigState, FunctionState } from './state';
import { snapshotOf } from './views';

/** Picks the version an alias call runs: the additional version with its weight, else the main one. */
export function route(
  em: EmuState,
  fn: FunctionState,
  qualifier: string | undefined,
): { qualifier: string | undefined; alias?: string } {
  const { random } = em;
  if (!qualifier?.startsWith('!')) return { qualifier };
  const alias = fn.aliases.get(qualifier.slice(1));
  if (!alias) throw fgErrors.aliasNotFound(qualifier.slice(1));
  const extra = Object.entries(alias.additional_version_weights ?? {})[0];
  if (extra && random() * 100 < extra[1]) return { qualifier: extra[0], alias: alias.name };
  return { qualifier: alias.version, alias: alias.name };
}

/** Runs a function at a qualifier (routing aliases by weight) with an event payload. */
export async function execute(
  em: EmuState,
  fn: FunctionState,
  qualifier: string | undefined,
  payload: Uint8Array,
  requestId: string,
) {
  const { projectId, region, execution } = em;
  const routed = route(em, fn, qualifier);
  const snap = snapshotOf(fn, routed.qualifier);
  const info: CallInfo = {
    functionName: fn.name,
    package: fn.package,
    version: snap.version,
    ...(routed.alias ? { alias: routed.alias } : {}),
    projectId,
    region,
  };
  const executable = await execution.executable(snap.config, snap.code, info).catch((e: Error) => {
    throw fgErrors.internal(`The function cannot be started: ${e.message}`);
  });
  const headers = cffHeaders(snap.config, info, requestId);
  const result = await executable.invokeEvent(payload, {
    requestId,
    headers,
    context: {
      version: snap.version,
      alias: routed.alias ?? '',
      package: fn.package,
      projectId,
      functionName: fn.name,
    },
  });
  return { result, version: snap.version };
}

/** The X-CFF-* context headers FunctionGraph sends custom images and HTTP functions. */
export function cffHeaders(config: ConfigState, info: CallInfo, requestId: string): Record<string, string> {
  return {
    'X-CFF-Request-Id': requestId,
    'X-CFF-Memory': String(config.memory_size),
    'X-CFF-Timeout': String(config.timeout),
    'X-CFF-Func-Version': info.version,
    'X-CFF-Func-Name': info.functionName,
    'X-CFF-Project-Id': info.projectId,
    'X-CFF-Package': info.package,
    'X-CFF-Region': info.region,
  };
}

/** POST .../invocations: runs the function and answers the v1 envelope or, for v0, the raw result. */
export async function invokeSync(
  em: EmuState,
  fn: FunctionState,
  qualifier: string | undefined,
  body: unknown,
  req: IncomingMessage,
) {
  const requestId = randomUUID();
  const payload = new TextEncoder().encode(body === undefined ? '' : JSON.stringify(body));
  const { result, version } = await execute(em, fn, qualifier, payload, requestId);
  const text = new TextDecoder().decode(result.body);
  const log = result.logs.join('\n');
  const headers: Record<string, string> = {
    'X-Cff-Request-Id': requestId,
    'X-Cff-Func-Version': version,
    'X-CFF-Billing-Duration': String(Math.ceil(result.durationMs)),
    'X-Func-Err-Code': result.error ? '1' : '0',
    'X-Is-Func-Err': result.error ? 'true' : 'false',
  };
  if (req.headers['x-cff-log-type'] === 'tail')
    headers['X-Cff-Function-Log'] = Buffer.from(log.slice(-2000)).toString('base64');
  // How a function error looks in the v1 envelope is not verified; the emulator reports it the way
  // the Node.js runtime formats errors (errorMessage / errorType / stackTrace) with the error headers set.
  const output = result.error
    ? JSON.stringify({
        errorMessage: result.error.message,
        errorType: result.error.type ?? 'Error',
        stackTrace: (result.error.stack ?? '').split('\n'),
      })
    : text;
  const version1 = String(req.headers['x-cff-request-version'] ?? '').toLowerCase() === 'v1';
  if (version1) {
    headers['X-Cff-Response-Version'] = 'v1';
    return {
      status: 200,
      headers,
      body: { request_id: requestId, result: output, log, status: result.error ? 500 : 200 },
    };
  }
  return {
    status: 200,
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from(output),
  };
}

/** POST .../invocations-async: answers 202 with a request id and runs the function in the background. */
export async function invokeAsync(
  em: EmuState,
  fn: FunctionState,
  qualifier: string | undefined,
  body: unknown,
) {
  const { pending } = em;
  if (snapshotOf(fn, qualifier).config.runtime === 'http') {
    throw fgErrors.invalidParameter('HTTP functions cannot be invoked asynchronously.');
  }
  const requestId = randomUUID();
  const payload = new TextEncoder().encode(body === undefined ? '' : JSON.stringify(body));
  const run = execute(em, fn, qualifier, payload, requestId).catch(() => undefined);
  pending.add(run);
  void run.finally(() => pending.delete(run));
  return { status: 202, body: { request_id: requestId } };
}
