import { functionErrorMessage, markers } from '@faasport/adapter-fc';
import {
  type Adapter,
  type DesiredState,
  defineAdapter,
  type FunctionSummary,
  InvokeError,
  type InvokeOptions,
  NotFoundError,
  type ProviderApiError,
  type Step,
  UnsupportedFeatureError,
  ValidationError,
} from '@faasport/core';
import { forwardRequest, ignoreNotFound } from '@faasport/core/toolkit';
import { checkFunction } from './check';
import { Fc3ApiClient as Client, type Fc3ApiClient } from './client';
import { exportFunction } from './export';
import { fc3HttpEventOf, responseOfFc3Result } from './http-event';
import { fc3Capabilities } from './limits';
import { httpTriggerOf, readState, toLiveFunction } from './live';
import { codeOf, type Fc3Context, fc3ProviderSchema, functionConfigOf, mainAlias } from './mapping';
import { type Fc3AdapterOptions, resolveFc3Options } from './options';
import { planSteps } from './plan';
import { renderManifests } from './render';
import { applyTraffic } from './traffic';

/** An FC 3.0 adapter: the faasport adapter contract plus the endpoint it talks to. @public */
export interface Fc3Adapter extends Adapter {
  readonly name: 'fc3';
  readonly endpoint: string;
}

/**
 * Creates the Alibaba Cloud Function Compute 3.0 adapter (API 2023-03-30) on the official client
 * `@alicloud/fc20230330`. Credentials come from the options or `ALIBABA_CLOUD_ACCESS_KEY_ID`,
 * `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and `ALIBABA_CLOUD_SECURITY_TOKEN`, as for the `fc` target.
 *
 * @example
 * ```ts
 * const fc3 = createFc3Adapter({ accountId: '1234567890', region: 'cn-hangzhou' });
 * await deploy(fc3, defineFunction({ name: 'coffee', source: { dir: './coffee' } }));
 * ```
 * @throws {@link ConfigurationError} naming the option and the environment variable when a setting is missing.
 * @public
 */
