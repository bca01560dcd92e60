/**
 * Running functions: the Invoke API (`POST /2015-03-31/functions/{FunctionName}/invocations`, headers
 * `X-Amz-Invocation-Type`, answers `X-Amz-Function-Error` and `X-Amz-Executed-Version`, API_Invoke) and
 * function URLs (payload format 2.0, urls-invocation.html). Aliases pick a version by their weights.
 */
import { randomUUID } from 'node:crypto';
import { type ApiAnswer, functionArnOf, type LambdaEmuState } from './context';
import { lambdaErrors } from './errors';
import { pickVersion } from './functions-api';
import type { FunctionState } from './state';

/** One delivery of a trigger (schedule, queue) or an invocation: what ran and what it answered. @public */
export interface LambdaDelivery {
  function: string;
  version: string;
  /** The handler's result, as text (JSON for values). */
  result: string;
  /** Set when the handler threw. */
  error?: string;
}

/** Runs one version with an event payload; the result in Lambda's terms. */
export async function runEvent(
  em: LambdaEmuState,
  fn: FunctionState,
  qualifier: string | undefined,
  payload: Uint8Array,
): Promise<{
  version: string;
  body: Uint8Array;
  error?: { errorMessage: string; errorType: string; stackTrace?: string[] };
}> {
  const { config, code } = pickVersion(em, fn, qualifier);
  const requestId = randomUUID();
  try {
    const exe = await em.execution.executable(config, code);
    const result = await exe.invokeEvent(payload, {
      requestId,
      context: { invokedFunctionArn: functionArnOf(em, fn.name, qualifier), functionVersion: config.Version },
    });
    if (result.error)
      return {
        version: config.Version,
        body: result.body,
        error: {
          errorMessage: result.error.message,
          errorType: result.error.type ?? 'Error',
          ...(result.error.stack ? { stackTrace: result.error.stack.split('\n') } : {}),
        },
      };
    return { version: config.Version, body: result.body };
  } catch (e) {
    const message = (e as Error).message;
    const timeout = (e as { kind?: string }).kind === 'timeout';
    return {
      version: config.Version,
      body: new Uint8Array(),
      error: timeout
        ? {
            errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${config.Timeout}.00 seconds`,
            errorType: 'Sandbox.Timedout',
          }
        : { errorMessage: message, errorType: 'Runtime.EmulatorError' },
    };
  }
}

/** The Invoke API. */
export async function invokeApi(
  em: LambdaEmuState,
  fn: FunctionState,
  qualifier: string | undefined,
  type: string,
  payload: Uint8Array,
): Promise<ApiAnswer> {
  if (payload.length > 6 * 1024 * 1024)
    throw lambdaErrors.tooLarge(
      'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    );
  if (type === 'Event') {
    if (payload.length > 1024 * 1024)
      throw lambdaErrors.tooLarge(
        'Request must be smaller than 1048576 bytes for the InvokeFunction operation',
      );
    const run = runEvent(em, fn, qualifier, payload).catch(() => undefined);
    em.pending.add(run);
    void run.finally(() => em.pending.delete(run));
    return { status: 202, body: new Uint8Array() };
  }
  if (type === 'DryRun') return { status: 204 };
  if (type !== 'RequestResponse') throw lambdaErrors.invalidParameter(`Unsupported invocation type ${type}`);
  const out = await runEvent(em, fn, qualifier, payload);
  const headers = { 'X-Amz-Executed-Version': out.version, 'content-type': 'application/json' };
  if (out.error)
    return {
      status: 200,
      body: new TextEncoder().encode(JSON.stringify(out.error)),
      headers: { ...headers, 'X-Amz-Function-Error': 'Unhandled' },
    };
  return { status: 200, body: out.body.length ? out.body : new TextEncoder().encode('null'), headers };
}

/** A function URL call: the version behind its qualifier answers the request as a function-URL event. */
export async function urlCall(
  em: LambdaEmuState,
  fn: FunctionState,
  qualifier: string,
  request: Request,
): Promise<Response> {
  const { config, code } = pickVersion(em, fn, qualifier === '$LATEST' ? undefined : qualifier);
  try {
    const exe = await em.execution.executable(config, code);
    return await exe.fetch(request, { requestId: randomUUID() });
  } catch (e) {
    // A function URL answers 502 when the function fails, with this body.
    return new Response(
      JSON.stringify({ Message: (e as Error).message ? 'Internal Server Error' : 'Internal Server Error' }),
      {
        status: 502,
        headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': 'InternalServerErrorException' },
      },
    );
  }
}
