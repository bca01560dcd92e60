/**
 * faasport's entry for FunctionGraph custom images, the first file of the images faasport builds for
 * FunctionGraph: an HTTP server on port 8000, the one port the platform calls, serving its
 * custom-image contract with the FunctionGraph shim (reference B12; Huawei Cloud "Creating a Function
 * from a Container Image": https://support.huaweicloud.com/intl/en-us/usermanual-functiongraph/functiongraph_01_0345.html):
 * `POST /init` once per instance (the initializer), `POST /invoke` an event call (the event as the
 * JSON body, its context in `X-CFF-*` headers), and any other request an HTTP function call, forwarded
 * as it came (here through the shim's APIG path, so both reach the handler the same way). The shim's
 * settings come from `FAASPORT_SHIM_CONFIG`; the user's code lies beside this file. Bundled with the
 * shim into one file by `npm run bundle-shim -w packages/adapter-functiongraph`.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type ContainerRequest,
  exportedFunction,
  fromBase64,
  headerOf,
  readBodyBytes,
  toBase64,
} from '@faasport/core/handler';
import { type ApigResult, createFunctionGraphShim, type FunctionGraphContext, type ShimConfig } from './shim';

const PORT = 8000;
const env = process.env;
const config = JSON.parse(env.FAASPORT_SHIM_CONFIG ?? '{}') as ShimConfig;
const load = (file: string) => import(pathToFileURL(join(__dirname, file)).href);
const shim = createFunctionGraphShim(config, load);

/** FunctionGraph's context object from the `X-CFF-*` headers of a call. */
function contextOf(req: ContainerRequest): FunctionGraphContext {
  const timeoutMs = (Number(headerOf(req, 'x-cff-timeout')) || 30) * 1000;
  const deadline = Date.now() + timeoutMs;
  return {
    getRequestID: () => headerOf(req, 'x-cff-request-id') ?? '',
    getRemainingTimeInMilliSeconds: () => Math.max(0, deadline - Date.now()),
    getFunctionName: () => headerOf(req, 'x-cff-func-name') ?? config.functionName,
    getVersion: () => headerOf(req, 'x-cff-func-version') ?? 'latest',
  };
}

/** The APIG event of a request forwarded to an HTTP function (the body base64, as APIG sends it). */
function apigEventOf(req: ContainerRequest, body: Uint8Array): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers))
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  return {
    httpMethod: req.method ?? 'GET',
    path: url.pathname,
    headers,
    queryStringParameters: Object.fromEntries(url.searchParams),
    body: toBase64(body),
    isBase64Encoded: true,
    requestContext: { requestId: headerOf(req, 'x-cff-request-id') ?? '' },
  };
}

async function initialize(): Promise<void> {
  const spec = env.FAASPORT_INITIALIZER;
  if (!spec) return;
  const dot = spec.lastIndexOf('.');
  const moduleName = spec.slice(0, dot);
  const file = config.module.startsWith(`${moduleName}.`) ? config.module : `${moduleName}.js`;
  const init = exportedFunction(await load(file), spec.slice(dot + 1));
  if (!init)
    throw new Error(
      `faasport: ${file} has no function export "${spec.slice(dot + 1)}" (initializer ${spec})`,
    );
  await init({ functionName: config.functionName, revision: config.revision, target: 'functiongraph' });
}

const server = createServer(async (req, res) => {
  try {
    const body = await readBodyBytes(req);
    if (req.method === 'POST' && req.url === '/init') {
      await initialize();
      res.writeHead(200).end();
    } else if (req.method === 'POST' && req.url === '/invoke') {
      const text = new TextDecoder().decode(body);
      const result = await shim.handler(text ? JSON.parse(text) : {}, contextOf(req));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result ?? null));
    } else {
      const result = (await shim.handler(apigEventOf(req, body), contextOf(req))) as ApigResult;
      res.writeHead(result.statusCode, result.headers);
      res.end(result.isBase64Encoded ? fromBase64(result.body) : result.body);
    }
  } catch (error) {
    const e = error as Error;
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errorMessage: String(e?.message ?? error), errorType: e?.name ?? 'Error' }));
  }
});
server.listen(PORT, () =>
  console.log(`faasport FunctionGraph custom image serving ${config.module} on port ${PORT}`),
);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
