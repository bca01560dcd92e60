import { configArgs, jsonArgs, targetArgs } from '../args';
import { command } from '../command';
import { trafficText } from '../output/events';
import { table } from '../output/terminal';
import { openTarget } from '../workspace';

/** `faasport ls`: List the functions deployed on a target. @public */
export default command({
  meta: { name: 'ls', description: 'List the functions deployed on a target' },
  args: { ...targetArgs, ...configArgs, ...jsonArgs },
  examples: [
    ['faasport ls', 'functions on the default target'],
    ['faasport ls --target prod --json', 'as JSON'],
  ],
  async run(args, ctx) {
    const { target, adapter } = await openTarget(ctx, args);
    const functions = await adapter.list({
      emit() {},
      logger: { debug() {}, info() {}, warn() {} },
      signal: ctx.io.signal,
    });
    ctx.result({ target: target.name, functions }, (r) => {
      if (r.functions.length === 0) {
        ctx.note(`No functions on ${r.target}.`);
        return;
      }
      const c = ctx.out;
      ctx.print(
        table([
          [c.bold('NAME'), c.bold('REVISIONS'), c.bold('TRAFFIC'), c.bold('URL')],
          ...r.functions.map((f) => [f.name, String(f.revisions), trafficText(f.traffic), f.url ?? '']),
        ]),
      );
    });
  },
});
