import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createExecutor,
  type ExecutableSpec,
  ExecutionError,
  type Executor,
  type ExecutorLogEntry,
} from '../src/index';
import {
  cleanTemp,
  codeDir,
  fcCoffeeExample,
  functionGraphExpressExample,
  tempDir,
} from './helpers/fixtures';
import { waitFor } from './helpers/wait';

const logs: ExecutorLogEntry[] = [];
const stops: Array<{ executableId: string; reason: string }> = [];
let executor: Executor;
/** Builds every web handler's Request eagerly: the web contract's tests run with it too. */
let eagerExecutor: Executor;

beforeAll(() => {
  process.env.FAASPORT_TEST_PARENT_SECRET = 'parent-only-value';
  const observer = {
    log: (entry: ExecutorLogEntry) => logs.push(entry),
    instanceStopped: (info: { executableId: string; reason: string }) => stops.push(info),
  };
  executor = createExecutor({ warmPool: 1, observer });
  eagerExecutor = createExecutor({ warmPool: 0, webRequest: 'eager', observer });
});

afterAll(async () => {
  await Promise.all([executor.close(), eagerExecutor.close()]);
  delete process.env.FAASPORT_TEST_PARENT_SECRET;
  cleanTemp();
});

let counter = 0;
function spec(
  fields: Partial<ExecutableSpec> & Pick<ExecutableSpec, 'codeDir' | 'contract'>,
): ExecutableSpec {
  counter++;
  return {
    id: `test/${counter}`,
    runtime: 'nodejs20',
    handler: 'index.handler',
    env: {},
    timeoutMs: 5000,
    memoryMb: 128,
    concurrency: 1,
    maxInstances: 2,
    functionName: `fn${counter}`,
    revision: 'r1',
    target: 'local',
    ...fields,
  };
}

