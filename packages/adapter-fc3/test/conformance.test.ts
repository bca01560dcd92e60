import { startFc3Emulator } from '@faasport/emulators/fc3';
import { testAlibabaAdapter } from '../../../test/helpers/alibaba-conformance';
import { createFc3Adapter, fc3Capabilities } from '../src';

// FC 3.0 through the official @alicloud/fc20230330 client against the FC 3.0 emulator, which checks
// ACS3 signatures.
testAlibabaAdapter({
  name: 'fc3 (emulator)',
  capabilities: fc3Capabilities,
  start: () => startFc3Emulator(),
  create: (target) => createFc3Adapter(target),
});
