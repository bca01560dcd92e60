import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { defineFunction, deploy, type FunctionConfig, invoke, setTraffic } from '@faasport/core';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalAdapter } from '../src/index';
import {
  cleanTemp,
  codeDir,
  fcCoffeeExample,
  functionGraphExpressExample,
  tempDir,
} from './helpers/fixtures';
import { type RuntimeProcess, request, startRuntimeProcess } from './helpers/runtime-process';
import { waitFor } from './helpers/wait';

let runtime: RuntimeProcess;
let adapter: ReturnType<typeof createLocalAdapter>;

beforeAll(async () => {
  runtime = await startRuntimeProcess(tempDir('faasport-e2e-'));
  adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
});

afterAll(async () => {
  await runtime?.stop();
  cleanTemp();
});

const hostOf = (fn: string, tag?: string) => `${tag ? `${tag}-` : ''}${fn}.default.localhost:${runtime.port}`;

async function ship(config: FunctionConfig) {
  return deploy(adapter, defineFunction(config));
}

const echo = `export default async (request, ctx) => {
  const url = new URL(request.url);
  ctx.log.info('echo ' + url.pathname);
  return { path: url.pathname, query: url.search, revision: ctx.revision, greeting: ctx.env.GREETING, pid: process.pid };
};`;

/** The runtime's metrics, as text. */
async function scrape(): Promise<string> {
  const res = await request(`${runtime.url}/metrics`, {
    headers: { authorization: `Bearer ${runtime.token}` },
  });
  return res.body;
}

/** The sum of a metric's series whose labels include `labels`. */
async function metricWith(name: string, labels: string): Promise<number> {
  let total = 0;
  for (const line of (await scrape()).split('\n'))
    if (line.startsWith(`${name}{`) && line.includes(labels)) total += Number(line.split(' ').pop());
  return total;
}

async function metric(name: string, fn: string): Promise<number> {
  return metricWith(name, `function="${fn}"`);
}

/** Workers waiting in the runtime's warm pool (`faasport_warm_pool_workers`); -1 when it is not reported. */
async function warmWorkers(): Promise<number> {
  const line = (await scrape()).split('\n').find((l) => l.startsWith('faasport_warm_pool_workers{'));
  return line ? Number(line.split(' ').pop()) : -1;
}

