import { type TriggerDelivery, testAdapter } from '@faasport/core/testing';
import { startFcEmulator } from '@faasport/emulators/fc';
import { createFcAdapter, fcCapabilities } from '../src';

const text = (body: Uint8Array) => new TextDecoder().decode(body);

// The core conformance suite, driven through the real @alicloud/fc2 client against the FC emulator,
// which checks signatures and bodies and runs the deployed code through the faasport executor. Its
// timers fire as its clock is advanced; OSS events and MNS topic messages are delivered as OSS and MNS
// would send them.
testAdapter({
  name: 'fc (emulator)',
  capabilities: fcCapabilities,
  timeoutMs: 60_000,
  setup: async () => {
    const emulator = await startFcEmulator();
    const adapter = createFcAdapter({
      accountId: emulator.accountId,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: emulator.accessKeyId, accessKeySecret: emulator.accessKeySecret },
      retryBaseMs: 1,
      invocationRole: `acs:ram::${emulator.accountId}:role/aliyunosseventnotificationrole`,
      // The queue case's topic is an MNS topic.
      queues: {
        'conf-orders': {
          mns: { invocationRole: `acs:ram::${emulator.accountId}:role/aliyunmnsnotificationrole` },
        },
      },
    });
    const deliveries = (out: Array<{ functionName: string; body: Uint8Array }>): TriggerDelivery[] =>
      out.map((d) => ({ functionName: d.functionName, body: text(d.body) }));
    return {
      adapter,
      writes: emulator.writes,
      close: emulator.close,
      triggers: {
        advanceClock: async (ms) => deliveries(await emulator.advanceClock(ms)),
        putObject: async (bucket, key, size) =>
          deliveries(await emulator.emitOssEvent(bucket, key, 'ObjectCreated:PutObject', size)),
        sendMessage: async (topic, body) => deliveries(await emulator.publishMnsMessage(topic, body)),
      },
    };
  },
});
