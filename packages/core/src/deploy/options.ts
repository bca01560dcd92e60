import type {
  AdapterContext,
  CheckIssue,
  DeployEvent,
  DeployEventListener,
  DesiredState,
  LiveFunction,
  Logger,
  Plan,
} from '../adapter';
import type { ResolvedTrafficEntry } from '../model';

/** Options common to every engine call. @public */
export interface EngineOptions {
  /** Receives the typed progress events. */
  onEvent?: DeployEventListener;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Options of {@link deploy} and {@link planDeploy}. @public */
export interface DeployOptions extends EngineOptions {
  /** Where secret `fromEnv` references are read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Folder `fromFile` secret references are relative to. */
  baseDir?: string;
  /** How long to wait for a new revision to become ready (default 120 s). */
  waitTimeoutMs?: number;
}

/** The plan of a deploy plus what it was made from. @public */
export interface PlannedDeploy {
  plan: Plan;
  desired: DesiredState;
  live: LiveFunction | undefined;
}

/** The result of a deploy: plain data, printable as JSON. @public */
export interface DeployResult {
  functionName: string;
  target: string;
  /** False when nothing needed to change (zero writes). */
  changed: boolean;
  revision: string;
  /** The summaries of the steps that ran. */
  steps: string[];
  traffic: ResolvedTrafficEntry[];
  url?: string;
  tagUrls?: Record<string, string>;
  warnings: CheckIssue[];
  ms: number;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {} };

/** The adapter context of an engine call: its events, logger and signal. @internal */
export function contextFor(options: EngineOptions): AdapterContext {
  return {
    emit: (event: DeployEvent) => options.onEvent?.(event),
    logger: options.logger ?? silentLogger,
    signal: options.signal ?? new AbortController().signal,
  };
}
