import { defineFunction, deploy } from '@faasport/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, tempDir } from './helpers/fixtures';
import { request } from './helpers/runtime-process';

// What the admin API, /metrics and function errors give to callers without the token, and to browser
// pages reaching the runtime under a foreign host name (DNS rebinding).

let closed: Runtime;
let open: Runtime;

beforeAll(async () => {
  [closed, open] = await Promise.all([
    startRuntime({ dataDir: tempDir('faasport-admin-'), port: 0, warmPool: 0 }),
    startRuntime({ dataDir: tempDir('faasport-admin-open-'), port: 0, warmPool: 0, publicMetrics: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([closed?.close(), open?.close()]);
  cleanTemp();
});

const bearer = (runtime: Runtime) => ({ authorization: `Bearer ${runtime.token}` });

describe('/metrics', () => {
  test('needs the admin token by default, whatever the host', async () => {
    for (const host of ['localhost', '127.0.0.1', 'attacker.example']) {
      const answer = await request(`${closed.url}/metrics`, { host });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body).error.code).toBe('Unauthorized');
      expect(answer.body).toContain('--public-metrics');
      expect(answer.body).not.toContain('faasport_');
    }
    const wrong = await request(`${closed.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const scraped = await request(`${closed.url}/metrics`, { headers: bearer(closed) });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('# TYPE faasport_events_pending gauge');
  });

  test('opened with publicMetrics, they answer loopback host names only, against DNS rebinding', async () => {
    const port = open.port;
    for (const host of [
      `localhost:${port}`,
      'localhost',
      `metrics.localhost:${port}`,
      `127.0.0.1:${port}`,
      '127.9.8.7',
      `[::1]:${port}`,
      'LOCALHOST.',
    ]) {
      const answer = await request(`${open.url}/metrics`, { host });
      expect({ host, status: answer.status }).toEqual({ host, status: 200 });
      expect(answer.body).toContain('faasport_events_pending');
    }
    for (const host of [
      `attacker.example:${port}`,
      'localhost.attacker.example',
      '127.0.0.1.nip.io',
      '128.0.0.1',
      '127.0.0.256',
      '[::2]',
    ]) {
      const answer = await request(`${open.url}/metrics`, { host });
      expect({ host, status: answer.status }).toEqual({ host, status: 403 });
      expect(JSON.parse(answer.body).error.code).toBe('ForbiddenHost');
      expect(answer.body).not.toContain('faasport_events_pending');
    }
    // The token proves the caller is no page from elsewhere: any host then.
    const withToken = await request(`${open.url}/metrics`, {
      host: 'prometheus.example',
      headers: bearer(open),
    });
    expect(withToken.status).toBe(200);
  });
});

describe('admin API paths', () => {
  test('malformed percent-encoding is a 400 naming the segment, not a 500', async () => {
    for (const path of ['/functions/%E0%A4%A', '/functions/%zz/revisions', '/functions/abc%']) {
      const answer = await request(`${closed.url}/_faasport/v1${path}`, { headers: bearer(closed) });
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      const error = JSON.parse(answer.body).error;
      expect(error.code).toBe('InvalidPath');
      expect(error.message).toContain('%25');
    }
    // Well-formed encoding still reaches the route.
    const missing = await request(`${closed.url}/_faasport/v1/functions/na%6De`, { headers: bearer(closed) });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.message).toContain('"name"');
  });
});

describe('function errors', () => {
  test('a thrown error quoting a secret reaches the anonymous caller with the value redacted', async () => {
    // Quotes and backslashes are escaped in the JSON body: the redaction must see through that.
    const secret = 'pa"ss\\word-7d1e';
    const adapter = createLocalAdapter({ url: closed.url, token: closed.token });
    await deploy(
      adapter,
      defineFunction({
        name: 'leaky',
        source: {
          inline: `export default (request, ctx) => {
            if (new URL(request.url).pathname === '/own') return new Response('db said ' + ctx.env.DB_PASSWORD, { status: 503 });
            throw new Error('cannot connect with ' + ctx.env.DB_PASSWORD);
          };`,
        },
        secrets: { DB_PASSWORD: { fromEnv: 'LEAKY_DB_PASSWORD' } },
      }),
      { env: { LEAKY_DB_PASSWORD: secret } },
    );
    const thrown = await request(`${closed.url}/leaky/`);
    expect(thrown.status).toBe(500);
    const error = JSON.parse(thrown.body).error;
    expect(error.code).toBe('FunctionError');
    expect(error.message).toBe('cannot connect with ***');
    expect(thrown.body).not.toContain('7d1e');
    // A 5xx error the function answers itself is redacted too.
    const own = await request(`${closed.url}/leaky/own`);
    expect(own.status).toBe(503);
    expect(own.body).toBe('db said ***');
  }, 60_000);
});
