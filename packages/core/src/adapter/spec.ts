import type { z } from 'zod';
import type { Context } from '../handler';
import type { ResolvedFunction, ResolvedTrafficEntry } from '../model';
import { type Capabilities, supportOf } from './capabilities';
import type { DeployEvent } from './events';
import type { CheckIssue, Step } from './plan';

/** The code to deploy, packaged deterministically by core. @public */
export interface Artifact {
  /** A zip of the code (for `inline`, `dir` and `archive` sources; built on first read); absent for `bucket` and `image`. */
  zip?: Uint8Array;
  /** sha256 of the code: of the zip's entries (names and contents), of the bucket key, or of the image ref. */
  codeHash: string;
  /** The files in the zip, sorted. */
  files?: string[];
}

/**
 * Everything an adapter needs to make the live function match: the resolved function, its packaged
 * code, the secret values (never shown in plans), and the hashes and revision label core computed.
 *
 * @public
 */
export interface DesiredState {
  fn: ResolvedFunction;
  artifact: Artifact;
  /** Secret values by env name, read from the environment at deploy time. */
  secretValues: Record<string, string>;
  /** sha256 of everything that makes a revision: code, runtime, handler, env, secrets, resources, concurrency. */
  revisionHash: string;
  /** The label for a revision made by this deploy: `fn.revision` or `r-<first 8 of revisionHash>`. */
  revisionLabel: string;
  /** sha256 of the whole desired state (revision hash + triggers, scaling, traffic, domains...). */
  specHash: string;
  /** The desired traffic with `latest` resolved to `revisionLabel`. */
  traffic: ResolvedTrafficEntry[];
}

/** One revision as the live platform has it. @public */
export interface LiveRevision {
  /** The faasport label (`v2`, `r-1a2b3c4d`). */
  label: string;
  /** The platform's own id (Knative revision name, FC version id, FunctionGraph version). */
  id: string;
  /** The revisionHash stored on it, when it was made by faasport. */
  revisionHash?: string;
  ready: boolean;
  /** Why it is not ready, when known. */
  reason?: string;
  createdAt?: string;
}

/**
 * A function as it lives on a target, normalised to the neutral model. `config` is the neutral
 * view of the live configuration (for drift and export); `raw` is the provider's own objects.
 *
 * @public
 */
export interface LiveFunction {
  name: string;
  target: string;
  /** The specHash faasport stored on the provider object at the last deploy. */
  specHash?: string;
  revisions: LiveRevision[];
  /** The live traffic, by revision label. */
  traffic: ResolvedTrafficEntry[];
  /** The main URL, when the function has one. */
  url?: string;
  /** URLs per tag. */
  tagUrls?: Record<string, string>;
  /** The live configuration, in neutral terms, as far as the provider exposes it. */
  config?: Partial<ResolvedFunction>;
  raw?: unknown;
}

/** A minimal structured logger adapters may use. @public */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** What core passes to an adapter while it works. @public */
export interface AdapterContext {
  /** Emits progress; the CLI renders these. */
  emit(event: DeployEvent): void;
  logger: Logger;
  /** Aborted when the caller cancels. */
  signal: AbortSignal;
}

/** Options of an invocation. @public */
export interface InvokeOptions {
  /** Send to the revision behind this tag. */
  tag?: string;
  /** Send to this revision label. */
  revision?: string;
  /** `event` sends the body as an event payload (FC InvokeFunction, FunctionGraph invocations); default `http`. */
  mode?: 'http' | 'event';
  /** Fire and forget, where the platform offers it. */
  async?: boolean;
  signal?: AbortSignal;
}

/** One line of a function's logs. @public */
export interface LogEntry {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  requestId?: string;
  revision?: string;
  fields?: Record<string, unknown>;
}

/** A deployed function in a listing. @public */
export interface FunctionSummary {
  name: string;
  url?: string;
  revisions: number;
  traffic: ResolvedTrafficEntry[];
}

/** A rendered provider manifest or request body, for `render` and eject. @public */
export interface Manifest {
  /** A suggested file name: `coffee.service.yaml`, `coffee.create-function.json`. */
  name: string;
  /** `yaml` for Kubernetes manifests, `json` for API request bodies. */
  format: 'yaml' | 'json';
  /** The object itself. */
  content: unknown;
  /** For API bodies: the method and path they are sent to. */
  request?: { method: string; path: string };
}

