import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigurationError, registerSecret } from '../errors';
import type { ResolvedFunction } from '../model';

/**
 * Reads the values of a function's secret references: `fromEnv` from the environment, `fromFile`
 * from a file (relative to `baseDir`). Every value is registered for redaction.
 *
 * @throws {@link ConfigurationError} naming the variable or file when one is missing.
 * @public
 */
export function resolveSecrets(
  fn: ResolvedFunction,
  options: { env?: Record<string, string | undefined>; baseDir?: string } = {},
): Record<string, string> {
  const env = options.env ?? process.env;
  const out: Record<string, string> = {};
  for (const [name, ref] of Object.entries(fn.secrets)) {
    if ('fromEnv' in ref) {
      const value = env[ref.fromEnv];
      if (value === undefined || value === '') {
        throw new ConfigurationError(
          `Secret ${name} of function "${fn.name}" reads the environment variable ${ref.fromEnv}, which is not set.`,
          { envVar: ref.fromEnv, hint: `Set ${ref.fromEnv} in the environment that runs the deploy.` },
        );
      }
      out[name] = value;
    } else {
      const file = isAbsolute(ref.fromFile)
        ? ref.fromFile
        : resolve(options.baseDir ?? process.cwd(), ref.fromFile);
      try {
        out[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch {
        throw new ConfigurationError(
          `Secret ${name} of function "${fn.name}" reads ${file}, which cannot be read.`,
          {
            hint: 'Create the file or fix the path in secrets.',
          },
        );
      }
    }
    if (out[name]!.includes('\0'))
      throw new ConfigurationError(
        `Secret ${name} of function "${fn.name}" contains a NUL character, which an environment variable cannot hold (the value would be cut there).`,
        { hint: `Remove the NUL from the value of ${name}.` },
      );
    registerSecret(out[name]);
  }
  return out;
}

/**
 * Registers for redaction every secret value of `fn` that can be read now (set environment variables,
 * readable files), skipping the others without failing. Commands that call or read a deployed
 * function without deploying it (`invoke`) use it so that a value the function echoes in an error
 * is never printed.
 *
 * @public
 */
export function registerReadableSecrets(
  fn: ResolvedFunction,
  options: { env?: Record<string, string | undefined>; baseDir?: string } = {},
): void {
  for (const name of Object.keys(fn.secrets)) {
    try {
      resolveSecrets({ ...fn, secrets: { [name]: fn.secrets[name]! } }, options);
    } catch {
      // Not readable here: nothing to redact.
    }
  }
}
