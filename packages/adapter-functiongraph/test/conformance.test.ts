import { testAdapter } from '@faasport/core/testing';
import { startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { createFunctionGraphAdapter } from '../src';

// The core conformance suite, against the FunctionGraph emulator over real HTTP (axios + our signer).
testAdapter({
  name: 'functiongraph (emulator)',
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
    });
    return { adapter, writes: emulator.writes, close: emulator.close };
  },
});
