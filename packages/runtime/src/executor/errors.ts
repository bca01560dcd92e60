import { InvokeError } from '@faasport/core';

/** Why the platform (not the handler) failed a call. */
export type ExecutionFailure = 'timeout' | 'crash' | 'start' | 'overloaded' | 'aborted';

const statusOf: Record<ExecutionFailure, number> = {
  timeout: 504,
  crash: 502,
  start: 502,
  overloaded: 429,
  aborted: 499,
};

/**
 * A call the executor could not complete: the instance timed out (and was killed), crashed, could not
 * start, every instance was busy for too long, or the caller gave up. `status` is the HTTP status a
 * gateway answers with.
 */
export class ExecutionError extends InvokeError {
  /** What went wrong. */
  readonly reason: ExecutionFailure;
  declare readonly status: number;

  constructor(args: { functionName: string; reason: ExecutionFailure; message: string }) {
    super({
      functionName: args.functionName,
      message: args.message,
      status: statusOf[args.reason],
      functionError: args.reason,
    });
    this.reason = args.reason;
  }

  /** True for an ExecutionError, even from another copy of this package. */
  static is(value: unknown): value is ExecutionError {
    return (
      value instanceof Error &&
      typeof (value as ExecutionError).reason === 'string' &&
      (value as ExecutionError).code === 'FP_INVOKE_FAILED'
    );
  }
}

/**
 * An instance could not start: its worker failed to load the code (a missing handler file or export,
 * an error thrown while the module loaded) or the process did not come up. Paths in the message and
 * stack name the function's source folder when the spec has a `sourceRoot`.
 */
export class StartError extends Error {
  constructor(
    message: string,
    /** The worker's error type (`HandlerNotFound` when the handler names no export of its module) and stack. */
    readonly detail: { type?: string; stack?: string } = {},
  ) {
    super(message);
    this.name = 'StartError';
  }

  /** True when the handler or initializer names an export (or Python function) its module does not have. */
  get handlerNotFound(): boolean {
    return this.detail.type === 'HandlerNotFound';
  }
}
