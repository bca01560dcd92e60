import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { type FcEmulator, startFcEmulator } from '@faasport/emulators/fc';
import { type Fc3Emulator, startFc3Emulator } from '@faasport/emulators/fc3';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { type LambdaEmulator, startLambdaEmulator } from '@faasport/emulators/lambda';
import { RegistryClient } from '@faasport/image';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasRegistryBinary, skipReason, startRegistry, type TestRegistry } from '../../image/test/registry';
import { cli, tempDir } from './helpers';

/** One inline web function and one target with `registry` (a repository path of its own), in a fresh project folder. */
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
      `  ${target}, baseImage: scratch, registry: { url: "${registry.host}/${target.split(':')[0]}", insecure: true } }`,
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
    let fc3: Fc3Emulator;
    let fg: FunctionGraphEmulator;
    let lambda: LambdaEmulator;

    beforeAll(async () => {
      [registry, fc, fc3, fg, lambda] = await Promise.all([
        startRegistry(),
        startFcEmulator(),
        startFc3Emulator(),
        startFunctionGraphEmulator(),
        startLambdaEmulator(),
      ]);
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });
    afterAll(async () => {
      await Promise.all([registry?.close(), fc?.close(), fc3?.close(), fg?.close(), lambda?.close()]);
    });

    /**
     * Deploys (which builds and pushes), then checks that a rebuild of the unchanged code pushes
     * nothing and a plan changes nothing. Gives the image reference, pinned by digest.
     */
    async function deployAndRebuild(
      dir: string,
      env: Record<string, string>,
    ): Promise<{ reference: string; url?: string }> {
      const deployed = await cli(['deploy', '--yes'], { cwd: dir, env });
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stderr).toMatch(/hello: pushed .*@sha256:[0-9a-f]{64}/);
      const built = await cli(['build', '--json'], { cwd: dir, env });
      const [image] = JSON.parse(built.stdout).images;
      expect(image).toMatchObject({ functionName: 'hello', pushed: false, blobsPushed: 0 });
      expect(image.reference).toMatch(new RegExp(`^${registry.host}/[a-z0-9]+/hello@sha256:[0-9a-f]{64}$`));
      const planned = await cli(['plan', '--json'], { cwd: dir, env });
      expect(planned.code, planned.stderr).toBe(0);
      expect(JSON.parse(planned.stdout)).toMatchObject({
        changes: 0,
        functions: [{ kind: 'none', steps: [], drift: [] }],
      });
      return { reference: image.reference, url: /https?:\/\/\S+/.exec(deployed.stdout)?.[0] };
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
      const { reference } = await deployAndRebuild(dir, env);
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
      // InvokeFunction reaches the container as POST /invoke; a web function gets the event POSTed.
      const event = await cli(['invoke', 'hello', '--event'], { cwd: dir, env });
      expect(event.stderr).toBe('');
      expect(event.stdout.trim()).toBe('hello from an image on fc: POST /');
    });

    it('FC 3.0: the same custom container, customContainerConfig {image, port}', async () => {
      const dir = project(
        registry,
        `fc3: { adapter: fc3, accountId: "${fc3.accountId}", region: ${fc3.region}, endpoint: "${fc3.url}"`,
      );
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: fc3.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: fc3.accessKeySecret,
      };
      const { reference } = await deployAndRebuild(dir, env);
      expect(fc3.state.functions.get('hello')?.fn.config).toMatchObject({
        runtime: 'custom-container',
        customContainerConfig: { image: reference, port: 9000 },
      });
      const invoked = await cli(['invoke', 'hello'], { cwd: dir, env });
      expect(invoked.stderr).toBe('');
      expect(invoked.stdout.trim()).toBe('hello from an image on fc: GET /');
    });

    it('FunctionGraph: a custom image by digest, owned by 1003, served on port 8000 from the pulled image', async () => {
      const dir = project(
        registry,
        `hw: { adapter: functiongraph, region: ${fg.region}, projectId: "${fg.projectId}", endpoint: "${fg.url}"`,
      );
      const env = { HUAWEICLOUD_SDK_AK: fg.accessKeyId, HUAWEICLOUD_SDK_SK: fg.secretAccessKey };
      const { reference, url } = await deployAndRebuild(dir, env);
      const client = new RegistryClient(registry.host, { insecure: true, env: {} });
      const [repository, digest] = reference.slice(registry.host.length + 1).split('@') as [string, string];
      const manifest = await client.getManifest(repository, digest);
      const config = JSON.parse(
        Buffer.from(await client.getBlob(repository, manifest.json.config!.digest)).toString(),
      );
      expect(config.config).toMatchObject({
        User: '1003:1003',
        ExposedPorts: { '8000/tcp': {} },
        WorkingDir: '/code',
        Entrypoint: ['node', '/code/faasport_container.cjs'],
      });
      // An HTTP call through the function URL is forwarded to the image as it came.
      const answer = await fetch(`${url}/greet?x=1`);
      expect(await answer.text()).toBe('hello from an image on functiongraph: GET /greet');
      // An event call is POST /invoke; a web function answers it with its APIG result, as on the Node.js runtime.
      const invoked = await cli(['invoke', 'hello', '--json'], { cwd: dir, env });
      expect(invoked.stderr).toBe('');
      expect(JSON.parse(JSON.parse(invoked.stdout).body)).toMatchObject({
        statusCode: 200,
        body: 'hello from an image on functiongraph: POST /',
      });
    });

    it('Lambda: PackageType Image by digest; the emulator runs the pulled entry against its Runtime API', async () => {
      const dir = project(
        registry,
        `aws: { adapter: lambda, region: ${lambda.region}, endpoint: "${lambda.url}", role: "arn:aws:iam::${lambda.accountId}:role/fn"`,
      );
      const env = { AWS_ACCESS_KEY_ID: lambda.accessKeyId, AWS_SECRET_ACCESS_KEY: lambda.secretAccessKey };
      // The AWS SDK's default provider chain reads the process environment, not the one given to the CLI.
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      const { reference, url } = await deployAndRebuild(dir, env);
      const client = new LambdaClient({
        endpoint: lambda.url,
        region: lambda.region,
        credentials: { accessKeyId: lambda.accessKeyId, secretAccessKey: lambda.secretAccessKey },
      });
      const got = await client.send(new GetFunctionCommand({ FunctionName: 'hello' }));
      expect(got.Configuration?.PackageType).toBe('Image');
      expect(got.Code?.ImageUri).toBe(reference);
      const invoked = await cli(['invoke', 'hello'], { cwd: dir, env });
      expect(invoked.stderr).toBe('');
      expect(invoked.stdout.trim()).toBe('hello from an image on lambda: GET /');
      // The function URL's request reaches the handler as a payload 2.0 event through the Runtime API.
      const answer = await fetch(`${url}greet?x=1`);
      expect(await answer.text()).toBe('hello from an image on lambda: GET /greet');
      // An image that is not a faasport-built one in a reachable registry does not run.
      await client.send(
        new CreateFunctionCommand({
          FunctionName: 'elsewhere',
          PackageType: 'Image',
          Code: { ImageUri: `${registry.host}/faasport/absent:1` },
          Role: `arn:aws:iam::${lambda.accountId}:role/fn`,
        }),
      );
      const failed = await client.send(new InvokeCommand({ FunctionName: 'elsewhere' }));
      expect(failed.FunctionError).toBe('Unhandled');
      expect(JSON.parse(Buffer.from(failed.Payload!).toString()).errorMessage).toContain(
        `cannot pull image ${registry.host}/faasport/absent:1`,
      );
      // ImageConfig overrides the image's ENTRYPOINT: one that is not node cannot run here, and one that
      // names another script runs that script (here a missing one, so the call fails).
      const overridden = async (name: string, EntryPoint: string[]) => {
        await client.send(
          new CreateFunctionCommand({
            FunctionName: name,
            PackageType: 'Image',
            Code: { ImageUri: reference },
            ImageConfig: { EntryPoint },
            Role: `arn:aws:iam::${lambda.accountId}:role/fn`,
          }),
        );
        const reply = await client.send(new InvokeCommand({ FunctionName: name }));
        return { error: reply.FunctionError, body: Buffer.from(reply.Payload!).toString() };
      };
      const python = await overridden('python-entry', ['python3', '/code/main.py']);
      expect(python.error).toBe('Unhandled');
      expect(JSON.parse(python.body).errorMessage).toContain(
        'ImageConfig.EntryPoint ["python3","/code/main.py"]',
      );
      expect((await overridden('other-script', ['node', '/code/absent.cjs'])).error).toBeDefined();
    });
  },
);
