import { applyProject, planProject } from '@faasport/core';
import {
  concurrencyArg,
  concurrencyArgs,
  configArgs,
  functionArgs,
  jsonArgs,
  projectDirArgs,
  targetArgs,
  yesArgs,
} from '../args';
import { command } from '../command';
import { buildTargetImages, withImageSources } from '../images';
import { progressRenderer } from '../output/events';
import { printPlans } from '../output/plan';
import { openProject } from '../workspace';
import { commandMeta } from './catalog';

/** `faasport deploy`: Deploy the project to a target: plan, confirm, apply step by step, print the URLs. @public */
export default command({
  meta: commandMeta('deploy'),
  args: {
    ...projectDirArgs,
    ...targetArgs,
    ...configArgs,
    ...functionArgs,
    ...concurrencyArgs,
    ...yesArgs,
    ...jsonArgs,
  },
  examples: [
    ['faasport deploy', 'deploy to the default target (asks first on a terminal)'],
    ['faasport deploy --target prod --yes', 'deploy without asking (CI)'],
  ],
  epilogue:
    'On a terminal the plan is shown and confirmed first; --yes or a non-interactive run skips the question.\nAn unchanged function makes no write calls. A failed step restores the previous traffic.\nUp to --concurrency functions (default 8) deploy at once; progress is printed function by function, in\nproject order. When one fails no new function starts, and the error lists which deployed, which failed\nand which never started.',
  async run(args, ctx) {
    const concurrency = concurrencyArg(args.concurrency, 'deploy');
    const opened = await openProject(ctx, args);
    const { target, adapter, project } = opened;
    // A target with `registry` deploys images: each is built and pushed before the plan (an
    // unchanged function has the same digest, so it pushes nothing and plans nothing).
    const images = await buildTargetImages(target, opened.functions, ctx.io.env);
    for (const image of images)
      if (image.pushed) ctx.note(`${image.functionName}: pushed ${image.reference}`);
    const functions = withImageSources(opened.functions, images);
    const onEvent = progressRenderer(ctx);
    const options = {
      env: ctx.io.env,
      baseDir: project.baseDir,
      signal: ctx.io.signal,
      onEvent,
      ...(concurrency ? { concurrency } : {}),
    };
    const planned = await planProject(adapter, functions, { ...options, onEvent: undefined });
    const pending = planned.filter((p) => p.plan.steps.length > 0);
    // The plan shown before the question lists the warnings; they are not repeated after it.
    const planShown = pending.length > 0 && ctx.interactive && !args.yes;
    if (planShown) {
      printPlans(
        ctx,
        pending.map((p) => p.plan),
        'stderr',
      );
      if (
        !(await ctx.confirm(
          `Deploy ${pending.length} function${pending.length === 1 ? '' : 's'} to ${target.name}?`,
        ))
      ) {
        ctx.note('Nothing was deployed.');
        ctx.result({ target: target.name, deployed: false, functions: [] }, () => {});
        return;
      }
    }
    for (const p of planned)
      if (!planShown || p.plan.steps.length === 0)
        for (const w of p.plan.warnings)
          onEvent({ type: 'warning', functionName: p.plan.functionName, issue: w });
    const results = await applyProject(adapter, planned, {
      ...options,
      checkDrift: ctx.interactive && !args.yes,
    });
    ctx.result({ target: target.name, adapter: target.adapter, deployed: true, functions: results }, (r) => {
      for (const fn of r.functions) {
        ctx.print(
          `${ctx.out.bold(fn.functionName)}  ${fn.revision}  ${fn.url ? ctx.out.cyan(fn.url) : ctx.out.dim('(no URL)')}`,
        );
        for (const [tag, url] of Object.entries(fn.tagUrls ?? {}))
          ctx.print(`  ${ctx.out.dim(`tag ${tag}`)}  ${url}`);
      }
    });
  },
});