describe('admin API security', () => {
  test('answers 401 without the token or with a wrong one, and the token file is private', async () => {
    const none = await request(`${runtime.url}/_faasport/v1/functions`);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe('Unauthorized');
    expect(none.body).not.toContain(runtime.token);
    const wrong = await request(`${runtime.url}/_faasport/v1/functions`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const ok = await request(`${runtime.url}/_faasport/v1/functions`, {
      headers: { authorization: `Bearer ${runtime.token}` },
    });
    expect(ok.status).toBe(200);
    expect(fs.statSync(path.join(runtime.dataDir, 'token')).mode & 0o777).toBe(0o600);
    expect(runtime.output()).toContain(path.join(runtime.dataDir, 'token'));
  });

  test('a zip-slip archive and a symlink archive are rejected with nothing written', async () => {
    const codeRoot = path.join(runtime.dataDir, 'code');
    const before = fs.readdirSync(codeRoot).sort();
    const send = (zip: Uint8Array) =>
      request(`${runtime.url}/_faasport/v1/functions/slip/revisions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          label: 'v1',
          revisionHash: 'a'.repeat(64),
          config: { name: 'slip', source: { archive: './code.zip' }, runtime: 'nodejs20' },
          code: Buffer.from(zip).toString('base64'),
        }),
      });
    const slip = await send(
      zipSync({
        'index.js': new TextEncoder().encode('exports.handler = () => 1'),
        '../../evil.js': new TextEncoder().encode('owned'),
      }),
    );
    expect(slip.status).toBe(400);
    expect(slip.body).toContain('zip-slip');
    const link = await send(
      zipSync({
        'index.js': [new TextEncoder().encode('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
      }),
    );
    expect(link.status).toBe(400);
    expect(link.body).toContain('symbolic link');
    expect(fs.readdirSync(codeRoot).sort()).toEqual(before);
    expect(fs.existsSync(path.join(runtime.dataDir, 'evil.js'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(runtime.dataDir), 'evil.js'))).toBe(false);
    expect(
      (
        await request(`${runtime.url}/_faasport/v1/functions/slip`, {
          headers: { authorization: `Bearer ${runtime.token}` },
        })
      ).status,
    ).toBe(404);
  });
});

describe('gateway routing', () => {
  test('deploys and invokes by host and by path, with JSON 404s and a 413 over the body limit', async () => {
    const result = await ship({ name: 'hello', source: { inline: echo }, env: { GREETING: 'hi' } });
    expect(result.changed).toBe(true);
    const byHost = await request(`${runtime.url}/some/where?x=1`, { host: hostOf('hello') });
    expect(byHost.status).toBe(200);
    expect(JSON.parse(byHost.body)).toMatchObject({
      path: '/some/where',
      query: '?x=1',
      greeting: 'hi',
      revision: result.revision,
    });
    const byPath = await request(`${runtime.url}/hello/deep/path`);
    expect(JSON.parse(byPath.body)).toMatchObject({ path: '/deep/path', greeting: 'hi' });
    const requestId = byPath.headers['x-faasport-request-id'] as string;
    expect(requestId).toMatch(/[0-9a-f-]{36}/);

    const unknown = await request(`${runtime.url}/`, { host: hostOf('nope') });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('FunctionNotFound');
    const tooBig = await request(`${runtime.url}/hello/`, {
      method: 'POST',
      body: new Uint8Array(6 * 1024 * 1024 + 1),
    });
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body).error.code).toBe('PayloadTooLarge');
    const bigHeaders = await request(`${runtime.url}/hello/`, { headers: { 'x-big': 'a'.repeat(20_000) } });
    expect(bigHeaders.status).toBe(431);

    // The invocation record and the function's own line carry the same request id.
    await waitFor(async () => {
      const logs = await request(`${runtime.url}/_faasport/v1/logs?function=hello&requestId=${requestId}`, {
        headers: { authorization: `Bearer ${runtime.token}` },
      });
      const lines = logs.body
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      return (
        lines.some((l) => l.kind === 'invocation' && l.status === 200) &&
        lines.some((l) => l.kind === 'log' && l.message === 'echo /deep/path')
      );
    }, 'logs with the request id');
    expect(await metric('faasport_invocations_total', 'hello')).toBeGreaterThanOrEqual(2);

    // Bytes come back byte for byte (small and large bodies take different write paths).
    await ship({
      name: 'bytes',
      source: { inline: `export default async (request) => new Uint8Array(await request.arrayBuffer());` },
    });
    for (const size of [3, 100_000]) {
      const sent = new Uint8Array(size).map((_, i) => (i * 7 + 255) % 256);
      const raw = await fetch(`${runtime.url}/bytes/`, { method: 'POST', body: sent });
      expect(raw.headers.get('content-type')).toBe('application/octet-stream');
      expect(new Uint8Array(await raw.arrayBuffer())).toEqual(sent);
    }

    // An unchanged re-deploy writes nothing.
    expect((await ship({ name: 'hello', source: { inline: echo }, env: { GREETING: 'hi' } })).changed).toBe(
      false,
    );
  });

  test('a 90/10 split holds over 2,000 requests, and tags get their own hosts', async () => {
    const scaling = { concurrency: 100, max: 2 };
    await ship({
      name: 'split',
      revision: 'v1',
      source: { inline: echo },
      env: { GREETING: 'one' },
      scaling,
    });
    await ship({
      name: 'split',
      revision: 'v2',
      source: { inline: echo },
      env: { GREETING: 'two' },
      scaling,
      traffic: [
        { revision: 'v1', percent: 90, tag: 'stable' },
        { revision: 'latest', percent: 10, tag: 'canary' },
      ],
    });
    const counts: Record<string, number> = {};
    for (let batch = 0; batch < 40; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 50 }, () => request(`${runtime.url}/`, { host: hostOf('split') })),
      );
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        const revision = reply.headers['x-faasport-revision'] as string;
        counts[revision] = (counts[revision] ?? 0) + 1;
      }
    }
    const v1 = ((counts.v1 ?? 0) / 2000) * 100;
    expect(Math.abs(v1 - 90)).toBeLessThanOrEqual(3);
    expect(Math.abs(((counts.v2 ?? 0) / 2000) * 100 - 10)).toBeLessThanOrEqual(3);

    const canary = await request(`${runtime.url}/`, { host: hostOf('split', 'canary') });
    expect(JSON.parse(canary.body)).toMatchObject({ revision: 'v2', greeting: 'two' });
    const stable = await request(`${runtime.url}/`, { host: hostOf('split', 'stable') });
    expect(JSON.parse(stable.body)).toMatchObject({ revision: 'v1', greeting: 'one' });
    const live = await adapter.read('split');
    expect(live?.tagUrls?.canary).toBe(`http://${hostOf('split', 'canary')}/`);

    // Rolling back moves everything to v1.
    await setTraffic(adapter, 'split', [{ revision: 'v1', percent: 100 }]);
    const after = await Promise.all(Array.from({ length: 20 }, () => request(`${runtime.url}/split/`)));
    expect(new Set(after.map((r) => r.headers['x-faasport-revision']))).toEqual(new Set(['v1']));
  });
});

describe('instances', () => {
  test('scales to zero after the idle window and cold-starts on the next request', async () => {
    await ship({ name: 'sleepy', source: { inline: echo }, scaling: { idle: 1 } });
    const first = JSON.parse((await request(`${runtime.url}/sleepy/`)).body);
    // Not the instance gauge here: on a busy machine the 1 s idle window can pass before the scrape.
    expect(await metric('faasport_cold_starts_total', 'sleepy')).toBe(1);
    await waitFor(async () => (await metric('faasport_instances', 'sleepy')) === 0, 'scale to zero');
    // The stop is logged once the idle process has exited, which can come after the gauge dropped.
    await waitFor(async () => {
      const logs = await request(`${runtime.url}/_faasport/v1/logs?function=sleepy`, {
        headers: { authorization: `Bearer ${runtime.token}` },
      });
      return /instance \S+ stopped \(idle\)/.test(logs.body);
    }, 'the idle stop in the logs');
    // The warm pool reports its waiting worker, so a caller can wait for it rather than sleep.
    await waitFor(async () => (await warmWorkers()) === 1, 'the warm pool to refill');
    const second = await request(`${runtime.url}/sleepy/`);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body).pid).not.toBe(first.pid);
    expect(await metric('faasport_cold_starts_total', 'sleepy')).toBe(2);
    expect(
      await metricWith('faasport_cold_starts_total', 'function="sleepy",pooled="true"'),
    ).toBeGreaterThanOrEqual(1);
  });

  test('max instances is respected under concurrent load', async () => {
    // Each call reports its pid to a gate server, then holds until the gate opens: it opens once two
    // instances are serving, so one instance cannot drain the load while the other is still starting.
    // (HTTP, not files: a sandboxed function writes only its own scratch folder.)
    const pids = new Set<string>();
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    const gate = http.createServer((req, res) => {
      pids.add(new URL(req.url ?? '/', 'http://gate').searchParams.get('pid') ?? '');
      void opened.then(() => res.end('go'));
    });
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
    await ship({
      name: 'bounded',
      source: {
        inline: `export default async (request, ctx) => {
  await (await fetch(ctx.env.GATE + '?pid=' + process.pid)).text();
  return String(process.pid);
};`,
      },
      env: { GATE: gateUrl },
      scaling: { max: 2, concurrency: 1 },
    });
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await metric('faasport_instances', 'bounded'));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const calls = Promise.all(Array.from({ length: 24 }, () => request(`${runtime.url}/bounded/`)));
    await waitFor(async () => pids.size === 2, 'two instances serving calls');
    open();
    const replies = await calls;
    sampling = false;
    await sampler;
    await new Promise((resolve) => gate.close(resolve));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(new Set(replies.map((r) => r.body)).size).toBe(2);
    expect(peak).toBeLessThanOrEqual(2);
  });

  test('a timeout answers 504 and the instance is replaced; a crash answers 502 and the next request is served', async () => {
    await ship({ name: 'bystander', source: { inline: echo } });
    const handler = `export default async (request) => {
      const p = new URL(request.url).pathname;
      if (p === '/hang') await new Promise(() => setInterval(() => {}, 1000));
      if (p === '/crash') process.exit(7);
      return String(process.pid);
    };`;
    await ship({
      name: 'fragile',
      source: { inline: handler },
      resources: { timeout: 1 },
      scaling: { max: 1 },
    });
    const pid1 = (await request(`${runtime.url}/fragile/`)).body;
    const hung = await request(`${runtime.url}/fragile/hang`);
    expect(hung.status).toBe(504);
    expect(JSON.parse(hung.body).error.code).toBe('FunctionTimeout');
    const pid2 = (await request(`${runtime.url}/fragile/`)).body;
    expect(pid2).toMatch(/^\d+$/);
    expect(pid2).not.toBe(pid1);
    const crashed = await request(`${runtime.url}/fragile/crash`);
    expect(crashed.status).toBe(502);
    expect(JSON.parse(crashed.body).error.code).toBe('FunctionCrashed');
    const pid3 = await request(`${runtime.url}/fragile/`);
    expect(pid3.status).toBe(200);
    expect(pid3.body).not.toBe(pid2);
    // The gateway and other functions were never affected.
    expect((await request(`${runtime.url}/bystander/`)).status).toBe(200);
  });
});