// Each web handler test runs with lazy Requests (this Node passes the workers' start-up check) and
// with eager ones (test/web-request.test.ts compares the two directly).
describe.each([
  ['lazy Requests (the default here)', () => executor],
  ['eager Requests', () => eagerExecutor],
])('Node.js module formats and the portable web contract, %s', (_mode, current) => {
  let executor: Executor;
  beforeAll(() => {
    executor = current();
    // Request ids repeat between the two runs: each run reads its own log lines.
    logs.length = 0;
  });

  test('an ESM .mjs default export sees its own env only, and gets a request id and context', async () => {
    const dir = codeDir({
      'index.mjs': `export default async (request, ctx) => {
        ctx.log.info('handling', { path: new URL(request.url).pathname });
        return { path: new URL(request.url).pathname, method: request.method, body: await request.text(),
          requestId: ctx.requestId, functionName: ctx.functionName, revision: ctx.revision,
          env: ctx.env, processEnv: Object.keys(process.env).sort(), remaining: ctx.remainingMs() > 0 };
      };`,
    });
    const exe = await executor.load(
      spec({ codeDir: dir, contract: 'web', handler: 'index.default', env: { GREETING: 'hi' } }),
    );
    const res = await exe.fetch(new Request('http://fn.local/a/b?x=1', { method: 'POST', body: 'payload' }), {
      requestId: 'req-123',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await res.json();
    expect(body).toMatchObject({
      path: '/a/b',
      method: 'POST',
      body: 'payload',
      requestId: 'req-123',
      revision: 'r1',
      env: { GREETING: 'hi' },
      remaining: true,
    });
    expect(body.processEnv).toContain('GREETING');
    expect(body.processEnv).not.toContain('FAASPORT_TEST_PARENT_SECRET');
    expect(logs.some((l) => l.requestId === 'req-123' && l.message.startsWith('handling'))).toBe(true);
  });

  test('an ES module keeps its semantics: import.meta.url, relative and package imports, top-level await, one evaluation', async () => {
    const dir = codeDir({
      'index.mjs': `import { twice } from './lib/math.mjs';
        import { name } from 'dep';
        globalThis.evaluations = (globalThis.evaluations ?? 0) + 1;
        export default async () => {
          const again = await import('./index.mjs');
          const later = await import('./later.mjs');
          return { url: import.meta.url, twice: twice(2), name, evaluations: globalThis.evaluations,
            same: again.default === (await import(import.meta.url)).default, awaited: later.value };
        };`,
      'lib/math.mjs': 'export const twice = (n) => n * 2;',
      'later.mjs': 'export const value = await Promise.resolve(42);',
      'node_modules/dep/package.json': JSON.stringify({ name: 'dep', type: 'module', exports: './main.js' }),
      'node_modules/dep/main.js': "export const name = 'dep';",
      'esm/package.json': JSON.stringify({ type: 'module' }),
      'esm/app.js': 'export const handler = () => "app";',
      'tla.mjs': 'const value = await Promise.resolve("waited"); export default () => value;',
    });
    const call = async (handler: string) => {
      const exe = await executor.load(spec({ codeDir: dir, contract: 'web', handler }));
      const res = await exe.fetch(new Request('http://fn.local/'));
      return { status: res.status, body: await res.text() };
    };
    const main = await call('index.default');
    expect(main.status).toBe(200);
    expect(JSON.parse(main.body)).toEqual({
      url: `file://${fs.realpathSync(dir)}/index.mjs`,
      twice: 4,
      name: 'dep',
      evaluations: 1,
      same: true,
      awaited: 42,
    });
    // A module with top-level await at the top, and a .js ES module (package type: module), named strictly.
    expect(await call('tla.default')).toEqual({ status: 200, body: 'waited' });
    expect(await call('esm/app.handler')).toEqual({ status: 200, body: 'app' });
    const missing = await executor.load(spec({ codeDir: dir, contract: 'web', handler: 'esm/app.default' }));
    await expect(missing.start()).rejects.toThrow(
      /esm\/app\.js has no export "default" \(it exports: handler\)/,
    );
  });

  test('a log call keeps its fields structured; fields that are not JSON (a cycle) reach the text only, and the call answers', async () => {
    const dir = codeDir({
      'index.mjs': `export default (request, ctx) => {
        ctx.log.warn('plain', { order: 'o-1', total: 42, nested: { ok: true } });
        const cycle = { name: 'loop' };
        cycle.self = cycle;
        ctx.log.info('cyclic', cycle);
        return 'logged';
      };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'web', handler: 'index.default' }));
    const res = await exe.fetch(new Request('http://x/'), { requestId: 'rid-fields' });
    expect(await res.text()).toBe('logged');
    const plain = logs.find((l) => l.requestId === 'rid-fields' && l.message === 'plain');
    expect(plain).toMatchObject({ level: 'warn', fields: { order: 'o-1', total: 42, nested: { ok: true } } });
    const cyclic = logs.find((l) => l.requestId === 'rid-fields' && l.message.startsWith('cyclic'));
    expect(cyclic?.level).toBe('info');
    expect(cyclic?.fields).toBeUndefined();
  });

  test('CommonJS .js and .cjs handlers, strings, bytes and undefined results', async () => {
    const dir = codeDir({
      'index.js': `exports.handler = async (req) => 'text from cjs';`,
      'bytes.cjs': `module.exports.handler = async () => new Uint8Array([1, 2, 3]);`,
      'empty.js': `exports.handler = async () => undefined;`,
    });
    const text = await executor.load(spec({ codeDir: dir, contract: 'web' }));
    const res = await text.fetch(new Request('http://x/'));
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('text from cjs');
    const bytes = await executor.load(spec({ codeDir: dir, contract: 'web', handler: 'bytes.handler' }));
    expect([...new Uint8Array(await (await bytes.fetch(new Request('http://x/'))).arrayBuffer())]).toEqual([
      1, 2, 3,
    ]);
    const empty = await executor.load(spec({ codeDir: dir, contract: 'web', handler: 'empty.handler' }));
    expect((await empty.fetch(new Request('http://x/'))).status).toBe(204);
  });

  test('console lines carry the id of the call that wrote them, one call or several at once', async () => {
    const dir = codeDir({
      'index.js': `exports.handler = async (request) => {
        const name = new URL(request.url).searchParams.get('n');
        console.log('begin ' + name);
        await new Promise((resolve) => setTimeout(resolve, 30));
        console.log('end ' + name);
        return name;
      };`,
    });
    const single = await executor.load(spec({ codeDir: dir, contract: 'web' }));
    for (const n of ['s1', 's2'])
      expect(
        await (await single.fetch(new Request(`http://x/?n=${n}`), { requestId: `rid-${n}` })).text(),
      ).toBe(n);
    for (const n of ['s1', 's2'])
      for (const phase of ['begin', 'end'])
        expect(logs.find((l) => l.message === `${phase} ${n}`)?.requestId).toBe(`rid-${n}`);

    // Several calls at once: the first lines written while calls overlap cannot be told apart and
    // carry no id (never a wrong one); from then on every line carries its own call's id.
    const concurrent = await executor.load(spec({ codeDir: dir, contract: 'web', concurrency: 8 }));
    const burst = (prefix: string) =>
      Promise.all(
        ['a', 'b', 'c'].map((n) =>
          concurrent.fetch(new Request(`http://x/?n=${prefix}${n}`), { requestId: `rid-${prefix}${n}` }),
        ),
      );
    await burst('w');
    for (const n of ['wa', 'wb', 'wc'])
      for (const phase of ['begin', 'end']) {
        const line = logs.find((l) => l.message === `${phase} ${n}`);
        expect([undefined, `rid-${n}`]).toContain(line?.requestId);
      }
    await burst('x');
    for (const n of ['xa', 'xb', 'xc'])
      for (const phase of ['begin', 'end'])
        expect(logs.find((l) => l.message === `${phase} ${n}`)?.requestId).toBe(`rid-${n}`);
  });

  test('a handler that declares no parameters is called without them and answers the same', async () => {
    const dir = codeDir({
      'index.mjs': `export const none = () => 'no parameters';
        export const rest = (...args) => args[0] instanceof Request ? 'got ' + new URL(args[0].url).pathname : 'missing';
        export function legacy() { return arguments[0] instanceof Request ? 'legacy got it' : 'missing'; }`,
    });
    const none = await executor.load(spec({ codeDir: dir, contract: 'web', handler: 'index.none' }));
    expect(await (await none.fetch(new Request('http://x/p'))).text()).toBe('no parameters');
    const rest = await executor.load(spec({ codeDir: dir, contract: 'web', handler: 'index.rest' }));
    expect(await (await rest.fetch(new Request('http://x/p'))).text()).toBe('got /p');
    const legacy = await executor.load(spec({ codeDir: dir, contract: 'web', handler: 'index.legacy' }));
    expect(await (await legacy.fetch(new Request('http://x/p'))).text()).toBe('legacy got it');
  });

  test('a handler that throws answers 500 with the message, and the instance keeps serving', async () => {
    const dir = codeDir({
      'index.js': `let n = 0; exports.handler = async () => { if (++n === 1) throw new Error('boom'); return 'ok ' + n; };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'web' }));
    const first = await exe.fetch(new Request('http://x/'));
    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ error: { code: 'FunctionError', message: 'boom' } });
    expect(await (await exe.fetch(new Request('http://x/'))).text()).toBe('ok 2');
  });

  test('a missing handler file fails the call with a start error naming the file', async () => {
    const exe = await executor.load(
      spec({ codeDir: codeDir({ 'other.js': '' }), contract: 'web', handler: 'missing.handler' }),
    );
    const error = await exe.fetch(new Request('http://x/')).catch((e) => e);
    expect(ExecutionError.is(error)).toBe(true);
    expect(error.reason).toBe('start');
    expect(error.status).toBe(502);
    expect(error.message).toContain('missing');
  });
});

describe('the event contract', () => {
  test('invokeEvent passes a CloudEvent and returns the JSON result with the call logs', async () => {
    const dir = codeDir({
      'index.js': `exports.handler = async (event, ctx) => { console.log('got', event.type); return { type: event.type, data: event.data }; };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'event' }));
    const event = { specversion: '1.0', id: 'e1', source: 'test', type: 'test.created', data: { n: 1 } };
    const result = await exe.invokeEvent(new TextEncoder().encode(JSON.stringify(event)));
    expect(JSON.parse(new TextDecoder().decode(result.body))).toEqual({
      type: 'test.created',
      data: { n: 1 },
    });
    expect(result.logs).toEqual(['got test.created']);
    expect(result.error).toBeUndefined();
  });

  test('fetch accepts a binary-mode CloudEvent', async () => {
    const dir = codeDir({
      'index.js': `exports.handler = async (event) => ({ id: event.id, type: event.type, data: event.data });`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'event' }));
    const res = await exe.fetch(
      new Request('http://x/', {
        method: 'POST',
        headers: {
          'ce-id': 'b1',
          'ce-source': 's',
          'ce-type': 't.binary',
          'ce-specversion': '1.0',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ k: 'v' }),
      }),
    );
    expect(await res.json()).toEqual({ id: 'b1', type: 't.binary', data: { k: 'v' } });
  });

  test('an event handler answers HTTP by the web rules: text, bytes, JSON, or 204 for nothing', async () => {
    const dir = codeDir({
      'index.js': `const results = { text: 'done', bytes: new Uint8Array([1, 2, 255]), json: { ok: true }, nothing: undefined };
        exports.handler = async (event) => results[event.type];`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'event' }));
    const send = (type: string) =>
      exe.fetch(
        new Request('http://x/', {
          method: 'POST',
          headers: { 'ce-id': type, 'ce-source': 's', 'ce-type': type, 'ce-specversion': '1.0' },
        }),
      );
    const text = await send('text');
    expect([text.headers.get('content-type'), await text.text()]).toEqual([
      'text/plain; charset=utf-8',
      'done',
    ]);
    const bytes = await send('bytes');
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([1, 2, 255]);
    const json = await send('json');
    expect([json.headers.get('content-type'), await json.json()]).toEqual(['application/json', { ok: true }]);
    expect((await send('nothing')).status).toBe(204);
  });
});

