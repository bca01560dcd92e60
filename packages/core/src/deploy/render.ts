import type { Adapter, CheckIssue, Manifest } from '../adapter';
import type { ResolvedFunction } from '../model';
import { assertDeployable } from './check';
import { desiredStateOf } from './desired';
import type { DeployOptions } from './options';

/** What {@link renderFunction} returns: the manifests and the check's warnings. @public */
export interface RenderedFunction {
  manifests: Manifest[];
  warnings: CheckIssue[];
}

/**
 * Renders a function's manifests or request bodies offline, after the same check `plan` and `deploy`
 * run ({@link assertDeployable}): what the target cannot take is an error here too, never a manifest
 * that silently drops it.
 *
 * @throws {@link UnsupportedFeatureError}, {@link LimitExceededError} or {@link ValidationError}.
 * @public
 */
export function renderFunction(
  adapter: Adapter,
  fn: ResolvedFunction,
  options: Pick<DeployOptions, 'env' | 'baseDir'> = {},
): RenderedFunction {
  const warnings = assertDeployable(adapter, fn);
  return { manifests: adapter.render(desiredStateOf(fn, options)), warnings };
}