describe('runtimes', () => {
  test('a Python function', async () => {
    await ship({
      name: 'py',
      runtime: 'python3.11',
      handler: 'main.handler',
      source: {
        inline: `def handler(request, ctx):\n    return {"lang": "python", "path": request.path, "rid": ctx.request_id}\n`,
      },
    });
    const reply = await request(`${runtime.url}/py/snake`, { headers: { 'x-request-id': 'py-req-1' } });
    expect(JSON.parse(reply.body)).toEqual({ lang: 'python', path: '/snake', rid: 'py-req-1' });
  });

  test('the FC "coffee" inline handler runs unchanged as a native function', async () => {
    await ship({
      name: 'coffee',
      contract: 'native',
      handler: 'index.handler',
      source: { inline: fcCoffeeExample },
      providers: { local: { contract: 'fc-http' } },
      triggers: [{ http: {} }],
    });
    const reply = await request(`${runtime.url}/`, { host: hostOf('coffee') });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body).toBe('Hello coffee-default\n');
  });

  test('a custom function: any command serving HTTP on $PORT', async () => {
    const dir = codeDir({
      'server.mjs': `import http from 'node:http';
        http.createServer((req, res) => res.end('custom ' + req.method + ' ' + req.url)).listen(Number(process.env.PORT), '127.0.0.1');`,
    });
    await ship({
      name: 'custom-cmd',
      runtime: 'custom',
      source: { dir },
      providers: { local: { command: ['node', 'server.mjs'] } },
    });
    const reply = await request(`${runtime.url}/custom-cmd/a?b=1`, { method: 'PUT' });
    expect(reply.body).toBe('custom PUT /a?b=1');
  });

  test('the FunctionGraph custom-image Express example runs unchanged as a custom function', async () => {
    const dir = codeDir({ 'server.js': functionGraphExpressExample });
    await ship({
      name: 'fg-image',
      runtime: 'custom',
      source: { dir },
      providers: {
        local: {
          command: ['node', 'server.js'],
          port: 8000,
          fixedPort: true,
          initPath: '/init',
          invokePath: '/invoke',
        },
      },
      scaling: { max: 2 },
    });
    const viaGateway = await request(`${runtime.url}/fg-image/invoke`, { method: 'POST', body: '{}' });
    expect(viaGateway.status).toBe(200);
    expect(viaGateway.body).toBe('Hello invoke\n');
    const asEvent = await invoke(adapter, 'fg-image', { body: { hello: 'world' } }, { mode: 'event' });
    expect(await asEvent.text()).toBe('Hello invoke\n');
    await waitFor(async () => {
      const logs = await request(`${runtime.url}/_faasport/v1/logs?function=fg-image`, {
        headers: { authorization: `Bearer ${runtime.token}` },
      });
      return logs.body.includes('Listening on http://localhost:8000');
    }, 'the server start-up line in the logs');
  });
});

