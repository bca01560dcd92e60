import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the repository's scripts, without types
import { bundleShim } from '../../../scripts/shim-bundler.mjs';
// @ts-expect-error: a plain ES module of the package's scripts, without types
import { fcContainerBundle, fcShimBundle } from '../scripts/shim-bundle.mjs';
import { shimFileName, shimHandlers, shimSource } from '../src/runtime';
import { containerScript } from '../src/runtime/container-script.generated';

// The shim file is run exactly as FC would load it: a standalone ES module in a plain Node.js
// process (no vitest transform), next to the user's code, with FC-shaped req/resp/context objects.
const dir = mkdtempSync(join(tmpdir(), 'faasport-fc-shim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(join(dir, shimFileName), shimSource());
writeFileSync(
  join(dir, 'web.mjs'),
  `export default async function (request, ctx) {
  const url = new URL(request.url);
  const body = request.method === 'POST' ? await request.text() : '';
  if (url.searchParams.get('fail')) throw new Error('handler broke');
  const headers = new Headers({ 'content-type': 'application/json', 'x-revision': ctx.revision, 'x-fc-internal': 'dropped' });
  headers.append('set-cookie', 'a=1');
  headers.append('set-cookie', 'b=2');
  return new Response(JSON.stringify({ path: url.pathname, q: url.searchParams.getAll('q'), body, fn: ctx.functionName, target: ctx.target, rid: ctx.requestId, greeting: ctx.env.GREETING }), { status: 202, headers });
}
`,
);
writeFileSync(
  join(dir, 'events.js'),
  `exports.handle = async (event, ctx) => ({ type: event.type, source: event.source, subject: event.subject, data: event.data });\n`,
);

function run(script: string, env: Record<string, string>): unknown {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const httpScript = (req: string) => `
import { Readable } from 'node:stream';
const shim = await import(${JSON.stringify(join(dir, shimFileName))});
const req = Object.assign(Readable.from([Buffer.from('posted')]), ${req});
const out = { headers: {} };
const resp = { setStatusCode: (s) => (out.status = s), setHeader: (k, v) => (out.headers[k] = v), send: (b) => (out.body = Buffer.from(b).toString()) };
await shim.httpHandler(req, resp, { requestId: 'rid-1', function: { name: 'coffee', timeout: 10 }, service: { qualifier: 'main' } });
console.log(JSON.stringify(out));
`;

const eventScript = (event: string) => `
const shim = await import(${JSON.stringify(join(dir, shimFileName))});
const result = await new Promise((resolve, reject) =>
  shim.eventHandler(Buffer.from(${JSON.stringify(event)}), { requestId: 'rid-2', function: { name: 'ev' } }, (err, value) => (err ? reject(err) : resolve(value))),
);
console.log(Buffer.from(result).toString());
`;

describe('FC runtime shim (standalone file)', () => {
  it('is the current bundle of src/runtime/entry.ts (else run npm run bundle-shim -w packages/adapter-fc)', () => {
    expect(shimSource()).toBe(bundleShim(fcShimBundle));
  });

  it('has the current bundle of src/runtime/container.ts, the custom-container entry (else npm run bundle-shim)', () => {
    expect(containerScript).toBe(bundleShim(fcContainerBundle));
  });

  it('names the handlers FC is pointed at', () => {
    expect(shimHandlers).toEqual({
      web: '__faasport_fc.httpHandler',
      event: '__faasport_fc.eventHandler',
      initializer: '__faasport_fc.initializer',
    });
    expect(shimSource()).not.toMatch(/\bimport\s+[{*\w]/);
  });

  it('turns an FC HTTP call (req, resp, context) into a web handler call and back', () => {
    const out = run(
      httpScript(
        `{ method: 'POST', path: '/orders/7', queries: { q: ['a', 'b'] }, headers: { host: 'example.com', 'content-type': 'text/plain' } }`,
      ),
      {
        FAASPORT_HANDLER: 'web.default',
        FAASPORT_CONTRACT: 'web',
        FAASPORT_REVISION: 'v2',
        GREETING: 'hi',
      },
    ) as { status: number; headers: Record<string, unknown>; body: string };
    expect(out.status).toBe(202);
    expect(out.headers['content-type']).toBe('application/json');
    expect(out.headers['x-revision']).toBe('v2');
    expect(out.headers['x-fc-internal']).toBeUndefined();
    expect(out.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(JSON.parse(out.body)).toEqual({
      path: '/orders/7',
      q: ['a', 'b'],
      body: 'posted',
      fn: 'coffee',
      target: 'fc',
      rid: 'rid-1',
      greeting: 'hi',
    });
  });

  it('answers 500 with the message when the web handler throws', () => {
    const out = run(httpScript(`{ method: 'GET', path: '/', queries: { fail: '1' }, headers: {} }`), {
      FAASPORT_HANDLER: 'web.default',
    }) as { status: number; body: string };
    expect(out.status).toBe(500);
    expect(JSON.parse(out.body)).toEqual({ error: 'handler broke' });
  });

  it('runs a web handler called through InvokeFunction with the event as a POST body', () => {
    const script = `
const shim = await import(${JSON.stringify(join(dir, shimFileName))});
const result = await new Promise((resolve, reject) =>
  shim.httpHandler(Buffer.from('{"n":1}'), { requestId: 'rid-3', function: { name: 'web' } }, (err, value) => (err ? reject(err) : resolve(value))),
);
console.log(Buffer.from(result).toString());
`;
    expect(run(script, { FAASPORT_HANDLER: 'web.default' })).toMatchObject({
      path: '/',
      body: '{"n":1}',
      fn: 'web',
      rid: 'rid-3',
    });
  });

  it('turns FC timer, OSS and plain events into CloudEvents', () => {
    const env = { FAASPORT_HANDLER: 'events.handle', FAASPORT_CONTRACT: 'event' };
    expect(
      run(
        eventScript(
          JSON.stringify({
            triggerTime: '2026-01-02T03:04:05Z',
            triggerName: 'every5',
            payload: '{"ping":true}',
          }),
        ),
        env,
      ),
    ).toEqual({
      type: 'dev.faasport.schedule',
      source: 'fc:timer/every5',
      subject: 'every5',
      data: { ping: true },
    });
    const oss = {
      events: [
        {
          eventName: 'ObjectCreated:PutObject',
          eventTime: '2026-01-02T03:04:05Z',
          oss: { bucket: { name: 'uploads' }, object: { key: 'img/a.png', size: 3 } },
        },
      ],
    };
    expect(run(eventScript(JSON.stringify(oss)), env)).toEqual({
      type: 'dev.faasport.storage.object.created',
      source: 'fc:oss/uploads',
      subject: 'img/a.png',
      data: { bucket: 'uploads', key: 'img/a.png', size: 3, event: 'ObjectCreated:PutObject' },
    });
    expect(run(eventScript('{"n":21}'), env)).toEqual({
      type: 'dev.faasport.invoke',
      source: 'fc:function/ev',
      data: { n: 21 },
    });
    const ce = { specversion: '1.0', id: '1', type: 'com.example.order', source: '/shop', data: { id: 7 } };
    expect(run(eventScript(JSON.stringify(ce)), env)).toEqual({
      type: 'com.example.order',
      source: '/shop',
      data: { id: 7 },
    });
  });

  it('reports a missing handler module clearly', () => {
    expect(() => run(eventScript('{}'), { FAASPORT_HANDLER: 'nope.handler' })).toThrow(
      /cannot find the module "nope"/,
    );
  });
});
