import type { Executor } from '@faasport/runtime';
import type { ImageCommand } from './execution';

/** Options of `startFunctionGraphEmulator`. @public */
export interface FunctionGraphEmulatorOptions {
  /** The project id in paths and URNs (default: a fixed 32-hex id). */
  projectId?: string;
  /** The region in URNs (default `cn-north-4`). */
  region?: string;
  /** The accepted access key (default `emulator-ak`). */
  accessKeyId?: string;
  /** Its secret (default `emulator-sk`). */
  secretAccessKey?: string;
  /** When set, requests must carry this `X-Security-Token` (temporary credentials). */
  securityToken?: string;
  /** Container images the emulator may run, each mapped to a local command serving port 8000. */
  images?: Record<string, ImageCommand>;
  /** Objects in OBS buckets, for `code_type: obs` functions: `{ bucket: { key: zip bytes } }`. */
  obs?: Record<string, Record<string, Uint8Array>>;
  /** The executor that runs deployed code (default: `createExecutor()` from `@faasport/runtime`). */
  executor?: Executor;
  /** Random numbers in [0, 1) for weighted alias routing (default `Math.random`); pass a seeded one for repeatable tests. */
  random?: () => number;
  /** Largest clock skew of `X-Sdk-Date` accepted, in ms (default 15 minutes). */
  maxSkewMs?: number;
  /**
   * The region's time zone, which TIMER schedules without `CRON_TZ` follow (default `Asia/Shanghai` for
   * `cn-*` regions, else `UTC`).
   */
  timeZone?: string;
  /** Where the emulator's timer clock starts (default: now). Signatures always use the real time. */
  startTime?: Date;
}