export function createFc3Adapter(
  options: Fc3AdapterOptions & { env?: Record<string, string | undefined> } = {},
): Fc3Adapter {
  const { env, ...rest } = options;
  const o = resolveFc3Options(rest, env ?? process.env);
  const client = new Client(o);
  const ctx: Fc3Context = {
    region: o.region,
    accountId: o.accountId,
    ...(o.role ? { role: o.role } : {}),
    ...(o.invocationRole ? { invocationRole: o.invocationRole } : {}),
    ...(o.queues ? { queues: o.queues } : {}),
    target: o.target,
  };
  const target = o.target;

  async function applyOne(step: Step, desired: DesiredState, api: Fc3ApiClient): Promise<void> {
    const name = desired.fn.name;
    const data = (step.data ?? {}) as Record<string, unknown>;
    if (step.id === 'function') {
      const config = functionConfigOf(desired, ctx);
      const code = step.action === 'create' || data.code ? codeOf(desired) : undefined;
      if (step.action === 'create')
        await api.createFunction({ functionName: name, ...config, ...(code ? { code } : {}) });
      else await api.updateFunction(name, { ...config, ...(code ? { code } : {}) });
      return;
    }
    if (step.id === 'version') {
      await api.publishVersion(name, markers.version(name, desired.revisionLabel, desired.revisionHash));
      return;
    }
    if (step.id.startsWith('trigger:')) {
      const triggerName = data.name as string;
      if (step.action === 'delete') await ignoreNotFound(() => api.deleteTrigger(name, triggerName));
      else if (step.action === 'create') await api.createTrigger(name, data.body as Record<string, unknown>);
      else await api.updateTrigger(name, triggerName, data.body as Record<string, unknown>);
      return;
    }
    if (step.id === 'scaling') {
      if (step.action === 'delete') await ignoreNotFound(() => api.deleteScalingConfig(name, mainAlias));
      else await putMinInstances(api, name, data.minInstances as number);
      return;
    }
    if (step.id === 'provision') {
      await ignoreNotFound(() => api.deleteProvisionConfig(name, mainAlias));
      return;
    }
    if (step.id === 'concurrency') {
      if (step.action === 'delete') await ignoreNotFound(() => api.deleteConcurrencyConfig(name));
      else await api.putReservedConcurrency(name, data.reservedConcurrency as number);
      return;
    }
    throw new ValidationError(
      [{ path: 'step', message: `step ${JSON.stringify(step.id)} is not an fc3 adapter step`, rule: 'step' }],
      { adapter: 'fc3' },
    );
  }

  /**
   * PutScalingConfig with `minInstances` on the main alias. FC refuses it while the alias has
   * provisioned instances (`ProvisionConfigExist`, see devsapp/fc3 `deploy/impl/scaling_config.ts`): the
   * provision config an earlier faasport version wrote is then deleted first and the call made again.
   */
  async function putMinInstances(api: Fc3ApiClient, name: string, minInstances: number): Promise<void> {
    try {
      await api.putScalingConfig(name, mainAlias, { minInstances });
    } catch (error) {
      if ((error as Partial<ProviderApiError>)?.providerCode !== 'ProvisionConfigExist') throw error;
      await ignoreNotFound(() => api.deleteProvisionConfig(name, mainAlias));
      await api.putScalingConfig(name, mainAlias, { minInstances });
    }
  }

  /** Sends an HTTP request as FC 3.0's HTTP event through InvokeFunction and maps the result back. */
  async function invokeAsHttpEvent(name: string, qualifier: string, request: Request, domainName: string) {
    const event = await fc3HttpEventOf(request, {
      accountId: o.accountId,
      domainName,
      requestId: crypto.randomUUID(),
    });
    const r = await client.invoke(name, new TextEncoder().encode(JSON.stringify(event)), qualifier, false);
    throwFunctionError(name, r.headers, r.body);
    return responseOfFc3Result(r.body);
  }

  function throwFunctionError(name: string, headers: Record<string, string>, body: Uint8Array): void {
    const errorType = headers['x-fc-error-type'];
    if (errorType)
      throw new InvokeError({
        functionName: name,
        message: functionErrorMessage(Buffer.from(body).toString('utf8')),
        status: 200,
        functionError: errorType,
        adapter: 'fc3',
      });
  }

  return defineAdapter({
    specificationVersion: 'v1',
    name: 'fc3',
    endpoint: o.endpoint,
    capabilities: fc3Capabilities,
    providerOptionsSchema: fc3ProviderSchema,
    check: (fn) => checkFunction(fn, ctx),

    async read(name) {
      const state = await readState(client, name);
      return state ? toLiveFunction(state, target) : undefined;
    },

    plan(desired, live) {
      return planSteps(desired, live, ctx);
    },

    async applyStep(step, desired) {
      await applyOne(step, desired, client);
    },

    async setTraffic(name, traffic) {
      await applyTraffic(client, await readState(client, name), name, traffic, target);
    },

    async invoke(name, request, invokeOptions: InvokeOptions = {}) {
      const state = await readState(client, name);
      if (!state) throw new NotFoundError({ functionName: name, target, adapter: 'fc3' });
      let qualifier = state.mainAlias?.aliasName ?? 'LATEST';
      if (invokeOptions.tag) {
        const alias = state.tagAliases.get(invokeOptions.tag);
        if (!alias)
          throw new ValidationError(
            [
              {
                path: 'tag',
                message: `tag ${JSON.stringify(invokeOptions.tag)} does not exist on "${name}" (known: ${[...state.tagAliases.keys()].join(', ') || 'none'})`,
                rule: 'tag-exists',
              },
            ],
            { adapter: 'fc3' },
          );
        qualifier = alias.aliasName;
      } else if (invokeOptions.revision) {
        const id = state.versions
          .filter((v) => v.label === invokeOptions.revision)
          .sort((a, b) => Number(b.versionId) - Number(a.versionId))[0]?.versionId;
        if (!id)
          throw new ValidationError(
            [
              {
                path: 'revision',
                message: `revision ${JSON.stringify(invokeOptions.revision)} does not exist on "${name}" (known: ${[...new Set(state.versions.map((v) => v.label))].join(', ') || 'none'})`,
                rule: 'revision-exists',
              },
            ],
            { adapter: 'fc3' },
          );
        qualifier = id;
      }
      const http = httpTriggerOf(state);
      if (invokeOptions.mode === 'event' || invokeOptions.async || !http) {
        const async = invokeOptions.async ?? false;
        const r = await client.invoke(name, new Uint8Array(await request.arrayBuffer()), qualifier, async);
        throwFunctionError(name, r.headers, r.body);
        return new Response(async ? null : (r.body as BodyInit), { status: async ? 202 : 200 });
      }
      const url = http.httpTrigger?.urlInternet;
      const custom = state.fn.runtime?.startsWith('custom');
      // The trigger URL serves its own qualifier and takes anonymous calls only; built-in runtimes get
      // any other call as FC's HTTP event through InvokeFunction, which is what the trigger would send.
      if (url && http.triggerConfig.authType === 'anonymous' && http.qualifier === qualifier) {
        const target = new URL(request.url);
        return forwardRequest(request, `${url.replace(/\/+$/, '')}${target.pathname}${target.search}`, {
          adapter: 'fc3',
          operation: 'InvokeHttpTrigger',
        });
      }
      if (custom)
        throw new UnsupportedFeatureError(
          {
            feature: 'trigger.http.private',
            target,
            functionName: name,
            reason: `the HTTP trigger of "${name}" takes signed calls (authType ${String(http.triggerConfig.authType)}) or serves another qualifier, and a custom runtime gets InvokeFunction calls on /invoke, not as HTTP requests`,
            instead: 'Use auth: anonymous for the trigger, or invoke with mode "event".',
          },
          { adapter: 'fc3' },
        );
      return invokeAsHttpEvent(
        name,
        qualifier,
        request,
        url ? new URL(url).host : `${name}.${o.region}.fcapp.run`,
      );
    },

    async list() {
      const out: FunctionSummary[] = [];
      for (const f of await client.listFunctions()) {
        if (!markers.parseFn(f.description).rev) continue;
        const state = await readState(client, f.functionName);
        if (!state) continue;
        const live = toLiveFunction(state, target);
        out.push({
          name: live.name,
          ...(live.url ? { url: live.url } : {}),
          revisions: live.revisions.length,
          traffic: live.traffic,
        });
      }
      return out.sort((a, b) => a.name.localeCompare(b.name));
    },

    async remove(name) {
      const state = await readState(client, name);
      if (!state) return;
      for (const t of state.triggers) await ignoreNotFound(() => client.deleteTrigger(name, t.triggerName));
      if (state.mainAlias && state.minInstances !== undefined)
        await ignoreNotFound(() => client.deleteScalingConfig(name, state.mainAlias!.aliasName));
      if (state.mainAlias && state.provisionTarget > 0)
        await ignoreNotFound(() => client.deleteProvisionConfig(name, state.mainAlias!.aliasName));
      if (state.reservedConcurrency !== undefined)
        await ignoreNotFound(() => client.deleteConcurrencyConfig(name));
      for (const a of state.tagAliases.values())
        await ignoreNotFound(() => client.deleteAlias(name, a.aliasName));
      if (state.mainAlias) await ignoreNotFound(() => client.deleteAlias(name, state.mainAlias!.aliasName));
      for (const v of [...state.versions].sort((a, b) => Number(b.versionId) - Number(a.versionId)))
        await ignoreNotFound(() => client.deleteVersion(name, v.versionId));
      await ignoreNotFound(() => client.deleteFunction(name));
    },

    async export(name) {
      const state = await readState(client, name);
      if (!state) throw new NotFoundError({ functionName: name, target, adapter: 'fc3' });
      return exportFunction(client, state);
    },

    render(desired) {
      return renderManifests(desired, ctx);
    },
  } satisfies Fc3Adapter);
}
