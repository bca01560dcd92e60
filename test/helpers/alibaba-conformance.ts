import type { Adapter, Capabilities } from '@faasport/core';
import { type TriggerDelivery, testAdapter } from '@faasport/core/testing';

/** A delivery of an FC emulator's event source: the function invoked and the event it got. */
interface FcDelivery {
  functionName: string;
  body: Uint8Array;
}

/** What the FC 2.0 and FC 3.0 emulators both give the conformance suite. */
export interface AlibabaEmulator {
  accountId: string;
  region: string;
  url: string;
  accessKeyId: string;
  accessKeySecret: string;
  writes(): number;
  close(): Promise<void>;
  advanceClock(ms: number): Promise<FcDelivery[]>;
  emitOssEvent(bucket: string, key: string, eventName?: string, size?: number): Promise<FcDelivery[]>;
  publishMnsMessage(topic: string, message: string, tag?: string): Promise<FcDelivery[]>;
}

/** The target options the `fc` and `fc3` adapters share, pointed at an emulator. */
export interface AlibabaEmulatorTarget {
  accountId: string;
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; accessKeySecret: string };
  retryBaseMs: number;
  invocationRole: string;
  queues: Record<string, { mns: { invocationRole: string } }>;
}

const text = (body: Uint8Array) => new TextDecoder().decode(body);

/**
 * The core conformance suite for an Alibaba Cloud adapter, driven through its official client against
 * its emulator, which checks signatures and bodies and runs the deployed code through the faasport
 * runtime. Timers fire as the emulator's clock is advanced; OSS events and MNS topic messages are
 * delivered as OSS and MNS would send them, through the triggers' invocation roles.
 */
export function testAlibabaAdapter(options: {
  name: string;
  capabilities: Capabilities;
  start(): Promise<AlibabaEmulator>;
  create(target: AlibabaEmulatorTarget): Adapter;
}): void {
  testAdapter({
    name: options.name,
    capabilities: options.capabilities,
    timeoutMs: 60_000,
    setup: async () => {
      const emulator = await options.start();
      const adapter = options.create({
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
      const deliveries = (out: FcDelivery[]): TriggerDelivery[] =>
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
}
