import { NotFoundError, remove } from '@faasport/core';
import { configArgs, jsonArgs, targetArgs, yesArgs } from '../args';
import { command } from '../command';
import { progressRenderer } from '../output/events';
import { openTarget } from '../workspace';
import { commandMeta } from './catalog';

/** `faasport rm`: Remove a deployed function and everything faasport made for it. @public */
export default command({
  meta: commandMeta('rm'),
  args: {
    fn: { type: 'positional', description: 'The function name', required: true },
    ...targetArgs,
    ...configArgs,
    ...yesArgs,
    'ignore-not-found': {
      type: 'boolean',
      description: 'Exit 0 when the function does not exist (for scripts that clean up)',
    },
    ...jsonArgs,
  },
  examples: [
    ['faasport rm hello --target prod --yes', 'remove without asking'],
    ['faasport rm hello --ignore-not-found --yes', 'remove it if it is there'],
  ],
  epilogue:
    'A function that does not exist is an error (FP_NOT_FOUND, exit 1), unless --ignore-not-found. On a terminal you are asked first unless --yes.',
  async run(args, ctx) {
    const { target, adapter } = await openTarget(ctx, args);
    const live = await adapter.read(args.fn, {
      emit() {},
      logger: { debug() {}, info() {}, warn() {} },
      signal: ctx.io.signal,
    });
    if (!live) {
      if (!args['ignore-not-found'])
        throw new NotFoundError({ functionName: args.fn, target: target.name, adapter: adapter.name });
      ctx.note(`${args.fn} is not on ${target.name}; nothing to remove.`);
      ctx.result({ target: target.name, function: args.fn, removed: false }, () => {});
      return;
    }
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
