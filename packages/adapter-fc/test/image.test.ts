import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineFunction, deploy, invoke } from '@faasport/core';
import type { FcEmulator } from '@faasport/emulators/fc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FcAdapter } from '../src';
import { startTarget } from './helpers';

// A custom container on FC serves HTTP on caPort: HTTP-trigger calls are forwarded as they are, events
// arrive as POST /invoke. The emulator pulls no images, so a folder stands in for the image.
const server = `const http = require('node:http');
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.url === '/invoke') return res.end('event:' + body + ':' + process.argv.slice(2).join(','));
    res.setHeader('content-type', 'text/plain');
    res.end('container ' + req.method + ' ' + req.url + ' ' + process.env.GREETING);
  });
}).listen(Number(process.env.FC_SERVER_PORT), '127.0.0.1');
`;

describe('FC custom containers (emulator)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-fc-image-'));
  writeFileSync(join(dir, 'server.js'), server);
  let emulator: FcEmulator;
  let adapter: FcAdapter;
  beforeAll(async () => {
    ({ emulator, adapter } = await startTarget(
      {},
      { images: { 'registry.example.com/shop/api:1': { dir, command: ['node', 'server.js'] } } },
    ));
  });
  afterAll(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploys an image source as custom-container and serves it on caPort', async () => {
    const fn = defineFunction({
      name: 'api',
      source: {
        image: {
          ref: 'registry.example.com/shop/api:1',
          command: ['node'],
          args: ['server.js', '--mode=fc'],
          port: 9000,
        },
      },
      env: { GREETING: 'hi' },
    });
    const result = await deploy(adapter, fn);
    expect(emulator.state.services.get('api')!.functions.get('api')).toMatchObject({
      runtime: 'custom-container',
      caPort: 9000,
    });
    const response = await fetch(`${result.url}orders?id=1`);
    expect(await response.text()).toBe('container GET /orders?id=1 hi');
    expect(await (await invoke(adapter, 'api', { body: 'ping' }, { mode: 'event' })).text()).toBe(
      'event:ping:--mode=fc',
    );
  });
});