/** Whether a process is running (a zombie waiting to be reaped counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const hasSetpriv = ['/usr/bin/setpriv', '/bin/setpriv'].some((file) => fs.existsSync(file));

describe('custom commands and the runtime process', () => {
  // The guard is util-linux's setpriv (Linux only); elsewhere a kill -9 of the runtime leaves the command.
  test.skipIf(process.platform !== 'linux' || !hasSetpriv)(
    'a custom command does not outlive a kill -9 of the runtime',
    async () => {
      const own = await startRuntimeProcess(tempDir('faasport-orphan-'));
      try {
        const dir = codeDir({
          'server.mjs': `import http from 'node:http';
            http.createServer((req, res) => res.end(String(process.pid))).listen(Number(process.env.PORT), '127.0.0.1');`,
        });
        await deploy(
          createLocalAdapter({ url: own.url, token: own.token }),
          defineFunction({
            name: 'orphan',
            runtime: 'custom',
            source: { dir },
            providers: { local: { command: ['node', 'server.mjs'] } },
          }),
        );
        const pid = Number((await request(`${own.url}/orphan/`)).body);
        expect(pid).toBeGreaterThan(0);
        expect(running(pid)).toBe(true);
        await own.kill9();
        await waitFor(async () => !running(pid), `the custom command (pid ${pid}) to stop`);
      } finally {
        await own.stop();
      }
    },
  );
});
