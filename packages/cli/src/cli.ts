import type { ArgDef, ArgsDef } from 'citty';
import pkg from '../package.json';
import type { FaasportCommand } from './command';
import { CliContext, type CliIo } from './context';
import { exitCodes, UsageError } from './errors';
import { renderHelp, subCommand, subCommandNames } from './help';
import { mainCommand } from './main';

// Core (with zod), citty (with consola) and the error renderer load only when a command runs or
// fails: `faasport --help` needs none of them, and start-up time is mostly module loading.
const didYouMean = async (word: string, candidates: string[]) =>
  (await import('@faasport/core')).didYouMean(word, candidates);

/** The version of the `faasport` command. @public */
export const version: string = pkg.version;

interface FlagSpec {
  name: string;
  type: ArgDef['type'];
}

/** Every spelling a command accepts: names, kebab/camel forms, aliases, `--no-x` for booleans. */
function flagTable(args: ArgsDef): Map<string, FlagSpec> {
  const table = new Map<string, FlagSpec>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === 'positional') continue;
    const spec = { name, type: def.type };
    const kebab = name.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
    for (const n of [name, kebab]) {
      table.set(n, spec);
      if (def.type === 'boolean') table.set(`no-${n}`, spec);
    }
    const aliases = 'alias' in def && def.alias ? (Array.isArray(def.alias) ? def.alias : [def.alias]) : [];
    for (const a of aliases) table.set(a, spec);
  }
  return table;
}

/**
 * Checks a command line against the command's arg definitions before citty parses it (citty
 * accepts anything): unknown flags, missing values, too many arguments are usage errors.
 */
async function checkArgs(
  cmd: FaasportCommand<ArgsDef>,
  args: ArgsDef,
  argv: string[],
  path: string,
): Promise<void> {
  const flags = flagTable(args);
  const positionals = Object.values(args).filter((a) => a.type === 'positional').length;
  let given = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      given += argv.length - i - 1;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      given++;
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const names = arg.startsWith('--') || name.length === 1 ? [name] : [...name];
    for (const n of names) {
      const spec = flags.get(n);
      if (!spec) {
        const near = await didYouMean(
          n,
          [...flags.keys()].filter((k) => k.length > 1),
        );
        throw new UsageError(
          `Unknown option ${arg.startsWith('--') ? '--' : '-'}${n} for \`faasport ${path}\`${near ? `; did you mean --${near}?` : '.'}`,
          {
            command: path,
          },
        );
      }
      if (spec.type === 'string' && eq === -1 && n === names[names.length - 1]) {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('-') && next !== '-')) {
          throw new UsageError(`Option --${spec.name} needs a value.`, { command: path });
        }
        i++;
      }
    }
  }
  if (given > positionals && !cmd.variadic) {
    throw new UsageError(
      `\`faasport ${path}\` takes ${positionals === 0 ? 'no arguments' : `at most ${positionals} argument${positionals === 1 ? '' : 's'}`}, got ${given}.`,
      { command: path },
    );
  }
}

const isHelp = (a: string) => a === '--help' || a === '-h';

/**
 * Runs the `faasport` command line in-process and returns the exit code: 0 success, 1 failure,
 * 2 usage error. Output goes to `io`; nothing calls `process.exit`.
 *
 * @example
 * ```ts
 * const code = await runCli(['plan', '--json'], { stdout, stderr, env: process.env, cwd, signal });
 * ```
 * @public
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io);
  const dashDash = argv.indexOf('--');
  const flagsPart = dashDash === -1 ? argv : argv.slice(0, dashDash);
  ctx.json = flagsPart.includes('--json');
  try {
    let cmd = mainCommand as FaasportCommand<ArgsDef>;
    const path: string[] = [];
    let rest = argv;
    // Walk down the sub-commands: the first non-flag word names the next one.
    for (;;) {
      const names = cmd.subCommands ? await subCommandNames(cmd) : [];
      if (names.length === 0) break;
      const index = rest.findIndex((a) => !a.startsWith('-'));
      if (index === -1 || (dashDash !== -1 && index >= dashDash)) break;
      const word = rest[index]!;
      // Only the named command loads: the others (and what they import) cost nothing.
      const sub = names.includes(word) ? await subCommand(cmd, word) : undefined;
      if (!sub) {
        const near = await didYouMean(word, names);
        throw new UsageError(
          `Unknown command \`${word}\`${near ? `; did you mean \`${[...path, near].join(' ')}\`?` : '.'}`,
          {
            command: path.join(' ') || undefined,
          },
        );
      }
      path.push(word);
      cmd = sub;
      rest = [...rest.slice(0, index), ...rest.slice(index + 1)];
    }
    const restFlags = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
    if (path.length === 0 && restFlags.some((a) => a === '--version' || a === '-v')) {
      ctx.result({ version }, (v) => ctx.print(v.version));
      return exitCodes.success;
    }
    if (restFlags.some(isHelp)) {
      io.stdout.write(await renderHelp(cmd, path, ctx.out, path.length === 0 ? version : undefined));
      return exitCodes.success;
    }
    if (!cmd.run) {
      io.stderr.write(await renderHelp(cmd, path, ctx.err, path.length === 0 ? version : undefined));
      throw new UsageError(
        path.length ? `\`faasport ${path.join(' ')}\` needs a command.` : 'No command given.',
        {
          command: path.join(' ') || undefined,
        },
      );
    }
    const args = ((typeof cmd.args === 'function' ? await cmd.args() : await cmd.args) ?? {}) as ArgsDef;
    await checkArgs(cmd, { ...args, json: args.json ?? { type: 'boolean' } }, rest, path.join(' '));
    const { runCommand } = await import('citty');
    await runCommand(cmd, { rawArgs: rest, data: ctx });
    return ctx.exitCode;
  } catch (caught) {
    const { errorJson, networkError, renderError } = await import('./output/errors');
    const error = networkError(caught);
    const usage = error instanceof UsageError || (error instanceof Error && error.name === 'CLIError');
    const shown = usage && !(error instanceof UsageError) ? new UsageError((error as Error).message) : error;
    if (ctx.json) io.stdout.write(`${JSON.stringify(errorJson(shown), null, 2)}\n`);
    else renderError(ctx, shown);
    return usage ? exitCodes.usage : exitCodes.failure;
  }
}
