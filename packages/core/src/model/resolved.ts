/**
 * The resolved (output) form of the model: every default applied, sources and triggers normalised to
 * tagged unions, durations in seconds, paths absolute. Adapters and the engine read only this form.
 */

/** Where the code of a resolved function comes from. @public */
export type ResolvedSource =
  | { kind: 'inline'; code: string }
  | { kind: 'dir'; path: string }
  | { kind: 'archive'; path: string }
  | { kind: 'bucket'; name: string; key: string; region?: string; endpoint?: string }
  | {
      kind: 'image';
      ref: string;
      command?: string[];
      args?: string[];
      workdir?: string;
      port: number;
      user?: string;
    };

/** A resolved trigger. @public */
export type ResolvedTrigger =
  | { kind: 'http'; name: string; methods: string[]; auth: 'anonymous' | 'function' | 'private' }
  | { kind: 'schedule'; name: string; cron: string; timezone: string; payload?: unknown; enabled: boolean }
  | {
      kind: 'storage';
      name: string;
      bucket: string;
      events: Array<'created' | 'deleted'>;
      prefix?: string;
      suffix?: string;
    }
  | {
      kind: 'queue';
      name: string;
      topic: string;
      /** Messages the platform hands over at once; the function still gets one event per message. */
      batchSize: number;
      /** How long the platform may wait to fill a batch, where it has such a setting. */
      maxBatchingWindowSeconds?: number;
      /** `latest`: messages published after the trigger exists; `earliest`: all the topic holds. */
      startFrom: 'latest' | 'earliest';
    }
  | { kind: 'event'; name: string; filter: Record<string, string>; broker: string };

/** One resolved traffic entry; `revision` is a label or `latest`. @public */
export interface ResolvedTrafficEntry {
  revision: string;
  percent: number;
  tag?: string;
}

/** A secret reference; the value is read at deploy time and never stored in plans. @public */
export type SecretRef = { fromEnv: string } | { fromFile: string };

/** A function with every default applied. Never mutate it. @public */
export interface ResolvedFunction {
  name: string;
  description?: string;
  source: ResolvedSource;
  /** A faasport runtime name (`nodejs20`, `python3.12`, `custom`). */
  runtime: string;
  /** `file.export`; absent for image sources. */
  handler?: string;
  contract: 'web' | 'event' | 'native';
  initializer?: string;
  env: Record<string, string>;
  secrets: Record<string, SecretRef>;
  resources: { memory: number; timeout: number; cpu?: number; disk?: number };
  scaling: { min: number; max: number; concurrency: number; idleSeconds: number };
  triggers: ResolvedTrigger[];
  /** The label the user gave the revision this deploy creates, if any. */
  revision?: string;
  traffic: ResolvedTrafficEntry[];
  domains: Array<{ host: string; path?: string }>;
  visibility: 'public' | 'private';
  rollout?: {
    steps: number[];
    intervalSeconds: number;
    check: { maxErrorRate: number; samples: number; healthPath?: string };
  };
  /** Per-provider options, validated by each adapter's own schema. */
  providers: Record<string, Record<string, unknown>>;
}

/** A deploy target with its adapter name and that adapter's options. @public */
export interface ResolvedTarget {
  name: string;
  adapter: string;
  options: Record<string, unknown>;
}

/** A project with every default applied. @public */
export interface ResolvedProject {
  name: string;
  /** The folder relative paths were resolved against. */
  baseDir: string;
  /** The file it was loaded from, when loaded from a file. */
  file?: string;
  targets: Record<string, ResolvedTarget>;
  functions: ResolvedFunction[];
}
