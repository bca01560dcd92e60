import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createExecutor, type ExecutableSpec, type Executor, type WebRequestMode } from '../src/index';
import { cleanTemp, codeDir } from './helpers/fixtures';

// The Request a `web` handler gets: lazy (a proxy that builds undici's Request on first use beyond url
// and method) where a worker's start-up check finds it behaves as a real one, else eager. Whatever the
// mode, a handler that passes its request on (fetch, new Request, clone, body reads, inspect, freeze)
// must see what a real Request does.

/** Reports what a handler can observe about its request, passing it on to fetch and new Request. */
const observer = `import { inspect, types } from 'node:util';
export default async (request, ctx) => {
  const facts = {
    proxy: types.isProxy(request),
    isRequest: request instanceof Request,
    prototype: Object.getPrototypeOf(request) === Request.prototype,
    tag: Object.prototype.toString.call(request),
    sameInContext: ctx.raw.request === request,
    url: request.url,
    method: request.method,
  };
  if (request.method === 'GET') return facts;
  facts.inspected = inspect(request, { colors: false });
  facts.textIsShared = request.text === Request.prototype.text;
  const fetched = await fetch(request.clone());
  facts.fetched = await fetched.json();
  const copy = new Request(request.clone(), { method: 'PUT' });
  facts.copy = [copy.method, copy.url, copy.headers.get('x-custom'), await copy.text()];
  facts.header = request.headers.get('x-custom');
  facts.signal = request.signal instanceof AbortSignal && !request.signal.aborted;
  facts.body = await request.text();
  facts.used = request.bodyUsed;
  facts.again = await request.text().then(() => 'read twice', (error) => error.name);
  request.note = 'set by the handler';
  facts.keys = Object.keys(request);
  Object.freeze(request);
  facts.frozen = [Object.isFrozen(request), request.note, request.url];
  return facts;
};
`;

/**
 * Makes every Request method and getter refuse a proxy as its receiver, as undici's would if it kept a
 * request's state in private class fields: the worker's start-up check must then choose eager requests.
 */
const privateStateNode = `import { types } from 'node:util';
for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(Request.prototype))) {
  if (key === 'constructor') continue;
  const strict = (f) => function (...args) {
    if (types.isProxy(this)) throw new TypeError('Receiver must be an instance of class Request');
    return f.apply(this, args);
  };
  if (typeof descriptor.value === 'function') descriptor.value = strict(descriptor.value);
  if (descriptor.get) descriptor.get = strict(descriptor.get);
  Object.defineProperty(Request.prototype, key, descriptor);
}
`;

let echo: http.Server;
let echoUrl: string;
const executors: Executor[] = [];

beforeAll(async () => {
  echo = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          method: req.method,
          path: req.url,
          custom: req.headers['x-custom'],
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(executors.map((executor) => executor.close()));
  await new Promise((resolve) => echo.close(resolve));
  cleanTemp();
});

function executorWith(webRequest?: WebRequestMode, nodeArgs?: string[]): Executor {
  const executor = createExecutor({ warmPool: 0, webRequest, nodeArgs });
  executors.push(executor);
  return executor;
}

let counter = 0;
function spec(dir: string): ExecutableSpec {
  counter++;
  return {
    id: `web-request/${counter}`,
    runtime: 'nodejs20',
    handler: 'index.default',
    codeDir: dir,
    contract: 'web',
    env: {},
    timeoutMs: 10_000,
    memoryMb: 128,
    concurrency: 4,
    maxInstances: 1,
    functionName: `observer${counter}`,
    revision: 'r1',
    target: 'local',
  };
}

/** What the observer handler reports for a POST with a body and a GET, through an executor. */
async function observe(executor: Executor) {
  const exe = await executor.load(spec(codeDir({ 'index.mjs': observer })));
  const post = await exe.fetch(
    new Request(`${echoUrl}/orders/./7?q=a%20b`, {
      method: 'POST',
      headers: { 'x-custom': 'hello', 'content-type': 'text/plain' },
      body: 'payload ✓',
    }),
  );
  const get = await exe.fetch(new Request(`${echoUrl}/status?full=1`));
  expect([post.status, get.status]).toEqual([200, 200]);
  return { post: await post.json(), get: await get.json() };
}

describe('a web handler sees a real Request, lazy or eager', () => {
  const seen: Record<string, Awaited<ReturnType<typeof observe>>> = {};

  test.each(['lazy', 'eager'] as const)(
    '%s: instanceof, url, fetch, new Request, body, inspect, freeze',
    async (mode) => {
      const { post, get } = await observe(executorWith(mode));
      seen[mode] = { post, get };
      expect(post.proxy).toBe(mode === 'lazy');
      expect(post).toMatchObject({
        isRequest: true,
        prototype: true,
        tag: '[object Request]',
        sameInContext: true,
        url: `${echoUrl}/orders/7?q=a%20b`,
        method: 'POST',
        textIsShared: true,
        fetched: { method: 'POST', path: '/orders/7?q=a%20b', custom: 'hello', body: 'payload ✓' },
        copy: ['PUT', `${echoUrl}/orders/7?q=a%20b`, 'hello', 'payload ✓'],
        header: 'hello',
        signal: true,
        body: 'payload ✓',
        used: true,
        again: 'TypeError',
        keys: ['note'],
        frozen: [true, 'set by the handler', `${echoUrl}/orders/7?q=a%20b`],
      });
      expect(post.inspected).toMatch(
        /^Request \{\n {2}method: 'POST',\n {2}url: 'http:\/\/127\.0\.0\.1:\d+\/orders\/7\?q=a%20b',/,
      );
      expect(get).toMatchObject({
        proxy: mode === 'lazy',
        isRequest: true,
        method: 'GET',
        url: `${echoUrl}/status?full=1`,
      });
    },
  );

  test('both modes report the same, but for being a proxy', () => {
    expect(Object.keys(seen).sort()).toEqual(['eager', 'lazy']);
    const same = (facts: Record<string, unknown>) => ({ ...facts, proxy: undefined });
    expect(same(seen.lazy!.post)).toEqual(same(seen.eager!.post));
    expect(same(seen.lazy!.get)).toEqual(same(seen.eager!.get));
  });

  test("by default, a worker's start-up check turns lazy requests on where they behave as real ones", async () => {
    const { post, get } = await observe(executorWith());
    expect([post.proxy, get.proxy]).toEqual([true, true]);
    expect(post.fetched.body).toBe('payload ✓');
  });

  test('a Node whose Request refuses proxies (state in private fields) gets eager requests', async () => {
    const preload = `${codeDir({ 'private-state.mjs': privateStateNode })}/private-state.mjs`;
    const { post, get } = await observe(executorWith(undefined, ['--import', preload]));
    expect([post.proxy, get.proxy]).toEqual([false, false]);
    expect(post).toMatchObject({
      body: 'payload ✓',
      fetched: { body: 'payload ✓' },
      frozen: [true, 'set by the handler', `${echoUrl}/orders/7?q=a%20b`],
    });
  });
});
