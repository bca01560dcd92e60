import type { ArgsDef, CommandContext, CommandDef } from 'citty';
import type { CliContext } from './context';

/**
 * A faasport command: a citty command plus the examples its `--help` shows. `run` receives the
 * parsed args and the {@link CliContext} (citty's `data`).
 *
 * @public
 */
export type FaasportCommand<T extends ArgsDef = ArgsDef> = CommandDef<T> & {
  /** Example invocations, each `[command line, what it does]`. */
  examples?: Array<[string, string]>;
  /** Extra help text after the options. */
  epilogue?: string;
  /** When the command takes any number of trailing arguments: their name in help, e.g. `REVISION=PERCENT`. */
  variadic?: string;
  /** How help groups the sub-commands: `[title, names]` in order (default: one "Commands" list). */
  groups?: Array<[string, string[]]>;
  /** The sub-commands' descriptions, so help can list them without loading them. */
  summaries?: Record<string, string>;
};

/** The arguments `run` receives. @public */
export type RunArgs<T extends ArgsDef> = CommandContext<T>['args'];

/**
 * Defines a command with typed args; `run(args, ctx)` gets the CLI context instead of digging it
 * out of citty's `data`.
 *
 * @public
 */
export function command<const T extends ArgsDef>(def: {
  meta: { name: string; description: string };
  args: T;
  examples?: Array<[string, string]>;
  epilogue?: string;
  variadic?: string;
  run: (args: RunArgs<T>, ctx: CliContext) => Promise<void> | void;
}): FaasportCommand<T> {
  return {
    meta: def.meta,
    args: def.args,
    examples: def.examples,
    epilogue: def.epilogue,
    variadic: def.variadic,
    run: (context) => def.run(context.args, context.data as CliContext),
  };
}
