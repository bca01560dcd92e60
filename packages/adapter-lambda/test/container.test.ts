import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RuntimeApiRunner } from '../../emulators/src/lambda/runtime-api';
import { containerScript } from '../src/runtime/container-script.generated';

// The entry of Lambda images, as the image holds it (`/var/task/faasport_bootstrap.mjs` beside the code),
// run as a real process against the Lambda emulator's Runtime API.
const dir = mkdtempSync(join(tmpdir(), 'faasport-lambda-image-'));
writeFileSync(join(dir, 'faasport_bootstrap.mjs'), containerScript);
writeFileSync(
  join(dir, 'index.mjs'),
  `export default (event, ctx) => {
  if (event.data?.fail) throw new TypeError('asked to fail');
  return { got: event.data, requestId: ctx.requestId, fn: ctx.functionName };
};`,
);
const runners: RuntimeApiRunner[] = [];
afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

function runner(handler: string): RuntimeApiRunner {
  const r = new RuntimeApiRunner(
    { dir, workdir: dir, command: [process.execPath, join(dir, 'faasport_bootstrap.mjs'), handler], env: {} },
    { FAASPORT_CONTRACT: 'event', AWS_LAMBDA_FUNCTION_NAME: 'tick' },
    10_000,
    'arn:aws:lambda:us-east-1:000000000000:function:tick',
  );
  runners.push(r);
  return r;
}

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('Lambda image entry (Runtime API client)', () => {
  it('answers invocations through /response and reports a throwing handler through /error', async () => {
    const r = runner('index.default');
    const ok = await r.invokeEvent(bytes({ n: 1 }), { requestId: 'req-1' });
    expect(ok.error).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(ok.body))).toEqual({
      got: { n: 1 },
      requestId: 'req-1',
      fn: 'tick',
    });
    const failed = await r.invokeEvent(bytes({ fail: true }), { requestId: 'req-2' });
    expect(failed.error).toMatchObject({ message: 'asked to fail', type: 'TypeError' });
    // The same process takes the next invocation after a failure.
    const again = await r.invokeEvent(bytes({ n: 2 }));
    expect(JSON.parse(new TextDecoder().decode(again.body)).got).toEqual({ n: 2 });
  });

  it('posts a handler it cannot load to /init/error, and the invocation fails naming it', async () => {
    const error = await runner('missing.handler')
      .invokeEvent(bytes({}))
      .catch((e: Error) => e);
    expect((error as Error).message).toContain('Runtime.InitError');
    expect((error as Error).message).toContain('handler "missing.handler" names no .mjs, .js or .cjs module');
  });
});
