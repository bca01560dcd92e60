import { startFcEmulator } from '@faasport/emulators/fc';
import { testAlibabaAdapter } from '../../../test/helpers/alibaba-conformance';
import { createFcAdapter, fcCapabilities } from '../src';

// FC 2.0 through the real @alicloud/fc2 client against the FC emulator.
testAlibabaAdapter({
  name: 'fc (emulator)',
  capabilities: fcCapabilities,
  start: () => startFcEmulator(),
  create: (target) => createFcAdapter(target),
});
