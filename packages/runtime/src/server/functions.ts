import fs from 'node:fs';
import path from 'node:path';
import type { FunctionConfig, ResolvedFunction, ResolvedTrafficEntry } from '@faasport/core';
import { resolveFunction, ValidationError, z } from '@faasport/core';
import { zodIssues } from '@faasport/core/toolkit';
import type { Executable, ExecutableSpec, ExecutionContract, Executor } from '../executor';
import { nativeContractNames, nativeContractsText } from '../executor/contracts';
import type { CodeStore } from './code-store';
import type { FunctionRow, RevisionRow, Store } from './store';

/** `providers.local`: options only the local runtime reads. */
export const localProviderSchema = z.strictObject({
  /** The provider contract native code is written in. */
  contract: z.enum(nativeContractNames).optional(),
  /** For `custom` functions: the command that serves HTTP (default: `bootstrap` in the code). */
  command: z.array(z.string().min(1)).min(1).optional(),
  /** The port the command listens on (default $PORT, which the runtime sets). */
  port: z.number().int().min(1).max(65535).optional(),
  /** The command listens on `port` whatever $PORT says (FunctionGraph custom images use 8000). */
  fixedPort: z.boolean().optional(),
  /** POSTed once per instance before its first call (FunctionGraph custom images: `/init`). */
  initPath: z.string().startsWith('/').optional(),
  /** Where event payloads are POSTed for custom functions (default `/invoke`). */
  invokePath: z.string().startsWith('/').optional(),
  /** Event delivery retries for this function's triggers. */
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(100).optional(),
      backoffMs: z.number().int().min(1).max(3_600_000).optional(),
    })
    .optional(),
});

/** The parsed `providers.local` options. */
export type LocalProviderOptions = z.infer<typeof localProviderSchema>;

/** Resolves a stored neutral config (validated again with core's schema). */
export function resolveStored(config: FunctionConfig): ResolvedFunction {
  return resolveFunction(config, { baseDir: '/' });
}

/** The local provider options of a function, validated. */
export function localOptions(fn: ResolvedFunction): LocalProviderOptions {
  const parsed = localProviderSchema.safeParse(fn.providers.local ?? {});
  if (!parsed.success) {
    throw new ValidationError(zodIssues(parsed.error, { prefix: ['providers', 'local'] }), {
      subject: `function "${fn.name}"`,
    });
  }
  return parsed.data;
}

/** The executor contract a function runs with on the local runtime. */
export function contractOf(fn: ResolvedFunction): ExecutionContract {
  if (fn.runtime === 'custom' || fn.source.kind === 'image') return 'http';
  if (fn.contract === 'native') {
    const contract = localOptions(fn).contract;
    if (!contract) {
      throw new ValidationError(
        [
          {
            path: 'providers.local.contract',
            message: `is required for contract "native" (${nativeContractsText})`,
            rule: 'required',
          },
        ],
        { subject: `function "${fn.name}"` },
      );
    }
    return contract;
  }
  return fn.contract;
}

/**
 * How many revisions keep the instance their deploy started to check the code: the last ones
 * deployed, whose first calls it then serves. Older ones stop it when it is idle, so deploying a
 * project of many functions leaves a few processes running, not one per function.
 */
export const verifiedKeptWarm = 4;

/**
 * The deployed functions: a cache of their stored state (the admin API tells it what changed), which
 * revision serves a request (smooth weighted round robin over the traffic split, or a tag / label),
 * and one loaded executable per revision.
 */
export class Functions {
  private readonly executables = new Map<
    string,
    { key: string; executable: Promise<Executable>; ready?: Executable }
  >();
  private readonly weights = new Map<string, Map<string, number>>();
  private readonly rows = new Map<string, FunctionRow | null>();
  private readonly revisions = new Map<string, RevisionRow | null>();
  private readonly settings = new Map<string, ResolvedFunction | null>();
  private allCache?: Array<{ name: string; settings: ResolvedFunction }>;
  private domainCache?: Map<string, Array<{ name: string; prefix: string }>>;
  private readonly emptyDir: string;
  /** The revisions whose verification instance is kept, oldest first (at most {@link verifiedKeptWarm}). */
  private readonly keptWarm: string[] = [];

  constructor(
    private readonly store: Store,
    private readonly code: CodeStore,
    private readonly executor: Executor,
    dataDir: string,
  ) {
    this.emptyDir = path.join(dataDir, 'empty');
    fs.mkdirSync(this.emptyDir, { recursive: true });
  }

  /** The stored function, cached. */
  get(name: string): FunctionRow | undefined {
    let row = this.rows.get(name);
    if (row === undefined) {
      row = this.store.getFunction(name) ?? null;
      this.rows.set(name, row);
    }
    return row ?? undefined;
  }

