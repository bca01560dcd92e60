import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudEvent, eventTypes } from '../handler';

/** A request the suite sends to a `web` function. @public */
export interface ShimRequest {
  method: string;
  /** The path, decoded, starting with `/`. */
  path: string;
  /** The query as name/value pairs, in order. */
  query: Array<[string, string]>;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** The answer a client of the platform gets. @public */
export interface ShimAnswer {
  status: number;
  /** Response headers other than `set-cookie`, names in lower case. */
  headers: Record<string, string>;
  /** Each `Set-Cookie` value. */
  cookies: string[];
  body: Uint8Array;
}

/** A trigger firing, in portable terms; the target delivers it in the platform's native shape. @public */
export type ShimTrigger =
  | { kind: 'schedule'; name: string; time: string; payload: string }
  | { kind: 'storage'; bucket: string; key: string; size: number; deleted: boolean; time: string }
  | { kind: 'invoke'; payload: unknown }
  | { kind: 'cloudevent'; event: CloudEvent };

/** A function the suite deploys through the shim. @public */
export interface ShimFunction {
  contract: 'web' | 'event';
  /** The code package's files (relative name → text). */
  files: Record<string, string>;
  /** `file.export`, as in faasport.yaml. */
  handler: string;
  functionName: string;
  revision: string;
}

/** One function running behind the target's shim. @public */
export interface ShimInstance {
  /** Sends a request the way the platform's HTTP front hands it to the shim; returns the client's answer. */
  http(request: ShimRequest): Promise<ShimAnswer>;
  /** Delivers a trigger event in the platform's native shape; returns the bytes the function answered. */
  deliver(trigger: ShimTrigger): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A target's shim, for {@link testShim}. @public */
export interface ShimTarget {
  /** The target name a handler sees in `ctx.target`. */
  name: string;
  /** Deploys a function with the shim and starts it. */
  start(fn: ShimFunction): Promise<ShimInstance>;
  /** The CloudEvent attributes (beyond type, time and data) the platform's triggers produce. */
  attributes: {
    schedule(name: string): Partial<CloudEvent>;
    storage(bucket: string, key: string): Partial<CloudEvent>;
    invoke(functionName: string): Partial<CloudEvent>;
  };
}

/** The cases of the shim suite. @public */
export type ShimCase =
  | 'web-request'
  | 'web-cookies'
  | 'web-results'
  | 'web-binary'
  | 'web-error'
  | 'event-schedule'
  | 'event-storage'
  | 'event-invoke'
  | 'event-cloudevent';

/**
 * What a platform does in place of a case it cannot express: the reason, and a check of that behaviour
 * (it gets the suite's web and event instances and the request helper). @public
 */
export interface ShimInstead {
  reason: string;
  check(instances: { web: ShimInstance; events: ShimInstance; get: typeof shimGet }): Promise<void>;
}

/** Options of {@link testShim}. @public */
export interface ShimSuiteOptions {
  /** Cases the platform answers differently: the suite asserts the platform's own behaviour instead. */
  instead?: Partial<Record<ShimCase, ShimInstead>>;
}

/** The suite's web handler: echoes what it received, or answers by `?mode=`. */
const webModule = `const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
export default async function (request, ctx) {
  const url = new URL(request.url);
  const mode = url.searchParams.get('mode');
  if (mode === 'throw') throw new Error('handler broke');
  if (mode === 'text') return 'plain text';
  if (mode === 'json') return { ok: true, n: 1 };
  if (mode === 'empty') return null;
  if (mode === 'bytes') return new Uint8Array([0, 1, 2, 128, 254, 255]);
  if (mode === 'image') return new Response(new Uint8Array([137, 80, 78, 71, 0, 255]), { headers: { 'content-type': 'image/png' } });
  const headers = new Headers({ 'content-type': 'application/json', 'x-echo': request.headers.get('x-custom') ?? '' });
  if (mode === 'cookies') {
    headers.append('set-cookie', 'a=1; Path=/');
    headers.append('set-cookie', 'b=2; HttpOnly');
  }
  const body = new Uint8Array(await request.arrayBuffer());
  return new Response(JSON.stringify({
    method: request.method,
    path: url.pathname,
    query: [...url.searchParams],
    body64: toBase64(body),
    target: ctx.target,
    functionName: ctx.functionName,
    revision: ctx.revision,
    requestId: typeof ctx.requestId === 'string' && ctx.requestId.length > 0,
  }), { status: 201, headers });
}
`;

/** The suite's event handler: answers with the CloudEvent it received. */
const eventModule = `exports.handle = async (event, ctx) => ({ event, target: ctx.target });\n`;

const webFunction: ShimFunction = {
  contract: 'web',
  files: { 'web.mjs': webModule },
  handler: 'web.default',
  functionName: 'shim-web',
  revision: 'r7',
};
const eventFunction: ShimFunction = {
  contract: 'event',
  files: { 'events.js': eventModule },
  handler: 'events.handle',
  functionName: 'shim-events',
  revision: 'r8',
};

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
/** A GET request in the suite's shape, for {@link ShimInstead} checks. @public */
export const shimGet = (path: string, query: Array<[string, string]> = []): ShimRequest => ({
  method: 'GET',
  path,
  query,
  headers: { host: 'shim.example.com' },
});
const get = shimGet;

/**
 * The shared runtime shim suite: the same requests and trigger events go into every target's shim, in
 * that platform's native shape, and the same portable answers must come out (status, headers, cookies,
 * binary bodies, query, and the CloudEvent attributes of schedule, storage and invoke events).
 *
 * How a target joins (Lambda, FC 3.0...): in the adapter's `test/shim-suite.test.ts`, call `testShim`
 * with a {@link ShimTarget}. Its `start` writes the suite's function files and the adapter's deployed
 * shim file into a folder, as the adapter packages them, and returns a {@link ShimInstance} whose `http`
 * and `deliver` translate each portable case into the event the platform hands the shim (an APIG event,
 * FC's `(req, resp, context)`, a function URL event...) and the platform's answer back. Run the shim as
 * deployed: the generated bundle in a plain Node.js process ({@link startShimProcess} does the
 * plumbing). A case the platform cannot express runs its `instead` check: what the platform does in its
 * place (a refusal at plan time, another answer), never left out silently.
 * See packages/adapter-fc/test/shim-suite.test.ts for a complete target; a platform whose shim is one
 * `handler(event, context)` export states only its own events and answers to {@link handlerShimTarget}
 * (packages/adapter-lambda/test/shim-suite.test.ts).
 *
 * @example
 * ```ts
 * testShim(knativeTarget, {
 *   instead: { 'event-storage': { reason: 'no object-storage source', check: async () => { ... } } },
 * });
 * ```
 * @public
 */
export function testShim(target: ShimTarget, options: ShimSuiteOptions = {}): void {
  const instead = options.instead ?? {};
  let web: ShimInstance;
  let events: ShimInstance;
  const test = (name: ShimCase, title: string, body: () => Promise<void>) => {
    const other = instead[name];
    if (other) it(`${title}: instead, ${other.reason}`, () => other.check({ web, events, get }));
    else it(title, body);
  };

  describe(`shim suite: ${target.name}`, () => {
    beforeAll(async () => {
      [web, events] = await Promise.all([target.start(webFunction), target.start(eventFunction)]);
    });
    afterAll(async () => {
      await Promise.all([web?.close(), events?.close()]);
    });

    const deliver = async (trigger: ShimTrigger) => {
      const answer = JSON.parse(text(await events.deliver(trigger))) as { event: CloudEvent; target: string };
      expect(answer.target).toBe(target.name);
      expect(answer.event.specversion).toBe('1.0');
      expect(answer.event.id).toMatch(/^\S+$/);
      return answer.event;
    };

    test(
      'web-request',
      'turns a native HTTP call into a Request (method, path, query, headers, bytes)',
      async () => {
        const answer = await web.http({
          method: 'POST',
          path: '/orders/7',
          query: [
            ['q', 'a b&c'],
            ['x', '1'],
          ],
          headers: {
            host: 'shim.example.com',
            'content-type': 'application/octet-stream',
            'x-custom': 'hello',
          },
          body: new Uint8Array([0, 1, 2, 254, 255]),
        });
        expect(answer.status).toBe(201);
        expect(answer.headers['content-type']).toBe('application/json');
        expect(answer.headers['x-echo']).toBe('hello');
        expect(JSON.parse(text(answer.body))).toEqual({
          method: 'POST',
          path: '/orders/7',
          query: [
            ['q', 'a b&c'],
            ['x', '1'],
          ],
          body64: 'AAEC/v8=',
          target: target.name,
          functionName: webFunction.functionName,
          revision: webFunction.revision,
          requestId: true,
        });
      },
    );

    test('web-cookies', 'answers every Set-Cookie of the Response', async () => {
      const answer = await web.http(get('/', [['mode', 'cookies']]));
      expect(answer.status).toBe(201);
      expect(answer.cookies).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    });

    test('web-results', "answers plain results by core's rules (text, JSON, nothing)", async () => {
      const plain = await web.http(get('/', [['mode', 'text']]));
      expect([plain.status, plain.headers['content-type'], text(plain.body)]).toEqual([
        200,
        'text/plain; charset=utf-8',
        'plain text',
      ]);
      const json = await web.http(get('/', [['mode', 'json']]));
      expect([json.status, json.headers['content-type'], JSON.parse(text(json.body))]).toEqual([
        200,
        'application/json',
        { ok: true, n: 1 },
      ]);
      const empty = await web.http(get('/', [['mode', 'empty']]));
      expect([empty.status, empty.body.length]).toEqual([204, 0]);
    });

    test('web-binary', 'answers binary bodies byte for byte', async () => {
      const bytes = await web.http(get('/', [['mode', 'bytes']]));
      expect(bytes.headers['content-type']).toBe('application/octet-stream');
      expect([...bytes.body]).toEqual([0, 1, 2, 128, 254, 255]);
      const image = await web.http(get('/', [['mode', 'image']]));
      expect(image.headers['content-type']).toBe('image/png');
      expect([...image.body]).toEqual([137, 80, 78, 71, 0, 255]);
    });

    test('web-error', 'answers 500 with the message when the handler throws', async () => {
      const answer = await web.http(get('/', [['mode', 'throw']]));
      expect(answer.status).toBe(500);
      expect(JSON.parse(text(answer.body))).toEqual({ error: 'handler broke' });
    });

    test('event-schedule', 'turns a native timer event into dev.faasport.schedule', async () => {
      const time = '2026-01-02T03:04:05.000Z';
      const event = await deliver({ kind: 'schedule', name: 'nightly', time, payload: '{"ping":true}' });
      expect(event).toMatchObject({ type: eventTypes.schedule, time, data: { ping: true } });
      expect(event).toMatchObject(target.attributes.schedule('nightly'));
    });

    test(
      'event-storage',
      'turns native object notifications into dev.faasport.storage.object.*',
      async () => {
        const time = '2026-01-02T03:04:05.000Z';
        const created = await deliver({
          kind: 'storage',
          bucket: 'uploads',
          key: 'img/a.png',
          size: 3,
          deleted: false,
          time,
        });
        expect(created).toMatchObject({
          type: eventTypes.storageCreated,
          subject: 'img/a.png',
          time,
          data: { bucket: 'uploads', key: 'img/a.png', size: 3 },
          ...target.attributes.storage('uploads', 'img/a.png'),
        });
        const deleted = await deliver({
          kind: 'storage',
          bucket: 'uploads',
          key: 'old.txt',
          size: 0,
          deleted: true,
          time,
        });
        expect(deleted).toMatchObject({
          type: eventTypes.storageDeleted,
          subject: 'old.txt',
          data: { bucket: 'uploads', key: 'old.txt' },
        });
      },
    );

    test(
      'event-invoke',
      'turns a direct invocation into dev.faasport.invoke with the payload as data',
      async () => {
        const event = await deliver({ kind: 'invoke', payload: { n: 21 } });
        expect(event).toMatchObject({
          type: eventTypes.invoke,
          data: { n: 21 },
          ...target.attributes.invoke(eventFunction.functionName),
        });
      },
    );

    test('event-cloudevent', 'passes a CloudEvent through as is', async () => {
      const event = await deliver({
        kind: 'cloudevent',
        event: { specversion: '1.0', id: 'e-1', type: 'com.example.order', source: '/shop', data: { id: 7 } },
      });
      expect(event).toMatchObject({ id: 'e-1', type: 'com.example.order', source: '/shop', data: { id: 7 } });
    });
  });
}

/** A shim running in its own Node.js process, answering calls from {@link startShimProcess}'s driver. @public */
export interface ShimProcess {
  /** Sends one input to the driver's `handle(input)` and resolves with what it returned. */
  call<T = unknown>(input: unknown): Promise<T>;
  /** The folder holding the code package. */
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * Writes a code package (the function's files and the shim file) into a fresh folder and starts a
 * plain Node.js process there (no test transform, as the platform loads the shim). `driver` is the text
 * of an ES module body that defines `async function handle(input)`: it calls the shim the way the
 * platform does and returns a JSON-able result. Inputs and results travel as JSON lines.
 *
 * @public
 */
export async function startShimProcess(options: {
  files: Record<string, string>;
  driver: string;
  env?: Record<string, string>;
}): Promise<ShimProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-shim-'));
  for (const [name, content] of Object.entries(options.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const runner = `${options.driver}
import { createInterface as faasportLines } from 'node:readline';
for await (const line of faasportLines({ input: process.stdin })) {
  const { id, input } = JSON.parse(line);
  let reply;
  try {
    reply = { id, result: await handle(input) };
  } catch (error) {
    reply = { id, error: String(error?.stack ?? error) };
  }
  process.stdout.write(JSON.stringify(reply) + '\\n');
}
`;
  writeFileSync(join(dir, '__driver.mjs'), runner);
  const child = spawn(process.execPath, [join(dir, '__driver.mjs')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    let reply: { id: number; result?: unknown; error?: string };
    try {
      reply = JSON.parse(line);
    } catch {
      return; // a console line of the function or the shim
    }
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.error !== undefined) waiter.reject(new Error(reply.error));
    else waiter.resolve(reply.result);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code) => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`the shim process exited (${code}): ${stderr}`));
    pending.clear();
  });
  return {
    dir,
    call<T>(input: unknown) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.stdin.write(`${JSON.stringify({ id, input })}\n`);
      });
    },
    async close() {
      child.stdin.end();
      if (child.exitCode === null) child.kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a shim file needs to know about the function it runs, as a handler-style shim takes it. @public */
export interface HandlerShimConfig {
  /** The function's module file in the code package, e.g. `web.mjs`. */
  module: string;
  /** The export to call, e.g. `default`. */
  export: string;
  contract: 'web' | 'event';
  functionName: string;
  revision: string;
}

/**
 * A platform whose shim is one `handler(event, context)` export (Lambda, FunctionGraph, …): only what is
 * the platform's own, for {@link handlerShimTarget}. @public
 */
export interface HandlerShimPlatform<Result> {
  /** The target name a handler sees in `ctx.target`. */
  name: string;
  attributes: ShimTarget['attributes'];
  /** The shim's file name in the code package, and its text for a function (the adapter's own). */
  shimFileName: string;
  shimSource(config: HandlerShimConfig): string;
  /**
   * An ES module body that loads the shim as the platform does and defines `shim` and `context` (the
   * platform's context object; `process.env.FN_NAME` is the function's name).
   */
  loader: string;
  /** The native event of an HTTP request (an API gateway's, a function URL's). */
  httpEvent(request: ShimRequest): unknown;
  /** What the platform's HTTP front answers a client for the shim's result. */
  httpAnswer(result: Result): ShimAnswer;
  /** The native event of a trigger. */
  triggerEvent(trigger: ShimTrigger): unknown;
}

/**
 * The {@link ShimTarget} of a handler-style platform: each function's code package holds the suite's
 * files and the adapter's shim file, runs in a plain Node.js process ({@link startShimProcess}), and
 * each call goes to `shim.handler(event, context)` as the platform's event; a trigger's answer is the
 * handler's result (a string as is, anything else as JSON). @public
 */
export function handlerShimTarget<Result>(platform: HandlerShimPlatform<Result>): ShimTarget {
  const driver = `${platform.loader}
async function handle(input) {
  return shim.handler(input, context);
}
`;
  return {
    name: platform.name,
    attributes: platform.attributes,
    async start(fn) {
      const dot = fn.handler.lastIndexOf('.');
      const file = fn.handler.slice(0, dot);
      const module = Object.keys(fn.files).find((name) => name.replace(/\.[^.]+$/, '') === file)!;
      const shim = platform.shimSource({
        module,
        export: fn.handler.slice(dot + 1),
        contract: fn.contract,
        functionName: fn.functionName,
        revision: fn.revision,
      });
      const process = await startShimProcess({
        files: { ...fn.files, [platform.shimFileName]: shim },
        driver,
        env: { FN_NAME: fn.functionName },
      });
      return {
        http: async (request) => platform.httpAnswer(await process.call<Result>(platform.httpEvent(request))),
        async deliver(trigger) {
          const result = await process.call(platform.triggerEvent(trigger));
          return new TextEncoder().encode(typeof result === 'string' ? result : JSON.stringify(result));
        },
        close: () => process.close(),
      };
    },
  };
}

/** The body bytes of a gateway-proxy result (`body`, base64 when `isBase64Encoded`). @public */
export function proxyResultBody(result: { body: string; isBase64Encoded: boolean }): Uint8Array {
  return new Uint8Array(Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
}
