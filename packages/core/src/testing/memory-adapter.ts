import {
  type Adapter,
  type AdapterContext,
  type Capabilities,
  type DesiredState,
  defineAdapter,
  features,
  type LiveFunction,
  type LogEntry,
  type Step,
} from '../adapter';
import type { ResolvedFunction, ResolvedTrafficEntry } from '../model';
import { stepHandlers } from '../toolkit/steps';

interface MemoryRevision {
  label: string;
  revisionHash: string;
  createdAt: string;
  /** What invoking this revision answers, from `env.REPLY` (or `<name>@<label>`). */
  reply: string;
  status: number;
}

interface MemoryFunction {
  name: string;
  specHash: string;
  config: ResolvedFunction;
  revisions: MemoryRevision[];
  traffic: ResolvedTrafficEntry[];
}

/** Options of {@link createMemoryAdapter}. @public */
export interface MemoryAdapterOptions {
  /** Override capabilities (default: every feature native, no limits to speak of). */
  capabilities?: Capabilities;
  /** Throw when a step with this id runs (to test rollback), or when this test of a step says so. */
  failStep?: string | ((step: Step, desired: DesiredState) => boolean);
  /**
   * Milliseconds each call (read, apply, traffic, remove) takes, as a cloud's round trip would; a
   * function of the call (`read shop`, `apply revision`) and its function's name to vary it. Default 0.
   */
  latencyMs?: number | ((call: string, functionName: string) => number);
  /** Revisions whose invocations answer 500 (to test rollout checks). */
  failingRevisions?: string[];
}

/**
 * An in-memory target used to test the deploy engine itself. It is a test double for the engine's own
 * tests, never a deploy target: it runs no code. Invoking a revision answers its `REPLY` env var.
 *
 * @public
 */
