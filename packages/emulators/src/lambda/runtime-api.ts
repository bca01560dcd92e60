/**
 * The Lambda Runtime API for one container image function: what Lambda gives a function's runtime
 * interface client (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html). The image's
 * entry runs as a local process with `AWS_LAMBDA_RUNTIME_API` pointing at a server of this emulator;
 * it takes invocations from `GET /2018-06-01/runtime/invocation/next` and answers each with
 * `POST …/invocation/{id}/response` or `…/error` (`…/init/error` when it cannot start). One
 * invocation at a time, as Lambda gives an execution environment one request at a time; when the
 * process exits (or is stopped at a timeout) what it held fails, and the next invocation starts it again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { functionUrlEvent } from '@faasport/adapter-lambda/runtime';
import type { PulledEntry } from '@faasport/image';
import type { EventResult, InvokeCallOptions } from '@faasport/runtime';

const PREFIX = '/2018-06-01/runtime';

/** An invocation waiting for the runtime, or being run by it. */
interface Invocation {
  id: string;
  payload: Uint8Array;
  deadline: number;
  arn: string;
  started: number;
  settle(result: { body: Uint8Array; error?: EventResult['error'] }): void;
  fail(error: Error & { kind?: string }): void;
}

/** What the emulator calls on a function's code: events and function-URL requests. */
export interface LambdaRunner {
  invokeEvent(payload: Uint8Array, options?: InvokeCallOptions): Promise<EventResult>;
  fetch(request: Request, options?: InvokeCallOptions): Promise<Response>;
  close(): Promise<void>;
}

/** A container image function served through the Runtime API. */
export class RuntimeApiRunner implements LambdaRunner {
  private server?: Promise<Server>;
  private child?: ChildProcess;
  private readonly queue: Invocation[] = [];
  private parked?: ServerResponse;
  private readonly running = new Map<string, Invocation>();
  private initError?: string;

  constructor(
    private readonly image: PulledEntry,
    private readonly env: Record<string, string>,
    private readonly timeoutMs: number,
    private readonly functionArn: string,
  ) {}

