import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const coreSrc = path.resolve(packageDir, '../core/src/index.ts');
let built: Promise<string> | undefined;

/**
 * Bundles `src/bin.ts` (with @faasport/core from source) into `dist/e2e/`, so end-to-end tests run the
 * current code as a real child process without a prior `npm run build`. Kept inside the package so
 * the bundle finds the `worker/` folder the way the published `dist/` does; removed at exit.
 */
export function buildBin(): Promise<string> {
  built ??= (async () => {
    const outfile = path.join(
      packageDir,
      'dist',
      'e2e',
      `bin-${process.pid}-${randomUUID().slice(0, 8)}.mjs`,
    );
    process.once('exit', () => fs.rmSync(outfile, { force: true }));
    // Test workers are sometimes stopped without an exit event: sweep bundles left by earlier runs.
    const folder = path.dirname(outfile);
    for (const name of fs.existsSync(folder) ? fs.readdirSync(folder) : []) {
      const file = path.join(folder, name);
      if (Date.now() - fs.statSync(file).mtimeMs > 10 * 60_000) fs.rmSync(file, { force: true });
    }
    await build({
      entryPoints: [path.join(packageDir, 'src', 'bin.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // Subpaths first: esbuild applies an alias to a package's subpaths too.
      alias: {
        '@faasport/core/toolkit': path.resolve(packageDir, '../core/src/toolkit/index.ts'),
        '@faasport/core/handler': path.resolve(packageDir, '../core/src/handler/index.ts'),
        '@faasport/core': coreSrc,
      },
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
      logLevel: 'silent',
    });
    return outfile;
  })();
  return built;
}

/** A runtime started as a child process. */
export interface RuntimeProcess {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait (no cleanup in the runtime). */
  kill9(): Promise<void>;
}

/** Starts `faasport-runtime` on a free port with the given data dir and extra flags. */
export async function startRuntimeProcess(dataDir: string, args: string[] = []): Promise<RuntimeProcess> {
  const bin = await buildBin();
  const child = spawn(process.execPath, [bin, '--data-dir', dataDir, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start: ${out}`)), 20_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited with ${code}: ${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    port: Number(new URL(url).port),
    token: fs.readFileSync(path.join(dataDir, 'token'), 'utf8').trim(),
    dataDir,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A raw HTTP request with an explicit Host header (fetch cannot set Host). */
export function request(
  url: string,
  options: {
    method?: string;
    host?: string;
    headers?: Record<string, string>;
    body?: string | Uint8Array;
  } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? 'GET',
        headers: { ...(options.host ? { host: options.host } : {}), ...options.headers },
        agent: keepAlive,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });
