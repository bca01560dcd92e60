import { type ErrorCode, type ErrorKind, errorCatalog } from './catalog';
import { redact } from './redact';

const marker = Symbol.for('faasport.error');

/** Options shared by every faasport error. @public */
export interface FaasportErrorOptions {
  /** What to do about it; defaults to the catalogue's hint for the code. */
  hint?: string;
  /** Whether trying the same call again may succeed. */
  retryable?: boolean;
  /** The adapter the error came from, if any. */
  adapter?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The base of every error faasport throws. It carries a permanent {@link ErrorCode}, a hint saying
 * what to do, and whether a retry may help. Messages never contain registered secret values.
 *
 * Use {@link FaasportError.isInstance} rather than `instanceof`: it works across duplicate installs.
 *
 * @public
 */
export class FaasportError extends Error {
  readonly [marker] = true;
  /** The permanent error code. */
  readonly code: ErrorCode;
  /** The kind of failure, from the catalogue. */
  readonly kind: ErrorKind;
  /** What to do about it. */
  readonly hint: string;
  /** Whether trying again may succeed. */
  readonly retryable: boolean;
  /** The adapter the error came from, if any. */
  readonly adapter?: string;

  constructor(code: ErrorCode, message: string, options: FaasportErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = errorCatalog[code].kind;
    this.hint = redact(options.hint ?? errorCatalog[code].hint);
    this.retryable = options.retryable ?? false;
    if (options.adapter) this.adapter = options.adapter;
  }

  /** True when `value` is a faasport error, even from another copy of this package. */
  static isInstance(value: unknown): value is FaasportError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /** A plain, JSON-safe view of the error for `--json` output and logs. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
    };
    if (this.retryable) out.retryable = true;
    if (this.adapter) out.adapter = this.adapter;
    for (const [key, value] of Object.entries(this)) {
      if (!(key in out) && key !== 'kind' && value !== undefined) out[key] = value;
    }
    return out;
  }
}

/** One problem found while validating configuration. @public */
export interface ValidationIssue {
  /** Where the problem is, as `functions[1].triggers[0].schedule.cron`. */
  path: string;
  /** The rule that was broken, including the offending value. */
  message: string;
  /** A machine-readable rule name, e.g. `invalid_type`, `unrecognized_keys`, `cron`. */
  rule: string;
}

/** Formats issues as one line each: `path: message`. @public */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}

/**
 * The configuration (a project file, a function, adapter options) is invalid. `issues` lists every
 * problem; the message lists them one per line.
 *
 * @public
 */
export class ValidationError extends FaasportError {
  readonly issues: ValidationIssue[];
  /** The file the configuration came from, when loaded from a file. */
  readonly file?: string;
  constructor(
    issues: ValidationIssue[],
    options: FaasportErrorOptions & { file?: string; subject?: string } = {},
  ) {
    const where = options.file ? ` in ${options.file}` : options.subject ? ` in ${options.subject}` : '';
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('FP_VALIDATION', `Invalid configuration${where} (${count}):\n${formatIssues(issues)}`, options);
    this.issues = issues;
    if (options.file) this.file = options.file;
  }
}

/** A feature the function uses cannot be done by the target. @public */
export class UnsupportedFeatureError extends FaasportError {
  readonly feature: string;
  readonly target: string;
  constructor(
    args: { feature: string; target: string; functionName?: string; reason?: string; instead?: string },
    options: FaasportErrorOptions = {},
  ) {
    const fn = args.functionName
      ? `Function "${args.functionName}" uses ${args.feature}`
      : `${args.feature} is used`;
    const reason = args.reason ? `: ${args.reason}` : '';
    super('FP_UNSUPPORTED_FEATURE', `${fn}, which target "${args.target}" does not support${reason}.`, {
      ...options,
      hint: args.instead ?? options.hint,
    });
    this.feature = args.feature;
    this.target = args.target;
  }
}

/** A value is outside what the target accepts. @public */
export class LimitExceededError extends FaasportError {
  readonly limit: string;
  readonly actual: unknown;
  readonly allowed: string;
  constructor(
    args: {
      limit: string;
      actual: unknown;
      allowed: string;
      target: string;
      functionName?: string;
      path?: string;
    },
    options: FaasportErrorOptions = {},
  ) {
    const where = args.path ? `${args.path}: ` : '';
    const fn = args.functionName ? ` for function "${args.functionName}"` : '';
    super(
      'FP_LIMIT_EXCEEDED',
      `${where}${args.limit} ${JSON.stringify(args.actual)} is not accepted by target "${args.target}"${fn}; allowed: ${args.allowed}.`,
      { ...options, hint: options.hint ?? `Use a value within: ${args.allowed}.` },
    );
    this.limit = args.limit;
    this.actual = args.actual;
    this.allowed = args.allowed;
  }
}

/** A required setting (credential, region, kubeconfig, target) is missing or wrong. @public */
export class ConfigurationError extends FaasportError {
  /** The option that is missing, e.g. `accessKeyId`. */
  readonly option?: string;
  /** The environment variable that can supply it, e.g. `ALIBABA_CLOUD_ACCESS_KEY_ID`. */
  readonly envVar?: string;
  /** When several settings are missing: each option with its environment variable. */
  readonly missing?: ReadonlyArray<{ option: string; envVar?: string }>;
  constructor(message: string, options: FaasportErrorOptions & { option?: string; envVar?: string } = {}) {
    const hint =
      options.hint ??
      (options.option && options.envVar
        ? `Pass the \`${options.option}\` option or set the ${options.envVar} environment variable.`
        : options.option
          ? `Pass the \`${options.option}\` option.`
          : undefined);
    super('FP_CONFIGURATION', message, { ...options, hint });
    if (options.option) this.option = options.option;
    if (options.envVar) this.envVar = options.envVar;
  }