export function createMemoryAdapter(options: MemoryAdapterOptions = {}) {
  const functions = new Map<string, MemoryFunction>();
  const calls: string[] = [];
  const logLines = new Map<string, LogEntry[]>();
  let counter = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  /** Records a call, and holds it for the configured latency while counting the calls in flight. */
  const call = async (name: string, functionName: string) => {
    calls.push(name);
    const ms =
      typeof options.latencyMs === 'function'
        ? options.latencyMs(name, functionName)
        : (options.latencyMs ?? 0);
    if (ms <= 0) return;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, ms));
    inFlight--;
  };
  const capabilities: Capabilities = options.capabilities ?? {
    features: Object.fromEntries(features.map((f) => [f, 'native'])),
    limits: {
      memoryMb: { min: 64, max: 32_768 },
      timeoutSeconds: { min: 1, max: 86_400 },
      runtimes: ['nodejs18', 'nodejs20', 'nodejs22', 'python3.11', 'python3.12', 'custom'],
    },
  };
  const live = (fn: MemoryFunction): LiveFunction => ({
    name: fn.name,
    target: 'memory',
    specHash: fn.specHash,
    revisions: fn.revisions.map((r) => ({
      label: r.label,
      id: r.label,
      revisionHash: r.revisionHash,
      ready: true,
      createdAt: r.createdAt,
    })),
    traffic: fn.traffic.map((t) => ({ ...t })),
    url: `memory://${fn.name}`,
    config: {
      runtime: fn.config.runtime,
      handler: fn.config.handler,
      env: fn.config.env,
      resources: fn.config.resources,
      contract: fn.config.contract,
    },
  });
  const applyOne = stepHandlers<[desired: DesiredState, fn: MemoryFunction]>('memory', {
    revision(_step, desired, fn) {
      fn.revisions = fn.revisions.filter((r) => r.label !== desired.revisionLabel);
      fn.revisions.push({
        label: desired.revisionLabel,
        revisionHash: desired.revisionHash,
        createdAt: new Date(Date.UTC(2020, 0, 1) + ++counter * 1000).toISOString(),
        reply: desired.fn.env.REPLY ?? `${fn.name}@${desired.revisionLabel}`,
        status: Number(desired.fn.env.STATUS ?? 200),
      });
      fn.config = desired.fn;
    },
    settings(_step, desired, fn) {
      fn.specHash = desired.specHash;
    },
  });
  const adapter = defineAdapter({
    specificationVersion: 'v1' as const,
    name: 'memory',
    capabilities,
    async read(name: string, _ctx?: AdapterContext) {
      await call(`read ${name}`, name);
      const fn = functions.get(name);
      return fn ? live(fn) : undefined;
    },
    plan(desired, current) {
      const steps: Step[] = [];
      const existing = current?.revisions.find((r) => r.label === desired.revisionLabel);
      if (!existing || existing.revisionHash !== desired.revisionHash) {
        steps.push({
          id: 'revision',
          action: current ? 'update' : 'create',
          resource: `revision ${desired.revisionLabel}`,
          summary: `create revision ${desired.revisionLabel} of ${desired.fn.name}`,
          changes: [{ path: 'revision', to: desired.revisionLabel }],
          phase: 'revision',
        });
      }
      if (current?.specHash !== desired.specHash) {
        steps.push({
          id: 'settings',
          action: 'update',
          resource: `function ${desired.fn.name}`,
          summary: `store settings of ${desired.fn.name}`,
          changes: [{ path: 'specHash', from: current?.specHash, to: desired.specHash }],
          phase: 'finalize',
        });
      }
      return steps;
    },
    async applyStep(step: Step, desired: DesiredState, _ctx?: AdapterContext) {
      await call(`apply ${step.id}`, desired.fn.name);
      const fail =
        typeof options.failStep === 'function'
          ? options.failStep(step, desired)
          : options.failStep === step.id;
      if (fail) throw new Error(`step ${step.id} failed on purpose`);
      const name = desired.fn.name;
      let fn = functions.get(name);
      if (!fn) {
        fn = { name, specHash: '', config: desired.fn, revisions: [], traffic: [] };
        functions.set(name, fn);
      }
      await applyOne(step, desired, fn);
    },
    async setTraffic(name, traffic) {
      await call(`traffic ${name} ${traffic.map((t) => `${t.revision}=${t.percent}`).join(',')}`, name);
      const fn = functions.get(name);
      if (!fn) throw new Error(`no function ${name}`);
      fn.traffic = traffic.map((t) => ({ ...t }));
    },
    async invoke(name, _request, invokeOptions = {}) {
      const fn = functions.get(name);
      if (!fn) return new Response('not found', { status: 404 });
      let label =
        invokeOptions.revision ??
        fn.traffic.find((t) => invokeOptions.tag && t.tag === invokeOptions.tag)?.revision;
      if (!label) {
        let roll = Math.random() * 100;
        for (const t of fn.traffic) {
          roll -= t.percent;
          if (roll < 0) {
            label = t.revision;
            break;
          }
        }
      }
      const revision = fn.revisions.find((r) => r.label === label) ?? fn.revisions[fn.revisions.length - 1]!;
      const status = options.failingRevisions?.includes(revision.label) ? 500 : revision.status;
      const lines = logLines.get(name) ?? [];
      lines.push({
        time: new Date().toISOString(),
        level: status >= 500 ? 'error' : 'info',
        message: `${status} ${revision.reply}`,
        revision: revision.label,
      });
      logLines.set(name, lines);
      return new Response(revision.reply, { status });
    },
    /** One line per invocation: its status and reply. */
    async *logs(name: string, logOptions: { tail?: number } = {}) {
      const lines = logLines.get(name) ?? [];
      yield* logOptions.tail ? lines.slice(-logOptions.tail) : lines;
    },
    async list() {
      return [...functions.values()].map((fn) => ({
        name: fn.name,
        revisions: fn.revisions.length,
        traffic: fn.traffic,
      }));
    },
    async remove(name) {
      await call(`remove ${name}`, name);
      functions.delete(name);
    },
    async export(name) {
      const fn = functions.get(name);
      if (!fn) throw new Error(`no function ${name}`);
      const c = fn.config;
      return {
        config: {
          name: c.name,
          source: { inline: 'export default () => "exported"' },
          runtime: c.runtime,
          env: { ...c.env },
          resources: { ...c.resources },
        },
        notes: ['the memory target keeps no code'],
      };
    },
    render(desired) {
      return [
        {
          name: `${desired.fn.name}.json`,
          format: 'json' as const,
          content: { name: desired.fn.name, revision: desired.revisionLabel },
        },
      ];
    },
  } satisfies Adapter);
  return Object.assign(adapter, {
    /** Every call the adapter received, in order: `read x`, `apply revision`, `traffic x v1=90,v2=10`. */
    calls,
    /** The number of write calls so far. */
    writes: () => calls.filter((c) => !c.startsWith('read')).length,
    /** The most calls that were in flight at once (counted only for calls with a latency). */
    maxInFlight: () => maxInFlight,
  });
}