/**
 * The contract every faasport target implements (specification v1). Core owns it; adapters implement
 * it and depend on nothing else of core's internals. Changing it needs a decision record.
 *
 * Write calls happen only in `applyStep`, `setTraffic` and `remove`; `read`, `plan`, `check`, `render`
 * and `export` never write. A re-deploy of an unchanged function must plan zero steps.
 *
 * @public
 */
export interface Adapter {
  readonly specificationVersion: 'v1';
  /** The adapter's name, as used in `targets.*.adapter` (e.g. `local`, `knative`, `lambda`). */
  readonly name: string;
  readonly capabilities: Capabilities;
  /**
   * The schema of a function's `providers.<name>` options (specification v1.1: the adapter module's
   * `providerOptionsSchema`). Core validates them with it before `check`, with a did-you-mean for
   * unknown keys, so `plan`, `deploy` and `render` share the check.
   */
  readonly providerOptionsSchema?: z.ZodType;
  /**
   * Offline checks beyond the declared capabilities: name rules, allowed memory values, rules across
   * provider options. Core already checked features, plain limits and the provider options' schema.
   */
  check?(fn: ResolvedFunction): CheckIssue[];
  /** The live function, or `undefined` when it does not exist. */
  read(name: string, ctx: AdapterContext): Promise<LiveFunction | undefined>;
  /**
   * The steps that make live match desired, without the traffic step (core adds it when the traffic
   * differs). Pure: no I/O. Must return no steps when live already matches.
   */
  plan(desired: DesiredState, live: LiveFunction | undefined): Step[];
  /** Executes one step of the adapter's own plan. */
  applyStep(step: Step, desired: DesiredState, ctx: AdapterContext): Promise<void>;
  /**
   * Waits until the revision is ready to take traffic, or throws DeployTimeoutError / DeployError with
   * the platform's reason. Optional for targets where a published revision is ready at once.
   */
  waitReady?(name: string, revisionLabel: string, ctx: AdapterContext & { timeoutMs: number }): Promise<void>;
  /** Moves traffic. Entries name revision labels (never `latest`). */
  setTraffic(name: string, traffic: ResolvedTrafficEntry[], ctx: AdapterContext): Promise<void>;
  /** Calls the function: `request` goes through the HTTP route (or becomes the event payload in `event` mode). */
  invoke(name: string, request: Request, options?: InvokeOptions): Promise<Response>;
  /**
   * Streams logs, where the target can; `tail` keeps only the last lines of the history (then follows).
   * A target without logs leaves this out (and the `logs` capability with it, or declares it unsupported).
   */
  logs?(
    name: string,
    options: { follow?: boolean; since?: Date; tail?: number; signal?: AbortSignal },
  ): AsyncIterable<LogEntry>;
  list(ctx: AdapterContext): Promise<FunctionSummary[]>;
  /** Deletes the function and everything faasport made for it. No error when it does not exist. */
  remove(name: string, ctx: AdapterContext): Promise<void>;
  /** The live function back in the neutral model, for migration. */
  export(name: string, ctx: AdapterContext): Promise<ExportResult>;
  /** Offline manifests or request bodies. Secret values appear as references, never as values. */
  render(desired: DesiredState): Manifest[];
}

/** The result of `export`: the function as written config, its code, and what could not carry over. @public */
export interface ExportResult {
  /** The neutral function config (source `archive` pointing at `codeFile` when code was downloaded). */
  config: import('../model').FunctionConfig;
  /** The code as a zip, when the platform returns it. */
  code?: Uint8Array;
  /** Things on the platform the neutral model cannot express. */
  notes: string[];
}

/**
 * Marks an object as an adapter and checks its shape once, at construction: the specification version,
 * and that the `logs` capability and the `logs` method agree (an adapter without logs leaves both out,
 * or declares `logs` unsupported with a note saying where to read them).
 *
 * @public
 */
export function defineAdapter<A extends Adapter>(adapter: A): A {
  if (adapter.specificationVersion !== 'v1') {
    throw new TypeError(
      `adapter "${adapter.name}" implements specification ${String(adapter.specificationVersion)}; this core supports v1`,
    );
  }
  const declared = supportOf(adapter.capabilities, 'logs').level !== 'unsupported';
  if (declared !== (typeof adapter.logs === 'function')) {
    throw new TypeError(
      declared
        ? `adapter "${adapter.name}" declares logs but has no logs method: implement logs(), or leave the capability out`
        : `adapter "${adapter.name}" has a logs method but does not declare logs: declare it in capabilities.features`,
    );
  }
  return adapter;
}

/** The handler context type, re-exported for adapter shims. @public */
export type HandlerContext = Context;
