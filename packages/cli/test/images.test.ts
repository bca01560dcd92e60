import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubernetesEmulator, startKubernetesEmulator } from '@faasport/emulators/kubernetes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWithHost } from '../../../test/helpers/project';
import { hasRegistryBinary, skipReason, startRegistry, type TestRegistry } from '../../image/test/registry';
import { cli, tempDir } from './helpers';

// Skipped only where the registry binary is missing: see `skipReason`.
describe.skipIf(!hasRegistryBinary)(
  `deploy by image to the Kubernetes emulator${hasRegistryBinary ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    let registry: TestRegistry;
    let kube: KubernetesEmulator;
    let dir: string;

    beforeAll(async () => {
      [registry, kube] = await Promise.all([startRegistry(), startKubernetesEmulator()]);
      dir = tempDir();
      writeFileSync(join(dir, 'kubeconfig.yaml'), kube.kubeConfig);
      writeFileSync(
        join(dir, 'faasport.yaml'),
        [
          'name: images',
          'functions:',
          '  - name: hello',
          '    source:',
          '      inline: |',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the function's own template literal
          '        export default (req) => new Response(`hello from an image ${process.env.FAASPORT_HANDLER}`);',
          'targets:',
          `  knative: { adapter: knative, namespace: default, kubeconfig: ./kubeconfig.yaml, ingress: "${kube.url}", baseImage: scratch, registry: { url: "${registry.host}/faasport", insecure: true } }`,
          '',
        ].join('\n'),
      );
    });
    afterAll(async () => {
      await Promise.all([registry?.close(), kube?.close()]);
    });

    it('builds, pushes, pins the Service to the digest, and the function answers; unchanged code pushes and plans nothing', async () => {
      const planned = await cli(['plan', '--json'], { cwd: dir });
      expect(planned.code, planned.stderr).toBe(0);
      const built = await cli(['build', '--json'], { cwd: dir });
      expect(built.stderr).toBe('');
      const images = JSON.parse(built.stdout).images;
      expect(images).toEqual([
        expect.objectContaining({ functionName: 'hello', pushed: true, blobsPushed: 3 }),
      ]);
      const reference: string = images[0].reference;
      expect(reference).toMatch(new RegExp(`^${registry.host}/faasport/hello@sha256:[0-9a-f]{64}$`));
      // The plan, made before the build, already named the digest the build pushed.
      expect(planned.stdout).toContain(reference);

      const deployed = await cli(['deploy', '--yes', '--json'], { cwd: dir });
      expect(deployed.code, deployed.stderr).toBe(0);
      const service = kube.get('serving.knative.dev/v1', 'Service', 'default', 'hello') as unknown as {
        spec: { template: { spec: { containers: Array<{ image: string }>; volumes?: unknown[] } } };
      };
      expect(service.spec.template.spec.containers[0]!.image).toBe(reference);
      expect(service.spec.template.spec.volumes).toBeUndefined();
      const answer = await getWithHost(`${kube.url}/`, 'hello.default.example.com');
      expect(answer).toEqual({ status: 200, body: 'hello from an image index.default' });

      const again = JSON.parse((await cli(['build', '--json'], { cwd: dir })).stdout).images;
      expect(again).toEqual([expect.objectContaining({ reference, pushed: false, blobsPushed: 0 })]);
      const writes = kube.writes();
      const redeploy = await cli(['deploy', '--yes', '--json'], { cwd: dir });
      expect(redeploy.code, redeploy.stderr).toBe(0);
      expect(redeploy.stderr).not.toContain('pushed');
      expect(kube.writes()).toBe(writes);
      expect(kube.list('v1', 'ConfigMap', 'default')).toEqual([]);
    });

    it('refuses a layer over registry.maxLayerBytes before anything is pushed', async () => {
      const small = tempDir();
      writeFileSync(
        join(small, 'faasport.yaml'),
        [
          'name: limited',
          'functions:',
          '  - { name: big, source: { inline: "export default () => new Response(\'hi\');" } }',
          'targets:',
          `  knative: { adapter: knative, baseImage: scratch, registry: { url: "${registry.host}/limited", insecure: true, maxLayerBytes: 100 } }`,
          '',
        ].join('\n'),
      );
      const built = await cli(['build', '--json'], { cwd: small });
      expect(built.code).not.toBe(0);
      const { error } = JSON.parse(built.stdout);
      expect(error).toMatchObject({
        code: 'FP_LIMIT_EXCEEDED',
        allowed: 'at most 100 bytes (registry.maxLayerBytes)',
      });
      expect(error.message).toMatch(
        /^layer 1 of 2 \(\/var\/faasport\/code\/entry\.mjs\), sha256:[0-9a-f]{64}, size/,
      );
      expect(error.message).toContain('target "knative" for function "big"');
      const tags = await fetch(`http://${registry.host}/v2/limited/big/tags/list`);
      expect(tags.status).toBe(404);
    });
  },
);
