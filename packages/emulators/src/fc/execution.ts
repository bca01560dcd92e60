import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pullFaasportEntry } from '@faasport/image';
import { unzipSync } from 'fflate';
import type { FunctionRecord } from './state';

/**
 * The parts of `@faasport/runtime`'s executor the emulator uses (see packages/runtime/src/executor/types.ts),
 * declared structurally so the emulator can also be given any compatible executor.
 */
export interface FcExecutor {
  load(spec: Record<string, unknown> & { id: string; contract: string }): Promise<FcExecutable>;
  close(): Promise<void>;
}

/** A loaded function. */
export interface FcExecutable {
  fetch(
    request: Request,
    options?: { requestId?: string; context?: Record<string, unknown>; clientIp?: string },
  ): Promise<Response>;
  invokeEvent(
    payload: Uint8Array,
    options?: { requestId?: string; context?: Record<string, unknown> },
  ): Promise<{
    body: Uint8Array;
    error?: { message: string; type?: string; stack?: string };
    logs: string[];
  }>;
  close(): Promise<void>;
}

/** A local stand-in for a container image: a folder, the command the image would run in it, and its environment. */
export interface FcLocalImage {
  dir: string;
  command: string[];
  /** The image's own variables (the function's environment variables override them). */
  env?: Record<string, string>;
}

/** What the code is asked to do: serve an HTTP request (HTTP trigger) or handle an event (InvokeFunction). */
export type FcCallKind = 'http' | 'event';

/** Context facts the FC runtime gives a function. */
export interface FcCallSite {
  accountId: string;
  region: string;
  serviceName: string;
  qualifier: string;
  versionId: string;
}

function isSafe(name: string): boolean {
  return !(
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    name.split('/').includes('..')
  );
}

/** The faasport runtime name the executor knows for an FC runtime. */
function executorRuntime(fcRuntime: string): string {
  if (fcRuntime.startsWith('nodejs'))
    return ['nodejs18', 'nodejs20', 'nodejs22'].includes(fcRuntime) ? fcRuntime : 'nodejs20';
  if (fcRuntime.startsWith('python3')) return fcRuntime === 'python3' ? 'python3.9' : fcRuntime;
  return 'custom';
}

/**
 * Runs FC function code through the faasport executor with FC's native contracts: Node handlers as
 * `fc-http` (HTTP trigger, `(req, resp, context)`) or `fc-event` (InvokeFunction, `(event, context, callback)`);
 * custom runtimes as `http` on `caPort` (`/invoke`, `/initialize`, or the forwarded HTTP request).
 */
export class FcExecution {
  private executor?: Promise<FcExecutor>;
  private readonly loaded = new Map<string, Promise<FcExecutable>>();
  private readonly root = mkdtempSync(join(tmpdir(), 'faasport-fc-emulator-'));
  /** Images pulled from a registry on this machine, by reference. */
  private readonly pulled = new Map<string, Promise<FcLocalImage | undefined>>();

  /**
   * @param native - the contracts built-in runtimes run in, per call kind: FC 2.0's by default; FC 3.0
   *   runs both kinds as `fc3-event` (an HTTP trigger's call is its HTTP event).
   */
  constructor(
    private readonly given?: FcExecutor,
    private readonly images: Readonly<Record<string, FcLocalImage>> = {},
    private readonly native: Readonly<Record<FcCallKind, string>> = { http: 'fc-http', event: 'fc-event' },
  ) {}

  private async getExecutor(): Promise<FcExecutor> {
    if (!this.executor) {
      this.executor = this.given
        ? Promise.resolve(this.given)
        : import('@faasport/runtime').then((mod) => {
            const create = (mod as unknown as { createExecutor?: () => FcExecutor }).createExecutor;
            if (!create) throw new Error('@faasport/runtime does not export createExecutor');
            return create();
          });
    }
    return this.executor;
  }

  /**
   * The local stand-in of a custom container's image: one registered in the `images` option, else a
   * faasport-built Node.js image pulled from a registry on this machine (its entry runs with the local
   * Node.js), else none.
   */
  private localImage(fn: FunctionRecord): Promise<FcLocalImage | undefined> {
    if (!fn.customContainerConfig) return Promise.resolve(undefined);
    const ref = String(fn.customContainerConfig.image);
    if (this.images[ref]) return Promise.resolve(this.images[ref]);
    let pending = this.pulled.get(ref);
    if (!pending) {
      pending = pullFaasportEntry(ref);
      this.pulled.set(ref, pending);
      // Not pullable now (registry down, image not pushed yet): a later call tries again.
      pending.then((image) => image ?? this.pulled.delete(ref));
    }
    return pending;
  }