  /** A stored revision, cached. */
  revision(name: string, label: string): RevisionRow | undefined {
    const id = `${name}@${label}`;
    let row = this.revisions.get(id);
    if (row === undefined) {
      row = this.store.getRevision(name, label) ?? null;
      this.revisions.set(id, row);
    }
    return row ?? undefined;
  }

  /** The resolved settings (triggers, scaling, visibility, domains) of a function, cached. */
  settingsOf(name: string): ResolvedFunction | undefined {
    let value = this.settings.get(name);
    if (value === undefined) {
      const row = this.get(name);
      value = row?.config ? resolveStored(row.config) : null;
      this.settings.set(name, value);
    }
    return value ?? undefined;
  }

  /** Every function that has settings, for the broker, the scheduler and the buckets. */
  all(): Array<{ name: string; settings: ResolvedFunction }> {
    if (!this.allCache) {
      this.allCache = this.store.listFunctions().flatMap((row) => {
        const settings = this.settingsOf(row.name);
        return settings ? [{ name: row.name, settings }] : [];
      });
    }
    return this.allCache;
  }

  /** Custom domains: host → the functions served there and their path prefixes (longest first). */
  domains(): Map<string, Array<{ name: string; prefix: string }>> {
    if (!this.domainCache) {
      const index = new Map<string, Array<{ name: string; prefix: string }>>();
      for (const { name, settings } of this.all()) {
        for (const domain of settings.domains) {
          const prefix = domain.path && domain.path !== '/' ? domain.path.replace(/\/$/, '') : '';
          const list = index.get(domain.host) ?? [];
          list.push({ name, prefix });
          list.sort((a, b) => b.prefix.length - a.prefix.length);
          index.set(domain.host, list);
        }
      }
      this.domainCache = index;
    }
    return this.domainCache;
  }

  /** Counts writes: anything derived from the cached state is stale once it moves. */
  generation = 0;

  /** Drops cached state of a function after a write and reloads executables whose settings changed. */
  changed(name: string): void {
    this.generation++;
    this.rows.delete(name);
    this.settings.delete(name);
    for (const id of [...this.revisions.keys()]) if (id.startsWith(`${name}@`)) this.revisions.delete(id);
    this.allCache = undefined;
    this.domainCache = undefined;
    this.weights.delete(name);
    const fn = this.get(name);
    for (const [id, entry] of [...this.executables]) {
      const [fnName, label] = id.split('@') as [string, string];
      if (fnName !== name) continue;
      const revision = fn ? this.revision(name, label) : undefined;
      if (!fn || !revision) {
        this.executables.delete(id);
        void entry.executable.then(
          (e) => e.close(),
          () => undefined,
        );
        continue;
      }
      const spec = this.specOf(fn, revision);
      if (keyOf(spec) !== entry.key) {
        this.executables.delete(id);
        void entry.executable.then(
          (e) => e.close(),
          () => undefined,
        );
      }
    }
  }

  /** The revision label a request goes to, or undefined when the function has no such route. */
  pick(fn: FunctionRow, options: { tag?: string; revision?: string } = {}): string | undefined {
    if (options.revision) return this.revision(fn.name, options.revision) ? options.revision : undefined;
    if (options.tag) return fn.traffic.find((t) => t.tag === options.tag)?.revision;
    const entries = fn.traffic.filter((t) => t.percent > 0);
    if (entries.length === 0) return undefined;
    if (entries.length === 1) return entries[0]!.revision;
    let current = this.weights.get(fn.name);
    if (!current) {
      current = new Map();
      this.weights.set(fn.name, current);
    }
    let best: ResolvedTrafficEntry | undefined;
    let bestWeight = -Infinity;
    for (const entry of entries) {
      const weight = (current.get(entry.revision) ?? 0) + entry.percent;
      current.set(entry.revision, weight);
      if (weight > bestWeight) {
        best = entry;
        bestWeight = weight;
      }
    }
    current.set(best!.revision, bestWeight - 100);
    return best!.revision;
  }

  /** The executable of one revision when it has loaded already (the common case, without a promise). */
  loadedExecutable(fnName: string, label: string): Executable | undefined {
    return this.executables.get(`${fnName}@${label}`)?.ready;
  }

  /** The executable of one revision, loaded on first use. */
  executableFor(fnName: string, label: string): Promise<Executable> {
    const id = `${fnName}@${label}`;
    const existing = this.executables.get(id);
    if (existing) return existing.executable;
    const fn = this.get(fnName);
    const revision = this.revision(fnName, label);
    if (!fn || !revision) return Promise.reject(new Error(`revision ${label} of ${fnName} does not exist`));
    const spec = this.specOf(fn, revision);
    const entry: { key: string; executable: Promise<Executable>; ready?: Executable } = {
      key: keyOf(spec),
      executable: this.executor.load(spec),
    };
    entry.executable.then(
      (e) => {
        entry.ready = e;
      },
      () => this.executables.delete(id),
    );
    this.executables.set(id, entry);
    return entry.executable;
  }

