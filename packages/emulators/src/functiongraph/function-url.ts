/**
 * Function URLs: `GET|POST|PUT|DELETE /v2/{project_id}/fgs/functions/{function_urn}/function-url`
 * (huaweicloud-sdk-go-v3 services/functiongraph/v2: CreateFunctionUrl, ShowFunctionUrl, UpdateFunctionUrl,
 * DeleteFunctionUrl; bodies in model_function_url_request_body.go and model_show_function_url_response.go).
 * The URL is served at `/_url/{token}`; what it hands the function is the APIG trigger's event and answer
 * contract, which is our assumption, not a documented fact.
 */
import { randomUUID } from 'node:crypto';
import { checkBody, functionUrlBody } from './bodies';
import type { EmuState } from './context';
import { FgApiError } from './errors';
import { type FunctionState, type FunctionUrlState, fgTime } from './state';
import { snapshotOf } from './views';

/** The response body of the function URL endpoints. */
function urlView(em: EmuState, url: FunctionUrlState) {
  return {
    auth_type: url.auth_type,
    cors: url.cors,
    function_url: `${em.url}/_url/${url.token}`,
    create_time: url.create_time,
    last_modified_time: url.last_modified_time,
  };
}

const notFound = () => new FgApiError(404, 'FSS.1051', 'The function URL does not exist.');

/** Serves the function URL endpoints of one function and qualifier. */
export function functionUrlApi(
  em: EmuState,
  method: string,
  fn: FunctionState,
  qualifier: string,
  body: unknown,
): { status: number; body?: unknown } {
  // The qualifier must exist (a version or alias), as for triggers.
  if (qualifier !== 'latest') snapshotOf(fn, qualifier);
  const have = fn.urls.get(qualifier);
  if (method === 'GET') {
    if (!have) throw notFound();
    return { status: 200, body: urlView(em, have) };
  }
  if (method === 'DELETE') {
    if (!have) throw notFound();
    fn.urls.delete(qualifier);
    return { status: 204 };
  }
  const b = checkBody(body, functionUrlBody);
  const cors = (b.cors as FunctionUrlState['cors'] | undefined) ?? null;
  if (method === 'POST') {
    if (have) throw new FgApiError(409, 'FSS.0409', 'The function URL already exists.');
    const now = fgTime();
    const url: FunctionUrlState = {
      auth_type: b.auth_type as string,
      cors,
      token: randomUUID().replace(/-/g, ''),
      create_time: now,
      last_modified_time: now,
    };
    fn.urls.set(qualifier, url);
    return { status: 200, body: urlView(em, url) };
  }
  if (!have) throw notFound();
  have.auth_type = b.auth_type as string;
  have.cors = cors;
  have.last_modified_time = fgTime();
  return { status: 200, body: urlView(em, have) };
}

/** The function and qualifier a `/_url/{token}` request goes to. */
export function findFunctionUrl(
  em: EmuState,
  token: string,
): { fn: FunctionState; qualifier: string; url: FunctionUrlState } | undefined {
  for (const fn of em.functions.values())
    for (const [qualifier, url] of fn.urls) if (url.token === token) return { fn, qualifier, url };
  return undefined;
}
