import { ConfigurationError, FaasportError, ValidationError } from '@faasport/core';
import type { CliContext } from '../context';
import { UsageError } from '../errors';

/** The JSON shape of an error in `--json` output: `{ "error": { code, message, hint, ... } }`. @public */
export function errorJson(error: unknown): { error: Record<string, unknown> } {
  if (FaasportError.isInstance(error) || error instanceof UsageError) return { error: error.toJSON() };
  const e = error instanceof Error ? error : new Error(String(error));
  return { error: { name: e.name, code: 'FP_INTERNAL', message: e.message } };
}

/**
 * Renders an error for people: the code, the message (a validation error lists each field on its
 * own line), then the hint. Unknown errors are bugs: they show their stack.
 *
 * @public
 */
export function renderError(ctx: CliContext, error: unknown): void {
  const c = ctx.err;
  const write = (line: string) => ctx.io.stderr.write(`${line}\n`);
  if (error instanceof UsageError) {
    write(`${c.red(c.bold('error'))} ${c.bold(error.code)}  ${error.message}`);
    write(`${c.dim('hint:')} ${error.hint}`);
    return;
  }
  if (FaasportError.isInstance(error)) {
    if (error instanceof ValidationError || (error as { issues?: unknown }).issues) {
      const v = error as ValidationError;
      const [headline] = v.message.split('\n');
      write(`${c.red(c.bold('error'))} ${c.bold(v.code)}  ${headline}`);
      for (const issue of v.issues) {
        write(`  ${c.red('✖')} ${issue.path ? `${c.bold(issue.path)}: ` : ''}${issue.message}`);
      }
    } else {
      const [headline, ...rest] = error.message.split('\n');
      write(`${c.red(c.bold('error'))} ${c.bold(error.code)}  ${headline}`);
      for (const line of rest) write(`  ${line}`);
    }
    if (error.hint) write(`${c.dim('hint:')} ${error.hint}`);
    return;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  write(`${c.red(c.bold('error'))} ${c.bold('FP_INTERNAL')}  ${e.message}`);
  if (e.stack) write(c.dim(e.stack.split('\n').slice(1).join('\n')));
  write(`${c.dim('hint:')} This is a bug in faasport; please report it with the command and this output.`);
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * A target that cannot be reached is not a bug: `fetch failed` (and the like) with a network cause
 * becomes a configuration error naming the address.
 *
 * @internal
 */
export function networkError(error: unknown): unknown {
  if (FaasportError.isInstance(error) || !(error instanceof Error)) return error;
  const cause = (error as { cause?: { code?: string; address?: string; port?: number; hostname?: string } })
    .cause;
  const code = cause?.code ?? (error as NodeJS.ErrnoException).code;
  if (!code || !networkCodes.has(code)) return error;
  const where = cause?.address
    ? `${cause.address}${cause.port ? `:${cause.port}` : ''}`
    : (cause?.hostname ?? 'the target');
  return new ConfigurationError(`Cannot reach ${where} (${code}).`, {
    hint: 'Check that the target is running and its endpoint is right (for local: `faasport dev` or `faasport serve` in the project folder).',
    cause: error,
  });
}
