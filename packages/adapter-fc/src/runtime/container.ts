/**
 * faasport's entry for FC custom containers (FC 2.0 `custom-container`, FC 3.0 `customContainerConfig`),
 * the first file of the images faasport builds for FC: an HTTP server on `FC_SERVER_PORT` (the
 * function's `caPort` / `port`, default 9000) that serves FC's custom container contract with the FC
 * shim (reference A15; https://help.aliyun.com/en/functioncompute/fc-2-0/user-guide/custom-runtime-specification-details):
 * `POST /initialize` runs the initializer, `POST /invoke` an InvokeFunction call (the event as the
 * body), and any other request is an HTTP trigger call forwarded as it came. FC names the call in
 * `x-fc-control-path` (`/invoke`, `/http-invoke`, `/initialize`); without it the path decides. A failed
 * call answers `x-fc-status: 404`, as the contract asks. The user's code lies beside this file.
 * Bundled with the shim into one file by `npm run bundle-shim -w packages/adapter-fc`.
 */
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ContainerRequest, headerOf, readBodyBytes } from '@faasport/core/handler';
import { createFcShim, type FcCallback, type FcContext } from './shim';

const env = process.env;
const codeDir = dirname(fileURLToPath(import.meta.url));
const shim = createFcShim(env, (file) => import(pathToFileURL(join(codeDir, file)).href));
const port = Number(env.FC_SERVER_PORT ?? env.FC_CUSTOM_LISTEN_PORT ?? 9000);

/** FC's context object from the `x-fc-*` headers of a call (reference A15). */
function contextOf(req: ContainerRequest): FcContext {
  const h = (name: string) => headerOf(req, name);
  return {
    requestId: h('x-fc-request-id'),
    function: {
      name: h('x-fc-function-name') ?? env.FC_FUNCTION_NAME,
      handler: h('x-fc-function-handler'),
      timeout: Number(h('x-fc-function-timeout')) || undefined,
    },
    service: {
      name: h('x-fc-service-name') ?? env.FC_SERVICE_NAME,
      qualifier: h('x-fc-qualifier'),
      versionId: h('x-fc-version-id'),
    },
    region: h('x-fc-region') ?? env.FC_REGION,
    accountId: h('x-fc-account-id') ?? env.FC_ACCOUNT_ID,
  };
}

/** The result of a callback-style shim call. */
function settle(run: (callback: FcCallback) => unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    Promise.resolve(run((error, result) => (error ? reject(error) : resolve(result)))).catch(reject);
  });
}

const server = createServer(async (req, res) => {
  const control = headerOf(req, 'x-fc-control-path') ?? (req.method === 'POST' ? req.url : undefined);
  try {
    if (control === '/initialize') {
      await settle((callback) => shim.initializer(contextOf(req), callback));
      res.writeHead(200).end();
    } else if (control === '/invoke') {
      const event = Buffer.from(await readBodyBytes(req));
      const context = contextOf(req);
      // A web function called through InvokeFunction gets the event POSTed, as the FC runtimes do it.
      const result = await settle((callback) =>
        env.FAASPORT_CONTRACT === 'web'
          ? shim.httpHandler(event as never, context as never, callback as never)
          : shim.eventHandler(event, context, callback),
      );
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-fc-status': '200' });
      res.end(
        typeof result === 'string' || result instanceof Uint8Array ? result : JSON.stringify(result ?? ''),
      );
    } else {
      await shim.httpHandler(
        req as never,
        {
          setStatusCode: (status) => {
            res.statusCode = status;
          },
          setHeader: (name, value) => {
            res.setHeader(name, value);
          },
          send: (body) => res.end(body as Uint8Array),
        },
        contextOf(req),
      );
    }
  } catch (error) {
    const e = error as Error;
    if (!res.headersSent) res.writeHead(404, { 'content-type': 'application/json', 'x-fc-status': '404' });
    res.end(JSON.stringify({ errorMessage: String(e?.message ?? error), errorType: e?.name ?? 'Error' }));
  }
});
server.listen(port, () =>
  console.log(`faasport FC container serving ${env.FAASPORT_HANDLER} on port ${port}`),
);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
