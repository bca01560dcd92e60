import {
  type ExportResult,
  type FunctionConfig,
  fromSixFieldCron,
  ProviderApiError,
  type ResolvedTrafficEntry,
  zipEntries,
} from '@faasport/core';
import { unzipSync } from 'fflate';
import { shimFileName } from '../runtime';
import type { FcApiClient, FcTrigger } from './client';
import { neutralRuntimeOf } from './limits';
import { type FcLiveState, labelOfVersion, trafficOf, userEnvOf } from './live';
import { envKeys, markers } from './mapping';

type TriggerConfig = NonNullable<FunctionConfig['triggers']>[number];

/** A trigger as FC 2.0 and FC 3.0 return it, its `triggerConfig` parsed. */
export type FcTriggerView = Pick<FcTrigger, 'triggerName' | 'triggerType' | 'triggerConfig' | 'sourceArn'>;

/**
 * One FC trigger (FC 2.0 or 3.0) in neutral terms, or a note saying why it cannot carry over. A timer's
 * `CRON_TZ=<zone>` prefix (FC 3.0) becomes its time zone.
 */
export function neutralTriggerOf(t: FcTriggerView): { trigger?: TriggerConfig; note?: string } {
  const c = t.triggerConfig;
  if (t.triggerType === 'http') {
    const methods = Array.isArray(c.methods) ? (c.methods as string[]) : undefined;
    return {
      trigger: {
        http: {
          name: t.triggerName,
          ...(methods?.length ? { methods } : {}),
          auth: c.authType === 'function' ? 'function' : 'anonymous',
        },
      },
    };
  }
  if (t.triggerType === 'timer') {
    const expression = String(c.cronExpression ?? '');
    const zoned = /^CRON_TZ=(\S+) (.*)$/.exec(expression);
    const cron = fromSixFieldCron(zoned ? zoned[2]! : expression);
    if (!cron)
      return {
        note: `timer trigger ${t.triggerName}: "${expression}" has no 5-field cron form; it was not exported`,
      };
    let payload: unknown;
    if (typeof c.payload === 'string' && c.payload !== '') {
      try {
        payload = JSON.parse(c.payload);
      } catch {
        payload = c.payload;
      }
    }
    return {
      trigger: {
        schedule: {
          name: t.triggerName,
          cron,
          timezone: zoned ? zoned[1]! : 'UTC',
          ...(payload === undefined ? {} : { payload }),
          enabled: c.enable !== false,
        },
      },
    };
  }
  if (t.triggerType === 'oss') {
    const bucket = /^acs:oss:[^:]*:[^:]*:(.+)$/.exec(t.sourceArn ?? '')?.[1];
    if (!bucket)
      return {
        note: `oss trigger ${t.triggerName}: cannot read the bucket from ${t.sourceArn ?? 'an empty sourceArn'}`,
      };
    const events = (Array.isArray(c.events) ? (c.events as string[]) : []).map((e) =>
      e.startsWith('oss:ObjectRemoved') ? 'deleted' : 'created',
    );
    const key = ((c.filter as { key?: { prefix?: string; suffix?: string } } | undefined)?.key ?? {}) as {
      prefix?: string;
      suffix?: string;
    };
    return {
      trigger: {
        storage: {
          name: t.triggerName,
          bucket,
          events: [...new Set(events)].length
            ? ([...new Set(events)] as Array<'created' | 'deleted'>)
            : ['created'],
          ...(key.prefix ? { prefix: key.prefix } : {}),
          ...(key.suffix ? { suffix: key.suffix } : {}),
        },
      },
    };
  }
  return {
    note: `${t.triggerType} trigger ${t.triggerName} has no faasport equivalent; it was not exported`,
  };
}

/**
 * Downloads a code package from the URL GetFunctionCode answered (FC 2.0 and 3.0: a signed OSS URL),
 * without faasport's shim when the function runs the web or event contract.
 */
export async function downloadCodePackage(
  url: string,
  contract: 'web' | 'event' | 'native',
  adapter: 'fc' | 'fc3',
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ProviderApiError(
      {
        adapter,
        operation: 'DownloadFunctionCode',
        providerMessage: (error as Error).message,
        retryable: true,
      },
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new ProviderApiError({
      adapter,
      operation: 'DownloadFunctionCode',
      status: response.status,
      providerMessage: await response.text(),
    });
  }
  const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
  const entries = Object.entries(files)
    .filter(([name]) => !name.endsWith('/') && !(contract !== 'native' && name === shimFileName))
    .map(([name, data]) => ({ name, data, executable: name === 'bootstrap' }));
  return zipEntries(entries).zip!;
}

/** What FC 2.0 and FC 3.0 export the same way, from what each read. */
export interface ExportedAlikeInput {
  fcRuntime: string;
  runtime: { runtime: string; exact: boolean };
  contract: 'web' | 'event' | 'native';
  triggers: readonly FcTriggerView[];
  traffic: readonly ResolvedTrafficEntry[];
  /** The version taking the main traffic, when there is a main alias. */
  main?: { versionId: string; label: string };
  secretNames: readonly string[];
}

/**
 * The parts of an export FC 2.0 and FC 3.0 share: the triggers in neutral terms, the notes on what
 * does not carry over (runtime, revision, traffic split, secrets) and, for a native Node.js handler,
 * `providers.local.contract`, so the local runtime can run FC's contract as is and a migration can be
 * tested before the code is ported.
 */
