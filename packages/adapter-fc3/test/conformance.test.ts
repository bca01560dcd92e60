import { testAdapter } from '@faasport/core/testing';
import { startFc3Emulator } from '@faasport/emulators/fc3';
import { createFc3Adapter, fc3Capabilities } from '../src';

// The core conformance suite, driven through the official @alicloud/fc20230330 client against the FC 3.0
// emulator, which checks ACS3 signatures and bodies and runs the deployed code through the faasport runtime.
testAdapter({
  name: 'fc3 (emulator)',
  capabilities: fc3Capabilities,
  timeoutMs: 60_000,
  skip: {
    'trigger-schedule': 'the FC 3.0 emulator does not fire timers yet (it validates CRON_TZ timer configs)',
    'trigger-storage': 'the FC 3.0 emulator does not deliver OSS events yet (it checks the invocation role)',
  },
  setup: async () => {
    const emulator = await startFc3Emulator();
    const adapter = createFc3Adapter({
      accountId: emulator.accountId,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: emulator.accessKeyId, accessKeySecret: emulator.accessKeySecret },
      retryBaseMs: 1,
      invocationRole: `acs:ram::${emulator.accountId}:role/aliyunosseventnotificationrole`,
    });
    return { adapter, writes: emulator.writes, close: emulator.close };
  },
});