  /** The standard error for a missing credential or option. */
  static missing(args: {
    what: string;
    option: string;
    envVar?: string;
    adapter?: string;
  }): ConfigurationError {
    const via = args.envVar
      ? ` (option \`${args.option}\` or environment variable ${args.envVar})`
      : ` (option \`${args.option}\`)`;
    return new ConfigurationError(`Missing ${args.what}${via}.`, {
      option: args.option,
      envVar: args.envVar,
      adapter: args.adapter,
    });
  }

  /**
   * One error for every missing setting at once, so a user fixes them in one go: a single item is
   * {@link ConfigurationError.missing}; several are listed one per line, and `missing` holds each
   * option with its environment variable.
   */
  static missingAll(
    items: ReadonlyArray<{ what: string; option: string; envVar?: string }>,
    adapter?: string,
  ): ConfigurationError {
    if (items.length === 1) return ConfigurationError.missing({ ...items[0]!, adapter });
    const line = (i: (typeof items)[number]) =>
      `- ${i.what} (option \`${i.option}\`${i.envVar ? ` or environment variable ${i.envVar}` : ''})`;
    const vars = items.flatMap((i) => (i.envVar ? [i.envVar] : []));
    const error = new ConfigurationError(
      `Missing ${items.length} settings${adapter ? ` of the ${adapter} target` : ''}:\n${items.map(line).join('\n')}`,
      {
        option: items[0]!.option,
        envVar: items[0]!.envVar,
        adapter,
        hint: `Set the environment variables ${vars.join(', ')} (or pass the options).`,
      },
    );
    (error as { missing?: unknown }).missing = items.map((i) => ({
      option: i.option,
      ...(i.envVar ? { envVar: i.envVar } : {}),
    }));
    return error;
  }
}

/** HTTP statuses after which a retry may succeed. */
const retryableStatuses = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

/** A provider API answered with an error. @public */
export class ProviderApiError extends FaasportError {
  /** The HTTP status, when there was a response. */
  readonly status?: number;
  /** The provider's own error code, e.g. `InvalidArgument`, `FSS.0404`, `AlreadyExists`. */
  readonly providerCode?: string;
  /** The provider's request id, for support tickets. */
  readonly requestId?: string;
  /** The operation that failed, e.g. `CreateFunction`. */
  readonly operation?: string;
  constructor(
    args: {
      adapter: string;
      operation: string;
      status?: number;
      providerCode?: string;
      providerMessage?: string;
      requestId?: string;
      retryable?: boolean;
    },
    options: Omit<FaasportErrorOptions, 'adapter' | 'retryable'> = {},
  ) {
    const status = args.status ? ` ${args.status}` : '';
    const code = args.providerCode ? ` ${args.providerCode}` : '';
    const msg = args.providerMessage ? `: ${args.providerMessage}` : '';
    const rid = args.requestId ? ` (request id ${args.requestId})` : '';
    super('FP_PROVIDER_API', `${args.adapter} ${args.operation} failed with${status}${code}${msg}${rid}.`, {
      ...options,
      adapter: args.adapter,
      retryable: args.retryable ?? (args.status !== undefined && retryableStatuses.has(args.status)),
    });
    if (args.status !== undefined) this.status = args.status;
    if (args.providerCode) this.providerCode = args.providerCode;
    if (args.requestId) this.requestId = args.requestId;
    this.operation = args.operation;
  }
}

/** The function did not become ready in time. @public */
export class DeployTimeoutError extends FaasportError {
  readonly waitedMs: number;
  readonly lastStatus?: string;
  constructor(args: { functionName: string; waitedMs: number; lastStatus?: string; adapter?: string }) {
    const last = args.lastStatus ? ` Last status: ${args.lastStatus}.` : '';
    super(
      'FP_DEPLOY_TIMEOUT',
      `Function "${args.functionName}" was not ready after ${args.waitedMs} ms.${last}`,
      {
        adapter: args.adapter,
        retryable: true,
      },
    );
    this.waitedMs = args.waitedMs;
    if (args.lastStatus) this.lastStatus = args.lastStatus;
  }
}

/** The live function changed between plan and apply. @public */
export class DriftError extends FaasportError {
  readonly fields: string[];
  constructor(args: { functionName: string; fields: string[]; adapter?: string }) {
    super(
      'FP_DRIFT',
      `Function "${args.functionName}" changed outside faasport since the plan was made: ${args.fields.join(', ')}.`,
      { adapter: args.adapter },
    );
    this.fields = args.fields;
  }
}

/** A deploy step failed; says which steps ran and what was rolled back. @public */
export class DeployError extends FaasportError {
  readonly functionName: string;
  readonly failedStep: string;
  readonly completedSteps: string[];
  readonly rolledBack: string[];
  constructor(args: {
    functionName: string;
    failedStep: string;
    completedSteps: string[];
    rolledBack: string[];
    cause: unknown;
    adapter?: string;
  }) {
    const reason = args.cause instanceof Error ? args.cause.message : String(args.cause);
    const ran = args.completedSteps.length ? args.completedSteps.join('; ') : 'none';
    const back = args.rolledBack.length ? args.rolledBack.join('; ') : 'nothing';
    super(
      'FP_DEPLOY_FAILED',
      `Deploy of "${args.functionName}" failed at step "${args.failedStep}": ${reason}\nSteps completed: ${ran}.\nRolled back: ${back}.`,
      {
        cause: args.cause,
        adapter: args.adapter,
        retryable: FaasportError.isInstance(args.cause) && args.cause.retryable,
      },
    );
    this.functionName = args.functionName;
    this.failedStep = args.failedStep;
    this.completedSteps = args.completedSteps;
    this.rolledBack = args.rolledBack;
  }
}

/** One function of a project deploy that failed. @public */
export interface FailedFunction {
  functionName: string;
  /** The error it failed with (a {@link DeployError}, a {@link DriftError}...). */
  error: unknown;
}

/**
 * A project deploy stopped: one function failed, so no new function was started. Says which functions
 * were deployed, which failed (with their errors) and which never started. The functions still in
 * flight when the first one failed finished first; they are listed as deployed or failed.
 *
 * @public
 */
export class ProjectDeployError extends FaasportError {
  /** The names of the functions deployed, in project order. */
  readonly deployed: string[];
  readonly failed: FailedFunction[];
  /** The names of the functions never started, in project order. */
  readonly notStarted: string[];
  constructor(args: {
    target: string;
    deployed: string[];
    failed: FailedFunction[];
    notStarted: string[];
    adapter?: string;
  }) {
    const first = args.failed[0]?.error;
    const total = args.deployed.length + args.failed.length + args.notStarted.length;
    const list = (names: string[]) => (names.length ? names.join(', ') : 'none');
    const lines = [
      `Deploy of ${total} function${total === 1 ? '' : 's'} to "${args.target}" stopped: ${list(args.failed.map((f) => `"${f.functionName}"`))} failed.`,
      ...args.failed.flatMap(({ functionName, error }) => {
        const [head = '', ...rest] = (error instanceof Error ? error.message : String(error)).split('\n');
        const code = FaasportError.isInstance(error) ? `${error.code} ` : '';
        return [`${functionName}: ${code}${head}`, ...rest.map((line) => `  ${line}`)];
      }),
      `Deployed: ${list(args.deployed)}.`,
      `Failed: ${list(args.failed.map((f) => f.functionName))}.`,
      `Not started: ${list(args.notStarted)}.`,
    ];
    super('FP_PROJECT_DEPLOY_FAILED', lines.join('\n'), {
      cause: first,
      adapter: args.adapter,
      ...(FaasportError.isInstance(first) ? { hint: first.hint, retryable: first.retryable } : {}),
    });
    this.deployed = args.deployed;
    this.failed = args.failed;
    this.notStarted = args.notStarted;
  }

