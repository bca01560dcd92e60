import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FcEmulator, startFcEmulator } from '@faasport/emulators/fc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRegistryBinary, skipReason, startRegistry, type TestRegistry } from '../../image/test/registry';
import { cli, tempDir } from './helpers';

/** One inline web function and one target of `adapter` with `registry`, in a fresh project folder. */
function project(registry: TestRegistry, target: string): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'faasport.yaml'),
    [
      'name: images',
      'functions:',
      '  - name: hello',
      '    source:',
      '      inline: |',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the function's own template literal
      '        export default (req, ctx) => new Response(`hello from an image on ${ctx.target}: ${req.method} ${new URL(req.url).pathname}`);',
      'targets:',
      `  ${target}, baseImage: scratch, registry: { url: "${registry.host}/faasport", insecure: true } }`,
      '',
    ].join('\n'),
  );
  return dir;
}

// Skipped only where the registry binary is missing: see `skipReason`.
describe.skipIf(!hasRegistryBinary)(
  `deploy by image to each platform's emulator${hasRegistryBinary ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    let registry: TestRegistry;
    let fc: FcEmulator;

    beforeAll(async () => {
      [registry, fc] = await Promise.all([startRegistry(), startFcEmulator()]);
    });
    afterAll(async () => {
      await Promise.all([registry?.close(), fc?.close()]);
    });

    /**
     * Deploys (which builds and pushes), then checks that a rebuild of the unchanged code pushes
     * nothing and a plan changes nothing. Gives the image reference, pinned by digest.
     */
    async function deployAndRebuild(dir: string, env: Record<string, string>): Promise<string> {
      const deployed = await cli(['deploy', '--yes'], { cwd: dir, env });
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stderr).toMatch(/hello: pushed .*@sha256:[0-9a-f]{64}/);
      const built = await cli(['build', '--json'], { cwd: dir, env });
      const [image] = JSON.parse(built.stdout).images;
      expect(image).toMatchObject({ functionName: 'hello', pushed: false, blobsPushed: 0 });
      expect(image.reference).toMatch(new RegExp(`^${registry.host}/faasport/hello@sha256:[0-9a-f]{64}$`));
      const planned = await cli(['plan', '--json'], { cwd: dir, env });
      expect(planned.code, planned.stderr).toBe(0);
      expect(JSON.parse(planned.stdout)).toMatchObject({
        changes: 0,
        functions: [{ kind: 'none', steps: [] }],
      });
      return image.reference;
    }

    it('FC 2.0: a custom container by digest, served by the emulator from the pulled image', async () => {
      const dir = project(
        registry,
        `fc: { adapter: fc, accountId: "${fc.accountId}", region: ${fc.region}, endpoint: "${fc.url}"`,
      );
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: fc.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: fc.accessKeySecret,
      };
      const reference = await deployAndRebuild(dir, env);
      const fn =
        fc.state.services.get('images')?.functions.get('hello') ??
        [...fc.state.services.values()][0]!.functions.get('hello');
      expect(fn).toMatchObject({
        runtime: 'custom-container',
        caPort: 9000,
        customContainerConfig: { image: reference },
      });
      const invoked = await cli(['invoke', 'hello'], { cwd: dir, env });
      expect(invoked.stdout.trim()).toBe('hello from an image on fc: GET /');
    });
  },
);
