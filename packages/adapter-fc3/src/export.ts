import {
  downloadCodePackage,
  envKeys,
  exportedAlike,
  labelOfVersion,
  markers,
  trafficOf,
  userEnvOf,
} from '@faasport/adapter-fc';
import type { ExportResult, FunctionConfig } from '@faasport/core';
import type { Fc3ApiClient } from './client';
import { neutralRuntimeOf } from './limits';
import { contractOf, type Fc3LiveState } from './live';

const strings = (v: unknown) =>
  Array.isArray(v) && v.every((s) => typeof s === 'string') && v.length ? (v as string[]) : undefined;

/**
 * The live FC 3.0 function back in the neutral model: the code of the version taking the main traffic
 * (or LATEST), downloaded through GetFunctionCode's URL and without faasport's shim; its config,
 * triggers (a timer's `CRON_TZ` as its time zone) and scaling; a native handler of a built-in runtime
 * gets `providers.local.contract: fc3-event`. What FC 2.0 and 3.0 export alike (triggers, notes) is
 * `@faasport/adapter-fc`'s.
 */
export async function exportFunction(client: Fc3ApiClient, state: Fc3LiveState): Promise<ExportResult> {
  const name = state.fn.functionName;
  const notes: string[] = [];
  const versionId = state.mainAlias?.versionId;
  const fn = (versionId ? await client.getFunction(name, versionId) : undefined) ?? state.fn;
  const { env, secretNames, settings } = userEnvOf(fn);
  const contract = contractOf(settings);
  const image = fn.runtime === 'custom-container';
  let code: Uint8Array | undefined;
  let source: FunctionConfig['source'];
  if (image) {
    const c = (fn.customContainerConfig ?? {}) as Record<string, unknown>;
    // FC 3.0's entrypoint and command are the image's ENTRYPOINT and CMD (CustomContainerConfig).
    const command = strings(c.entrypoint);
    const args = strings(c.command);
    source = {
      image: {
        ref: String(c.image ?? ''),
        ...(command ? { command } : {}),
        ...(args ? { args } : {}),
        port: Number(c.port ?? 9000),
      },
    };
  } else {
    const { url } = await client.getFunctionCode(name, versionId);
    code = await downloadCodePackage(url, contract, 'fc3');
    source = { archive: `./${name}.zip` };
    notes.push(
      `the code was downloaded; write it to ./${name}.zip next to the exported config (or change source)`,
    );
  }
  const runtime = neutralRuntimeOf(fn.runtime ?? '');
  const shared = exportedAlike({
    fcRuntime: fn.runtime ?? '',
    runtime,
    contract,
    triggers: state.triggers,
    traffic: trafficOf(state),
    ...(versionId ? { main: { versionId, label: labelOfVersion(state, versionId) } } : {}),
    secretNames,
  });
  notes.push(...shared.notes);
  const lifecycle = fn.instanceLifecycleConfig as { initializer?: { handler?: string } } | undefined;
  const handler = contract === 'native' ? fn.handler : settings[envKeys.handler];
  const initializer =
    contract === 'native' ? lifecycle?.initializer?.handler || undefined : settings[envKeys.initializer];
  const invocationRole = state.triggers.find(
    (t) => (t.triggerType === 'oss' || t.triggerType === 'mns_topic') && t.invocationRole,
  )?.invocationRole;
  const providers: NonNullable<FunctionConfig['providers']> = {};
  if (fn.role || invocationRole)
    providers.fc3 = {
      ...(fn.role ? { role: fn.role } : {}),
      ...(invocationRole ? { invocationRole } : {}),
    };
  // FC 3.0's built-in runtimes call a native handler(event, context) for every trigger, HTTP included:
  // the local runtime runs it in the same contract (FC 2.0's fc-http / fc-event are not FC 3.0's).
  if (contract === 'native' && !image && !fn.runtime?.startsWith('custom'))
    providers.local = { contract: 'fc3-event' };
  const concurrency = fn.instanceConcurrency ?? 1;
  // scaling.min: the main alias's minInstances, or the provision config an earlier faasport version wrote.
  const min = state.minInstances ?? state.provisionTarget;
  // scaling.max: the concurrency config counts requests, faasport instances (reserved = max × concurrency).
  const reserved = state.reservedConcurrency;
  const max = reserved !== undefined && reserved > 0 ? Math.floor(reserved / concurrency) : undefined;
  if (reserved !== undefined && (max === undefined || max * concurrency !== reserved))
    notes.push(
      `the reserved concurrency ${reserved} is not a multiple of instanceConcurrency ${concurrency}${max ? `: exported as scaling.max ${max}` : ' and was not exported'}`,
    );
  const marker = markers.parseFn(fn.description);
  const config: FunctionConfig = {
    name,
    ...(marker.user ? { description: marker.user } : {}),
    source,
    ...(image ? {} : { runtime: runtime.runtime, handler }),
    contract,
    ...(initializer ? { initializer } : {}),
    env,
    ...(secretNames.length
      ? { secrets: Object.fromEntries(secretNames.map((n) => [n, { fromEnv: n }])) }
      : {}),
    resources: {
      memory: fn.memorySize ?? 512,
      timeout: fn.timeout ?? 3,
      ...(fn.cpu !== undefined ? { cpu: fn.cpu } : {}),
      ...(fn.diskSize !== undefined ? { disk: fn.diskSize } : {}),
    },
    ...(concurrency > 1 || min > 0 || max
      ? {
          scaling: {
            ...(min > 0 ? { min } : {}),
            ...(max ? { max } : {}),
            ...(concurrency > 1 ? { concurrency } : {}),
          },
        }
      : {}),
    triggers: shared.triggers,
    ...(Object.keys(providers).length ? { providers } : {}),
  };
  return { config, ...(code ? { code } : {}), notes };
}