  invokeEvent(payload: Uint8Array, options: InvokeCallOptions = {}): Promise<EventResult> {
    const requestId = options.requestId ?? randomUUID();
    return new Promise<EventResult>((resolve, reject) => {
      const started = Date.now();
      const invocation: Invocation = {
        id: requestId,
        payload,
        started,
        deadline: started + this.timeoutMs,
        arn: String(options.context?.invokedFunctionArn ?? this.functionArn),
        settle: ({ body, error }) => {
          clearTimeout(timer);
          resolve({
            body,
            ...(error ? { error } : {}),
            logs: [],
            durationMs: Date.now() - started,
            requestId,
          });
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      // Past its deadline the invocation fails as Lambda's do, and the environment is started afresh.
      const timer = setTimeout(() => {
        this.remove(invocation);
        invocation.fail(Object.assign(new Error('Task timed out'), { kind: 'timeout' }));
        this.child?.kill();
      }, this.timeoutMs);
      this.queue.push(invocation);
      this.ensureRunning().then(() => this.dispatch(), invocation.fail);
    });
  }

  async fetch(request: Request, options: InvokeCallOptions = {}): Promise<Response> {
    const requestId = options.requestId ?? randomUUID();
    const body = new Uint8Array(await request.arrayBuffer());
    const event = functionUrlEvent(request, body, { requestId, apiId: 'local' });
    const result = await this.invokeEvent(new TextEncoder().encode(JSON.stringify(event)), {
      ...options,
      requestId,
    });
    if (result.error) throw new Error(result.error.message);
    return functionUrlResponse(new TextDecoder().decode(result.body));
  }

  async close(): Promise<void> {
    for (const invocation of [...this.queue, ...this.running.values()])
      invocation.fail(new Error('the function was closed'));
    this.queue.length = 0;
    this.running.clear();
    this.parked?.destroy();
    const child = this.child;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      });
    }
    if (this.server) {
      const server = await this.server;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private remove(invocation: Invocation): void {
    const at = this.queue.indexOf(invocation);
    if (at >= 0) this.queue.splice(at, 1);
    this.running.delete(invocation.id);
  }

  /** Starts the API server and the runtime process, unless they run. */
  private async ensureRunning(): Promise<void> {
    this.server ??= new Promise<Server>((resolve, reject) => {
      const server = createServer((req, res) => this.route(req, res));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    const server = await this.server;
    if (this.child && this.child.exitCode === null) return;
    this.initError = undefined;
    const [command, ...args] = this.image.command as [string, ...string[]];
    const child = spawn(command, args, {
      cwd: this.image.workdir,
      env: {
        PATH: process.env.PATH ?? '',
        ...this.image.env,
        ...this.env,
        AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.child = child;
    child.once('exit', (code) => {
      if (this.child === child) this.child = undefined;
      const reason = this.initError ?? `Runtime exited with error: exit status ${code ?? 'signal'}`;
      // What it held or had not taken yet fails, as on Lambda; the next invocation starts a fresh process.
      const failed = [...this.running.values(), ...this.queue.splice(0)];
      this.running.clear();
      for (const invocation of failed) invocation.fail(Object.assign(new Error(reason), { kind: 'crash' }));
    });
  }

  /** Hands the next queued invocation to a runtime waiting in `/invocation/next`. */
  private dispatch(): void {
    const res = this.parked;
    const invocation = this.queue[0];
    if (!res || !invocation) return;
    this.parked = undefined;
    this.queue.shift();
    this.running.set(invocation.id, invocation);
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': invocation.id,
      'lambda-runtime-deadline-ms': String(invocation.deadline),
      'lambda-runtime-invoked-function-arn': invocation.arn,
      'lambda-runtime-trace-id': `Root=1-${Math.floor(invocation.started / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    });
    res.end(invocation.payload);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? '').split('?')[0]!;
    const accepted = () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      this.parked = res;
      this.dispatch();
      return;
    }
    const done = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method === 'POST' && done) {
      const invocation = this.running.get(decodeURIComponent(done[1]!));
      if (!invocation) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' }));
        return;
      }
      this.running.delete(invocation.id);
      if (done[2] === 'response') invocation.settle({ body: new Uint8Array(body) });
      else {
        const doc = parseErrorDocument(body);
        invocation.settle({ body: new Uint8Array(body), error: doc });
      }
      accepted();
      return;
    }
    if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
      const doc = parseErrorDocument(body);
      const type = req.headers['lambda-runtime-function-error-type'] ?? doc.type ?? 'Runtime.InitError';
      this.initError = `${type}: ${doc.message}`;
      accepted();
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errorMessage":"not found"}');
  }
}

/** The `{errorMessage, errorType, stackTrace}` document a runtime posts, as an event error. */
function parseErrorDocument(body: Buffer): NonNullable<EventResult['error']> {
  try {
    const doc = JSON.parse(body.toString('utf8')) as {
      errorMessage?: string;
      errorType?: string;
      stackTrace?: string[];
    };
    return {
      message: String(doc.errorMessage ?? ''),
      ...(doc.errorType ? { type: doc.errorType } : {}),
      ...(doc.stackTrace?.length ? { stack: doc.stackTrace.join('\n') } : {}),
    };
  } catch {
    return { message: body.toString('utf8'), type: 'Runtime.Unknown' };
  }
}

/** A function URL's answer to a function's result: a `{statusCode, …}` result as it says, anything else as JSON. */
function functionUrlResponse(text: string): Response {
  let result: unknown;
  try {
    result = JSON.parse(text);
  } catch {
    result = text;
  }
  const r = result as {
    statusCode?: unknown;
    headers?: Record<string, string>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  if (!r || typeof r !== 'object' || typeof r.statusCode !== 'number')
    return new Response(result === null ? null : text, {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  const headers = new Headers(r.headers ?? {});
  for (const cookie of r.cookies ?? []) headers.append('set-cookie', cookie);
  const body =
    r.body === undefined || r.body === null
      ? null
      : r.isBase64Encoded
        ? Buffer.from(r.body, 'base64')
        : r.body;
  return new Response(r.statusCode === 204 || r.statusCode === 304 ? null : body, {
    status: r.statusCode,
    headers,
  });
}
