import type { Executor } from '@faasport/runtime';
import type { FunctionGraphExecution } from './execution';
import type { FunctionGraphEmulatorOptions } from './options';
import type { EmulatorCredential } from './signature';
import type { FunctionState } from './state';

/** What the emulator's request handlers share: identity, options, state and the code runner. */
export interface EmuState {
  projectId: string;
  region: string;
  credential: EmulatorCredential;
  options: FunctionGraphEmulatorOptions;
  /** Random numbers in [0, 1) for weighted alias routing. */
  random: () => number;
  execution: FunctionGraphExecution;
  /** Functions by `package/name`. */
  functions: Map<string, FunctionState>;
  /** Async invocations still running (awaited on close). */
  pending: Set<Promise<unknown>>;
  /** The emulator's base URL (known once it listens). */
  url: string;
  /** The emulator's clock in ms: real time shifted by what advanceClock() added. */
  now: () => number;
  /** The zone of TIMER schedules without `CRON_TZ`: the region's time zone. */
  timerZone: string;
  executor?: Executor;
}
