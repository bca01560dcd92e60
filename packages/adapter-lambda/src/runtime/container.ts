/**
 * faasport's entry of Lambda container images: a runtime interface client for the Lambda Runtime API
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) around the Lambda shim. It reads
 * the next invocation (`GET /2018-06-01/runtime/invocation/next`, the event as the body and its
 * context in `Lambda-Runtime-*` headers), runs the handler, and posts the result to
 * `…/invocation/{id}/response` or the failure to `…/invocation/{id}/error`; a handler that cannot be
 * loaded is posted to `…/init/error` and the process exits, as Lambda's runtimes do. The API's address
 * is `AWS_LAMBDA_RUNTIME_API`. The handler comes from the image's CMD (`file.export`, as with AWS base
 * images) or `_HANDLER`; the user's code lies beside this file (`LAMBDA_TASK_ROOT`, `/var/task`).
 * Bundled with the shim into one file by `npm run bundle-shim -w packages/adapter-lambda`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLambdaShim, type LambdaContext } from './shim';

const env = process.env;
const api = `http://${env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const codeDir = dirname(fileURLToPath(import.meta.url));

/** The error document the Runtime API takes (`errorMessage`, `errorType`, `stackTrace`). */
function errorDocument(error: unknown): string {
  const e = error as Error;
  return JSON.stringify({
    errorMessage: String(e?.message ?? error),
    errorType: e?.name ?? 'Error',
    stackTrace: String(e?.stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => line.trim()),
  });
}

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  await fetch(`${api}${path}`, { method: 'POST', body, headers });
}

/** The shim for the handler `file.export`, its module found as `.mjs`, `.js` or `.cjs` beside this file. */
function shimFor(handler: string) {
  const dot = handler.lastIndexOf('.');
  const name = handler.slice(0, dot);
  const module = ['.mjs', '.js', '.cjs'].map((ext) => name + ext).find((f) => existsSync(join(codeDir, f)));
  if (dot < 1 || !module)
    throw new Error(`faasport: handler "${handler}" names no .mjs, .js or .cjs module in ${codeDir}`);
  return createLambdaShim(
    {
      module,
      export: handler.slice(dot + 1),
      contract: env.FAASPORT_CONTRACT === 'event' ? 'event' : 'web',
      functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? '',
      revision: env.FAASPORT_REVISION ?? env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    },
    (file) => import(pathToFileURL(join(codeDir, file)).href),
  );
}

async function main(): Promise<void> {
  let shim: ReturnType<typeof createLambdaShim>;
  try {
    shim = shimFor(process.argv[2] ?? env._HANDLER ?? 'index.default');
  } catch (error) {
    await post('/init/error', errorDocument(error), {
      'Lambda-Runtime-Function-Error-Type': 'Runtime.InitError',
    });
    process.exit(1);
  }
  for (;;) {
    const next = await fetch(`${api}/invocation/next`);
    const id = next.headers.get('lambda-runtime-aws-request-id') ?? '';
    const deadline = Number(next.headers.get('lambda-runtime-deadline-ms')) || Date.now() + 3000;
    const text = await next.text();
    const context: LambdaContext = {
      awsRequestId: id,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: next.headers.get('lambda-runtime-invoked-function-arn') ?? undefined,
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const result = await shim.handler(text ? JSON.parse(text) : null, context);
      await post(`/invocation/${id}/response`, JSON.stringify(result ?? null));
    } catch (error) {
      await post(`/invocation/${id}/error`, errorDocument(error), {
        'Lambda-Runtime-Function-Error-Type': 'Runtime.UserError',
      });
    }
  }
}

main().catch((error: Error) => {
  console.error(`faasport: the Lambda runtime loop stopped: ${error.message}`);
  process.exit(1);
});
