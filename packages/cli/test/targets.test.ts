import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { networkError } from '../src/output/errors';
import { cli, tempDir } from './helpers';

function project(targets: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'coffee'));
  writeFileSync(join(dir, 'coffee', 'index.mjs'), 'export default () => "Hello coffee-default\\n";\n');
  writeFileSync(
    join(dir, 'faasport.yaml'),
    `name: coffee\ntargets:\n${targets}\nfunctions:\n  - name: coffee\n    source: { dir: ./coffee }\n    env: { VERSION: coffee-default }\n`,
  );
  return dir;
}

describe('credentials', () => {
  it('a missing FC access key names the option and the environment variable', async () => {
    const dir = project('  prod: { adapter: fc, accountId: "1234567890", region: cn-hangzhou }');
    const { code, stderr } = await cli(['plan', '--target', 'prod'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('FP_CONFIGURATION');
    expect(stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
    expect(stderr).toContain('credentials.accessKeyId');
    expect(readdirSync(dir).sort()).toEqual(['coffee', 'faasport.yaml']);
  });

  it('a missing FunctionGraph project names HUAWEICLOUD_SDK_PROJECT_ID, also as JSON', async () => {
    const dir = project('  hw: { adapter: functiongraph, region: cn-north-4 }');
    const { code, stdout } = await cli(['deploy', '--target', 'hw', '--yes', '--json'], { cwd: dir });
    expect(code).toBe(1);
    const { error } = JSON.parse(stdout);
    expect(error).toMatchObject({ code: 'FP_CONFIGURATION', envVar: 'HUAWEICLOUD_SDK_PROJECT_ID' });
  });

  it('a secret never shows in an error', async () => {
    const dir = project('  prod: { adapter: fc, region: cn-hangzhou }');
    const { stderr } = await cli(['plan', '--target', 'prod'], {
      cwd: dir,
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-visible-id',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'super-secret-value-123',
      },
    });
    expect(stderr).toContain('ALIBABA_CLOUD_ACCOUNT_ID');
    expect(stderr).not.toContain('super-secret-value-123');
  });
});

describe('render is offline', () => {
  it('prints FC request bodies as JSON with no credentials and no endpoint', async () => {
    const dir = project('  prod: { adapter: fc }');
    const { code, stdout, stderr } = await cli(['render', '--target', 'prod'], { cwd: dir });
    expect(code, stderr).toBe(0);
    const manifests = JSON.parse(stdout) as Array<{
      name: string;
      format: string;
      content: unknown;
      request?: { method: string; path: string };
    }>;
    expect(manifests.length).toBeGreaterThan(0);
    expect(manifests.every((m) => m.format === 'json')).toBe(true);
    expect(JSON.stringify(manifests)).toContain('coffee');
  });

  it('prints FunctionGraph request bodies, or writes one file per manifest with -o', async () => {
    const dir = project(
      '  hw: { adapter: functiongraph }\n  shared: { adapter: functiongraph, apigShared: true }',
    );
    // render checks what plan checks: an http trigger on the shared APIG gateway needs its API group
    // (the default, a function URL, needs none).
    const missingGroup = await cli(['render', '--target', 'shared'], { cwd: dir });
    expect(missingGroup.code).toBe(1);
    expect(missingGroup.stderr).toContain('providers.functiongraph.apigGroupId');
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await cli(['render', '--target', 'hw', '-o', out, '--json'], {
      cwd: dir,
    });
    expect(code, stderr).toBe(0);
    const { files } = JSON.parse(stdout) as { files: string[] };
    expect(files.length).toBeGreaterThan(0);
    expect(readdirSync(out).sort()).toEqual(files.map((f) => f.slice(out.length + 1)).sort());
  });

  it('rejects an unknown --format as a usage error', async () => {
    const dir = project('  prod: { adapter: fc }');
    const { code, stderr } = await cli(['render', '--target', 'prod', '--format', 'toml'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('"toml" is not a format');
  });
});

describe('serve', () => {
  it('says which port is taken and how to pick another', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const { code, stderr } = await cli(['serve', '--port', String(port)], { cwd: tempDir() });
      expect(code).toBe(1);
      expect(stderr).toContain(`Cannot listen on 127.0.0.1:${port}: the port is in use.`);
      expect(stderr).toContain('--port 0');
    } finally {
      server.close();
    }
  });

  it('rejects a port that is not a number as a usage error', async () => {
    const { code, stderr } = await cli(['serve', '--port', 'http'], { cwd: tempDir() });
    expect(code).toBe(2);
    expect(stderr).toContain('--port "http" is not a port number');
  });
});

describe('unreachable targets', () => {
  it('an unreachable runtime is a configuration error naming the address, not a crash', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { code, stderr } = await cli(['ls'], {
      cwd: tempDir(),
      env: { FAASPORT_RUNTIME_URL: `http://127.0.0.1:${port}`, FAASPORT_RUNTIME_TOKEN: 'x'.repeat(32) },
    });
    expect(code).toBe(1);
    expect(stderr).not.toContain('FP_INTERNAL');
    expect(stderr).toContain(`127.0.0.1:${port}`);
  });

  it('a raw network failure from any adapter becomes a configuration error with the address', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const failure = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    const mapped = networkError(failure) as Error & { code?: string };
    expect(mapped.code).toBe('FP_CONFIGURATION');
    expect(mapped.message).toBe(`Cannot reach 127.0.0.1:${port} (ECONNREFUSED).`);
    const other = new Error('boom');
    expect(networkError(other)).toBe(other);
  });

  it('--data @file names a file it cannot read as a usage error', async () => {
    const { code, stderr } = await cli(['invoke', 'hello', '--data', '@missing.json', '--target', 'local'], {
      cwd: tempDir(),
      env: { FAASPORT_RUNTIME_URL: 'http://127.0.0.1:9', FAASPORT_RUNTIME_TOKEN: 'x'.repeat(32) },
    });
    expect(code).toBe(2);
    expect(stderr).toContain('missing.json cannot be read (ENOENT)');
  });
});
