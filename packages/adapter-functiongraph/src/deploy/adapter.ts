import { type Adapter, type AdapterContext, defineAdapter } from '@faasport/core';
import { type FunctionGraphAdapterOptions, resolveOptions } from '../options';
import { applyStep, setTraffic } from './apply';
import { functionGraphCapabilities, functionGraphProviderSchema } from './capabilities';
import { checkForFunctionGraph } from './check';
import { FunctionGraphClient } from './client';
import type { FgContext } from './context';
import { exportFunction } from './export';
import { invoke } from './invoke';
import { liveOf, readRaw } from './live';
import { list, remove } from './manage';
import { plan } from './plan';
import { render } from './render';

/**
 * Creates the Huawei Cloud FunctionGraph adapter: deploys faasport functions through the FunctionGraph
 * v2 API (axios + an SDK-HMAC-SHA256 signer), with versions per revision, an alias carrying the
 * traffic split, an alias per tag, a function URL (or a gateway API) for http, TIMER / OBS triggers and
 * reserved instances.
 *
 * @example
 * ```ts
 * const adapter = createFunctionGraphAdapter({ region: 'cn-north-4', projectId: '<project id>' });
 * await deploy(adapter, defineFunction({ name: 'hello', source: { dir: './hello' }, triggers: [{ http: {} }] }));
 * ```
 * @throws {@link ValidationError} for invalid options, {@link ConfigurationError} when region or project
 * id is missing (credentials are checked on the first API call).
 * @public
 */
export function createFunctionGraphAdapter(options: FunctionGraphAdapterOptions = {}) {
  const o = resolveOptions(options);
  const client = new FunctionGraphClient(o);
  const urn = (name: string, qualifier?: string) =>
    `urn:fss:${o.region}:${o.projectId}:function:${o.package}:${name}${qualifier ? `:${qualifier}` : ''}`;
  const fg: FgContext = { o, client, urn, kinds: new Map() };
  /** The context whose API calls stop retrying when the caller aborts. */
  const withSignal = (ctx?: { signal?: AbortSignal }): FgContext =>
    ctx?.signal ? { ...fg, client: client.withSignal(ctx.signal) } : fg;

  return defineAdapter({
    specificationVersion: 'v1' as const,
    name: 'functiongraph',
    capabilities: functionGraphCapabilities,
    providerOptionsSchema: functionGraphProviderSchema,
    check: (fn) => checkForFunctionGraph(fn, o),
    async read(name: string, ctx?: AdapterContext) {
      const api = withSignal(ctx);
      const raw = await readRaw(api, name);
      return raw ? liveOf(api, name, raw) : undefined;
    },
    plan: (desired, live) => plan(fg, desired, live),
    applyStep: (step, desired, ctx) => applyStep(withSignal(ctx), step, desired, ctx),
    setTraffic: (name, traffic, ctx) => setTraffic(withSignal(ctx), name, traffic, ctx),
    invoke: (name, request, options) => invoke(withSignal(options), name, request, options),
    list: (ctx) => list(withSignal(ctx), ctx),
    remove: (name, ctx) => remove(withSignal(ctx), name, ctx),
    export: (name, ctx) => exportFunction(withSignal(ctx), name, ctx),
    render: (desired) => render(fg, desired),
  } satisfies Adapter);
}

/** The FunctionGraph adapter's type. @public */
export type FunctionGraphAdapter = ReturnType<typeof createFunctionGraphAdapter>;