export function exportedAlike(input: ExportedAlikeInput): {
  triggers: TriggerConfig[];
  notes: string[];
  local?: { contract: 'fc-http' | 'fc-event' };
} {
  const notes: string[] = [];
  if (!input.runtime.exact && input.fcRuntime !== 'custom-container')
    notes.push(
      `FC runtime ${input.fcRuntime} was exported as ${input.runtime.runtime}, the nearest faasport runtime`,
    );
  const triggers: TriggerConfig[] = [];
  for (const t of input.triggers) {
    const r = neutralTriggerOf(t);
    if (r.trigger) triggers.push(r.trigger);
    if (r.note) notes.push(r.note);
  }
  const { traffic, main } = input;
  if (main)
    notes.push(
      `the code and configuration are those of revision ${main.label} (FC version ${main.versionId}), which takes the main traffic`,
    );
  if (traffic.length > 1 || traffic.some((t) => t.tag))
    notes.push(
      `the traffic split (${traffic.map((t) => `${t.revision} ${t.percent}%${t.tag ? ` tag ${t.tag}` : ''}`).join(', ')}) was not exported: only the code of the main version is`,
    );
  if (input.secretNames.length)
    notes.push(
      `secrets ${input.secretNames.join(', ')} are read from environment variables of the same names at deploy time`,
    );
  const local =
    input.contract === 'native' && input.fcRuntime.startsWith('nodejs')
      ? {
          contract: input.triggers.some((t) => t.triggerType === 'http')
            ? ('fc-http' as const)
            : ('fc-event' as const),
        }
      : undefined;
  return { triggers, notes, ...(local ? { local } : {}) };
}

/**
 * The live function back in the neutral model: the code of the version taking the main traffic (or
 * LATEST), without faasport's shim; its config, triggers, domains and scaling. A split or tags cannot
 * carry over to another target as revisions, so they are reported in `notes`.
 */
export async function exportFunction(client: FcApiClient, state: FcLiveState): Promise<ExportResult> {
  const notes: string[] = [];
  const versionId = state.mainAlias?.versionId;
  const fn = versionId ? await client.getFunction(state.names.service, state.names.fn, versionId) : state.fn;
  const { env, secretNames, settings } = userEnvOf(fn);
  const contract = (settings[envKeys.contract] as 'web' | 'event' | undefined) ?? 'native';
  const marker = markers.parseFn(fn.description);
  let code: Uint8Array | undefined;
  let source: FunctionConfig['source'];
  if (fn.runtime === 'custom-container' && fn.customContainerConfig) {
    const c = fn.customContainerConfig;
    const list = (s: string | undefined) => (s ? (JSON.parse(s) as string[]) : undefined);
    source = {
      image: {
        ref: c.image,
        ...(list(c.command)?.length ? { command: list(c.command) } : {}),
        ...(list(c.args)?.length ? { args: list(c.args) } : {}),
        port: fn.caPort ?? 9000,
      },
    };
  } else {
    const { url } = await client.getFunctionCode(state.names.service, state.names.fn, versionId);
    code = await downloadCodePackage(url, contract, 'fc');
    source = { archive: `./${state.names.fn}.zip` };
    notes.push(
      `the code was downloaded; write it to ./${state.names.fn}.zip next to the exported config (or change source)`,
    );
  }
  const runtime = neutralRuntimeOf(fn.runtime);
  const shared = exportedAlike({
    fcRuntime: fn.runtime,
    runtime,
    contract,
    triggers: state.triggers,
    traffic: trafficOf(state),
    ...(versionId ? { main: { versionId, label: labelOfVersion(state, versionId) } } : {}),
    secretNames,
  });
  notes.push(...shared.notes);
  const triggers = shared.triggers;
  const handler = contract === 'native' ? fn.handler : settings[envKeys.handler];
  const initializer = contract === 'native' ? fn.initializer || undefined : settings[envKeys.initializer];
  const role = state.service.role;
  const invocationRole = state.triggers.find(
    (t) => t.triggerType === 'oss' && t.invocationRole,
  )?.invocationRole;
  const providers: NonNullable<FunctionConfig['providers']> = {};
  if (role || invocationRole || !state.names.dedicated) {
    providers.fc = {
      ...(role ? { role } : {}),
      ...(invocationRole ? { invocationRole } : {}),
      ...(!state.names.dedicated ? { service: state.names.service } : {}),
    };
  }
  if (shared.local) providers.local = shared.local;
  const config: FunctionConfig = {
    name: state.names.fn,
    ...(marker.user ? { description: marker.user } : {}),
    source,
    ...(fn.runtime === 'custom-container' ? {} : { runtime: runtime.runtime, handler }),
    contract,
    ...(initializer ? { initializer } : {}),
    env,
    ...(secretNames.length
      ? { secrets: Object.fromEntries(secretNames.map((n) => [n, { fromEnv: n }])) }
      : {}),
    resources: { memory: fn.memorySize ?? 128, timeout: fn.timeout ?? 60 },
    ...((fn.instanceConcurrency ?? 1) > 1 || state.provisionTarget > 0
      ? {
          scaling: {
            ...(state.provisionTarget > 0 ? { min: state.provisionTarget } : {}),
            ...((fn.instanceConcurrency ?? 1) > 1 ? { concurrency: fn.instanceConcurrency } : {}),
          },
        }
      : {}),
    triggers,
    ...(state.domains.length
      ? {
          domains: state.domains.map((d) => {
            const route = (d.routeConfig?.routes ?? []).find((r) => r.functionName === state.names.fn);
            const path = (route?.path ?? '/*').replace(/\/?\*$/, '');
            return { host: d.domainName, ...(path ? { path } : {}) };
          }),
        }
      : {}),
    ...(Object.keys(providers).length ? { providers } : {}),
  };
  return { config, ...(code ? { code } : {}), notes };
}
