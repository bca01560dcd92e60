import {
  createKnativeAdapter,
  type KnativeAdapter,
  type KnativeAdapterOptions,
} from '@faasport/adapter-knative';
import {
  type KubernetesEmulator,
  type KubernetesEmulatorOptions,
  startKubernetesEmulator,
} from '@faasport/emulators/kubernetes';
import { KubeConfig } from '@kubernetes/client-node';

/** An emulator and an adapter pointed at it (invocations go through the emulator's ingress by Host header). */
export async function startKnative(
  emulatorOptions: KubernetesEmulatorOptions = {},
  adapterOptions: Partial<KnativeAdapterOptions> = {},
): Promise<{ kube: KubernetesEmulator; adapter: KnativeAdapter; kc: KubeConfig }> {
  const kube = await startKubernetesEmulator(emulatorOptions);
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeConfig);
  const adapter = createKnativeAdapter({
    kubeConfig: kc,
    ingress: kube.url,
    pollIntervalMs: 50,
    ...adapterOptions,
  });
  return { kube, adapter, kc };
}
