import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { defineFunction, deploy } from '@faasport/core';
import { afterAll, describe, expect, test } from 'vitest';
import { createLocalAdapter } from '../src/index';
import { cleanTemp, marksDir, marksRoot, tempDir } from './helpers/fixtures';
import { request, startRuntimeProcess } from './helpers/runtime-process';

afterAll(() => cleanTemp());

async function until(check: () => boolean, what: string): Promise<void> {
  const limit = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > limit) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SIGTERM', () => {
  test('stops accepting, lets the call in flight finish, then exits 0', async () => {
    // The function reports through files in a folder the sandbox lets it write.
    const runtime = await startRuntimeProcess(tempDir('faasport-shutdown-'), [
      '--warm-pool',
      '0',
      '--writable',
      marksRoot(),
    ]);
    try {
      const marks = marksDir();
      const started = path.join(marks, 'started');
      const gate = path.join(marks, 'gate');
      const adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
      await deploy(
        adapter,
        defineFunction({
          name: 'slow',
          source: {
            inline: `import fs from 'node:fs';
export default async (request, ctx) => {
  fs.writeFileSync(ctx.env.STARTED, '');
  while (!fs.existsSync(ctx.env.GATE)) await new Promise((r) => setTimeout(r, 20));
  return 'finished';
};`,
          },
          env: { STARTED: started, GATE: gate },
        }),
      );
      const inFlight = request(`${runtime.url}/slow/`);
      inFlight.catch(() => {}); // awaited below; a reset must not surface as unhandled first
      await until(() => fs.existsSync(started), 'the call to start');
      const exited = new Promise<number | null>((resolve) => runtime.child.once('exit', resolve));
      runtime.child.kill('SIGTERM');
      // The listener closes first: new connections are refused while the call is still running.
      const connectable = () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(runtime.port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        });
      const limit = Date.now() + 30_000;
      while (await connectable()) {
        if (Date.now() > limit) throw new Error('the runtime kept accepting connections after SIGTERM');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      fs.writeFileSync(gate, '');
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('finished');
      expect(answer.headers.connection).toBe('close');
      expect(await exited).toBe(0);
    } finally {
      await runtime.kill9();
    }
  }, 60_000);
});
