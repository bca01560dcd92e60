import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { defineFunction, deploy, type FunctionConfig, invoke } from '@faasport/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, tempDir } from './helpers/fixtures';
import { request } from './helpers/runtime-process';

let runtime: Runtime;
let adapter: ReturnType<typeof createLocalAdapter>;
const ctx = { emit() {}, logger: { debug() {}, info() {}, warn() {} }, signal: new AbortController().signal };

beforeAll(async () => {
  runtime = await startRuntime({
    dataDir: tempDir('faasport-runtime-'),
    port: 0,
    headersTimeoutMs: 400,
    requestTimeoutMs: 800,
    maxQueue: 2,
    queueTimeoutMs: 3000,
  });
  adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
});

afterAll(async () => {
  await runtime?.close();
  cleanTemp();
});

const ship = (config: FunctionConfig, env: Record<string, string> = {}) =>
  deploy(adapter, defineFunction(config), { env });

describe('gateway limits', () => {
  test('a client that never finishes its headers is cut off', async () => {
    const socket = net.connect(runtime.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  test('calls beyond the wait queue of a busy function get 429', async () => {
    await ship({
      name: 'busy',
      source: {
        inline: `export default async () => { await new Promise((r) => setTimeout(r, 600)); return 'done'; };`,
      },
      scaling: { max: 1, concurrency: 1 },
    });
    const replies = await Promise.all(Array.from({ length: 6 }, () => request(`${runtime.url}/busy/`)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses).toContain(429);
    const rejected = replies.find((r) => r.status === 429)!;
    expect(JSON.parse(rejected.body).error.code).toBe('TooManyRequests');
  });

  test('methods outside the http trigger get 405; functions without one are not on the gateway but invokable', async () => {
    await ship({
      name: 'getonly',
      source: { inline: `export default () => 'ok';` },
      triggers: [{ http: { methods: ['GET'] } }],
    });
    expect((await request(`${runtime.url}/getonly/`)).status).toBe(200);
    expect((await request(`${runtime.url}/getonly/`, { method: 'POST', body: 'x' })).status).toBe(405);
    await ship({
      name: 'internal',
      contract: 'event',
      source: { inline: `export default (event) => ({ seen: event.data });` },
      triggers: [],
    });
    expect((await request(`${runtime.url}/internal/`)).status).toBe(404);
    const viaAdapter = await invoke(adapter, 'internal', { body: { a: 1 } }, { mode: 'event' });
    expect(await viaAdapter.json()).toEqual({ seen: { a: 1 } });
  });
});

describe('access, domains and secrets', () => {
  test('a private function needs the bearer token; a custom domain routes by Host', async () => {
    await ship({
      name: 'secretive',
      visibility: 'private',
      source: { inline: `export default () => 'private ok';` },
      domains: [{ host: 'api.example.com', path: '/v1' }],
    });
    expect((await request(`${runtime.url}/secretive/`)).status).toBe(401);
    const allowed = await request(`${runtime.url}/secretive/`, {
      headers: { authorization: `Bearer ${runtime.token}` },
    });
    expect(allowed.body).toBe('private ok');
    const byDomain = await request(`${runtime.url}/v1/anything`, {
      host: 'api.example.com',
      headers: { authorization: `Bearer ${runtime.token}` },
    });
    expect(byDomain.body).toBe('private ok');
  });

  test('secret values reach the function but never its logs, the API or the data dir logs', async () => {
    const secret = 'sk-live-0123456789abcdef';
    await ship(
      {
        name: 'leaky',
        source: {
          inline: `export default (request, ctx) => { console.log('token is ' + ctx.env.API_TOKEN); return ctx.env.API_TOKEN.length; };`,
        },
        secrets: { API_TOKEN: { fromEnv: 'LEAKY_TOKEN' } },
      },
      { LEAKY_TOKEN: secret },
    );
    expect((await request(`${runtime.url}/leaky/`)).body).toBe(String(secret.length));
    const entries = [];
    for await (const entry of adapter.logs!('leaky', {})) entries.push(entry);
    expect(entries.some((e) => e.message === 'token is ***')).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(secret);
    const live = await request(`${runtime.url}/_faasport/v1/functions/leaky`, {
      headers: { authorization: `Bearer ${runtime.token}` },
    });
    expect(live.body).not.toContain(secret);
    const exported = await adapter.export('leaky', ctx);
    expect(JSON.stringify(exported.config)).not.toContain(secret);
    expect(exported.config.secrets).toEqual({ API_TOKEN: { fromEnv: 'LEAKY_TOKEN' } });
    // The data dir log is written in batches; wait for the line rather than for a fixed time.
    const logPath = path.join(runtime.dataDir, 'logs', 'leaky.ndjson');
    const logFile = await eventually(() => {
      const text = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '';
      return text.includes('token is ***') ? text : undefined;
    }, 'the log line in the data dir');
    expect(logFile).toContain('token is ***');
    expect(logFile).not.toContain(secret);
  });
});

describe('logs', () => {
  test('following a function streams new invocation records as they happen', async () => {
    await ship({
      name: 'followed',
      source: {
        inline: `export default (request, ctx) => { ctx.log.info('hello from ' + ctx.requestId); return 'ok'; };`,
      },
    });
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const entry of adapter.logs!('followed', { follow: true, signal: controller.signal })) {
        seen.push(entry.message);
        if (entry.fields?.kind === 'invocation') controller.abort();
      }
    })();
    // No wait for the follow to start: the stream replays stored entries before following new ones.
    const reply = await request(`${runtime.url}/followed/`, { headers: { 'x-request-id': 'follow-me-1' } });
    expect(reply.status).toBe(200);
    await following;
    expect(seen).toContain('hello from follow-me-1');
    expect(seen.some((m) => m.startsWith('GET / 200'))).toBe(true);
  });

  test('the admin API validates bodies with the core schemas and names the field', async () => {
    await ship({ name: 'validated', source: { inline: `export default () => 'v';` } });
    const bad = await request(`${runtime.url}/_faasport/v1/functions/validated/traffic`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ traffic: [{ revision: 'x', percent: 50 }] }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatchObject({ code: 'FP_VALIDATION' });
    expect(bad.body).toContain('sum to 50');
    const unknownKey = await request(`${runtime.url}/_faasport/v1/functions/validated/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        specHash: 'x',
        config: { name: 'validated', source: { archive: './c.zip' }, memroy: 1 },
      }),
    });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body).toContain('memroy');
    const badName = await request(`${runtime.url}/_faasport/v1/functions/..%2Fetc`, {
      headers: { authorization: `Bearer ${runtime.token}` },
    });
    expect(badName.status).toBe(400);
  });
});

async function eventually<T>(read: () => T | undefined, what: string): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