describe('provider native contracts', () => {
  test('the FC "coffee" HTTP handler runs unchanged, raw-body included', async () => {
    const exe = await executor.load(
      spec({ codeDir: codeDir({ 'index.js': fcCoffeeExample }), contract: 'fc-http' }),
    );
    const res = await exe.fetch(new Request('http://x/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('Hello coffee-default\n');
  });

  test('an FC HTTP handler reads the body with raw-body and sees path, queries and method', async () => {
    const dir = codeDir({
      'index.js': `var getRawBody = require('raw-body');
        exports.handler = function (req, resp, context) {
          getRawBody(req, function (err, body) {
            resp.setStatusCode(201);
            resp.setHeader('x-custom', 'yes');
            resp.send(JSON.stringify({ body: body.toString(), path: req.path, queries: req.queries, method: req.method, requestId: context.requestId, fn: context.function.name, service: context.service.name }));
          });
        };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'fc-http' }));
    const res = await exe.fetch(new Request('http://x/p/q?a=1&a=2&b=3', { method: 'PUT', body: 'raw!' }), {
      requestId: 'fc-1',
      context: { service: { name: 'svc' } },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-custom')).toBe('yes');
    expect(await res.json()).toMatchObject({
      body: 'raw!',
      path: '/p/q',
      queries: { a: ['1', '2'], b: '3' },
      method: 'PUT',
      requestId: 'fc-1',
      service: 'svc',
    });
  });

  test('FC event handlers: callback style gets a Buffer, async style returns objects as JSON, errors are reported', async () => {
    const dir = codeDir({
      'cb.js': `exports.handler = function (event, context, callback) { callback(null, 'isBuffer=' + Buffer.isBuffer(event) + ' ' + JSON.parse(event.toString()).x); };`,
      'index.mjs': `export const handler = async (event, context) => ({ len: event.length, rid: context.requestId });`,
      'fail.js': `exports.handler = function (event, context, callback) { callback(new Error('handled failure')); };`,
    });
    const cb = await executor.load(spec({ codeDir: dir, contract: 'fc-event', handler: 'cb.handler' }));
    const r1 = await cb.invokeEvent(new TextEncoder().encode('{"x":42}'));
    expect(new TextDecoder().decode(r1.body)).toBe('isBuffer=true 42');
    const asyncFn = await executor.load(
      spec({ codeDir: dir, contract: 'fc-event', handler: 'index.handler' }),
    );
    const r2 = await asyncFn.invokeEvent(new Uint8Array([1, 2, 3]), { requestId: 'ev-9' });
    expect(JSON.parse(new TextDecoder().decode(r2.body))).toEqual({ len: 3, rid: 'ev-9' });
    const fail = await executor.load(spec({ codeDir: dir, contract: 'fc-event', handler: 'fail.handler' }));
    const r3 = await fail.invokeEvent(new Uint8Array());
    expect(r3.error?.message).toBe('handled failure');
  });

  test('FC 3.0 handlers get HTTP calls as the v1 event (Buffer) and answer {statusCode, ...}; errors answer 502', async () => {
    const dir = codeDir({
      'index.js': `exports.handler = async (event, context) => {
        const e = JSON.parse(event);
        if (e.version !== 'v1') return { echo: e, buffer: Buffer.isBuffer(event), service: context.service };
        return { statusCode: 201, headers: { 'x-fn': context.function.name },
          body: Buffer.from(JSON.stringify({ e, rid: context.requestId, service: context.service })).toString('base64'), isBase64Encoded: true };
      };`,
      'plain.js': `exports.handler = (event, context, callback) => callback(null, 'just text');`,
      'fail.js': `exports.handler = async () => { throw new TypeError('no beans'); };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'fc3-event' }));
    const res = await exe.fetch(
      new Request('http://cafe-abc.cn-hangzhou.fcapp.run/a%20b?x=1&x=2', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sugar': 'two' },
        body: '{"k":1}',
      }),
      { requestId: 'fc3-1', context: { accountId: '123', service: { name: 'fc3', qualifier: 'main' } } },
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('x-fn')).toMatch(/^fn\d+$/);
    const { e, rid, service } = await res.json();
    expect(rid).toBe('fc3-1');
    expect(service).toEqual({ logProject: '', logStore: '', qualifier: 'main', versionId: '' });
    expect(e).toMatchObject({
      version: 'v1',
      rawPath: '/a%20b',
      body: '{"k":1}',
      isBase64Encoded: false,
      queryParameters: { x: '1,2' },
      requestContext: {
        accountId: '123',
        domainName: 'cafe-abc.cn-hangzhou.fcapp.run',
        domainPrefix: 'cafe-abc',
        http: { method: 'POST', path: '/a b', protocol: 'HTTP/1.1' },
        requestId: 'fc3-1',
      },
    });
    expect(e.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Sugar': 'two' });
    const binary = await exe.fetch(
      new Request('http://x.fcapp.run/', { method: 'PUT', body: new Uint8Array([0, 255]) }),
    );
    expect((await binary.json()).e).toMatchObject({ body: 'AP8=', isBase64Encoded: true });
    const viaEvent = await exe.invokeEvent(new TextEncoder().encode('{"q":1}'));
    expect(JSON.parse(new TextDecoder().decode(viaEvent.body))).toMatchObject({
      echo: { q: 1 },
      buffer: true,
    });
    const plain = await executor.load(
      spec({ codeDir: dir, contract: 'fc3-event', handler: 'plain.handler' }),
    );
    const text = await plain.fetch(new Request('http://x.fcapp.run/'));
    expect([text.status, await text.text()]).toEqual([200, 'just text']);
    const fail = await executor.load(spec({ codeDir: dir, contract: 'fc3-event', handler: 'fail.handler' }));
    const failed = await fail.fetch(new Request('http://x.fcapp.run/'));
    expect(failed.status).toBe(502);
    expect(failed.headers.get('x-fc-error-type')).toBe('UnhandledInvocationError');
    expect(await failed.json()).toEqual({ errorMessage: 'no beans', errorType: 'TypeError' });
  });

  test('FunctionGraph event handlers get parsed JSON and a context with getters; APIG requests need a structured result', async () => {
    const dir = codeDir({
      'index.js': `exports.handler = async (event, context) => ({ statusCode: 200, isBase64Encoded: false, headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ got: event.body ? Buffer.from(event.body, 'base64').toString() : event, rid: context.getRequestID(), user: context.getUserData('K'), method: event.httpMethod }) });`,
      'plain.js': `exports.handler = async (event) => 'just a string';`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'fg-event', env: { K: 'user-data' } }));
    const viaEvent = await exe.invokeEvent(new TextEncoder().encode('{"a":1}'), { requestId: 'fg-1' });
    expect(JSON.parse(JSON.parse(new TextDecoder().decode(viaEvent.body)).body)).toEqual({
      got: { a: 1 },
      rid: 'fg-1',
      user: 'user-data',
    });
    const viaHttp = await exe.fetch(new Request('http://x/apig', { method: 'POST', body: 'hello' }));
    expect(await viaHttp.json()).toMatchObject({ got: 'hello', method: 'POST', user: 'user-data' });
    const plain = await executor.load(spec({ codeDir: dir, contract: 'fg-event', handler: 'plain.handler' }));
    expect((await plain.fetch(new Request('http://x/'))).status).toBe(500);
  });

  test('Lambda handlers answer function-URL requests and events', async () => {
    const dir = codeDir({
      'index.mjs': `export const handler = async (event, context) => event.requestContext
        ? { statusCode: 202, headers: { 'x-path': event.rawPath }, body: Buffer.from(event.body, 'base64').toString() + ' ' + context.awsRequestId }
        : { echo: event };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'lambda' }));
    const res = await exe.fetch(new Request('http://x/lam', { method: 'POST', body: 'hey' }), {
      requestId: 'aws-1',
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-path')).toBe('/lam');
    expect(await res.text()).toBe('hey aws-1');
    const ev = await exe.invokeEvent(new TextEncoder().encode('{"q":1}'));
    expect(JSON.parse(new TextDecoder().decode(ev.body))).toEqual({ echo: { q: 1 } });
  });
});

describe('Python', () => {
  test('web and event handlers in their own process, with only their own env', async () => {
    const dir = codeDir({
      'main.py': `import os
def handler(request, ctx):
    print("python log line")
    return {"path": request.path, "q": request.query, "body": request.text(), "rid": ctx.request_id,
            "env": os.environ.get("ONLY_MINE"), "leak": os.environ.get("FAASPORT_TEST_PARENT_SECRET")}

def created(event, ctx):
    return {"type": event["type"], "n": event["data"]["n"] * 2}

def teapot(request, ctx):
    return ("short and stout", 418, {"x-kind": "teapot"})
`,
    });
    const web = await executor.load(
      spec({
        codeDir: dir,
        contract: 'web',
        runtime: 'python3.11',
        handler: 'main.handler',
        env: { ONLY_MINE: 'yes' },
      }),
    );
    const res = await web.fetch(new Request('http://x/py?z=9', { method: 'POST', body: 'snake' }), {
      requestId: 'py-1',
    });
    expect(await res.json()).toEqual({
      path: '/py',
      q: { z: '9' },
      body: 'snake',
      rid: 'py-1',
      env: 'yes',
      leak: null,
    });
    expect(logs.some((l) => l.requestId === 'py-1' && l.message === 'python log line')).toBe(true);
    const teapot = await executor.load(
      spec({ codeDir: dir, contract: 'web', runtime: 'python3.11', handler: 'main.teapot' }),
    );
    const tea = await teapot.fetch(new Request('http://x/'));
    expect(tea.status).toBe(418);
    expect(tea.headers.get('x-kind')).toBe('teapot');
    const event = await executor.load(
      spec({ codeDir: dir, contract: 'event', runtime: 'python3', handler: 'main.created' }),
    );
    const out = await event.invokeEvent(
      new TextEncoder().encode(
        JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 'py.t', data: { n: 21 } }),
      ),
    );
    expect(JSON.parse(new TextDecoder().decode(out.body))).toEqual({ type: 'py.t', n: 42 });
  });
  test('an FC 3.0 Python handler gets the v1 event as bytes and answers {statusCode, ...}', async () => {
    const dir = codeDir({
      'main.py': `import json
def handler(event, context):
    e = json.loads(event)
    if e.get("version") != "v1":
        return {"echo": e, "fn": context.function["name"]}
    return {"statusCode": 202, "headers": {"x-path": e["rawPath"]},
            "body": e["body"] + " " + e["headers"]["Content-Type"] + " " + context.request_id}
`,
    });
    const exe = await executor.load(
      spec({ codeDir: dir, contract: 'fc3-event', runtime: 'python3.11', handler: 'main.handler' }),
    );
    const res = await exe.fetch(
      new Request('http://x.fcapp.run/py', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'snake',
      }),
      { requestId: 'py-3' },
    );
    expect(res.status).toBe(202);
    expect(res.headers.get('x-path')).toBe('/py');
    expect(await res.text()).toBe('snake text/plain py-3');
    const out = await exe.invokeEvent(new TextEncoder().encode('{"n":1}'));
    expect(JSON.parse(new TextDecoder().decode(out.body))).toMatchObject({ echo: { n: 1 } });
  });
});

describe('the http contract (custom runtimes and images)', () => {
  test('the FunctionGraph custom-image Express example runs on its fixed port 8000, /init once, events to /invoke', async () => {
    const dir = codeDir({ 'server.js': functionGraphExpressExample });
    const exe = await executor.load(
      spec({
        codeDir: dir,
        contract: 'http',
        runtime: 'custom',
        command: ['node', 'server.js'],
        port: 8000,
        fixedPort: true,
        http: { initPath: '/init', invokePath: '/invoke' },
        maxInstances: 2,
        concurrency: 1,
      }),
    );
    const results = await Promise.all([0, 1].map(() => exe.invokeEvent(new TextEncoder().encode('{"k":1}'))));
    for (const result of results) {
      expect(new TextDecoder().decode(result.body)).toBe('Hello invoke\n');
      expect(result.error).toBeUndefined();
    }
    const res = await exe.fetch(new Request('http://x/invoke', { method: 'POST', body: '{}' }));
    expect(await res.text()).toBe('Hello invoke\n');
    // The server's own stdout is a separate pipe from its HTTP answers: wait for the line to be read.
    await waitFor(
      () =>
        logs.some(
          (l) => l.executableId === exe.spec.id && l.message.startsWith('Listening on http://localhost:8000'),
        ),
      'the server start-up line in the logs',
    );
  });

  test('a custom command serving $PORT gets requests proxied with method, path, headers and body', async () => {
    const dir = codeDir({
      'app.mjs': `import http from 'node:http';
        http.createServer((req, res) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ method: req.method, url: req.url, h: req.headers['x-test'], body: b, port: process.env.PORT, mine: process.env.MINE }));
        }); }).listen(Number(process.env.PORT), '127.0.0.1');`,
    });
    const exe = await executor.load(
      spec({
        codeDir: dir,
        contract: 'http',
        runtime: 'custom',
        command: ['node', 'app.mjs'],
        env: { MINE: 'm' },
      }),
    );
    const res = await exe.fetch(
      new Request('http://x/some/path?q=1', { method: 'PATCH', headers: { 'x-test': 'T' }, body: 'data' }),
    );
    const body = await res.json();
    expect(body).toMatchObject({ method: 'PATCH', url: '/some/path?q=1', h: 'T', body: 'data', mine: 'm' });
    expect(Number(body.port)).toBeGreaterThan(0);
  });
  test('a custom command whose port was taken before it bound it is started again on another port', async () => {
    // The first start fails the way a server does when another program took its port in the meantime.
    const dir = codeDir({
      'app.mjs': `import fs from 'node:fs'; import http from 'node:http';
        if (!fs.existsSync('tried')) {
          fs.writeFileSync('tried', process.env.PORT);
          console.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:' + process.env.PORT);
          process.exit(1);
        }
        http.createServer((req, res) => res.end('port ' + process.env.PORT)).listen(Number(process.env.PORT), '127.0.0.1');`,
    });
    const exe = await executor.load(
      spec({ codeDir: dir, contract: 'http', runtime: 'custom', command: ['node', 'app.mjs'] }),
    );
    const answer = await (await exe.fetch(new Request('http://x/'))).text();
    const firstPort = fs.readFileSync(path.join(dir, 'tried'), 'utf8');
    expect(answer).toMatch(/^port \d+$/);
    expect(answer).not.toBe(`port ${firstPort}`);
  });

  test.skipIf(process.platform !== 'linux')(
    'a custom command never takes calls meant for another program listening on its port (Linux: /proc)',
    async () => {
      // Another program holds the command's fixed port: connecting works, but the listener is not the command's.
      const stranger = http.createServer((_req, res) => res.end('stranger'));
      await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
      const port = (stranger.address() as AddressInfo).port;
      try {
        const dir = codeDir({
          'server.py': `import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b'mine')
