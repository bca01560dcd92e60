/**
 * The command line was wrong: an unknown command or flag, a missing argument, a value that does
 * not parse. Exits with code 2 and points at the command's `--help`.
 *
 * @public
 */
export class UsageError extends Error {
  /** A permanent code, like core's error codes. */
  readonly code = 'FP_USAGE';
  /** What to do about it. */
  readonly hint: string;

  constructor(message: string, options: { command?: string; hint?: string } = {}) {
    super(message);
    this.name = 'UsageError';
    const help = options.command ? `faasport ${options.command} --help` : 'faasport --help';
    this.hint = options.hint ?? `Run \`${help}\` to see the accepted arguments.`;
  }

  /** A plain view for `--json` output. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint };
  }
}

/** Exit codes of the `faasport` command. @public */
export const exitCodes = {
  /** The command did what it was asked. */
  success: 0,
  /** The command failed: invalid configuration, a provider error, a failed deploy or invocation. */
  failure: 1,
  /** The command line itself was wrong. */
  usage: 2,
} as const;
