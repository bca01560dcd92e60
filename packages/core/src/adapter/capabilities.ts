import type { ResolvedFunction } from '../model';
import { builtinDefaults } from '../model/resolve';

/**
 * How well a target does a feature. `native`: the platform does it. `emulated`: faasport builds it from
 * other parts (works, may differ in detail). `limited`: works with restrictions (a warning is shown).
 * `unsupported`: the deploy is rejected before any write.
 *
 * @public
 */
export type SupportLevel = 'native' | 'emulated' | 'limited' | 'unsupported';

/** A support level, optionally with the reason and the alternative to suggest. @public */
export type Support = SupportLevel | { level: SupportLevel; note?: string; instead?: string };

/**
 * The features a target declares. Core derives the ones a function uses with {@link featuresUsed} and
 * checks each against the target's declaration; `logs` is the one operation, declared by the adapter's
 * `logs` method (see {@link defineAdapter}). A feature missing from a declaration is `unsupported`.
 * The capability tables of `docs/adapters/*.md` are generated from these declarations.
 *
 * @public
 */
export const features = [
  'source.inline',
  'source.dir',
  'source.archive',
  'source.bucket',
  'source.image',
  'contract.web',
  'contract.event',
  'contract.native',
  'trigger.http',
  'trigger.http.private',
  'trigger.schedule',
  'trigger.storage',
  'trigger.queue',
  'trigger.event',
  'traffic.split',
  'traffic.tags',
  'scaling.min',
  'scaling.max',
  'scaling.concurrency',
  'scaling.toZero',
  'secrets',
  'domains',
  'initializer',
  'visibility.private',
  'logs',
] as const;

/** One feature key. @public */
export type Feature = (typeof features)[number];

/** How messages and docs name each feature. @public */
export const featureLabels: Readonly<Record<Feature, string>> = {
  'source.inline': 'inline code (source.inline)',
  'source.dir': 'a code folder (source.dir)',
  'source.archive': 'a zip archive (source.archive)',
  'source.bucket': 'an object-storage archive (source.bucket)',
  'source.image': 'a container image (source.image)',
  'contract.web': 'the web handler contract',
  'contract.event': 'the event handler contract',
  'contract.native': 'the native handler contract',
  'trigger.http': 'an http trigger',
  'trigger.http.private': 'an http trigger with auth',
  'trigger.schedule': 'a schedule trigger',
  'trigger.storage': 'a storage trigger',
  'trigger.queue': 'a queue trigger',
  'trigger.event': 'an event (CloudEvents) trigger',
  'traffic.split': 'a traffic split',
  'traffic.tags': 'traffic tags',
  'scaling.min': 'minimum instances (scaling.min)',
  'scaling.max': 'a maximum of instances (scaling.max)',
  'scaling.concurrency': 'per-instance concurrency above 1 (scaling.concurrency)',
  'scaling.toZero': 'scaling to zero (scaling.min 0)',
  secrets: 'secrets',
  domains: 'custom domains',
  initializer: 'an initializer',
  'visibility.private': 'private visibility',
  logs: 'reading logs (faasport logs)',
};

/** An inclusive numeric range; `values`, when set, lists the only values accepted. @public */
export interface Range {
  min: number;
  max: number;
  /** The only accepted values, e.g. FC memory sizes in steps of 64 MB. */
  values?: readonly number[];
  /** A human description of the rule, e.g. "128-3072, multiple of 64". */
  description?: string;
}

/** A target's limits, checked before any write. @public */
export interface Limits {
  memoryMb: Range;
  timeoutSeconds: Range;
  /** Most concurrent requests per instance. */
  concurrency?: Range;
  /** Most revisions that can receive traffic at once (FC and FunctionGraph: 2). */
  trafficTargets?: number;
  /** Largest code package in bytes for uploads (zip). */
  codeBytes?: number;
  /** Largest request payload in bytes. */
  payloadBytes?: number;
  /** Function name rule. */
  name?: { pattern: RegExp; maxLength: number; description: string };
  /** The faasport runtimes the target can run. */
  runtimes: readonly string[];
}

/** What a target can do, declared by its adapter. @public */
export interface Capabilities {
  features: Partial<Record<Feature, Support>>;
  limits: Limits;
}

/**
 * The features a resolved function uses: every key of {@link features} but `logs`, which is an
 * operation, not a part of a function. `scaling.max` counts when the maximum differs from the one
 * faasport would pick (the default, or `scaling.min` when higher); `scaling.toZero` when `scaling.min` is 0.
 *
 * @public
 */
export function featuresUsed(fn: ResolvedFunction): Set<Feature> {
  const used = new Set<Feature>();
  used.add(`source.${fn.source.kind}` as Feature);
  if (fn.source.kind !== 'image') used.add(`contract.${fn.contract}` as Feature);
  for (const t of fn.triggers) {
    used.add(`trigger.${t.kind}` as Feature);
    if (t.kind === 'http' && t.auth !== 'anonymous') used.add('trigger.http.private');
  }
  if (fn.traffic.filter((t) => t.percent > 0).length > 1) used.add('traffic.split');
  if (fn.traffic.some((t) => t.tag)) used.add('traffic.tags');
  if (fn.scaling.min > 0) used.add('scaling.min');
  else used.add('scaling.toZero');
  if (fn.scaling.max !== Math.max(builtinDefaults.scaling.max, fn.scaling.min)) used.add('scaling.max');
  if (fn.scaling.concurrency > 1) used.add('scaling.concurrency');
  if (Object.keys(fn.secrets).length) used.add('secrets');
  if (fn.domains.length) used.add('domains');
  if (fn.initializer) used.add('initializer');
  if (fn.visibility === 'private') used.add('visibility.private');
  return used;
}

/** The level and note of a support declaration. @public */
export function supportOf(
  capabilities: Capabilities,
  feature: Feature,
): { level: SupportLevel; note?: string; instead?: string } {
  const s = capabilities.features[feature];
  if (s === undefined) return { level: 'unsupported' };
  return typeof s === 'string' ? { level: s } : s;
}
