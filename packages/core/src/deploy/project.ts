import type { Adapter, DeployEvent } from '../adapter';
import { ProjectDeployError, ValidationError } from '../errors';
import type { ResolvedFunction } from '../model';
import { applyPlan } from './apply';
import type { DeployOptions, DeployResult, PlannedDeploy } from './options';
import { planDeploy } from './plan';

/** How many functions {@link planProject} and {@link deployProject} work on at once by default. @public */
export const defaultProjectConcurrency = 8;

/** Options of {@link planProject}, {@link applyProject} and {@link deployProject}. @public */
export interface ProjectOptions extends DeployOptions {
  /**
   * How many functions are planned or deployed at once (a positive whole number, default 8). Each
   * function's own steps still run one after another.
   */
  concurrency?: number;
}

/** The outcome of one function of a project run. */
type Outcome<R> =
  | { status: 'done'; value: R }
  | { status: 'failed'; error: unknown }
  | { status: 'not-started' };

function concurrencyOf(options: ProjectOptions): number {
  const value = options.concurrency ?? defaultProjectConcurrency;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(
      [
        {
          path: 'concurrency',
          message: `${JSON.stringify(value)} is not a positive whole number; give how many functions may run at once (e.g. 8)`,
          rule: 'positive-integer',
        },
      ],
      { subject: 'project options' },
    );
  }
  return value;
}

/**
 * Runs `work` for each name, at most `concurrency` at once, in project order. The first failure (or an
 * abort) stops new work; the runs in flight finish. Events reach `onEvent` grouped by function in
 * project order, as a one-by-one run would emit them: a function's events wait until every function
 * before it has settled.
 */
async function runInOrder<R>(
  names: readonly string[],
  options: ProjectOptions,
  work: (index: number, emit: (event: DeployEvent) => void) => Promise<R>,
): Promise<Outcome<R>[]> {
  const concurrency = concurrencyOf(options);
  const outcomes: Outcome<R>[] = names.map(() => ({ status: 'not-started' }));
  const buffers: DeployEvent[][] = names.map(() => []);
  const settled = names.map(() => false);
  let head = 0;
  const deliver = (event: DeployEvent) => options.onEvent?.(event);
  const emitFor = (index: number) => (event: DeployEvent) => {
    if (index === head) deliver(event);
    else buffers[index]!.push(event);
  };
  const settle = (index: number) => {
    settled[index] = true;
    while (head < names.length && settled[head]) {
      head++;
      if (head < names.length) for (const event of buffers[head]!.splice(0)) deliver(event);
    }
  };
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && !options.signal?.aborted && next < names.length) {
      const index = next++;
      try {
        outcomes[index] = { status: 'done', value: await work(index, emitFor(index)) };
      } catch (error) {
        outcomes[index] = { status: 'failed', error };
        stopped = true;
      }
      settle(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  for (let index = 0; index < names.length; index++) if (!settled[index]) settle(index);
  return outcomes;
}

/**
 * Plans every function of a project, several at once (see {@link ProjectOptions.concurrency}), and
 * returns the plans in project order. Writes nothing. The events are those of {@link planDeploy}, grouped
 * by function in project order.
 *
 * @throws the error of the first function (in project order) that could not be planned, after the
 * functions in flight have finished; no new function is started after a failure.
 * @public
 */
export async function planProject(
  adapter: Adapter,
  functions: readonly ResolvedFunction[],
  options: ProjectOptions = {},
): Promise<PlannedDeploy[]> {
  const outcomes = await runInOrder(
    functions.map((fn) => fn.name),
    options,
    (index, onEvent) => planDeploy(adapter, functions[index]!, { ...options, onEvent }),
  );
  const failed = outcomes.find((o) => o.status === 'failed');
  if (failed) throw failed.error;
  options.signal?.throwIfAborted();
  return outcomes.map((o) => (o as { value: PlannedDeploy }).value);
}

/**
 * Applies plans made by {@link planProject}, several functions at once, and returns the results in
 * project order. The events are those of {@link applyPlan}, grouped by function in project order.
 *
 * @throws {@link ProjectDeployError} when a function fails: no new function is started, the ones in
 * flight finish, and the error lists which functions were deployed, which failed and which never started.
 * @public
 */
export async function applyProject(
  adapter: Adapter,
  planned: readonly PlannedDeploy[],
  options: ProjectOptions & { checkDrift?: boolean } = {},
): Promise<DeployResult[]> {
  const names = planned.map((p) => p.plan.functionName);
  const outcomes = await runInOrder(names, options, (index, onEvent) =>
    applyPlan(adapter, planned[index]!, { ...options, onEvent }),
  );
  const pick = (status: Outcome<DeployResult>['status']) =>
    names.filter((_, index) => outcomes[index]!.status === status);
  const failed = outcomes.flatMap((o, index) =>
    o.status === 'failed' ? [{ functionName: names[index]!, error: o.error }] : [],
  );
  const notStarted = pick('not-started');
  if (failed.length || notStarted.length) {
    if (!failed.length) options.signal?.throwIfAborted();
    throw new ProjectDeployError({
      target: adapter.name,
      deployed: pick('done'),
      failed,
      notStarted,
      adapter: adapter.name,
    });
  }
  return outcomes.map((o) => (o as { value: DeployResult }).value);
}

/**
 * Deploys every function of a project: plans them all first (so a function the target cannot take
 * stops the deploy before any write), then applies the plans, several functions at once (default 8).
 * Each function goes through the same steps and events as {@link deploy}; the events arrive grouped
 * by function in project order, and the results come back in project order.
 *
 * @example
 * ```ts
 * const project = loadProject('faasport.yaml');
 * const results = await deployProject(adapter, project.functions, { concurrency: 4, onEvent: console.log });
 * ```
 * @throws the planning error of the first function that cannot be planned (nothing is written), or
 * {@link ProjectDeployError} when a function fails to deploy.
 * @public
 */
export async function deployProject(
  adapter: Adapter,
  functions: readonly ResolvedFunction[],
  options: ProjectOptions = {},
): Promise<DeployResult[]> {
  const planned = await planProject(adapter, functions, options);
  return applyProject(adapter, planned, { ...options, checkDrift: false });
}
