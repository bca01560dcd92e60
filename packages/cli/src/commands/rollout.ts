import {
  type Adapter,
  desiredStateOf,
  NotFoundError,
  parseDurationSeconds,
  type ResolvedProject,
  rollout,
} from '@faasport/core';
import { configArgs, jsonArgs, targetArgs } from '../args';
import { command } from '../command';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { progressRenderer, trafficText } from '../output/events';
import { openTarget } from '../workspace';
import { commandMeta } from './catalog';

/**
 * The revision the project's current code deployed: the label (or code hash) `deploy` gives it now.
 * Refuses rather than guess when there is no project, the code is not deployed, or several match.
 */
async function currentRevision(
  ctx: CliContext,
  adapter: Adapter,
  project: ResolvedProject | undefined,
  name: string,
  targetName: string,
): Promise<string> {
  const live = await adapter.read(name, {
    emit() {},
    logger: { debug() {}, info() {}, warn() {} },
    signal: ctx.io.signal,
  });
  if (!live) throw new NotFoundError({ functionName: name, target: targetName, adapter: adapter.name });
  const known = live.revisions.map((r) => r.label).join(', ');
  const refuse = (why: string) =>
    new UsageError(`Which revision of ${name} to roll out? ${why}`, {
      command: 'rollout',
      hint: `Pass --revision with one of: ${known}.`,
    });
  const fn = project?.functions.find((f) => f.name === name);
  if (!fn)
    throw refuse(
      project
        ? `${name} is not in ${project.file ?? 'the project'}, so its current code is unknown.`
        : 'There is no faasport.yaml here, so the current code is unknown.',
    );
  const desired = desiredStateOf(fn, { env: ctx.io.env, baseDir: project!.baseDir });
  const matches = [
    ...new Set(
      live.revisions
        .filter((r) => r.label === desired.revisionLabel || r.revisionHash === desired.revisionHash)
        .map((r) => r.label),
    ),
  ];
  if (matches.length === 1) return matches[0]!;
  throw refuse(
    matches.length === 0
      ? `The current code (revision ${desired.revisionLabel}) is not deployed on ${targetName}: run \`faasport deploy\` first.`
      : `The current code matches several revisions: ${matches.join(', ')}.`,
  );
}

/** `faasport rollout`: Shift traffic to a revision step by step, checking health; rolls back on failure. @public */
export default command({
  meta: commandMeta('rollout'),
  args: {
    fn: { type: 'positional', description: 'The function name', required: true },
    ...targetArgs,
    ...configArgs,
    steps: {
      type: 'string',
      description: 'Percents of traffic at each step, increasing, ending at 100',
      default: '10,50,100',
      valueHint: 'list',
    },
    revision: {
      type: 'string',
      description: "The revision to roll out (default: the one the project's current code deployed)",
      valueHint: 'label',
    },
    interval: {
      type: 'string',
      description: 'Wait between steps before checking, e.g. 30s, 5m (default: 0)',
      valueHint: 'duration',
    },
    samples: {
      type: 'string',
      description: 'Requests sent to the new revision per check (default: 20)',
      valueHint: 'n',
    },
    'max-error-rate': {
      type: 'string',
      description: 'Largest failed fraction a check accepts, 0-1 (default: 0.05)',
      valueHint: 'rate',
    },
    'health-path': {
      type: 'string',
      description: 'The path the check requests (default: /)',
      valueHint: 'path',
    },
    ...jsonArgs,
  },
  examples: [
    ['faasport rollout hello --steps 10,50,100', 'shift to the revision of the current code in three steps'],
    ['faasport rollout hello --revision v2 --steps 25,100 --interval 1m', 'one minute between steps'],
  ],
  epilogue:
    "Without --revision, the revision rolled out is the one the project's current code and faasport.yaml deployed (run `faasport deploy` first); when that cannot be told, pass --revision.\nAfter each step the new revision gets test requests; too many 5xx answers restore the traffic from before the rollout and exit 1.",
  async run(args, ctx) {
    const steps = args.steps.split(',').map((s) => s.trim());
    if (steps.some((s) => !/^\d+$/.test(s))) {
      throw new UsageError(
        `--steps ${JSON.stringify(args.steps)} is not a list of whole percents (e.g. 10,50,100).`,
        { command: 'rollout' },
      );
    }
    const number = (flag: string, value: string | undefined, check: (n: number) => boolean) => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!Number.isFinite(n) || !check(n))
        throw new UsageError(`--${flag} ${JSON.stringify(value)} is not valid.`, { command: 'rollout' });
      return n;
    };
    const interval = args.interval === undefined ? undefined : parseDurationSeconds(args.interval);
    if (args.interval !== undefined && interval === undefined) {
      throw new UsageError(`--interval ${JSON.stringify(args.interval)} is not a duration (e.g. 30s, 5m).`, {
        command: 'rollout',
      });
    }
    const samples = number('samples', args.samples, (n) => Number.isInteger(n) && n > 0);
    const maxErrorRate = number('max-error-rate', args['max-error-rate'], (n) => n >= 0 && n <= 1);
    const { target, adapter, project } = await openTarget(ctx, args);
    const revision = args.revision ?? (await currentRevision(ctx, adapter, project, args.fn, target.name));
    const result = await rollout(adapter, args.fn, {
      steps: steps.map(Number),
      revision,
      ...(interval !== undefined ? { intervalSeconds: interval } : {}),
      ...(samples !== undefined ? { samples } : {}),
      ...(maxErrorRate !== undefined ? { maxErrorRate } : {}),
      ...(args['health-path'] ? { healthPath: args['health-path'] } : {}),
      onEvent: progressRenderer(ctx),
      signal: ctx.io.signal,
    });
    ctx.result({ target: target.name, ...result }, (r) =>
      ctx.print(
        `${ctx.out.green('✓')} ${ctx.out.bold(r.functionName)} rolled out ${r.revision}: ${trafficText(r.traffic)}`,
      ),
    );
  },
});