  /**
   * Loads a revision that is about to be stored and starts one instance of it, so a deploy fails before
   * anything is stored or traffic moves when the code cannot load or its handler names no export.
   * The started instance serves the revision's first calls; of the revisions verified last, only
   * {@link verifiedKeptWarm} keep theirs, the others stop it once no call runs there.
   *
   * @throws StartError (from the executor) saying why the instance could not start.
   */
  async verify(fnName: string, revision: RevisionRow): Promise<void> {
    const now = new Date().toISOString();
    const fn = this.get(fnName) ?? { name: fnName, traffic: [], createdAt: now, updatedAt: now };
    const spec = this.specOf(fn, revision);
    const executable = await this.executor.load(spec);
    try {
      await executable.start();
    } catch (error) {
      await executable.close();
      throw error;
    }
    if (this.executables.has(spec.id)) {
      // The same revision was verified by a concurrent request: one executable is enough.
      await executable.close();
      return;
    }
    this.executables.set(spec.id, {
      key: keyOf(spec),
      executable: Promise.resolve(executable),
      ready: executable,
    });
    this.keepWarm(spec.id);
  }

  /** Keeps the verification instance of `id`, and stops the one of the revision verified longest ago. */
  private keepWarm(id: string): void {
    const at = this.keptWarm.indexOf(id);
    if (at >= 0) this.keptWarm.splice(at, 1);
    this.keptWarm.push(id);
    while (this.keptWarm.length > verifiedKeptWarm)
      this.executables.get(this.keptWarm.shift()!)?.ready?.stopIdle();
  }

  /** Loaded executables that finished loading. */
  loaded(): Executable[] {
    return [...this.executables.values()].flatMap((e) => (e.ready ? [e.ready] : []));
  }

  /** Loads the executables of every revision that receives traffic; `scaling.min` instances start. */
  warm(fnName?: string): void {
    if (fnName) {
      this.prepare(fnName);
      return;
    }
    // At start, in small batches so the gateway answers meanwhile.
    const names = this.store.listFunctions().map((f) => f.name);
    const step = () => {
      for (const name of names.splice(0, 50)) this.prepare(name);
      if (names.length) setImmediate(step);
    };
    step();
  }

  /**
   * Loads the executables of the revisions a function routes to (the scheduling objects, no
   * processes unless `scaling.min` asks), so its first request after a scale to zero only starts an
   * instance.
   */
  private prepare(name: string): void {
    const fn = this.get(name);
    if (!fn) return;
    for (const entry of fn.traffic) {
      if (entry.percent > 0 || entry.tag) this.executableFor(name, entry.revision).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.executables.values()].map((e) =>
        e.executable.then(
          (x) => x.close(),
          () => undefined,
        ),
      ),
    );
    this.executables.clear();
  }

  /** The executor spec of a revision, with the function's current scaling settings. */
  specOf(fn: FunctionRow, revision: RevisionRow): ExecutableSpec {
    const config = resolveStored(revision.config);
    const settings = this.settingsOf(fn.name) ?? config;
    const local = localOptions(config);
    const contract = contractOf(config);
    const source = config.source;
    const image = source.kind === 'image' ? source : undefined;
    const command = local.command ?? (image?.command ? [...image.command, ...(image.args ?? [])] : undefined);
    const inTraffic = fn.traffic.some((t) => t.revision === revision.label && t.percent > 0);
    const codeHash = revision.codeHash;
    return {
      id: `${fn.name}@${revision.label}`,
      codeDir: codeHash === 'none' ? this.emptyDir : this.code.dirOf(codeHash),
      beforeStart: codeHash === 'none' ? undefined : () => void this.code.verify(codeHash),
      ...(revision.sourceRoot ? { sourceRoot: revision.sourceRoot } : {}),
      runtime: config.runtime,
      handler: config.handler,
      initializer: config.initializer,
      contract,
      command,
      workdir: image?.workdir && fs.existsSync(image.workdir) ? image.workdir : undefined,
      port: local.port ?? image?.port,
      fixedPort: local.fixedPort,
      http: contract === 'http' ? { initPath: local.initPath, invokePath: local.invokePath } : undefined,
      env: { ...config.env, ...revision.secretValues },
      timeoutMs: config.resources.timeout * 1000,
      memoryMb: config.resources.memory,
      concurrency: config.scaling.concurrency,
      maxInstances: settings.scaling.max,
      minInstances: inTraffic ? settings.scaling.min : 0,
      idleSeconds: settings.scaling.idleSeconds,
      functionName: fn.name,
      revision: revision.label,
      target: 'local',
    };
  }
}

function keyOf(spec: ExecutableSpec): string {
  return JSON.stringify({ ...spec, env: undefined });
}
