import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ValidationError, z } from '@faasport/core';
import { zodIssues } from '@faasport/core/toolkit';
import { executionContractNames } from './contracts';
import { ScheduledExecutable, startHttpInstance } from './executable';
import { freePort, PortTakenError } from './http-instance';
import { baseEnvironment, type Instance, type LoadMessage } from './instance';
import { defaultNodePath, workerPath } from './paths';
import { WarmPool, type WorkerKind } from './pool';
import { createSandbox } from './sandbox';
import type { Executable, ExecutableSpec, Executor, ExecutorOptions } from './types';

export {
  type ExecutionContractInfo,
  executionContractNames,
  executionContracts,
  nativeContractNames,
  nativeContractsText,
} from './contracts';
export { ExecutionError, type ExecutionFailure, StartError } from './errors';
export type * from './types';

const specSchema = z.object({
  id: z.string().min(1),
  codeDir: z.string().min(1),
  runtime: z.string().min(1),
  handler: z.string().min(1).optional(),
  initializer: z.string().min(1).optional(),
  contract: z.enum(executionContractNames),
  command: z.array(z.string()).min(1).optional(),
  workdir: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  fixedPort: z.boolean().optional(),
  http: z
    .object({
      initPath: z.string().startsWith('/').optional(),
      invokePath: z.string().startsWith('/').optional(),
      initHeaders: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  startTimeoutMs: z.number().int().positive().optional(),
  sourceRoot: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()),
  timeoutMs: z.number().int().positive(),
  memoryMb: z.number().positive(),
  concurrency: z.number().int().positive(),
  maxInstances: z.number().int().positive(),
  minInstances: z.number().int().min(0).optional(),
  idleSeconds: z.number().min(0).optional(),
  functionName: z.string().min(1),
  revision: z.string(),
  target: z.string(),
});

function invalid(spec: ExecutableSpec, field: string, message: string, hint?: string): ValidationError {
  return new ValidationError([{ path: field, message, rule: 'executor' }], {
    subject: `function "${spec.functionName}"`,
    hint,
  });
}

const pythonCache = new Map<string, string>();

/** `python3.11` when the machine has it, else `python3`. */
function pythonFor(runtime: string): string {
  const cached = pythonCache.get(runtime);
  if (cached) return cached;
  let chosen = 'python3';
  if (/^python3\.\d+$/.test(runtime)) {
    try {
      execFileSync(runtime, ['--version'], { stdio: 'ignore' });
      chosen = runtime;
    } catch {
      // The exact minor version is not installed: the default python3 runs the code.
    }
  }
  pythonCache.set(runtime, chosen);
  return chosen;
}

function runtimeFamily(spec: ExecutableSpec): 'node' | 'python' | 'http' {
  if (spec.contract === 'http') return 'http';
  if (/^node(js)?\d*/.test(spec.runtime)) return 'node';
  if (/^python3/.test(spec.runtime)) return 'python';
  throw invalid(
    spec,
    'runtime',
    `runtime "${spec.runtime}" cannot run the "${spec.contract}" contract`,
    'use nodejs20 or python3.x, or contract "http" with a command for custom runtimes',
  );
}

function isNodeCommand(command: string): boolean {
  return command === process.execPath || ['node', 'nodejs'].includes(path.basename(command));
}

/** The command of an `http` instance: the spec's, else `bootstrap` in the code folder (FC custom runtime, FunctionGraph HTTP functions). */
function httpCommand(spec: ExecutableSpec): string[] {
  if (spec.command?.length)
    return spec.command[0] === 'node' ? [process.execPath, ...spec.command.slice(1)] : spec.command;
  const bootstrap = path.join(spec.codeDir, 'bootstrap');
  if (existsSync(bootstrap)) {
    try {
      accessSync(bootstrap, constants.X_OK);
      return [bootstrap];
    } catch {
      return ['/bin/sh', bootstrap];
    }
  }
  throw invalid(
    spec,
    'command',
    'an http-contract function needs a command, or a "bootstrap" file in its code',
    'set command (e.g. ["node", "server.js"]) or add an executable bootstrap',
  );
}

/**
 * Creates an executor: each function instance is its own OS process (a Node.js or Python worker, or
 * the function's own command for the `http` contract), with a pool of pre-started generic workers so
 * a cold start loads code into a running process instead of starting one.
 */
export function createExecutor(options: ExecutorOptions = {}): Executor {
  const pool = new WarmPool(options.warmPool ?? 1);
  const nodePath = options.nodePath ?? defaultNodePath();
  const sandbox = options.sandbox
    ? createSandbox({ ...options.sandbox, python: options.python ?? 'python3', nodePath })
    : undefined;
  const confined = sandbox ? { sandbox, read: [options.sandbox!.codeRoot] } : {};
  const loaded = new Set<Executable>();
  let closed = false;

  function loadMessage(spec: ExecutableSpec, baseEnv: Record<string, string>): LoadMessage {
    return {
      codeDir: spec.codeDir,
      handler: spec.handler,
      initializer: spec.initializer,
      contract: spec.contract,
      env: spec.env,
      baseEnv,
      functionName: spec.functionName,
      revision: spec.revision,
      target: spec.target,
      timeoutMs: spec.timeoutMs,
      memoryMb: spec.memoryMb,
      concurrency: spec.concurrency,
    };
  }

  function workerFactory(spec: ExecutableSpec, kind: WorkerKind) {
    return async (): Promise<{ instance: Instance; fromPool: boolean }> => {
      spec.beforeStart?.();
      const { worker, fromPool } = await pool.take(kind);
      try {
        await worker.load(loadMessage(spec, kind.env));
      } catch (error) {
        worker.kill('start-failed');
        throw error;
      }
      return { instance: worker, fromPool };
    };
  }

  function httpFactory(spec: ExecutableSpec, command: string[], remap: boolean) {
    const ownPort = !(spec.fixedPort && !remap);
    return async (): Promise<{ instance: Instance; fromPool: boolean }> => {
      spec.beforeStart?.();
      // A port picked for the command can be taken by another program before the command binds it:
      // then the start is tried again on a fresh port.
      for (let attempt = 1; ; attempt++) {
        try {
          return await startHttp(spec, command, remap, ownPort ? await freePort() : (spec.port ?? 8080));
        } catch (error) {
          if (!(error instanceof PortTakenError) || !ownPort || attempt >= 3) throw error;
        }
      }
    };
  }

  async function startHttp(
    spec: ExecutableSpec,
    command: string[],
    remap: boolean,
    port: number,
  ): Promise<{ instance: Instance; fromPool: boolean }> {
    const fixed = spec.port ?? 8080;
    const nodeOptions = [`--max-old-space-size=${Math.max(16, Math.floor(spec.memoryMb))}`];
    const extra: Record<string, string> = {};
    if (spec.fixedPort && remap) {
      nodeOptions.push(`--require=${JSON.stringify(workerPath('port-remap.cjs'))}`);
      extra.FAASPORT_FIXED_PORT = String(fixed);
    }
    const env = {
      ...baseEnvironment({ NODE_PATH: nodePath.join(path.delimiter) }),
      ...spec.env,
      ...extra,
      PORT: String(port),
      NODE_OPTIONS: nodeOptions.join(' '),
    };
    const instance = await startHttpInstance({
      command: command[0]!,
      args: command.slice(1),
      cwd: spec.workdir ?? spec.codeDir,
      env,
      port,
      startTimeoutMs: spec.startTimeoutMs ?? 10_000,
      initPath: spec.http?.initPath,
      initHeaders: spec.http?.initHeaders,
      invokePath: spec.http?.invokePath ?? '/invoke',
      sandbox,
      read: [spec.codeDir, ...(spec.workdir ? [spec.workdir] : [])],
    });
    return { instance, fromPool: false };
  }

  function workerKind(family: 'node' | 'python', runtime: string, memoryMb: number): WorkerKind {
    return family === 'node'
      ? {
          kind: 'node',
          script: workerPath('node-worker.mjs'),
          nodeArgs: options.nodeArgs,
          webRequest: options.webRequest,
          memoryMb,
          env: baseEnvironment({ NODE_PATH: nodePath.join(path.delimiter) }),
          ...confined,
        }
      : {
          kind: 'python',
          script: workerPath('python_worker.py'),
          python: options.python ?? pythonFor(runtime),
          env: baseEnvironment(),
          ...confined,
        };
  }

  return {
    isolation: sandbox
      ? {
          level: sandbox.level,
          identity: sandbox.identity,
          ...(sandbox.reason ? { reason: sandbox.reason } : {}),
        }
      : { level: 'none', identity: 'same', reason: 'not asked for' },
    warmWorkers: () => pool.idleCount,
    prewarm(runtime: string, memoryMb: number): void {
      if (closed) return;
      if (/^node(js)?\d*/.test(runtime)) pool.fill(workerKind('node', runtime, memoryMb));
      else if (/^python3/.test(runtime)) pool.fill(workerKind('python', runtime, memoryMb));
    },
    async load(input: ExecutableSpec): Promise<Executable> {
      if (closed) throw new Error('the executor is closed');
      const parsed = specSchema.safeParse(input);
      if (!parsed.success) {
        throw new ValidationError(zodIssues(parsed.error), { subject: `executable "${input?.id}"` });
      }
      const spec = input;
      if (!existsSync(spec.codeDir) || !statSync(spec.codeDir).isDirectory()) {
        throw invalid(spec, 'codeDir', `the code folder "${spec.codeDir}" does not exist`);
      }
      const family = runtimeFamily(spec);
      const queueOptions = {
        maxQueue: options.maxQueue ?? 1000,
        queueTimeoutMs: options.queueTimeoutMs ?? Math.max(10_000, spec.timeoutMs),
        observer: options.observer,
      };
      let executable: ScheduledExecutable;
      if (family === 'http') {
        const command = httpCommand(spec);
        const remap = isNodeCommand(command[0]!);
        executable = new ScheduledExecutable(spec, httpFactory(spec, command, remap), {
          ...queueOptions,
          singleInstance: Boolean(spec.fixedPort && !remap),
        });
      } else {
        const kind = workerKind(family, spec.runtime, spec.memoryMb);
        pool.fill(kind);
        executable = new ScheduledExecutable(spec, workerFactory(spec, kind), queueOptions);
      }
      loaded.add(executable);
      const close = executable.close.bind(executable);
      executable.close = async () => {
        loaded.delete(executable);
        await close();
      };
      return executable;
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...loaded].map((executable) => executable.close()));
      pool.close();
      sandbox?.dispose();
    },
  };
}
