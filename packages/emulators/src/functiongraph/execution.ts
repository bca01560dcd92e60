import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isSafeEntryName } from '@faasport/core';
import { type PulledEntry, pullFaasportEntry } from '@faasport/image';
import type { Executable, ExecutableSpec, Executor } from '@faasport/runtime';
import { unzipSync } from 'fflate';
import type { CodeState, ConfigState } from './state';

/** A local command standing in for a container image (the emulator runs no containers). */
export interface ImageCommand {
  /** The command and its arguments, e.g. `['node', 'server.js']`. */
  command: string[];
  /** The folder to run it in. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

const runtimeNames: Record<string, string> = {
  'Node.js14.18': 'nodejs18',
  'Node.js16.17': 'nodejs18',
  'Node.js18.15': 'nodejs18',
  'Node.js20.15': 'nodejs20',
  'Node.js22.18': 'nodejs22',
  'Python3.9': 'python3.9',
  'Python3.10': 'python3.10',
};

/** What the emulator knows about one call, for the function's context. */
export interface CallInfo {
  functionName: string;
  package: string;
  version: string;
  alias?: string;
  projectId: string;
  region: string;
}

/**
 * Turns FunctionGraph functions into runtime executables: unpacks the code of each (function,
 * version, digest) once, picks the native contract (`fg-event` for Node.js / Python handlers, `http`
 * for HTTP functions and custom images on port 8000) and keeps the executable until the code changes.
 */
export class FunctionGraphExecution {
  private readonly root = mkdtempSync(join(tmpdir(), 'fg-emulator-'));
  private readonly loaded = new Map<string, Promise<Executable>>();
  /** Images pulled from a registry on this machine, by reference (their folders are ours to remove). */
  private readonly pulled = new Map<string, Promise<PulledEntry | undefined>>();

  constructor(
    private readonly executor: () => Executor,
    private readonly images: Record<string, ImageCommand>,
  ) {}

  /** The executable for a function's config and code at one version. */
  executable(config: ConfigState, code: CodeState, info: CallInfo): Promise<Executable> {
    const key = `${config.package}/${config.func_name}@${info.version}#${code.digest}:${configKey(config)}`;
    let found = this.loaded.get(key);
    if (!found) {
      found = this.load(key, config, code, info);
      found.catch(() => this.loaded.delete(key));
      this.loaded.set(key, found);
    }
    return found;
  }

  /** A faasport-built Node.js image pulled from a registry on this machine, as a local command; else undefined. */
  private async pull(ref: string): Promise<ImageCommand | undefined> {
    let pending = this.pulled.get(ref);
    if (!pending) {
      pending = pullFaasportEntry(ref);
      this.pulled.set(ref, pending);
      // Not pullable now (registry down, image not pushed yet): a later call tries again.
      pending.then((image) => image ?? this.pulled.delete(ref));
    }
    const image = await pending;
    return image && { command: image.command, cwd: image.workdir, env: image.env };
  }

