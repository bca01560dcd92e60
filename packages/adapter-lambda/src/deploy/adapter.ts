import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { type Adapter, type AdapterContext, defineAdapter } from '@faasport/core';
import { type LambdaAdapterOptions, resolveOptions } from '../options';
import { applyStep, setTraffic } from './apply';
import { lambdaCapabilities } from './capabilities';
import { checkForLambda } from './check';
import type { LambdaApi } from './context';
import { exportFunction } from './export';
import { invoke } from './invoke';
import { liveOf, readRaw } from './live';
import { list, remove } from './manage';
import { plan } from './plan';
import { render } from './render';

/**
 * Creates the AWS Lambda adapter: deploys faasport functions through `@aws-sdk/client-lambda` (and
 * `@aws-sdk/client-scheduler` for schedules), with a published version per revision, the `main` alias
 * carrying the traffic split, an alias per tag, a function URL for http, SQS event source mappings,
 * reserved and provisioned concurrency. Credentials come from the AWS SDK's default provider chain.
 *
 * @example
 * ```ts
 * const adapter = createLambdaAdapter({ region: 'eu-west-1', role: 'arn:aws:iam::123456789012:role/fn' });
 * await deploy(adapter, defineFunction({ name: 'hello', source: { dir: './hello' } }));
 * ```
 * @throws {@link ValidationError} for invalid options, {@link ConfigurationError} when no region is set
 * (credentials are looked up on the first API call).
 * @public
 */
export function createLambdaAdapter(options: LambdaAdapterOptions = {}) {
  const o = resolveOptions(options);
  const clientConfig = {
    region: o.region,
    maxAttempts: o.attempts,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
  };
  const api: LambdaApi = {
    o,
    lambda: new LambdaClient(clientConfig),
    scheduler: new SchedulerClient(clientConfig),
    // An emulator (ours, moto) serves S3 at the same endpoint, path-style (`/<bucket>?notification`).
    s3: new S3Client({ ...clientConfig, ...(o.endpoint ? { forcePathStyle: true } : {}) }),
  };
  return defineAdapter({
    specificationVersion: 'v1' as const,
    name: 'lambda',
    capabilities: lambdaCapabilities,
    check: (fn) => checkForLambda(fn, o),
    async read(name: string, _ctx?: AdapterContext) {
      const raw = await readRaw(api, name);
      return raw ? liveOf(api, name, raw) : undefined;
    },
    plan: (desired, live) => plan(api, desired, live),
    applyStep: (step, desired, ctx) => applyStep(api, step, desired, ctx),
    setTraffic: (name, traffic, ctx) => setTraffic(api, name, traffic, ctx),
    invoke: (name, request, invokeOptions) => invoke(api, name, request, invokeOptions),
    list: (ctx) => list(api, ctx),
    remove: (name, ctx) => remove(api, name, ctx),
    export: (name, ctx) => exportFunction(api, name, ctx),
    render: (desired) => render(api, desired),
  } satisfies Adapter);
}

/** The Lambda adapter's type. @public */
export type LambdaAdapter = ReturnType<typeof createLambdaAdapter>;
