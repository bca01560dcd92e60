import { setTraffic, type TrafficEntryConfig } from '@faasport/core';
import { configArgs, jsonArgs, targetArgs } from '../args';
import { command } from '../command';
import { UsageError } from '../errors';
import { progressRenderer, trafficText } from '../output/events';
import { listArg, openTarget } from '../workspace';
import { commandMeta } from './catalog';

/**
 * Parses `v1=90 v2=10 latest=0` plus `--tag v2=canary` into traffic entries.
 *
 * @internal
 */
export function parseTraffic(splits: string[], tags: string[]): TrafficEntryConfig[] {
  if (splits.length === 0) {
    throw new UsageError(
      'Give the split as REVISION=PERCENT pairs, e.g. `faasport traffic hello v1=90 v2=10`.',
      { command: 'traffic' },
    );
  }
  const entries: TrafficEntryConfig[] = splits.map((s) => {
    const m = /^([^=\s]+)=(\d+)%?$/.exec(s);
    if (!m)
      throw new UsageError(`${JSON.stringify(s)} is not REVISION=PERCENT (e.g. v1=90).`, {
        command: 'traffic',
      });
    return { revision: m[1]!, percent: Number(m[2]) };
  });
  for (const t of tags) {
    const m = /^([^=\s]+)=([^=\s]+)$/.exec(t);
    if (!m)
      throw new UsageError(`--tag ${JSON.stringify(t)} is not REVISION=TAG (e.g. v2=canary).`, {
        command: 'traffic',
      });
    const entry = entries.find((e) => e.revision === m[1]);
    if (entry) entry.tag = m[2]!;
    else entries.push({ revision: m[1]!, percent: 0, tag: m[2]! });
  }
  return entries;
}

/** `faasport traffic`: Split traffic between revisions of a deployed function. @public */
export default command({
  meta: commandMeta('traffic'),
  args: {
    fn: { type: 'positional', description: 'The function name', required: true },
    ...targetArgs,
    ...configArgs,
    tag: {
      type: 'string',
      description: 'Tag a revision REVISION=TAG, giving it its own URL (repeatable)',
      valueHint: 'rev=tag',
    },
    ...jsonArgs,
  },
  variadic: 'REVISION=PERCENT',
  examples: [
    ['faasport traffic hello v1=90 v2=10', 'canary: 10% to v2'],
    ['faasport traffic hello v1=100 --tag v2=candidate', 'v2 gets no traffic but its own URL'],
    ['faasport traffic hello latest=100', 'everything to the newest revision'],
  ],
  epilogue:
    'Percents must sum to 100. `latest` means the newest revision. Every revision is checked before anything changes.',
  async run(args, ctx) {
    const splits = args._.filter((a) => a !== args.fn);
    const traffic = parseTraffic(splits, listArg(args.tag as string | string[] | undefined));
    const { target, adapter } = await openTarget(ctx, args);
    const set = await setTraffic(adapter, args.fn, traffic, {
      onEvent: progressRenderer(ctx),
      signal: ctx.io.signal,
    });
    const live = await adapter.read(args.fn, {
      emit() {},
      logger: { debug() {}, info() {}, warn() {} },
      signal: ctx.io.signal,
    });
    ctx.result(
      { target: target.name, function: args.fn, traffic: set, url: live?.url, tagUrls: live?.tagUrls ?? {} },
      (r) => {
        ctx.print(`${ctx.out.bold(r.function)}: ${trafficText(r.traffic)}`);
        for (const [tag, url] of Object.entries(r.tagUrls))
          ctx.print(`  ${ctx.out.dim(`tag ${tag}`)}  ${url}`);
      },
    );
  },
});
