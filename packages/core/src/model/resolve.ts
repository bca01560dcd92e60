import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { z } from 'zod';
import { parseDurationSeconds } from '../cron';
import { ValidationError, type ValidationIssue } from '../errors';
import { didYouMean } from './did-you-mean';
import type { ResolvedFunction, ResolvedProject, ResolvedSource, ResolvedTrigger } from './resolved';
import { type DefaultsConfig, type FunctionConfig, functionSchema, projectSchema } from './schema';

/**
 * The defaults faasport applies, in this one place. Chosen to be portable: a function that relies on
 * them deploys to every target (e.g. concurrency 1, because Lambda takes no other value).
 *
 * @public
 */
export const builtinDefaults = {
  runtime: 'nodejs20',
  contract: 'web',
  webHandler: 'index.default',
  nativeHandler: 'index.handler',
  memory: 256,
  timeout: 30,
  scaling: { min: 0, max: 100, concurrency: 1, idleSeconds: 60 },
  imagePort: 8080,
  rollout: { intervalSeconds: 60, maxErrorRate: 0.05, samples: 20 },
  broker: 'default',
} as const;

const allMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Turns a zod path into `functions[1].triggers[0].schedule.cron`. @internal */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Converts zod issues to faasport validation issues with the offending value in each message. @internal */
export function toIssues(error: z.ZodError, prefix = ''): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors)) {
      // Report the branch that got furthest rather than "invalid input".
      const branches = issue.errors as z.core.$ZodIssue[][];
      const best = branches.reduce((a, b) => (deepest(b) > deepest(a) ? b : a), branches[0] ?? []);
      if (best.length) {
        const nested = {
          issues: best.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
        } as unknown as z.ZodError;
        out.push(...toIssues(nested, prefix));
        continue;
      }
    }
    const path = formatPath(issue.path, prefix);
    const underSecrets = issue.path.includes('secrets');
    out.push({
      path,
      message: issueMessage(issue, underSecrets),
      rule: issue.code === 'custom' ? 'rule' : issue.code,
    });
  }
  return out;
}

