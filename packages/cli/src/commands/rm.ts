import { remove } from '@faasport/core';
import { configArgs, jsonArgs, targetArgs, yesArgs } from '../args';
import { command } from '../command';
import { progressRenderer } from '../output/events';
import { openTarget } from '../workspace';

/** `faasport rm`: Remove a deployed function and everything faasport made for it. @public */
export default command({
  meta: { name: 'rm', description: 'Remove a deployed function and everything faasport made for it' },
  args: {
    fn: { type: 'positional', description: 'The function name', required: true },
    ...targetArgs,
    ...configArgs,
    ...yesArgs,
    ...jsonArgs,
  },
  examples: [['faasport rm hello --target prod --yes', 'remove without asking']],
  epilogue:
    'Removing a function that does not exist is not an error. On a terminal you are asked first unless --yes.',
  async run(args, ctx) {
    const { target, adapter } = await openTarget(ctx, args);
    if (ctx.interactive && !args.yes && !(await ctx.confirm(`Remove ${args.fn} from ${target.name}?`))) {
      ctx.note('Nothing was removed.');
      ctx.result({ target: target.name, function: args.fn, removed: false }, () => {});
      return;
    }
    await remove(adapter, args.fn, { onEvent: progressRenderer(ctx), signal: ctx.io.signal });
    ctx.result({ target: target.name, function: args.fn, removed: true }, (r) =>
      ctx.print(`${ctx.out.green('✓')} removed ${ctx.out.bold(r.function)} from ${r.target}`),
    );
  },
});