  /** The spec the runtime runs; throws a message for what the emulator cannot run. */
  private async load(key: string, config: ConfigState, code: CodeState, info: CallInfo): Promise<Executable> {
    const env: Record<string, string> = {
      ...parseUserData(config.user_data),
      ...parseUserData(config.encrypted_user_data),
      RUNTIME_PROJECT_ID: info.projectId,
      RUNTIME_FUNC_NAME: config.func_name,
      RUNTIME_FUNC_VERSION: info.version,
      RUNTIME_PACKAGE: config.package,
      RUNTIME_HANDLER: config.handler,
      RUNTIME_TIMEOUT: String(config.timeout),
      RUNTIME_MEMORY: String(config.memory_size),
    };
    const base = {
      id: `functiongraph/${key}`,
      env,
      timeoutMs: config.timeout * 1000,
      memoryMb: config.memory_size,
      concurrency: Math.max(1, config.strategy_config.concurrent_num),
      maxInstances: config.strategy_config.concurrency > 0 ? config.strategy_config.concurrency : 100,
      functionName: config.func_name,
      revision: info.version,
      target: 'functiongraph',
    };
    let spec: ExecutableSpec;
    if (config.runtime === 'Custom Image') {
      const ref = config.custom_image?.image ?? '';
      const pulled = this.images[ref] ? undefined : await this.pull(ref);
      const mapped = this.images[ref] ?? pulled;
      if (!mapped)
        throw new Error(
          `the emulator cannot pull image "${ref}" (it runs faasport-built images from a registry on this machine; for others pass images: { "${ref}": { command: [...] } })`,
        );
      const codeDir = mapped.cwd ?? this.unpack(key, undefined);
      // The mapped command stands for the image's ENTRYPOINT + CMD; custom_image.command replaces the
      // entrypoint and custom_image.args the arguments, as FunctionGraph's overrides do.
      const image = config.custom_image;
      const entry = image?.command ? image.command.split(',') : mapped.command.slice(0, 1);
      const args = image?.args ? image.args.split(',') : image?.command ? [] : mapped.command.slice(1);
      spec = {
        ...base,
        // A pulled image's own variables come first, the function's override them, as on the platform.
        env: pulled ? { ...pulled.env, ...env } : { ...env, ...(mapped.env ?? {}) },
        codeDir,
        runtime: 'custom',
        contract: 'http',
        command: [...entry, ...args],
        ...(mapped.cwd ? { workdir: mapped.cwd } : {}),
        port: 8000,
        fixedPort: true,
        http: { initPath: '/init', invokePath: '/invoke' },
      };
    } else if (config.runtime === 'http' || config.runtime === 'Custom') {
      const codeDir = this.unpack(key, code);
      spec = {
        ...base,
        env: { ...env, RUNTIME_CODE_ROOT: codeDir },
        codeDir,
        runtime: 'custom',
        contract: 'http',
        command: ['/bin/sh', join(codeDir, 'bootstrap')],
        port: 8000,
        fixedPort: true,
        ...(config.runtime === 'Custom' ? { http: { invokePath: '/invoke' } } : {}),
      };
    } else {
      const runtime = runtimeNames[config.runtime];
      if (!runtime) throw new Error(`the emulator does not run the ${config.runtime} runtime`);
      const codeDir = this.unpack(key, code, config);
      spec = {
        ...base,
        env: { ...env, RUNTIME_CODE_ROOT: codeDir },
        codeDir,
        runtime,
        contract: 'fg-event',
        handler: config.handler,
        ...(config.initializer_handler ? { initializer: config.initializer_handler } : {}),
      };
    }
    return this.executor().load(spec);
  }

  /** Unpacks a code package (zip, or one inline file) into a fresh folder. */
  private unpack(key: string, code: CodeState | undefined, config?: ConfigState): string {
    const dir = join(this.root, createHash('sha256').update(key).digest('hex').slice(0, 16));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    if (!code?.bytes) return dir;
    if (code.code_type === 'inline') {
      const module = (config?.handler ?? 'index.handler').replace(/\.[^.]+$/, '');
      writeFileSync(
        join(dir, `${module}${config?.runtime.startsWith('Python') ? '.py' : '.js'}`),
        code.bytes,
      );
      return dir;
    }
    for (const [name, data] of Object.entries(unzipSync(code.bytes))) {
      if (name.endsWith('/') || !isSafeEntryName(name)) continue;
      const target = join(dir, name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data, { mode: name === 'bootstrap' ? 0o755 : 0o644 });
    }
    return dir;
  }

  /** Stops every executable and removes the unpacked code. */
  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (e) => e.close(),
          () => undefined,
        ),
      ),
    );
    rmSync(this.root, { recursive: true, force: true });
    for (const pending of this.pulled.values()) {
      const image = await pending;
      if (image) rmSync(image.dir, { recursive: true, force: true });
    }
    this.pulled.clear();
  }
}

function configKey(config: ConfigState): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        config.runtime,
        config.handler,
        config.memory_size,
        config.timeout,
        config.user_data,
        config.encrypted_user_data,
        config.initializer_handler,
        config.custom_image,
        config.strategy_config,
      ]),
    )
    .digest('hex')
    .slice(0, 12);
}

/** The env vars of a `user_data` JSON string. */
export function parseUserData(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as Record<string, string>;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}
