import { testAdapter } from '@faasport/core/testing';
import { createLocalAdapter, startRuntime } from '../src/index';
import { cleanTemp, tempDir } from './helpers/fixtures';

testAdapter({
  name: 'local (bundled runtime)',
  async setup() {
    const runtime = await startRuntime({ dataDir: tempDir('faasport-conformance-'), port: 0 });
    const adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
    return {
      adapter,
      writes: () => runtime.writes(),
      async close() {
        await runtime.close();
        cleanTemp();
      },
    };
  },
});
