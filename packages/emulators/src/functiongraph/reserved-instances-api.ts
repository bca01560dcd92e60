/** The reserved-instance endpoints: per version or alias under a function, and the project-wide list. */
import { checkBody, reservedInstancesBody } from './bodies';
import type { EmuState } from './context';
import { fgErrors } from './errors';
import type { FunctionState } from './state';
import { parseFunctionUrn } from './urn';
import { snapshotOf, urnOf } from './views';

/** Lists reserved-instance configs, of every function or of the one `function_urn` names. */
export function listReserved(em: EmuState, query: URLSearchParams) {
  const { projectId, functions } = em;
  const urn = query.get('function_urn');
  const out: unknown[] = [];
  for (const fn of functions.values()) {
    if (urn) {
      const ref = parseFunctionUrn(urn, projectId);
      if (ref.package !== fn.package || ref.name !== fn.name) continue;
    }
    for (const [qualifier, state] of fn.reserved) {
      // Fields of the SDK model ReservedInstanceConfigs.
      out.push({
        function_urn: `${urnOf(em, fn)}:${qualifier}`,
        qualifier_type: qualifier.startsWith('!') ? 'alias' : 'version',
        qualifier_name: qualifier.replace(/^!/, ''),
        min_count: state.count,
        idle_mode: state.idle_mode,
        ...(state.tactics_config ? { tactics_config: state.tactics_config } : {}),
      });
    }
  }
  return {
    status: 200,
    body: {
      reserved_instances: out,
      page_info: { next_marker: out.length, previous_marker: 0 },
      count: out.length,
    },
  };
}

/** Sets (or, with count 0, removes) the reserved instances of a version or alias. */
export function setReservedInstances(fn: FunctionState, qualifier: string | undefined, body: unknown) {
  const b = checkBody(body, reservedInstancesBody);
  if (!qualifier || qualifier === 'latest')
    throw fgErrors.invalidParameter('Reserved instances need a version or alias URN.');
  snapshotOf(fn, qualifier);
  const state = {
    count: b.count as number,
    idle_mode: (b.idle_mode as boolean | undefined) ?? false,
    ...(b.tactics_config ? { tactics_config: b.tactics_config as Record<string, unknown> } : {}),
  };
  if (state.count === 0) fn.reserved.delete(qualifier);
  else fn.reserved.set(qualifier, state);
  return { status: 200, body: state };
}
