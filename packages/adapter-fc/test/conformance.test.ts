import { testAdapter } from '@faasport/core/testing';
import { startFcEmulator } from '@faasport/emulators/fc';
import { createFcAdapter } from '../src';

// The core conformance suite, driven through the real @alicloud/fc2 client against the FC emulator,
// which checks signatures and bodies and runs the deployed code through the faasport executor.
testAdapter({
  name: 'fc (emulator)',
  timeoutMs: 60_000,
  setup: async () => {
    const emulator = await startFcEmulator();
    const adapter = createFcAdapter({
      accountId: emulator.accountId,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: emulator.accessKeyId, accessKeySecret: emulator.accessKeySecret },
      retryBaseMs: 1,
    });
    return { adapter, writes: emulator.writes, close: emulator.close };
  },
});
