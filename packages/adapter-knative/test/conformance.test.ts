import { testAdapter } from '@faasport/core/testing';
import { startKnative } from './helpers';

testAdapter({
  name: 'knative (Kubernetes emulator)',
  async setup() {
    const { kube, adapter } = await startKnative();
    return { adapter, writes: () => kube.writes(), close: () => kube.close() };
  },
});
