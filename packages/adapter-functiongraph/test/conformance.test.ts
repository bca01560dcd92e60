import { testAdapter, triggerDeliveries } from '@faasport/core/testing';
import { startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { createFunctionGraphAdapter, functionGraphCapabilities } from '../src';

// The core conformance suite, against the FunctionGraph emulator over real HTTP (axios + our signer).
// Its TIMER triggers fire as its clock is advanced; OBS object events and Kafka messages are delivered
// as OBS and FunctionGraph's Kafka trigger send them.
testAdapter({
  name: 'functiongraph (emulator)',
  capabilities: functionGraphCapabilities,
  baseFunction: { providers: { functiongraph: { apigGroupId: 'group-conformance' } } },
  async setup() {
    const emulator = await startFunctionGraphEmulator({
      accessKeyId: 'conf-ak',
      secretAccessKey: 'conf-sk-secret',
    });
    const adapter = createFunctionGraphAdapter({
      region: emulator.region,
      projectId: emulator.projectId,
      endpoint: emulator.url,
      credentials: { accessKeyId: 'conf-ak', secretAccessKey: 'conf-sk-secret' },
      retry: { attempts: 2, baseDelayMs: 1 },
      // The queue case's topic, on a DMS for Kafka instance the emulator stands in for.
      queues: { 'conf-orders': { kafka: { instanceId: 'kafka-instance-1' } } },
    });
    return {
      adapter,
      writes: emulator.writes,
      close: emulator.close,
      triggers: {
        advanceClock: async (ms) => triggerDeliveries(await emulator.advanceClock(ms)),
        putObject: async (bucket, key, size) =>
          triggerDeliveries(await emulator.emitObsEvent(bucket, key, 'ObjectCreated:Put', size)),
        sendMessage: async (topic, body) =>
          triggerDeliveries(await emulator.sendKafkaMessages(topic, [body])),
      },
    };
  },
});