function deepest(issues: z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function issueMessage(issue: z.core.$ZodIssue, hideValue: boolean): string {
  const input = (issue as { input?: unknown }).input;
  // Messages written by our schemas already include the value and the rule.
  if (
    issue.code === 'custom' ||
    (issue.message && !issue.message.startsWith('Invalid') && !issue.message.startsWith('Too'))
  ) {
    return issue.message;
  }
  const value = hideValue ? 'the value' : JSON.stringify(input);
  if (issue.code === 'invalid_key' && issue.issues.length) {
    // A record key broke its rule: report the key's own message ("... is not a valid environment variable name").
    return issueMessage(issue.issues[0] as z.core.$ZodIssue, hideValue);
  }
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined
        ? `is required (${issue.expected})`
        : `${value} is ${describe(input)}, expected ${issue.expected === 'record' ? 'an object' : issue.expected}`;
    case 'too_small':
      return `${value} is too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `${value} is too big (maximum ${String(issue.maximum)})`;
    case 'invalid_value':
      return `${value} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${value}: ${issue.message}`;
  }
}

function deepMerge<T>(base: unknown, over: T): T {
  if (base === undefined) return over;
  if (over === undefined) return base as T;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
    return out as T;
  }
  return over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function resolveSource(source: NonNullable<FunctionConfig['source']>, baseDir: string): ResolvedSource {
  const abs = (p: string) => (isAbsolute(p) ? p : resolvePath(baseDir, p));
  if (source.inline !== undefined) return { kind: 'inline', code: source.inline };
  if (source.dir !== undefined) return { kind: 'dir', path: abs(source.dir) };
  if (source.archive !== undefined) return { kind: 'archive', path: abs(source.archive) };
  if (source.bucket) return { kind: 'bucket', ...source.bucket };
  const image = source.image!;
  return { kind: 'image', ...image, port: image.port ?? builtinDefaults.imagePort };
}

function resolveTriggers(fn: FunctionConfig, contract: string): ResolvedTrigger[] {
  const given = fn.triggers ?? (contract === 'web' ? [{ http: {} }] : []);
  const seen = new Map<string, number>();
  const nameFor = (kind: string, explicit?: string) => {
    if (explicit) return explicit;
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    return n === 1 ? kind : `${kind}-${n}`;
  };
  return given.map((t): ResolvedTrigger => {
    if (t.http) {
      return {
        kind: 'http',
        name: nameFor('http', t.http.name),
        methods: t.http.methods ?? allMethods,
        auth: t.http.auth ?? 'anonymous',
      };
    }
    if (t.schedule) {
      const s = t.schedule;
      return {
        kind: 'schedule',
        name: nameFor('schedule', s.name),
        cron: s.cron.trim().split(/\s+/).join(' '),
        timezone: s.timezone ?? 'UTC',
        ...(s.payload === undefined ? {} : { payload: s.payload }),
        enabled: s.enabled ?? true,
      };
    }
    if (t.storage) {
      const s = t.storage;
      return {
        kind: 'storage',
        name: nameFor('storage', s.name),
        bucket: s.bucket,
        events: s.events ?? ['created'],
        ...(s.prefix ? { prefix: s.prefix } : {}),
        ...(s.suffix ? { suffix: s.suffix } : {}),
      };
    }
    if (t.queue)
      return {
        kind: 'queue',
        name: nameFor('queue', t.queue.name),
        topic: t.queue.topic,
        batchSize: t.queue.batchSize ?? 1,
        ...(t.queue.maxBatchingWindow === undefined
          ? {}
          : { maxBatchingWindowSeconds: parseDurationSeconds(t.queue.maxBatchingWindow)! }),
        startFrom: t.queue.startFrom ?? 'latest',
      };
    const e = t.event!;
    return {
      kind: 'event',
      name: nameFor('event', e.name),
      filter: e.filter,
      broker: e.broker ?? builtinDefaults.broker,
    };
  });
}

/**
 * Validates a function and applies project defaults, then faasport's built-in defaults.
 * Throws a {@link ValidationError} listing every problem.
 *
 * @param input - the function as written.
 * @param options.defaults - the project's `defaults`.
 * @param options.baseDir - the folder relative source paths are resolved against (default: the working directory).
 * @param options.pathPrefix - prefix for issue paths, e.g. `functions[2]`.
 * @param options.adapters - the known adapter names: a `providers` key naming none of them is an error
 * with the nearest name (the CLI passes its registry's names).
 * @public
 */
export function resolveFunction(
  input: unknown,
  options: {
    defaults?: DefaultsConfig;
    baseDir?: string;
    pathPrefix?: string;
    file?: string;
    adapters?: readonly string[];
  } = {},
): ResolvedFunction {
  const issues = collectFunctionIssues(input, options.pathPrefix ?? '', options.adapters);
  if (issues.length) throw new ValidationError(issues, { file: options.file });
  return buildResolved(input as FunctionConfig, options.defaults ?? {}, options.baseDir ?? process.cwd());
}

function collectFunctionIssues(
  input: unknown,
  prefix: string,
  adapters: readonly string[] | undefined,
): ValidationIssue[] {
  const parsed = functionSchema.safeParse(input, { reportInput: true, jitless: true });
  const issues = parsed.success ? [] : toIssues(parsed.error, prefix);
  if (isPlainObject(input))
    issues.push(...providerKeyIssues(input.providers, formatPath(['providers'], prefix), adapters));
  return issues;
}

/**
 * The keys of a `providers` mapping that name no known adapter, each with the nearest known name.
 * Keys of other known adapters are fine: a function may carry options for several targets. Without
 * a list of adapters (a library caller that gave none) nothing can be said.
 */
function providerKeyIssues(
  providers: unknown,
  path: string,
  adapters: readonly string[] | undefined,
): ValidationIssue[] {
  if (!adapters || !isPlainObject(providers)) return [];
  return Object.keys(providers)
    .filter((key) => !adapters.includes(key))
    .map((key) => {
      const near = didYouMean(key, adapters);
      return {
        path,
        message: `unknown key "${key}"${near ? `; did you mean "${near}"?` : ''} (allowed: ${adapters.join(', ')})`,
        rule: 'unrecognized_keys',
      };
    });
}

function buildResolved(fn: FunctionConfig, defaults: DefaultsConfig, baseDir: string): ResolvedFunction {
  const contract = fn.contract ?? defaults.contract ?? builtinDefaults.contract;
  const source = resolveSource(fn.source, baseDir);
  const isImage = source.kind === 'image';
  const resources = deepMerge(defaults.resources ?? {}, fn.resources ?? {});
  const scaling = deepMerge(defaults.scaling ?? {}, fn.scaling ?? {});
  const providers = deepMerge(defaults.providers ?? {}, fn.providers ?? {}) as Record<
    string,
    Record<string, unknown>
  >;
  const handler = isImage
    ? undefined
    : (fn.handler ??
      defaults.handler ??
      (contract === 'native' ? builtinDefaults.nativeHandler : builtinDefaults.webHandler));
  const resolved: ResolvedFunction = {
    name: fn.name,
    ...(fn.description ? { description: fn.description } : {}),
    source,
    runtime: isImage ? 'custom' : (fn.runtime ?? defaults.runtime ?? builtinDefaults.runtime),
    ...(handler ? { handler } : {}),
    contract,
    ...(fn.initializer ? { initializer: fn.initializer } : {}),
    env: { ...(defaults.env ?? {}), ...(fn.env ?? {}) },
    secrets: (fn.secrets ?? {}) as ResolvedFunction['secrets'],
    resources: {
      memory: resources.memory ?? builtinDefaults.memory,
      timeout: resources.timeout ?? builtinDefaults.timeout,
      ...(resources.cpu !== undefined ? { cpu: resources.cpu } : {}),
      ...(resources.disk !== undefined ? { disk: resources.disk } : {}),
    },
    scaling: {
      min: scaling.min ?? builtinDefaults.scaling.min,
      max: scaling.max ?? Math.max(builtinDefaults.scaling.max, scaling.min ?? 0),
      concurrency: scaling.concurrency ?? builtinDefaults.scaling.concurrency,
      idleSeconds:
        scaling.idle !== undefined
          ? parseDurationSeconds(scaling.idle)!
          : builtinDefaults.scaling.idleSeconds,
    },
    triggers: resolveTriggers(fn, contract),
    ...(fn.revision ? { revision: fn.revision } : {}),
    traffic: (fn.traffic ?? [{ revision: 'latest', percent: 100 }]).map((t) => ({
      revision: t.revision,
      percent: t.percent,
      ...(t.tag ? { tag: t.tag } : {}),
    })),
    domains: (fn.domains ?? []).map((d) => ({
      host: d.host.toLowerCase(),
      ...(d.path ? { path: d.path } : {}),
    })),
    visibility: fn.visibility ?? defaults.visibility ?? 'public',
    ...(fn.rollout
      ? {
          rollout: {
            steps: fn.rollout.steps,
            intervalSeconds:
              fn.rollout.interval !== undefined
                ? parseDurationSeconds(fn.rollout.interval)!
                : builtinDefaults.rollout.intervalSeconds,
            check: {
              maxErrorRate: fn.rollout.check?.maxErrorRate ?? builtinDefaults.rollout.maxErrorRate,
              samples: fn.rollout.check?.samples ?? builtinDefaults.rollout.samples,
              ...(fn.rollout.check?.healthPath ? { healthPath: fn.rollout.check.healthPath } : {}),
            },
          },
        }
      : {}),
    providers,
  };
  return deepFreeze(resolved);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Validates a whole project and resolves every function. Collects every problem across the project
 * before throwing one {@link ValidationError}. With `options.adapters` (the known adapter names), a
 * `providers` key that names none of them is an error with the nearest name.
 *
 * @public
 */
export function resolveProject(
  input: unknown,
  options: { baseDir?: string; file?: string; adapters?: readonly string[] } = {},
): ResolvedProject {
  const baseDir = options.baseDir ?? process.cwd();
  // jitless: a project is parsed once per process, and zod's compiled fast path (a `new Function`
  // per object schema on its first parse) costs a command more than it saves.
  const parsed = projectSchema.safeParse(input, { reportInput: true, jitless: true });
  const issues: ValidationIssue[] = parsed.success ? [] : toIssues(parsed.error);
  const raw = (isPlainObject(input) ? input : {}) as Record<string, unknown>;
  if (isPlainObject(raw.defaults))
    issues.push(...providerKeyIssues(raw.defaults.providers, 'defaults.providers', options.adapters));
  const functions = Array.isArray(raw.functions) ? raw.functions : [];
  const names = new Map<string, number>();
  functions.forEach((fn, i) => {
    issues.push(...collectFunctionIssues(fn, `functions[${i}]`, options.adapters));
    const name = isPlainObject(fn) && typeof fn.name === 'string' ? fn.name : undefined;
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) {
        issues.push({
          path: `functions[${i}].name`,
          message: `"${name}" is already the name of functions[${first}]; names must be unique`,
          rule: 'unique',
        });
      } else names.set(name, i);
    }
  });
  if (issues.length || !parsed.success) throw new ValidationError(issues, { file: options.file });
  const project = parsed.data;
  const defaults = project.defaults ?? {};
  const targets: ResolvedProject['targets'] = {};
  for (const [name, target] of Object.entries(project.targets ?? {})) {
    const { adapter, ...rest } = target;
    targets[name] = { name, adapter, options: rest };
  }
  return {
    name: project.name,
    baseDir,
    ...(options.file ? { file: options.file } : {}),
    targets,
    functions: functions.map((fn) => buildResolved(fn as FunctionConfig, defaults, baseDir)),
  };
}
