import type { DesiredState } from '../adapter';
import type { ResolvedFunction } from '../model';
import { revisionHashOf, specHashOf } from './hash';
import type { DeployOptions } from './options';
import { packageSource } from './package';
import { resolveSecrets } from './secrets';

/** Builds the desired state of a function: packages the code, reads secrets, computes hashes. @public */
export function desiredStateOf(
  fn: ResolvedFunction,
  options: Pick<DeployOptions, 'env' | 'baseDir'> = {},
): DesiredState {
  const artifact = packageSource(fn);
  const secretValues = resolveSecrets(fn, options);
  const revisionHash = revisionHashOf(fn, artifact, secretValues);
  const revisionLabel = fn.revision ?? `r-${revisionHash.slice(0, 8)}`;
  const traffic = fn.traffic.map((t) => ({
    ...t,
    revision: t.revision === 'latest' ? revisionLabel : t.revision,
  }));
  return {
    fn,
    artifact,
    secretValues,
    revisionHash,
    revisionLabel,
    specHash: specHashOf(fn, revisionHash, traffic),
    traffic,
  };
}
