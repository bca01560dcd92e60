import type { Step } from '../adapter';
import { ValidationError } from '../errors';

/** Runs one step of a plan; `args` are what the adapter passes along (desired state, context, client). @public */
export type StepHandler<Args extends unknown[]> = (step: Step, ...args: Args) => Promise<void> | void;

/**
 * A step id an adapter handles: an exact id (`function`, `version`), or a family of ids ending in `*`
 * (`trigger:*` matches `trigger:http`, `trigger:timer`). @public
 */
export type StepPattern = string;

/** The dispatcher {@link stepHandlers} returns, with the patterns it knows. @public */
export interface StepDispatcher<Args extends unknown[]> {
  (step: Step, ...args: Args): Promise<void>;
  /** The patterns handled, as given. */
  readonly patterns: readonly StepPattern[];
}

/**
 * One handler per step id, in place of a chain of `if (step.id === ...)`: the returned function runs
 * the handler of a step's exact id, else of the longest family (`trigger:*`) its id starts with. A step
 * no handler takes is a {@link ValidationError} naming the id and the ids the adapter knows, since a
 * plan only holds steps its own adapter made.
 *
 * @example
 * ```ts
 * const applyStep = stepHandlers('fc', {
 *   function: (step, desired, api) => api.updateFunction(...),
 *   'trigger:*': (step, desired, api) => api.updateTrigger(...),
 * });
 * await applyStep(step, desired, api);
 * ```
 * @throws TypeError at once when a pattern has a `*` anywhere but at its end.
 * @public
 */
export function stepHandlers<Args extends unknown[]>(
  adapter: string,
  handlers: Readonly<Record<StepPattern, StepHandler<Args>>>,
): StepDispatcher<Args> {
  const patterns = Object.keys(handlers);
  const families: Array<[prefix: string, handler: StepHandler<Args>]> = [];
  for (const pattern of patterns) {
    const star = pattern.indexOf('*');
    if (star !== -1 && star !== pattern.length - 1)
      throw new TypeError(
        `step pattern ${JSON.stringify(pattern)}: "*" may only end a pattern, as in "trigger:*"`,
      );
    if (star !== -1) families.push([pattern.slice(0, -1), handlers[pattern]!]);
  }
  // The longest prefix wins, so `trigger:http:*` can refine `trigger:*`.
  families.sort((a, b) => b[0].length - a[0].length);
  const dispatch = async (step: Step, ...args: Args): Promise<void> => {
    const exact = Object.hasOwn(handlers, step.id) && !step.id.endsWith('*') ? handlers[step.id] : undefined;
    const handler = exact ?? families.find(([prefix]) => step.id.startsWith(prefix))?.[1];
    if (!handler) {
      throw new ValidationError(
        [
          {
            path: 'step',
            message: `step ${JSON.stringify(step.id)} is not a ${adapter} step (known: ${patterns.join(', ')})`,
            rule: 'step',
          },
        ],
        { adapter },
      );
    }
    await handler(step, ...args);
  };
  return Object.assign(dispatch, { patterns });
}
