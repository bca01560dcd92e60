import {
  type Adapter,
  type DesiredState,
  defineAdapter,
  type FunctionSummary,
  InvokeError,
  type InvokeOptions,
  NotFoundError,
  ProviderApiError,
  type Step,
  ValidationError,
} from '@faasport/core';
import { forwardRequest, ignoreNotFound, isNotFound, stepHandlers } from '@faasport/core/toolkit';
import { checkFunction } from './check';
import { FcApiClient, type FcTrigger } from './client';
import { exportFunction } from './export';
import { functionErrorMessage } from './function-error';
import { fcCapabilities } from './limits';
import { findInvokeTarget, readState, toLiveFunction } from './live';
import { codeOf, type FcNames, fcProviderSchema, functionConfigOf, markers } from './mapping';
import { type FcAdapterOptions, resolveFcOptions } from './options';
import { desiredNames, planSteps } from './plan';
import { renderManifests } from './render';
import { applyTraffic } from './traffic';

/** An FC adapter: the faasport adapter contract plus the options it runs with. @public */
export interface FcAdapter extends Adapter {
  readonly name: 'fc';
  /** The endpoint requests go to. */
  readonly endpoint: string;
}

function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(raw))
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  return headers;
}

/**
 * FC's CanonicalizedResource is the decoded request path ("先对收到的Path解码", FC signature doc
 * https://help.aliyun.com/document_detail/53252.htm), while the URL carries it percent-encoded.
 */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Creates the Alibaba Cloud Function Compute 2.0 adapter, on `@alicloud/fc2` (API 2016-08-15).
 * Credentials come from the options or from `ALIBABA_CLOUD_ACCESS_KEY_ID`,
 * `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and `ALIBABA_CLOUD_SECURITY_TOKEN` (or the older `ALICLOUD_*` names).
 *
 * @example
 * ```ts
 * const fc = createFcAdapter({ accountId: '1234567890', region: 'cn-hangzhou' });
 * await deploy(fc, defineFunction({ name: 'coffee', source: { dir: './coffee' } }));
 * ```
 * @throws {@link ConfigurationError} naming the option and the environment variable when a setting is missing.
 * @public
 */
export function createFcAdapter(
  options: FcAdapterOptions & { env?: Record<string, string | undefined> } = {},
): FcAdapter {
  const { env, ...rest } = options;
  const o = resolveFcOptions(rest, env ?? process.env);
  const client = new FcApiClient(o);
  const planContext = {
    region: o.region,
    accountId: o.accountId,
    ...(o.invocationRole ? { invocationRole: o.invocationRole } : {}),
    ...(o.queues ? { queues: o.queues } : {}),
    target: o.target,
  };
  const target = o.target;

  const payload = (step: Step) => (step.data ?? {}) as Record<string, unknown>;
  /** One handler per FC step id (see plan.ts for the steps and their data). */
  const applyOne = stepHandlers<[desired: DesiredState, api: FcApiClient]>('fc', {
    async service(step, desired, api) {
      const data = payload(step);
      if (step.action !== 'create') {
        await api.updateService(
          desiredNames(desired).service,
          data.body as Record<string, unknown>,
          data.etag as string | undefined,
        );
        return;
      }
      try {
        await api.createService(data.body as Record<string, unknown>);
      } catch (error) {
        // A service group, or a service left by a deploy that failed later, is reused.
        if (!(ProviderApiError.isInstance(error) && (error as ProviderApiError).status === 409)) throw error;
      }
    },
    async function(step, desired, api) {
      const svc = desiredNames(desired).service;
      const { functionName: _n, ...config } = functionConfigOf(desired);
      if (step.action === 'create') {
        await api.createFunction(svc, {
          functionName: desired.fn.name,
          ...config,
          ...(codeOf(desired) ? { code: codeOf(desired) } : {}),
        });
        return;
      }
      const data = payload(step);
      const code = data.code ? codeOf(desired) : undefined;
      await api.updateFunction(
        svc,
        desired.fn.name,
        { ...config, ...(code ? { code } : {}) },
        data.etag as string | undefined,
      );
    },
    async version(_step, desired, api) {
      await api.publishVersion(
        desiredNames(desired).service,
        markers.version(desired.fn.name, desired.revisionLabel, desired.revisionHash),
      );
    },
    async 'trigger:*'(step, desired, api) {
      const svc = desiredNames(desired).service;
      const fnName = desired.fn.name;
      const data = payload(step);
      const name = data.name as string;
      if (step.action === 'delete') await ignoreNotFound(() => api.deleteTrigger(svc, fnName, name));
      else if (step.action === 'create')
        await api.createTrigger(svc, fnName, data.body as Record<string, unknown>);
      else await api.updateTrigger(svc, fnName, name, data.body as Record<string, unknown>);
    },
    async provision(step, desired, api) {
      const names = desiredNames(desired);
      await api.putProvisionTarget(
        names.service,
        desired.fn.name,
        names.mainAlias,
        payload(step).target as number,
      );
    },
    async 'domain:*'(step, _desired, api) {
      const host = step.id.slice('domain:'.length);
      const data = payload(step);
      if (step.action === 'delete') await ignoreNotFound(() => api.deleteCustomDomain(host));
      else if (step.action === 'create') await api.createCustomDomain(data.body as Record<string, unknown>);
      else await api.updateCustomDomain(host, data.body as Record<string, unknown>);
    },
  });

  async function invokeHttp(
    names: FcNames,
    trigger: FcTrigger,
    qualifier: string,
    request: Request,
  ): Promise<Response> {
    const url = new URL(request.url);
    const path = `/2016-08-15/proxy/${names.service}.${qualifier}/${names.fn}${url.pathname}`;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      if (key !== 'host' && key !== 'connection' && key !== 'content-length')
        headers[key.toLowerCase()] = value;
    });
    const signed =
      trigger.triggerConfig.authType === 'function'
        ? client.signProxyRequest(request.method, decodedPath(path), url.searchParams, headers)
        : headers;
    const response = await forwardRequest(request, `${o.endpoint}${path}${url.search}`, {
      headers: signed,
      adapter: 'fc',
      operation: 'InvokeHttpTrigger',
    });
    const errorType = response.headers.get('x-fc-error-type');
    if (errorType) {
      throw new InvokeError({
        functionName: names.fn,
        message: functionErrorMessage(await response.text()),
        status: response.status,
        functionError: errorType,
        adapter: 'fc',
      });
    }
    if (
      response.status >= 400 &&
      (response.headers.get('content-type') ?? '').startsWith('application/json')
    ) {
      const text = await response.text();
      let parsed: { ErrorCode?: string; ErrorMessage?: string } = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        // a function's own JSON error body
      }
      if (parsed.ErrorCode) {
        throw new ProviderApiError({
          adapter: 'fc',
          operation: 'InvokeHttpTrigger',
          status: response.status,
          providerCode: parsed.ErrorCode,
          providerMessage: parsed.ErrorMessage,
          requestId: response.headers.get('x-fc-request-id') ?? undefined,
        });
      }
      return new Response(text, { status: response.status, headers: response.headers });
    }
    return response;
  }

  async function invokeEvent(
    names: FcNames,
    qualifier: string,
    request: Request,
    async: boolean,
  ): Promise<Response> {
    const body = Buffer.from(await request.arrayBuffer());
    const r = await client.invokeFunction(
      names.service,
      names.fn,
      body,
      qualifier,
      async ? { 'x-fc-invocation-type': 'Async' } : {},
    );
    const errorType = r.headers['x-fc-error-type'];
    if (errorType) {
      throw new InvokeError({
        functionName: names.fn,
        message: functionErrorMessage(
          typeof r.data === 'string'
            ? r.data
            : Buffer.isBuffer(r.data)
              ? r.data.toString('utf8')
              : JSON.stringify(r.data),
        ),
        status: 200,
        functionError: String(errorType),
        adapter: 'fc',
      });
    }
    const bytes = Buffer.isBuffer(r.data)
      ? new Uint8Array(r.data)
      : new TextEncoder().encode(typeof r.data === 'string' ? r.data : JSON.stringify(r.data ?? ''));
    return new Response(async ? null : (bytes as BodyInit), {
      status: async ? 202 : 200,
      headers: headersOf(r.headers),
    });
  }

  return defineAdapter({
    specificationVersion: 'v1',
    name: 'fc',
    endpoint: o.endpoint,
    capabilities: fcCapabilities,
    providerOptionsSchema: fcProviderSchema,
    check: (fn) => checkFunction(fn, planContext),

    async read(name, ctx) {
      const state = await readState(client.withSignal(ctx?.signal), name);
      return state ? toLiveFunction(state, o.endpoint, target) : undefined;
    },

    plan(desired, live) {
      return planSteps(desired, live, planContext);
    },

    async applyStep(step, desired, ctx) {
      await applyOne(step, desired, client.withSignal(ctx?.signal));
    },

    async setTraffic(name, traffic, ctx) {
      const api = client.withSignal(ctx?.signal);
      // Checks the two-version limit and every label before the first write.
      await applyTraffic(api, await readState(api, name, { domains: false }), name, traffic, target);
    },

    async invoke(name, request, invokeOptions: InvokeOptions = {}) {
      const found = await findInvokeTarget(client, name);
      if (!found) throw new NotFoundError({ functionName: name, target, adapter: 'fc' });
      const { names, triggers } = found;
      const http = triggers.find((t) => t.triggerType === 'http');
      const aliasesOf = async () => {
        const tags = new Map<string, string>();
        let main: string | undefined;
        for (const a of await client.listAliases(names.service)) {
          const m = markers.parseAlias(a.description);
          if (!m || m.fn !== name) continue;
          if (m.main) main = a.aliasName;
          else if (m.tag) tags.set(m.tag, a.aliasName);
        }
        return { main, tags };
      };
      let qualifier: string;
      if (invokeOptions.tag) {
        const { tags } = await aliasesOf();
        const alias = tags.get(invokeOptions.tag);
        if (!alias) {
          throw new ValidationError(
            [
              {
                path: 'tag',
                message: `tag ${JSON.stringify(invokeOptions.tag)} does not exist on "${name}" (known: ${[...tags.keys()].join(', ') || 'none'})`,
                rule: 'tag-exists',
              },
            ],
            { adapter: 'fc' },
          );
        }
        qualifier = alias;
      } else if (invokeOptions.revision) {
        const versions = (await client.listVersions(names.service)).flatMap((v) => {
          const m = markers.parseVersion(v.description);
          return m && m.fn === name ? [{ id: v.versionId, label: m.label }] : [];
        });
        const id = versions
          .filter((v) => v.label === invokeOptions.revision)
          .sort((a, b) => Number(b.id) - Number(a.id))[0]?.id;
        if (!id) {
          throw new ValidationError(
            [
              {
                path: 'revision',
                message: `revision ${JSON.stringify(invokeOptions.revision)} does not exist on "${name}" (known: ${[...new Set(versions.map((v) => v.label))].join(', ') || 'none'})`,
                rule: 'revision-exists',
              },
            ],
            { adapter: 'fc' },
          );
        }
        qualifier = id;
      } else {
        // faasport binds the HTTP trigger to the main alias; without one, look the alias up.
        qualifier = http?.qualifier ?? (await aliasesOf()).main ?? 'LATEST';
      }
      // Without an HTTP trigger the function is reachable only through InvokeFunction.
      if (invokeOptions.mode === 'event' || invokeOptions.async || !http)
        return invokeEvent(names, qualifier, request, invokeOptions.async ?? false);
      return invokeHttp(names, http, qualifier, request);
    },

    async list() {
      const out: FunctionSummary[] = [];
      for (const svc of await client.listServices()) {
        if (!markers.isService(svc.description)) continue;
        for (const f of await client.listFunctions(svc.serviceName)) {
          const state = await readState(client, f.functionName, { domains: false });
          if (!state || state.names.service !== svc.serviceName) continue;
          const live = toLiveFunction(state, o.endpoint, target);
          out.push({
            name: live.name,
            ...(live.url ? { url: live.url } : {}),
            revisions: live.revisions.length,
            traffic: live.traffic,
          });
        }
      }
      return out.sort((a, b) => a.name.localeCompare(b.name));
    },

    async remove(name, ctx) {
      const api = client.withSignal(ctx?.signal);
      const state = await readState(api, name);
      if (!state) return;
      const {
        service: { serviceName: svc },
        names,
      } = state;
      for (const t of state.triggers) await ignoreNotFound(() => api.deleteTrigger(svc, name, t.triggerName));
      if (state.mainAlias && state.provisionTarget > 0)
        await ignoreNotFound(() => api.putProvisionTarget(svc, name, state.mainAlias!.aliasName, 0));
      for (const d of state.domains) {
        const others = (d.routeConfig?.routes ?? []).filter(
          (r) => !(r.serviceName === svc && r.functionName === name),
        );
        if (others.length)
          await ignoreNotFound(() =>
            api.updateCustomDomain(d.domainName, { routeConfig: { routes: others } }),
          );
        else await ignoreNotFound(() => api.deleteCustomDomain(d.domainName));
      }
      for (const a of state.tagAliases.values())
        await ignoreNotFound(() => api.deleteAlias(svc, a.aliasName));
      if (state.mainAlias) await ignoreNotFound(() => api.deleteAlias(svc, state.mainAlias!.aliasName));
      for (const v of [...state.versions].sort((a, b) => Number(b.versionId) - Number(a.versionId)))
        await ignoreNotFound(() => api.deleteVersion(svc, v.versionId));
      await ignoreNotFound(() => api.deleteFunction(svc, name));
      if (names.dedicated || (await api.listFunctions(svc)).length === 0) {
        try {
          await api.deleteService(svc);
        } catch (error) {
          // Another function was added to the service meanwhile: leave it.
          if (
            !isNotFound(error) &&
            !(ProviderApiError.isInstance(error) && (error as ProviderApiError).status === 409)
          )
            throw error;
        }
      }
    },

    async export(name) {
      const state = await readState(client, name, { anyService: true });
      if (!state) throw new NotFoundError({ functionName: name, target, adapter: 'fc' });
      return exportFunction(client, state);
    },

    render(desired) {
      return renderManifests(desired, planContext);
    },
  } satisfies FcAdapter);
}
