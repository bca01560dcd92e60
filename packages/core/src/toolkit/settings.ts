import { ConfigurationError, registerSecret } from '../errors';

/** Where {@link loadSetting} looks for one setting. @public */
export interface SettingSource {
  /** The option's dotted path in `options`, e.g. `region` or `credentials.accessKeyId`. */
  name: string;
  /** The options object given by the user. */
  options?: unknown;
  /** The environment to read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Environment variables that may hold it, the preferred one first; empty values are skipped. */
  envNames?: readonly string[];
  /** Throw a {@link ConfigurationError} naming the option and the first variable when it is missing. */
  required?: boolean;
  /** Register the value as a secret, so no error or log line shows it. */
  secret?: boolean;
  /** What the setting is, for the missing-setting error (e.g. `the FC region`); default its name. */
  description?: string;
  /** The adapter the setting belongs to, for the error. */
  adapter?: string;
}

/** The value at a dotted path of an object, when it is a string. */
function optionAt(options: unknown, path: string): string | undefined {
  let value: unknown = options;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : undefined;
}

/**
 * A setting read from the options, else from the first non-empty environment variable of
 * `envNames`. An option set to a string (even empty) wins over the environment.
 *
 * @throws {@link ConfigurationError} when `required` and neither has it.
 * @public
 */
export function loadSetting(source: SettingSource & { required: true }): string;
export function loadSetting(source: SettingSource): string | undefined;
export function loadSetting(source: SettingSource): string | undefined {
  const env = source.env ?? process.env;
  const value =
    optionAt(source.options, source.name) ??
    (source.envNames ?? []).map((name) => env[name]).find((v) => v !== undefined && v !== '');
  if (value === undefined && source.required)
    throw ConfigurationError.missingAll(
      [
        {
          what: source.description ?? source.name,
          option: source.name,
          ...(source.envNames?.[0] ? { envVar: source.envNames[0] } : {}),
        },
      ],
      source.adapter,
    );
  if (source.secret) registerSecret(value);
  return value;
}

/** An option that an offline command (render) may stand in for: where it could be set, and the stand-in. @public */
export interface OfflinePlaceholder {
  /** Environment variables that may hold it, as for {@link loadSetting}. */
  envNames: readonly string[];
  /** The value used instead when neither the option nor a variable has it. */
  value: unknown;
}

/**
 * Stand-ins for the options an offline command does not need but the adapter's options require
 * (an account id, a region): for each top-level option set neither in `options` nor in the environment,
 * its placeholder. Online, nothing: a real call must fail on a missing setting, not use a stand-in.
 *
 * @public
 */
export function offlinePlaceholders(
  source: { offline: boolean; options: unknown; env: Readonly<Record<string, string | undefined>> },
  placeholders: Readonly<Record<string, OfflinePlaceholder>>,
): Record<string, unknown> {
  const standIns: Record<string, unknown> = {};
  if (!source.offline) return standIns;
  for (const [name, { envNames, value }] of Object.entries(placeholders))
    if (!loadSetting({ name, options: source.options, env: source.env, envNames })) standIns[name] = value;
  return standIns;
}
