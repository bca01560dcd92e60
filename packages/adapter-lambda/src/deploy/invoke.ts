/** Invoking a Lambda function through the Invoke API, with function-URL-shaped events for HTTP. */
import { GetAliasCommand, InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { InvokeError, type InvokeOptions, NotFoundError } from '@faasport/core';
import { functionUrlEvent } from '../runtime/function-url';
import { isNotFound, type LambdaApi, mainAlias, toFaasportError } from './context';
import { labelOf, listVersions } from './live';

/** The qualifier an invocation goes to: a version (by label), a tag alias, the main alias, or `$LATEST`. */
export async function qualifierFor(api: LambdaApi, name: string, options: InvokeOptions): Promise<string> {
  if (options.revision) {
    const v = [...(await listVersions(api, name))].reverse().find((x) => labelOf(x) === options.revision);
    if (!v)
      throw new InvokeError({
        functionName: name,
        message: `revision ${JSON.stringify(options.revision)} does not exist`,
        adapter: 'lambda',
      });
    return v.Version!;
  }
  if (options.tag) return options.tag;
  try {
    await api.lambda.send(new GetAliasCommand({ FunctionName: name, Name: mainAlias }));
    return mainAlias;
  } catch (error) {
    if (!isNotFound(error)) throw toFaasportError('GetAlias', error);
    return '$LATEST';
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Invokes a function: HTTP requests as function-URL events, event mode with the body as the event. Function errors become InvokeError. */
export async function invoke(
  api: LambdaApi,
  name: string,
  request: Request,
  options: InvokeOptions = {},
): Promise<Response> {
  const qualifier = await qualifierFor(api, name, options);
  const body = new Uint8Array(await request.arrayBuffer());
  const eventMode = options.mode === 'event';
  let payload: unknown;
  if (eventMode) {
    const text = new TextDecoder().decode(body);
    payload = text === '' ? {} : parseJson(text);
  } else
    payload = functionUrlEvent(request, body, {
      requestId: crypto.randomUUID(),
      apiId: 'faasport-invoke',
    });
  let out: InvokeCommandOutput;
  try {
    out = await api.lambda.send(
      new InvokeCommand({
        FunctionName: name,
        Qualifier: qualifier,
        InvocationType: options.async ? 'Event' : 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
      options.signal ? { abortSignal: options.signal as never } : {},
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException' && qualifier === '$LATEST')
      throw new NotFoundError({ functionName: name, target: api.o.target, adapter: 'lambda' });
    throw toFaasportError('Invoke', error);
  }
  const requestId = out.$metadata.requestId ?? '';
  if (options.async)
    return new Response(JSON.stringify({ requestId }), {
      status: 202,
      headers: { 'content-type': 'application/json', 'x-amz-request-id': requestId },
    });
  const text = new TextDecoder().decode(out.Payload ?? new Uint8Array());
  if (out.FunctionError) {
    const parsed = parseJson(text) as { errorMessage?: string; errorType?: string };
    throw new InvokeError({
      functionName: name,
      message:
        typeof parsed === 'object' && parsed?.errorMessage
          ? `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage} (request id ${requestId})`
          : `${text} (request id ${requestId})`,
      status: 502,
      functionError: typeof parsed === 'object' && parsed?.errorType ? parsed.errorType : out.FunctionError,
      adapter: 'lambda',
    });
  }
  const base = { 'x-amz-request-id': requestId, 'x-amz-executed-version': out.ExecutedVersion ?? '' };
  const answer = parseJson(text) as
    | {
        statusCode?: number;
        headers?: Record<string, string>;
        cookies?: string[];
        body?: string;
        isBase64Encoded?: boolean;
      }
    | undefined;
  if (!eventMode && answer && typeof answer === 'object' && typeof answer.statusCode === 'number') {
    const bytes = answer.isBase64Encoded
      ? Buffer.from(answer.body ?? '', 'base64')
      : Buffer.from(answer.body ?? '');
    const headers = new Headers({ ...(answer.headers ?? {}), ...base });
    for (const cookie of answer.cookies ?? []) headers.append('set-cookie', cookie);
    const nullBody = answer.statusCode === 204 || answer.statusCode === 304 || request.method === 'HEAD';
    return new Response(nullBody ? null : bytes, { status: answer.statusCode, headers });
  }
  const json = parseJson(text) !== text;
  return new Response(text, {
    status: 200,
    headers: { 'content-type': json ? 'application/json' : 'text/plain; charset=utf-8', ...base },
  });
}
