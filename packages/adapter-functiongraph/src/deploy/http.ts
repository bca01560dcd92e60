/**
 * How an http trigger reaches a FunctionGraph function.
 *
 * Huawei closed the shared APIG gateway to new customers ("Using an APIG Trigger (Discarded)",
 * https://support.huaweicloud.com/eu/usermanual-functiongraph/functiongraph_01_1813.html),
 * so the default is a function URL: `POST /v2/{project_id}/fgs/functions/{function_urn}/function-url` with
 * `{auth_type, cors}` (huaweicloud-sdk-go-v3 services/functiongraph/v2/model/model_function_url_request_body.go,
 * model_cors_config.go; GET / PUT / DELETE on the same path in the SDKs' FunctionGraphClient). A target or
 * function that names a dedicated gateway (`apigInstanceId`) gets a `DEDICATEDGATEWAY` trigger in it
 * ("API Gateway (Dedicated) Trigger",
 * https://support.huaweicloud.com/intl/en-us/usermanual-functiongraph/functiongraph_01_0204.html); the shared gateway only when asked for
 * (`apigShared`).
 */

import type { ResolvedFunction } from '@faasport/core';
import type { FunctionGraphQueueBinding } from '../options';
import type { ProviderOptions } from './capabilities';

/** The target-level defaults of the http exposure. */
export interface TargetHttpDefaults {
  apigInstanceId?: string;
  apigShared?: boolean;
  /** The deploy target's name, for errors naming its options. */
  target?: string;
  /** The target's topic bindings (queue triggers). */
  queues?: Record<string, FunctionGraphQueueBinding>;
}

/** Where a function's http trigger is published. */
export type HttpExposure = { kind: 'url' } | { kind: 'dedicated'; instanceId: string } | { kind: 'shared' };

/** The exposure of a function: its own provider options first, then the target's, then a function URL. */
export function httpExposure(provider: ProviderOptions, target: TargetHttpDefaults): HttpExposure {
  if (provider.apigInstanceId) return { kind: 'dedicated', instanceId: provider.apigInstanceId };
  if (provider.apigShared) return { kind: 'shared' };
  if (provider.apigShared === undefined && target.apigInstanceId)
    return { kind: 'dedicated', instanceId: target.apigInstanceId };
  if (provider.apigShared === undefined && target.apigShared) return { kind: 'shared' };
  return { kind: 'url' };
}

/**
 * faasport auth → function URL `auth_type`. The SDKs type `auth_type` as a plain string without listing its
 * values; `NONE` and `IAM` are the values APIG triggers use for the same two cases (not verified for
 * function URLs). Function URLs have no APP (app key) auth, so `auth: function` needs a gateway.
 */
export const functionUrlAuthTypes = { anonymous: 'NONE', private: 'IAM' } as const;

/** A function URL as faasport wants it. */
export interface DesiredFunctionUrl {
  auth_type: 'NONE' | 'IAM';
  cors: { is_cors: boolean };
}

/** The function URL of a function whose http trigger is exposed that way; undefined otherwise. */
export function desiredFunctionUrl(
  fn: ResolvedFunction,
  provider: ProviderOptions,
  target: TargetHttpDefaults,
): DesiredFunctionUrl | undefined {
  const http = fn.triggers.find((t) => t.kind === 'http');
  if (!http || httpExposure(provider, target).kind !== 'url') return undefined;
  return {
    auth_type: http.auth === 'anonymous' ? 'NONE' : 'IAM',
    cors: { is_cors: provider.cors ?? false },
  };
}
