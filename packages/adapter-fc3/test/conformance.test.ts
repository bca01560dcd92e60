import { type TriggerDelivery, testAdapter } from '@faasport/core/testing';
import { startFc3Emulator } from '@faasport/emulators/fc3';
import { createFc3Adapter, fc3Capabilities } from '../src';

const text = (body: Uint8Array) => new TextDecoder().decode(body);

// The core conformance suite, driven through the official @alicloud/fc20230330 client against the FC 3.0
// emulator, which checks ACS3 signatures and bodies and runs the deployed code through the faasport runtime.
// Its timers fire as its clock is advanced; OSS events and MNS topic messages are delivered as OSS and
// MNS would send them, through the triggers' invocation roles.
testAdapter({
  name: 'fc3 (emulator)',
  capabilities: fc3Capabilities,
  timeoutMs: 60_000,
  setup: async () => {
    const emulator = await startFc3Emulator();
    const adapter = createFc3Adapter({
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