  /** Loads (once per code, config and contract) the executable for a function. */
  async executable(fn: FunctionRecord, kind: FcCallKind, site: FcCallSite): Promise<FcExecutable> {
    const image = await this.localImage(fn);
    if (!fn.zip && !image) {
      throw new Error(
        fn.oss
          ? `the emulator cannot fetch code from OSS (${fn.oss.bucket}/${fn.oss.object})`
          : `the emulator cannot pull image ${String(fn.customContainerConfig?.image)} (it runs faasport-built images from a registry on this machine, or those registered in its images option)`,
      );
    }
    const custom = fn.runtime.startsWith('custom');
    const contract = custom ? 'http' : this.native[kind];
    const config = JSON.stringify([
      fn.runtime,
      fn.handler,
      fn.initializer,
      fn.environmentVariables,
      fn.timeout,
      fn.memorySize,
      fn.instanceConcurrency,
      fn.caPort,
      fn.customRuntimeConfig,
      fn.customContainerConfig,
    ]);
    const key = `${site.serviceName}/${fn.functionName}/${fn.codeChecksum}/${createHash('sha1').update(config).digest('hex').slice(0, 12)}/${contract}`;
    let pending = this.loaded.get(key);
    if (!pending) {
      pending = this.load(fn, contract, key, site, image);
      this.loaded.set(key, pending);
      pending.catch(() => this.loaded.delete(key));
    }
    return pending;
  }

  private async load(
    fn: FunctionRecord,
    contract: string,
    key: string,
    site: FcCallSite,
    image: FcLocalImage | undefined,
  ): Promise<FcExecutable> {
    let codeDir: string;
    let command: string[];
    if (image) {
      // A custom container: the registered folder stands in for the image; command and args of the
      // function (JSON-array strings) override the image's command, as FC does.
      const list = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as string[]) : undefined);
      const cmd = list(fn.customContainerConfig?.command);
      const args = list(fn.customContainerConfig?.args);
      codeDir = image.dir;
      command = cmd?.length
        ? [...cmd, ...(args ?? [])]
        : args?.length
          ? [image.command[0]!, ...args]
          : image.command;
    } else {
      codeDir = join(this.root, createHash('sha1').update(key).digest('hex').slice(0, 16));
      rmSync(codeDir, { recursive: true, force: true });
      mkdirSync(codeDir, { recursive: true });
      for (const [name, data] of Object.entries(unzipSync(fn.zip!))) {
        if (name.endsWith('/') || !isSafe(name)) continue;
        const file = join(codeDir, name);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, data, { mode: name === 'bootstrap' ? 0o755 : 0o644 });
      }
      command = fn.customRuntimeConfig?.command?.length
        ? [...fn.customRuntimeConfig.command, ...(fn.customRuntimeConfig.args ?? [])]
        : ['./bootstrap'];
    }
    const executor = await this.getExecutor();
    return executor.load({
      id: `fc/${key}`,
      codeDir,
      runtime: executorRuntime(fn.runtime),
      handler: fn.handler,
      ...(fn.initializer ? { initializer: fn.initializer } : {}),
      contract,
      ...(contract === 'http'
        ? {
            command,
            port: fn.caPort,
            fixedPort: true,
            // FC's custom runtime contract (reference A15): events to POST /invoke, the initializer to POST /initialize.
            http: {
              invokePath: '/invoke',
              ...(fn.initializer
                ? { initPath: '/initialize', initHeaders: { 'x-fc-control-path': '/initialize' } }
                : {}),
            },
          }
        : {}),
      env: {
        ...image?.env,
        ...fn.environmentVariables,
        FC_FUNC_CODE_PATH: codeDir,
        FC_SERVER_PORT: String(fn.caPort),
        FC_FUNCTION_NAME: fn.functionName,
        FC_SERVICE_NAME: site.serviceName,
        FC_REGION: site.region,
        FC_ACCOUNT_ID: site.accountId,
      },
      timeoutMs: fn.timeout * 1000,
      memoryMb: fn.memorySize,
      concurrency: fn.instanceConcurrency,
      maxInstances: 10,
      functionName: fn.functionName,
      revision: site.versionId || 'LATEST',
      target: 'fc',
    });
  }

  /** Stops every instance and removes the unpacked code. */
  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
    if (this.executor && !this.given) await (await this.executor.catch(() => undefined))?.close();
    rmSync(this.root, { recursive: true, force: true });
    for (const pending of this.pulled.values()) {
      const image = await pending;
      if (image) rmSync(image.dir, { recursive: true, force: true });
    }
    this.pulled.clear();
  }
}
