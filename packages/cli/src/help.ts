import type { ArgDef, ArgsDef, CommandDef } from 'citty';
import type { FaasportCommand } from './command';
import type { Palette } from './output/terminal';
import { table } from './output/terminal';

type AnyCommand = FaasportCommand<ArgsDef>;

const resolve = async <T>(value: T | Promise<T> | (() => T) | (() => Promise<T>)): Promise<T> =>
  typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value;

/** The names of a command's sub-commands, without loading them. @internal */
export async function subCommandNames(cmd: CommandDef<any>): Promise<string[]> {
  return Object.keys((await resolve(cmd.subCommands ?? {})) as Record<string, unknown>);
}

/** Loads one sub-command by name (undefined when there is none). @internal */
export async function subCommand(cmd: CommandDef<any>, name: string): Promise<AnyCommand | undefined> {
  const subs = (await resolve(cmd.subCommands ?? {})) as Record<string, unknown>;
  return Object.hasOwn(subs, name) ? ((await resolve(subs[name] as AnyCommand)) as AnyCommand) : undefined;
}

/** Loads all of a command's sub-commands (they are lazy). @internal */
export async function subCommandsOf(cmd: CommandDef<any>): Promise<Record<string, AnyCommand>> {
  const subs = (await resolve(cmd.subCommands ?? {})) as Record<string, unknown>;
  const out: Record<string, AnyCommand> = {};
  for (const [name, sub] of Object.entries(subs))
    out[name] = (await resolve(sub as AnyCommand)) as AnyCommand;
  return out;
}

/** The flag as shown in help: `-t, --target <name>`. */
function flagLabel(name: string, arg: ArgDef): string {
  const aliases = 'alias' in arg && arg.alias ? (Array.isArray(arg.alias) ? arg.alias : [arg.alias]) : [];
  const parts = [...aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)), `--${name}`];
  const value = arg.type === 'string' ? ` <${arg.valueHint ?? 'value'}>` : '';
  return parts.join(', ') + value;
}

/**
 * Renders a command's help: description, usage line, arguments, options (with defaults), examples.
 * Written from the same arg definitions the parser uses, so it cannot drift from what is accepted.
 *
 * @public
 */
export async function renderHelp(
  cmd: AnyCommand,
  path: string[],
  c: Palette,
  version?: string,
): Promise<string> {
  const meta = (await resolve(cmd.meta ?? {})) as { name?: string; description?: string };
  const args = ((await resolve(cmd.args ?? {})) ?? {}) as ArgsDef;
  const subNames = cmd.subCommands ? await subCommandNames(cmd) : [];
  const name = ['faasport', ...path].join(' ');
  const lines: string[] = [];
  lines.push(
    `${c.bold(name)}${version ? c.dim(` v${version}`) : ''} ${c.dim('—')} ${meta.description ?? ''}`,
  );
  lines.push('');

  const positionals = Object.entries(args).filter(([, a]) => a.type === 'positional');
  const options = Object.entries(args).filter(([, a]) => a.type !== 'positional');
  const usage = [name];
  if (subNames.length) usage.push('<command>');
  for (const [n, a] of positionals) {
    const label = n.toUpperCase();
    usage.push(a.required === false || a.default !== undefined ? `[${label}]` : `<${label}>`);
  }
  if (cmd.variadic) usage.push(`[${cmd.variadic}...]`);
  for (const [n, a] of options)
    if (a.required) usage.push(`--${n} <${(a as { valueHint?: string }).valueHint ?? 'value'}>`);
  usage.push('[options]');
  lines.push(`${c.bold('Usage:')} ${usage.join(' ')}`);

  if (subNames.length) {
    const groups = cmd.groups ?? [['Commands', subNames]];
    const names = groups.flatMap(([, members]) => members);
    const rows: string[][] = [];
    for (const subName of names) {
      // The summaries spare loading every command (and what it imports) to list them.
      const summary =
        cmd.summaries?.[subName] ??
        ((await resolve((await subCommand(cmd, subName))?.meta ?? {})) as { description?: string })
          .description;
      rows.push([c.cyan(subName), summary ?? '']);
    }
    // One table for every group, so the descriptions line up across the headings.
    const rendered = table(rows, '  ').split('\n');
    let at = 0;
    for (const [title, members] of groups) {
      lines.push('', c.bold(`${title}:`), ...rendered.slice(at, at + members.length));
      at += members.length;
    }
  }
  if (positionals.length) {
    lines.push('', c.bold('Arguments:'));
    lines.push(
      table(
        positionals.map(([n, a]) => [
          c.cyan(n.toUpperCase()),
          `${a.description ?? ''}${a.default !== undefined ? c.dim(` (default: ${String(a.default)})`) : ''}`,
        ]),
        '  ',
      ),
    );
  }
  const optionRows = options.map(([n, a]) => [
    c.cyan(flagLabel(n, a)),
    `${a.description ?? ''}${a.required ? c.dim(' (required)') : ''}${a.default !== undefined && a.type === 'string' ? c.dim(` (default: ${String(a.default)})`) : ''}`,
  ]);
  optionRows.push([c.cyan('-h, --help'), 'Show this help']);
  if (path.length === 0) optionRows.push([c.cyan('-v, --version'), 'Show the version']);
  lines.push('', c.bold('Options:'), table(optionRows, '  '));
  if (cmd.examples?.length) {
    lines.push('', c.bold('Examples:'));
    lines.push(
      table(
        cmd.examples.map(([line, what]) => [`$ ${line}`, c.dim(what)]),
        '  ',
      ),
    );
  }
  if (cmd.epilogue) lines.push('', cmd.epilogue);
  if (subNames.length) lines.push('', c.dim(`Run \`${name} <command> --help\` for a command's options.`));
  return `${lines.join('\n')}\n`;
}
