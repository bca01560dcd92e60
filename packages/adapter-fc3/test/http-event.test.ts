import { describe, expect, it } from 'vitest';
import { fc3HttpEventOf } from '../src';

type WorkerEventOf = (message: Record<string, unknown>) => Record<string, any>;

// The local runtime's fc3-event contract, which the emulator runs: the other place FC 3.0's HTTP event is built.
const workerContract = '../../runtime/worker/contracts/fc3.mjs';

describe("FC 3.0's HTTP event", () => {
  it('is the same from the adapter (InvokeFunction) as from the local runtime and the emulator', async () => {
    const { fc3HttpEvent } = (await import(workerContract)) as { fc3HttpEvent: WorkerEventOf };
    const cases = [
      new Request('https://shop-abc.cn-hangzhou.fcapp.run/a%20b/order?cup=2&cup=3&size=l', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-trace-id': 't1', 'user-agent': 'curl/8' },
        body: '{"n":1}',
      }),
      new Request('https://shop-abc.cn-hangzhou.fcapp.run/photo', {
        method: 'PUT',
        headers: { 'content-type': 'image/png' },
        body: new Uint8Array([0, 255, 1]),
      }),
      new Request('https://shop-abc.cn-hangzhou.fcapp.run/', { method: 'GET' }),
    ];
    for (const request of cases) {
      const body = new Uint8Array(await request.clone().arrayBuffer());
      const fromAdapter = await fc3HttpEventOf(request, {
        accountId: '1234567890',
        domainName: 'shop-abc.cn-hangzhou.fcapp.run',
        requestId: 'r1',
      });
      const fromWorker = fc3HttpEvent({
        url: request.url,
        method: request.method,
        headers: [...request.headers],
        body,
        rid: 'r1',
        context: { accountId: '1234567890' },
      });
      const timeless = (e: Record<string, any>) => ({
        ...e,
        requestContext: { ...e.requestContext, time: undefined, timeEpoch: undefined },
      });
      expect(timeless(fromAdapter)).toEqual(timeless(fromWorker));
    }
  });
});
