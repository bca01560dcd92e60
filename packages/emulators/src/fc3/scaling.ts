import { fc3Errors } from './errors';
import type { Fc3Entry, Fc3ScalingRecord } from './state';

type Json = Record<string, any>;

/** An answer of the control plane. */
interface Reply {
  status: number;
  body?: unknown;
}

/**
 * The fields of `PutScalingConfigInput` (`@alicloud/fc20230330` `dist/models/PutScalingConfigInput.d.ts`),
 * the body of PutScalingConfig; the emulator keeps these and answers them back in `ScalingConfigStatus`.
 */
const scalingInputFields = [
  'minInstances',
  'residentPoolId',
  'enableOnDemandScaling',
  'enableMixMode',
  'requestDispatchPolicy',
  'horizontalScalingPolicies',
  'scheduledPolicies',
] as const;

/** The qualifier of a scaling call: LATEST (the client's default) or an alias. */
function scalingQualifier(e: Fc3Entry, query: URLSearchParams): string {
  const qualifier = query.get('qualifier') || 'LATEST';
  // "You can configure elastic policies for the minimum number of instances only for a function alias
  // or the LATEST version" (FC 3.0, Configure elastic policies for the minimum number of instances).
  if (qualifier !== 'LATEST' && !e.aliases.has(qualifier)) {
    if (/^\d+$/.test(qualifier))
      throw fc3Errors.invalidArgument(
        `qualifier '${qualifier}' is a version: a scaling config is set on an alias or LATEST`,
      );
    throw fc3Errors.notFound('Alias', qualifier);
  }
  return qualifier;
}

function validScalingInput(body: Json): Fc3ScalingRecord {
  const out: Fc3ScalingRecord = {};
  for (const key of scalingInputFields) if (body[key] !== undefined) (out as Json)[key] = body[key];
  const min = out.minInstances;
  if (min !== undefined && (!Number.isInteger(min) || min < 0))
    throw fc3Errors.invalidArgument(`minInstances must be an integer >= 0, got ${JSON.stringify(min)}`);
  for (const key of ['horizontalScalingPolicies', 'scheduledPolicies'] as const)
    if (out[key] !== undefined && !Array.isArray(out[key]))
      throw fc3Errors.invalidArgument(`${key} must be an array`);
  return out;
}

/**
 * `ScalingConfigStatus` (`dist/models/ScalingConfigStatus.d.ts`, API reference "ScalingConfigStatus"):
 * the config as put, plus the instances FC keeps. The emulator has every minimum instance ready at once.
 */
export function scalingStatus(arn: string, s: Fc3ScalingRecord): Json {
  const min = s.minInstances ?? 0;
  return { functionArn: arn, ...s, currentInstances: min, targetInstances: min };
}

/**
 * The function's scaling APIs of 2023-03-30: `provision-config`, `scaling-config` and `concurrency`
 * (paths and methods of `@alicloud/fc20230330` `dist/client.js`: `put|get|deleteProvisionConfigWithOptions`,
 * `put|get|deleteScalingConfigWithOptions`, `put|get|deleteConcurrencyConfigWithOptions`). Undefined
 * when the method is not one of theirs.
 */
export function scalingRoute(
  e: Fc3Entry,
  name: string,
  sub: string,
  method: string,
  query: URLSearchParams,
  body: Json,
  arnOf: (qualifier: string) => string,
): Reply | undefined {
  if (sub === 'scaling-config') {
    const qualifier = scalingQualifier(e, query);
    const current = e.scaling.get(qualifier);
    if (method === 'GET') {
      if (!current) throw fc3Errors.notFound('ScalingConfig', `${name}/${qualifier}`);
      return { status: 200, body: scalingStatus(arnOf(qualifier), current) };
    }
    if (method === 'PUT') {
      const input = validScalingInput(body);
      // Minimum instances and provisioned instances of one qualifier do not mix: FC answers
      // ProvisionConfigExist, which Serverless Devs' fc3 component (devsapp/fc3 src/utils/errors.ts
      // FC_API_ERROR_CODE, src/subCommands/deploy/impl/scaling_config.ts) handles around PutScalingConfig.
      if ((e.provision.get(qualifier) ?? 0) > 0)
        throw fc3Errors.provisionConfigExists(`${name}/${qualifier}`);
      e.scaling.set(qualifier, input);
      return { status: 200, body: scalingStatus(arnOf(qualifier), input) };
    }
    if (method === 'DELETE') {
      if (!current) throw fc3Errors.notFound('ScalingConfig', `${name}/${qualifier}`);
      e.scaling.delete(qualifier);
      return { status: 204 };
    }
    return undefined;
  }
  if (sub === 'provision-config') {
    const qualifier = query.get('qualifier') ?? 'LATEST';
    if (method === 'GET') {
      if (!e.provision.has(qualifier)) throw fc3Errors.notFound('ProvisionConfig', `${name}/${qualifier}`);
      const target = e.provision.get(qualifier);
      return { status: 200, body: { functionName: name, qualifier, target, current: target } };
    }
    if (method === 'PUT') {
      if (qualifier !== 'LATEST' && !e.aliases.has(qualifier)) throw fc3Errors.notFound('Alias', qualifier);
      const target = Number(body.target);
      if (!Number.isInteger(target) || target < 0)
        throw fc3Errors.invalidArgument('target must be an integer >= 0');
      e.provision.set(qualifier, target);
      return { status: 200, body: { functionName: name, qualifier, target } };
    }
    if (method === 'DELETE') {
      e.provision.delete(qualifier);
      return { status: 204 };
    }
    return undefined;
  }
  if (sub === 'concurrency') {
    if (method === 'GET') {
      if (e.reservedConcurrency === undefined) throw fc3Errors.notFound('ConcurrencyConfig', name);
      return { status: 200, body: { functionName: name, reservedConcurrency: e.reservedConcurrency } };
    }
    if (method === 'PUT') {
      const n = Number(body.reservedConcurrency);
      if (!Number.isInteger(n) || n < 0)
        throw fc3Errors.invalidArgument('reservedConcurrency must be an integer >= 0');
      e.reservedConcurrency = n;
      return { status: 200, body: { functionName: name, reservedConcurrency: n } };
    }
    if (method === 'DELETE') {
      delete e.reservedConcurrency;
      return { status: 204 };
    }
    return undefined;
  }
  return undefined;
}
