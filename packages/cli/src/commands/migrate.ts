import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, planDeploy, resolveFunction } from '@faasport/core';
import { configArgs, jsonArgs, yesArgs } from '../args';
import { command } from '../command';
import { UsageError } from '../errors';
import { exportedProject } from '../exported';
import { progressRenderer } from '../output/events';
import { printPlans } from '../output/plan';
import { adapterFor, loadProjectIfAny, projectDir, resolveTarget } from '../project';
import { commandMeta } from './catalog';

const silent = { emit() {}, logger: { debug() {}, info() {}, warn() {} } };

/** `faasport migrate`: Move a function between targets: export, check against the destination, report what doesn't carry over, deploy. @public */
export default command({
  meta: commandMeta('migrate'),
  args: {
    fn: { type: 'positional', description: 'The function name', required: true },
    from: {
      type: 'string',
      required: true,
      description: 'The target the function lives on now',
      valueHint: 'target',
    },
    to: { type: 'string', required: true, description: 'The target to deploy it to', valueHint: 'target' },
    ...configArgs,
    'dry-run': { type: 'boolean', description: 'Export, check and plan, but deploy nothing' },
    'save-to': {
      type: 'string',
      description: 'Also keep the exported faasport.yaml and code in this folder',
      valueHint: 'dir',
    },
    ...yesArgs,
    ...jsonArgs,
  },
  examples: [
    ['faasport migrate coffee --from fc --to knative --dry-run', 'see what would carry over and the plan'],
    ['faasport migrate coffee --from fc --to knative --yes', 'move it'],
  ],
  epilogue:
    "The function is exported to the neutral model, checked against the destination's capabilities before anything is written\n(an unsupported feature stops the migration), then deployed. The source is left as it is.",
  async run(args, ctx) {
    if (args.from === args.to)
      throw new UsageError('--from and --to name the same target.', { command: 'migrate' });
    const project = loadProjectIfAny(ctx, args.config);
    const baseDir = projectDir(ctx, project, args.config);
    const from = resolveTarget(ctx, project, args.from);
    const to = resolveTarget(ctx, project, args.to);
    const source = await adapterFor(ctx, from, baseDir, { project });
    const destination = await adapterFor(ctx, to, baseDir, { project });

    const exported = await source.export(args.fn, { ...silent, signal: ctx.io.signal });
    const dir = args['save-to']
      ? join(ctx.io.cwd, args['save-to'])
      : mkdtempSync(join(tmpdir(), 'faasport-migrate-'));
    const neutral = exportedProject(exported, { dir, target: from });
    if (args['save-to']) writeFileSync(join(dir, 'faasport.yaml'), neutral.yaml);
    const fn = resolveFunction(neutral.config, { baseDir: dir });
    for (const note of neutral.notes) ctx.note(`${ctx.err.yellow('⚠')} not carried over: ${note}`);

    const planned = await planDeploy(destination, fn, {
      env: ctx.io.env,
      baseDir: dir,
      signal: ctx.io.signal,
    });
    if (args['dry-run']) {
      ctx.result(
        {
          function: args.fn,
          from: from.name,
          to: to.name,
          notes: neutral.notes,
          deployed: false,
          plan: planned.plan,
        },
        (r) => printPlans(ctx, [r.plan]),
      );
      return;
    }
    // The plan shown before the question lists the warnings; they are not repeated after it.
    const planShown = planned.plan.steps.length > 0 && ctx.interactive && !args.yes;
    if (planShown) {
      printPlans(ctx, [planned.plan], 'stderr');
      if (!(await ctx.confirm(`Deploy ${args.fn} to ${to.name}?`))) {
        ctx.note('Nothing was deployed.');
        ctx.result(
          { function: args.fn, from: from.name, to: to.name, notes: neutral.notes, deployed: false },
          () => {},
        );
        return;
      }
    }
    const onEvent = progressRenderer(ctx);
    if (!planShown)
      for (const w of planned.plan.warnings) onEvent({ type: 'warning', functionName: args.fn, issue: w });
    const result = await applyPlan(destination, planned, {
      env: ctx.io.env,
      baseDir: dir,
      signal: ctx.io.signal,
      onEvent,
      checkDrift: false,
    });
    ctx.result(
      { function: args.fn, from: from.name, to: to.name, notes: neutral.notes, deployed: true, result },
      (r) => {
        ctx.print(
          `${ctx.out.green('✓')} ${ctx.out.bold(r.function)} migrated from ${r.from} to ${r.to}  ${r.result.url ? ctx.out.cyan(r.result.url) : ''}`.trimEnd(),
        );
      },
    );
  },
});
