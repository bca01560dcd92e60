import type { AdapterContext, DeployEvent } from '@faasport/core';
import { type FcEmulator, startFcEmulator } from '@faasport/emulators/fc';
import { createFcAdapter, type FcAdapter } from '../src';

/** A quiet adapter context for direct adapter calls. */
export const ctx: AdapterContext = {
  emit(_event: DeployEvent) {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};

/** Starts an FC emulator and an adapter pointed at it with the emulator's credentials. */
export async function startTarget(
  extra: Parameters<typeof createFcAdapter>[0] = {},
  emulatorOptions: Parameters<typeof startFcEmulator>[0] = {},
): Promise<{ emulator: FcEmulator; adapter: FcAdapter }> {
  const emulator = await startFcEmulator(emulatorOptions);
  const adapter = createFcAdapter({
    accountId: emulator.accountId,
    region: emulator.region,
    endpoint: emulator.url,
    credentials: { accessKeyId: emulator.accessKeyId, accessKeySecret: emulator.accessKeySecret },
    retryBaseMs: 1,
    ...extra,
  });
  return { emulator, adapter };
}
