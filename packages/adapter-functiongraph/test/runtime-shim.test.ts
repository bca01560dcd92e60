import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the repository's scripts, without types
import { bundleShim } from '../../../scripts/shim-bundler.mjs';
// @ts-expect-error: a plain ES module of the package's scripts, without types
import { functionGraphContainerBundle, functionGraphShimBundle } from '../scripts/shim-bundle.mjs';
import { createFunctionGraphShim, readShimConfig, shimFileName, shimSource } from '../src/runtime';
import { containerScript } from '../src/runtime/container-script.generated';
import { shimScript } from '../src/runtime/shim-script.generated';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes the generated shim and a user module, then calls the shim's handler in a fresh Node process. */
function runInNode(
  files: Record<string, string>,
  config: Parameters<typeof shimSource>[0],
  event: unknown,
): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'fg-shim-'));
  dirs.push(dir);
  writeFileSync(join(dir, shimFileName), shimSource(config));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const driver = `
    const shim = require(${JSON.stringify(join(dir, shimFileName))});
    const context = { getRequestID: () => 'req-1', getRemainingTimeInMilliSeconds: () => 5000, getVersion: () => 'v7', getFunctionName: () => 'hello' };
    shim.handler(${JSON.stringify(event)}, context).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', driver], { cwd: dir, encoding: 'utf8' }));
}

const apigEvent = {
  body: Buffer.from('{"name":"fg"}').toString('base64'),
  isBase64Encoded: true,
  requestContext: { apiId: 'api-1', requestId: 'r-1', stage: 'RELEASE' },
  queryStringParameters: { echo: 'yes' },
  pathParameters: {},
  httpMethod: 'POST',
  path: '/hello/greet',
  headers: { host: 'group.apig.example.com', 'content-type': 'application/json' },
};

describe('FunctionGraph runtime shim', () => {
  it('has the current bundle of src/runtime/container.ts, the custom-image entry (else npm run bundle-shim)', () => {
    expect(containerScript).toBe(bundleShim(functionGraphContainerBundle));
  });

  it('is the current bundle of src/runtime/entry.ts (else run npm run bundle-shim -w packages/adapter-functiongraph)', () => {
    expect(shimScript).toBe(bundleShim(functionGraphShimBundle));
    expect(
      shimSource({ module: 'a.js', export: 'h', contract: 'web', functionName: 'f', revision: 'r' }),
    ).toContain(shimScript);
  });

  it('is one file that requires Node.js built-ins only', () => {
    const required = [...shimScript.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    expect(required.every((name) => name!.startsWith('node:'))).toBe(true);
  });

  it('runs a web handler (ES module) from an APIG event with a base64 body, standalone', () => {
    const user = `export default async function (request, ctx) {
      const url = new URL(request.url);
      const body = await request.json();
      return new Response(request.method + ' ' + url.pathname + ' ' + url.searchParams.get('echo') + ' ' + body.name + ' ' + ctx.revision + ' ' + ctx.functionName, { status: 201, headers: { 'content-type': 'text/plain', 'x-a': '1' } });
    }`;
    const result = runInNode(
      { 'index.mjs': user },
      { module: 'index.mjs', export: 'default', contract: 'web', functionName: 'hello', revision: 'v1' },
      apigEvent,
    );
    expect(result).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'text/plain', 'x-a': '1' },
      body: 'POST /hello/greet yes fg v7 hello',
      isBase64Encoded: false,
    });
  });

  it('answers binary bodies base64-encoded and plain objects as JSON', async () => {
    const shim = createFunctionGraphShim(
      { module: 'x', export: 'default', contract: 'web', functionName: 'f', revision: 'v1' },
      async () => ({
        default: () =>
          new Response(new Uint8Array([0, 1, 255]), { headers: { 'content-type': 'image/png' } }),
      }),
    );
    const binary = (await shim.handler(apigEvent)) as { body: string; isBase64Encoded: boolean };
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body, 'base64')).toEqual(Buffer.from([0, 1, 255]));
    const json = createFunctionGraphShim(
      { module: 'x', export: 'handle', contract: 'web', functionName: 'f', revision: 'v1' },
      async () => ({ default: { handle: () => ({ ok: true }) } }),
    );
    expect(await json.handler(apigEvent)).toMatchObject({
      statusCode: 200,
      body: '{"ok":true}',
      headers: { 'content-type': 'application/json' },
    });
  });

  it('runs an event handler (CommonJS) with a timer event as a CloudEvent', () => {
    const user = `exports.handler = async (event, ctx) => ({ type: event.type, source: event.source, data: event.data, id: event.id });`;
    const timer = {
      version: 'v1.0',
      time: '2018-06-01T08:30:00+08:00',
      trigger_type: 'TIMER',
      trigger_name: 'tick',
      user_event: '{"ping":true}',
    };
    const result = runInNode(
      { 'main.js': user },
      { module: 'main.js', export: 'handler', contract: 'event', functionName: 'hello', revision: 'v1' },
      timer,
    );
    expect(result).toEqual({
      type: 'dev.faasport.schedule',
      source: 'functiongraph:timer/tick',
      data: { ping: true },
      id: 'req-1',
    });
  });

  it('turns OBS records into storage CloudEvents and direct invocations into invoke events', () => {
    const shim = createFunctionGraphShim(
      { module: 'x', export: 'default', contract: 'event', functionName: 'f', revision: 'v1' },
      async () => ({}),
    );
    const obs = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          eventTime: '2024-01-02T03:04:05.000Z',
          s3: { bucket: { name: 'uploads' }, object: { key: 'img/a+b.png', size: 3 } },
        },
        {
          eventName: 'ObjectRemoved:Delete',
          obs: { bucket: { name: 'uploads' }, object: { key: 'old.txt' } },
        },
      ],
    };
    const events = shim.cloudEventsFrom(obs);
    expect(events.map((e) => [e.type, e.source, e.subject])).toEqual([
      ['dev.faasport.storage.object.created', 'functiongraph:obs/uploads', 'img/a b.png'],
      ['dev.faasport.storage.object.deleted', 'functiongraph:obs/uploads', 'old.txt'],
    ]);
    const [invoke] = shim.cloudEventsFrom({ n: 21 });
    expect(invoke).toMatchObject({ specversion: '1.0', type: 'dev.faasport.invoke', data: { n: 21 } });
  });

  it('names a missing export clearly', async () => {
    const shim = createFunctionGraphShim(
      { module: 'index.mjs', export: 'default', contract: 'web', functionName: 'f', revision: 'v1' },
      async () => ({}),
    );
    await expect(shim.handler(apigEvent)).rejects.toThrow(/index.mjs has no exported function "default"/);
  });

  it('keeps its config readable in the generated file', () => {
    const config = {
      module: 'index.mjs',
      export: 'default',
      contract: 'web' as const,
      functionName: 'f',
      revision: 'r-1',
    };
    expect(readShimConfig(shimSource(config))).toEqual(config);
    expect(readShimConfig('module.exports = {}')).toBeUndefined();
  });
});