  /** A JSON view in which each failure is its error's own JSON view. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      failed: this.failed.map(({ functionName, error }) => ({
        functionName,
        error: FaasportError.isInstance(error)
          ? error.toJSON()
          : { name: (error as Error)?.name, message: error instanceof Error ? error.message : String(error) },
      })),
    };
  }
}

/** The function does not exist on the target. @public */
export class NotFoundError extends FaasportError {
  constructor(args: { functionName: string; target: string; adapter?: string }) {
    super('FP_NOT_FOUND', `Function "${args.functionName}" does not exist on target "${args.target}".`, {
      adapter: args.adapter,
    });
  }
}

/** The invoked function itself failed (as opposed to the platform). @public */
export class InvokeError extends FaasportError {
  readonly functionError?: string;
  readonly status?: number;
  constructor(args: {
    functionName: string;
    message: string;
    status?: number;
    functionError?: string;
    adapter?: string;
  }) {
    super('FP_INVOKE_FAILED', `Function "${args.functionName}" failed: ${args.message}`, {
      adapter: args.adapter,
    });
    if (args.functionError) this.functionError = args.functionError;
    if (args.status !== undefined) this.status = args.status;
  }
}

/** A rollout's check failed; traffic was restored. @public */
export class RolloutError extends FaasportError {
  readonly atPercent: number;
  constructor(args: { functionName: string; revision: string; atPercent: number; reason: string }) {
    super(
      'FP_ROLLOUT_FAILED',
      `Rollout of revision "${args.revision}" of "${args.functionName}" failed its check at ${args.atPercent}%: ${args.reason}. Traffic was restored.`,
    );
    this.atPercent = args.atPercent;
  }
}

/** A bug in faasport. @public */
export class InternalError extends FaasportError {
  constructor(message: string, options: FaasportErrorOptions = {}) {
    super('FP_INTERNAL', message, options);
  }
}
