import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the repository's scripts, without types
import { bundleShim } from '../../../scripts/shim-bundler.mjs';
// @ts-expect-error: a plain ES module of the package's scripts, without types
import { knativeShimBundle } from '../scripts/shim-bundle.mjs';
import { entryScript } from '../src/deploy/entry-script.generated';
import { createKnativeHandler } from '../src/runtime';
import { type EntryProcess, startEntry } from './entry-process';

const running: EntryProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((entry) => entry.close()));
});

/** Starts the entry script for a function named `name` (the Knative Service's K_SERVICE). */
async function start(
  name: string,
  files: Record<string, string>,
  env: Record<string, string>,
): Promise<string> {
  const entry = await startEntry(files, { K_SERVICE: name, ...env });
  running.push(entry);
  return entry.url;
}

describe('the entry script', () => {
  it('is the current bundle of src/runtime/entry.ts (else run npm run bundle-shim -w packages/adapter-knative)', () => {
    expect(entryScript).toBe(bundleShim(knativeShimBundle));
  });

  it('is one file that imports Node.js built-ins only', () => {
    const imports = [...entryScript.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.every((i) => i!.startsWith('node:'))).toBe(true);
  });
});

describe('the entry script in a container', () => {
  it('serves a web handler unpacked from the ConfigMap zip', async () => {
    const url = await start(
      'web',
      {
        'lib/greet.mjs': 'export const greet = (n) => "hello " + n;',
        'index.mjs':
          'import { greet } from "./lib/greet.mjs"; export default (req, ctx) => greet(new URL(req.url).searchParams.get("n")) + " @" + ctx.revision;',
      },
      { FAASPORT_HANDLER: 'index.default', FAASPORT_CONTRACT: 'web', FAASPORT_REVISION: 'v7' },
    );
    const response = await fetch(`${url}/?n=kn`);
    expect(await response.text()).toBe('hello kn @v7');
  });

  it('serves an event handler with binary and structured CloudEvents', async () => {
    const url = await start(
      'event',
      {
        'index.js':
          'module.exports.handler = async (event) => ({ type: event.type, twice: event.data.n * 2 });',
      },
      { FAASPORT_HANDLER: 'index.handler', FAASPORT_CONTRACT: 'event' },
    );
    const binary = await fetch(url, {
      method: 'POST',
      headers: {
        'ce-id': '1',
        'ce-type': 'com.example',
        'ce-source': '/t',
        'ce-specversion': '1.0',
        'content-type': 'application/json',
      },
      body: '{"n":4}',
    });
    expect(await binary.json()).toEqual({ type: 'com.example', twice: 8 });
    const structured = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        id: '2',
        type: 'com.example.s',
        source: '/t',
        data: { n: 5 },
      }),
    });
    expect(await structured.json()).toEqual({ type: 'com.example.s', twice: 10 });
    const notAnEvent = await fetch(url, { method: 'POST', body: 'x' });
    expect(notAnEvent.status).toBe(400);
  });

  it('exits with a clear message when the handler is missing', async () => {
    await expect(
      start('missing', { 'index.mjs': 'export const other = 1;' }, { FAASPORT_HANDLER: 'index.default' }),
    ).rejects.toThrow(/the function cannot start: index.default: index has no function export/);
  });
});

describe('the runtime shim', () => {
  it('turns a thrown error into a 500 without losing the server', async () => {
    const serve = createKnativeHandler(
      () => {
        throw new Error('boom');
      },
      { contract: 'web', functionName: 'f', revision: 'v1', log: () => {} },
    );
    const response = await serve(new Request('http://f/'));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'boom' });
  });

  it('answers an event with the handler result typed by kind: text, bytes, JSON, or 204 for nothing', async () => {
    const results: Record<string, unknown> = {
      text: 'done',
      bytes: new Uint8Array([1, 2, 255]),
      json: { ok: true },
      nothing: undefined,
    };
    const serve = createKnativeHandler((event: { type: string }) => results[event.type], {
      contract: 'event',
      functionName: 'f',
      revision: 'v1',
      log: () => {},
    });
    const send = (type: string) =>
      serve(
        new Request('http://f/', {
          method: 'POST',
          headers: { 'ce-id': type, 'ce-type': type, 'ce-source': '/t', 'ce-specversion': '1.0' },
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
    const nothing = await send('nothing');
    expect([nothing.status, await nothing.text()]).toEqual([204, '']);
  });

  it('presents a PingSource tick as the portable schedule event, other events unchanged', async () => {
    const serve = createKnativeHandler(
      (event: { type: string; knativetype?: string; data: unknown }) => event,
      {
        contract: 'event',
        functionName: 'f',
        revision: 'v1',
        log: () => {},
      },
    );
    const post = (type: string) =>
      serve(
        new Request('http://f/', {
          method: 'POST',
          headers: {
            'ce-id': 'p1',
            'ce-type': type,
            'ce-source': '/apis/v1/namespaces/default/pingsources/f-nightly',
            'ce-specversion': '1.0',
            'content-type': 'application/json',
          },
          body: '{"job":"nightly"}',
        }),
      );
    expect(await (await post('dev.knative.sources.ping')).json()).toMatchObject({
      type: 'dev.faasport.schedule',
      knativetype: 'dev.knative.sources.ping',
      data: { job: 'nightly' },
    });
    const other = await (await post('com.example.created')).json();
    expect(other.type).toBe('com.example.created');
    expect(other.knativetype).toBeUndefined();
  });
});
