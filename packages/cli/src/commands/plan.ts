import { planProject } from '@faasport/core';
import {
  concurrencyArg,
  concurrencyArgs,
  configArgs,
  functionArgs,
  jsonArgs,
  projectDirArgs,
  targetArgs,
} from '../args';
import { command } from '../command';
import { buildTargetImages, withImageSources } from '../images';
import { printPlans } from '../output/plan';
import { openProject } from '../workspace';
import { commandMeta } from './catalog';

/** `faasport plan`: Show what a deploy would change, with capability warnings; writes nothing. @public */
export default command({
  meta: commandMeta('plan'),
  args: {
    ...projectDirArgs,
    ...targetArgs,
    ...configArgs,
    ...functionArgs,
    ...concurrencyArgs,
    ...jsonArgs,
  },
  examples: [
    ['faasport plan', 'plan every function for the default target'],
    ['faasport plan --target prod --function coffee', 'plan one function for the prod target'],
    ['faasport plan --json | jq ".functions[].kind"', 'plans as JSON for scripts'],
  ],
  epilogue:
    'Marks: + create, ~ update, - delete, ↑ publish. A function deployed unchanged shows "no changes".',
  async run(args, ctx) {
    const concurrency = concurrencyArg(args.concurrency, 'plan');
    const opened = await openProject(ctx, args);
    const { target, adapter, project } = opened;
    // With `registry`, the plan shows the image a deploy would push: its digest, computed without writes.
    const images = await buildTargetImages(target, opened.functions, ctx.io.env, { push: false });
    const functions = withImageSources(opened.functions, images);
    const planned = await planProject(adapter, functions, {
      env: ctx.io.env,
      baseDir: project.baseDir,
      signal: ctx.io.signal,
      ...(concurrency ? { concurrency } : {}),
    });
    const plans = planned.map((p) => p.plan);
    const changes = plans.filter((p) => p.kind !== 'none').length;
    ctx.result({ target: target.name, adapter: target.adapter, changes, functions: plans }, (r) =>
      printPlans(ctx, r.functions),
    );
  },
});
