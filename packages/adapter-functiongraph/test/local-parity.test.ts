import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineFunction, deploy, invoke } from '@faasport/core';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { createLocalAdapter, type Runtime, startRuntime } from '@faasport/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFunctionGraphAdapter } from '../src';

// The same web handler, deployed to FunctionGraph (emulator) and to the bundled local runtime, must
// answer the same: FunctionGraph receives it as an APIG event through the shim.
const handler = `export default async (request, ctx) => {
  const url = new URL(request.url);
  const body = request.method === 'GET' ? '' : await request.text();
  return Response.json(
    { method: request.method, path: url.pathname, q: url.searchParams.getAll('q'), body, type: request.headers.get('content-type'), custom: request.headers.get('x-custom'), fn: ctx.functionName },
    { status: 201, headers: { 'x-answer': 'yes', 'set-cookie': 'a=1' } },
  );
};`;
const config = defineFunction({
  name: 'parity',
  source: { inline: handler },
  triggers: [{ http: {} }],
});

let emu: FunctionGraphEmulator;
let runtime: Runtime;
let dataDir: string;

beforeAll(async () => {
  emu = await startFunctionGraphEmulator({ accessKeyId: 'p-ak', secretAccessKey: 'p-sk-secret' });
  dataDir = mkdtempSync(join(tmpdir(), 'fg-parity-'));
  runtime = await startRuntime({ dataDir, port: 0 });
});
afterAll(async () => {
  await emu?.close();
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('answers the same on FunctionGraph (APIG-shaped) as on the local runtime', async () => {
  const fg = createFunctionGraphAdapter({
    region: emu.region,
    projectId: emu.projectId,
    endpoint: emu.url,
    credentials: { accessKeyId: 'p-ak', secretAccessKey: 'p-sk-secret' },
  });
  const local = createLocalAdapter({ url: runtime.url, token: runtime.token });
  const deployed = await deploy(fg, config);
  await deploy(local, config);
  const request = {
    method: 'POST',
    path: '/items?q=1&q=2',
    headers: { 'content-type': 'text/plain', 'x-custom': 'c' },
    body: 'héllo wörld',
  };
  const answers = [];
  for (const adapter of [fg, local]) {
    const response = await invoke(adapter, 'parity', request);
    answers.push({
      status: response.status,
      answer: response.headers.get('x-answer'),
      type: response.headers.get('content-type'),
      body: await response.json(),
    });
  }
  expect(answers[0]).toEqual(answers[1]);
  expect(answers[0]).toMatchObject({
    status: 201,
    answer: 'yes',
    body: { method: 'POST', path: '/items', q: ['1', '2'], body: 'héllo wörld', custom: 'c', fn: 'parity' },
  });
  // And through the function URL, as a caller on the internet reaches it: the path is the caller's own.
  const viaUrl = await fetch(`${deployed.url}/items?q=1&q=2`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'x-custom': 'c' },
    body: 'héllo wörld',
  });
  expect(viaUrl.status).toBe(201);
  expect(await viaUrl.json()).toEqual(answers[0]!.body);
});
