import { parseDurationSeconds, readLogs } from '@faasport/core';
import { configArgs, jsonArgs, targetArgs } from '../args';
import { command } from '../command';
import { UsageError } from '../errors';
import { openTarget } from '../workspace';
import { commandMeta } from './catalog';

/** The last `n` entries of a finite stream. */
async function lastOf<T>(entries: AsyncIterable<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of entries) {
    out.push(entry);
    if (out.length > n) out.shift();
  }
  return out;
}

/** `faasport logs`: Print a function's logs; --follow streams new lines until interrupted. @public */
export default command({
  meta: commandMeta('logs'),
  args: {
    fn: { type: 'positional', description: 'The function name', required: true },
    ...targetArgs,
    ...configArgs,
    follow: { type: 'boolean', alias: 'f', description: 'Keep streaming new lines (Ctrl-C stops)' },
    tail: {
      type: 'string',
      alias: 'n',
      description: 'Only the last N lines of the history (then new ones with --follow)',
      valueHint: 'N',
    },
    since: {
      type: 'string',
      description: 'Only lines newer than this duration ago, e.g. 10m, 1h',
      valueHint: 'duration',
    },
    ...jsonArgs,
  },
  examples: [
    ['faasport logs hello', 'the recent lines'],
    ['faasport logs hello --tail 20', 'the last 20 lines'],
    ['faasport logs hello --follow --json', 'stream lines as NDJSON'],
  ],
  epilogue:
    'With --json each line is one JSON object (NDJSON): { time, level, message, requestId, revision, fields }; the fields of a ctx.log.info(message, fields) call stay fields.',
  async run(args, ctx) {
    let since: Date | undefined;
    if (args.since !== undefined) {
      const seconds = parseDurationSeconds(args.since);
      if (seconds === undefined)
        throw new UsageError(`--since ${JSON.stringify(args.since)} is not a duration (e.g. 90s, 10m, 1h).`, {
          command: 'logs',
        });
      since = new Date(Date.now() - seconds * 1000);
    }
    let tail: number | undefined;
    if (args.tail !== undefined) {
      tail = Number(args.tail);
      if (!/^\d+$/.test(args.tail) || tail < 1)
        throw new UsageError(`--tail ${JSON.stringify(args.tail)} is not a number of lines (1 or more).`, {
          command: 'logs',
        });
    }
    const { adapter } = await openTarget(ctx, args);
    const c = ctx.out;
    const colour = { debug: c.dim, info: (s: string) => s, warn: c.yellow, error: c.red } as const;
    const entries = readLogs(adapter, args.fn, {
      follow: args.follow === true,
      ...(since ? { since } : {}),
      ...(tail ? { tail } : {}),
      signal: ctx.io.signal,
    });
    // Without --follow the stream ends, so the tail is kept here too, for adapters that ignore it.
    for await (const entry of args.follow || !tail ? entries : await lastOf(entries, tail)) {
      if (ctx.json) {
        ctx.jsonLine(entry);
        continue;
      }
      // `kind` says where a line came from (the function's own log, an invocation, the platform);
      // lines that are not the function's own are dimmed instead of labelled.
      const { kind, ...rest } = (entry.fields ?? {}) as Record<string, unknown>;
      const fields = Object.keys(rest).length ? ` ${c.dim(JSON.stringify(rest))}` : '';
      const message = kind === undefined || kind === 'log' ? entry.message : c.dim(entry.message);
      const meta = [entry.revision, entry.requestId?.slice(0, 8)].filter(Boolean).join(' ');
      ctx.print(
        `${c.dim(entry.time)} ${colour[entry.level](entry.level.toUpperCase().padEnd(5))} ${meta ? c.dim(`[${meta}] `) : ''}${message}${fields}`,
      );
    }
  },
});