http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
`,
        });
        const exe = await executor.load(
          spec({
            codeDir: dir,
            contract: 'http',
            runtime: 'custom',
            command: ['python3', 'server.py'],
            port,
            fixedPort: true,
          }),
        );
        const error = await exe.fetch(new Request('http://x/')).catch((e) => e);
        expect(ExecutionError.is(error)).toBe(true);
        expect(error.message).toContain(`before it listened on port ${port}`);
        expect(error.message).toMatch(/Address already in use/i);
      } finally {
        await new Promise((resolve) => stranger.close(resolve));
      }
    },
  );

  test('a custom command that exits before it listens fails the call with its own last words', async () => {
    const dir = codeDir({ 'app.mjs': `console.error('missing DATABASE_URL'); process.exit(2);` });
    const exe = await executor.load(
      spec({ codeDir: dir, contract: 'http', runtime: 'custom', command: ['node', 'app.mjs'] }),
    );
    const error = await exe.fetch(new Request('http://x/')).catch((e) => e);
    expect(ExecutionError.is(error)).toBe(true);
    expect(error.message).toContain('exited with code 2 before it listened');
    expect(error.message).toContain('missing DATABASE_URL');
  });
});

describe('isolation, limits and scaling', () => {
  test('a call over the timeout fails with 504 and the instance is replaced', async () => {
    const dir = codeDir({
      'index.js': `exports.handler = async (req) => { if (new URL(req.url).pathname === '/hang') await new Promise(() => setInterval(() => {}, 1000)); return 'pid ' + process.pid; };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'web', timeoutMs: 400, maxInstances: 1 }));
    const before = await (await exe.fetch(new Request('http://x/'))).text();
    const error = await exe.fetch(new Request('http://x/hang')).catch((e) => e);
    expect(ExecutionError.is(error)).toBe(true);
    expect(error.reason).toBe('timeout');
    expect(error.status).toBe(504);
    const after = await (await exe.fetch(new Request('http://x/'))).text();
    expect(after).toMatch(/^pid \d+$/);
    expect(after).not.toBe(before);
    // The stop is reported when the killed process has exited, which can come after the replacement answered.
    await waitFor(
      () => stops.some((s) => s.executableId === exe.spec.id && s.reason === 'timeout'),
      'the timed-out instance reported as stopped for timeout',
    );
  });

  test('a crashing instance fails its call with 502, others are untouched, and the next call is served', async () => {
    const crashDir = codeDir({
      'index.js': `exports.handler = async (req) => { if (new URL(req.url).pathname === '/crash') process.exit(3); return 'alive'; };`,
    });
    const otherDir = codeDir({ 'index.js': `exports.handler = async () => 'other alive';` });
    const crashy = await executor.load(spec({ codeDir: crashDir, contract: 'web' }));
    const other = await executor.load(spec({ codeDir: otherDir, contract: 'web' }));
    const error = await crashy.fetch(new Request('http://x/crash')).catch((e) => e);
    expect(error.reason).toBe('crash');
    expect(error.status).toBe(502);
    expect(await (await other.fetch(new Request('http://x/'))).text()).toBe('other alive');
    expect(await (await crashy.fetch(new Request('http://x/'))).text()).toBe('alive');
  });

  test('code that writes garbage to the executor channel stops its own instance, nothing else', async () => {
    const dir = codeDir({
      'index.js': `const fs = require('node:fs');
        exports.handler = async (req) => {
          if (new URL(req.url).pathname === '/garble') { fs.writeSync(3, Buffer.from([255, 255, 255, 127, 1, 2, 3, 4])); await new Promise(() => {}); }
          return 'fine';
        };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'web', timeoutMs: 10_000 }));
    const error = await exe.fetch(new Request('http://x/garble')).catch((e) => e);
    expect(ExecutionError.is(error)).toBe(true);
    expect(error.reason).toBe('crash');
    expect(error.message).toContain('protocol');
    expect(await (await exe.fetch(new Request('http://x/'))).text()).toBe('fine');
  });

  test('max instances and per-instance concurrency bound the processes under concurrent load', async () => {
    // Calls hold until the gate file exists: one instance alone cannot drain the load while the
    // second is still starting (a slow start on a busy machine), so both always take calls.
    const gate = path.join(tempDir('faasport-gate-'), 'open');
    const dir = codeDir({
      'index.js': `const fs = require('node:fs');
        exports.handler = async () => {
          while (!fs.existsSync(process.env.GATE)) await new Promise((r) => setTimeout(r, 10));
          return String(process.pid);
        };`,
    });
    const exe = await executor.load(
      spec({
        codeDir: dir,
        contract: 'web',
        maxInstances: 2,
        concurrency: 2,
        timeoutMs: 30_000,
        env: { GATE: gate },
      }),
    );
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, exe.stats().instances)), 5);
    const calls = Promise.all(
      Array.from({ length: 12 }, () => exe.fetch(new Request('http://x/')).then((r) => r.text())),
    );
    await waitFor(() => exe.stats().inFlight === 4, 'both instances running two calls each');
    expect(exe.stats().queued).toBe(8);
    fs.writeFileSync(gate, '');
    const pids = await calls;
    clearInterval(sampler);
    expect(new Set(pids).size).toBe(2);
    expect(peak).toBeLessThanOrEqual(2);
    expect(exe.stats().started).toBe(2);
  });

  test('idle instances stop (scale to zero), the next call cold-starts one, and minInstances stay warm', async () => {
    const dir = codeDir({ 'index.js': `exports.handler = async () => 'pid ' + process.pid;` });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'web', idleSeconds: 0.2 }));
    await exe.fetch(new Request('http://x/'));
    await waitFor(
      () => stops.some((s) => s.executableId === exe.spec.id && s.reason === 'idle'),
      'scale to zero',
    );
    expect(exe.stats().instances).toBe(0);
    expect(await (await exe.fetch(new Request('http://x/'))).text()).toMatch(/^pid/);
    expect(exe.stats().started).toBe(2);
    const warm = await executor.load(
      spec({ codeDir: dir, contract: 'web', idleSeconds: 0.1, minInstances: 1 }),
    );
    await waitFor(() => warm.stats().instances === 1 && warm.stats().starting === 0, 'min instance');
    await warm.fetch(new Request('http://x/'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(warm.stats().instances).toBe(1);
  });

  test('the memory limit stops a function that allocates past it', async () => {
    const dir = codeDir({
      'index.js': `const hold = []; exports.handler = async () => { for (;;) hold.push(new Array(1e6).fill(Math.random())); };`,
    });
    const exe = await executor.load(spec({ codeDir: dir, contract: 'web', memoryMb: 32, timeoutMs: 20_000 }));
    const error = await exe.fetch(new Request('http://x/')).catch((e) => e);
    expect(error.reason).toBe('crash');
    expect(error.message).toMatch(/heap|memory|killed|exited/i);
  });

  test('an invalid spec is rejected with the field named', async () => {
    const error = await executor
      .load(spec({ codeDir: '/definitely/not/here', contract: 'web' }))
      .catch((e) => e);
    expect(error.code).toBe('FP_VALIDATION');
    expect(error.message).toContain('codeDir');
    const bad = await executor
      .load({ ...spec({ codeDir: '/tmp', contract: 'web' }), timeoutMs: -1 })
      .catch((e) => e);
    expect(bad.message).toContain('timeoutMs');
  });
});
