/** The offline checks of a function against FunctionGraph beyond its declared capabilities. */
import { type CheckIssue, canonicalJson, type ResolvedFunction } from '@faasport/core';
import { queueBindingIssues } from '@faasport/core/toolkit';
import {
  functionGraphProviderSchema,
  type ProviderOptions,
  providerOptions,
  userDataLimits,
} from './capabilities';
import { toFunctionGraphSchedule } from './cron';
import { mainAlias } from './function-body';
import { httpExposure, type TargetHttpDefaults } from './http';

/**
 * The offline checks of a function against FunctionGraph beyond its declared capabilities. `target` holds
 * the target's http defaults (`apigInstanceId`, `apigShared`).
 *
 * @public
 */
export function checkForFunctionGraph(fn: ResolvedFunction, target: TargetHttpDefaults = {}): CheckIssue[] {
  const issues: CheckIssue[] = [];
  // Core reports problems in providers.functiongraph (providerOptionsSchema); the rules below read valid ones.
  const provider: ProviderOptions = functionGraphProviderSchema.safeParse(fn.providers.functiongraph ?? {})
    .success
    ? providerOptions(fn)
    : {};
  issues.push(
    ...queueBindingIssues(fn, target.queues, {
      adapter: 'functiongraph',
      ...(target.target ? { target: target.target } : {}),
      example: '{ kafka: { instanceId: <DMS for Kafka instance id> } }',
    }),
  );
  fn.triggers.forEach((t, index) => {
    if (t.kind !== 'queue') return;
    const ignored = [
      ...(t.maxBatchingWindowSeconds === undefined ? [] : ['maxBatchingWindow (no batching window)']),
      ...(t.startFrom === 'earliest' ? ['startFrom: earliest (it reads new messages)'] : []),
    ];
    if (ignored.length)
      issues.push({
        severity: 'warning',
        feature: 'trigger.queue',
        path: `triggers[${index}].queue`,
        message: `FunctionGraph's Kafka trigger has no setting for ${ignored.join(' or ')}; ignored`,
      });
  });
  const isImage = fn.source.kind === 'image';
  const http = fn.triggers.filter((t) => t.kind === 'http');
  const exposure = httpExposure(provider, target);
  if (http.length && exposure.kind !== 'url' && !provider.apigGroupId) {
    const gateway =
      exposure.kind === 'dedicated' ? `dedicated gateway ${exposure.instanceId}` : 'shared gateway';
    issues.push({
      severity: 'error',
      feature: 'provider-options',
      path: 'providers.functiongraph.apigGroupId',
      message: `an http trigger on the ${gateway} is published as an APIG API, which needs the API group: providers.functiongraph.apigGroupId is not set`,
      hint: 'Create an API group in the gateway and set providers: { functiongraph: { apigGroupId: "<group id>" } }, or drop apigInstanceId / apigShared to get a function URL.',
    });
  }
  if (exposure.kind === 'url') {
    if (http.length && provider.apigGroupId) {
      issues.push({
        severity: 'warning',
        feature: 'trigger.http',
        path: 'providers.functiongraph.apigGroupId',
        message: `apigGroupId ${provider.apigGroupId} is not used: the http trigger is a function URL, and a gateway API from an earlier deploy is replaced by it`,
        hint: 'Set apigInstanceId (a dedicated gateway) or apigShared: true (the shared gateway) to publish it as an API in that group.',
      });
    }
    if (http.length > 1) {
      issues.push({
        severity: 'error',
        feature: 'trigger.http',
        path: 'triggers',
        message: `${http.length} http triggers, but a function has one function URL`,
        hint: 'Keep one http trigger, or publish them as APIs on a dedicated gateway (apigInstanceId).',
      });
    }
    if (http.some((t) => t.auth === 'function')) {
      issues.push({
        severity: 'error',
        feature: 'trigger.http.private',
        path: 'triggers',
        message: 'auth: function needs APIG app authentication, which a function URL does not have',
        hint: 'Use auth: private (IAM-signed calls) or anonymous, or set apigInstanceId to publish the trigger on a dedicated gateway.',
      });
    }
    const restricted = http.find((t) => t.methods.length < 7);
    if (restricted) {
      issues.push({
        severity: 'warning',
        feature: 'trigger.http',
        path: 'triggers',
        message: `a function URL answers every method; methods ${restricted.methods.join(', ')} are not enforced by FunctionGraph`,
      });
    }
  }
  if (!isImage && fn.contract !== 'native' && !fn.runtime.startsWith('nodejs')) {
    issues.push({
      severity: 'error',
      feature: 'contract',
      path: 'contract',
      message: `the ${fn.contract} contract runs through a Node.js shim, so it needs a nodejs runtime (runtime is ${JSON.stringify(fn.runtime)})`,
      hint: 'Use runtime nodejs20, or contract: native with a FunctionGraph handler.',
    });
  }
  if (!isImage && fn.runtime === 'nodejs22') {
    // Huawei's Chinese runtime table lists Node.js 22.18; the international one still stops at 20.15.
    issues.push({
      severity: 'warning',
      feature: 'runtime',
      path: 'runtime',
      message:
        "nodejs22 deploys as Node.js22.18, which Huawei's runtime table lists for the Chinese site's regions but its international table does not yet",
      hint: 'If CreateFunction refuses the runtime in your region, use runtime nodejs20 (Node.js20.15).',
    });
  }
  if (fn.source.kind === 'bucket' && fn.contract !== 'native') {
    issues.push({
      severity: 'error',
      feature: 'contract',
      path: 'contract',
      message: `an OBS bucket source is deployed as-is, so the ${fn.contract} contract's shim cannot be added`,
      hint: 'Use contract: native with a FunctionGraph handler, or a dir / archive source.',
    });
  }
  if (fn.runtime === 'custom' && !isImage && fn.contract !== 'native') {
    issues.push({
      severity: 'error',
      feature: 'contract',
      path: 'contract',
      message:
        'runtime custom deploys an HTTP function (a bootstrap file serving port 8000); set contract: native',
    });
  }
  if (fn.source.kind === 'image') {
    const image = fn.source;
    if (image.port !== 8000) {
      issues.push({
        severity: 'warning',
        feature: 'source.image',
        path: 'source.image.port',
        message: `FunctionGraph sends requests to port 8000; the image must listen there (source.image.port ${image.port} is not used)`,
      });
    }
    for (const [field, list] of [
      ['command', image.command],
      ['args', image.args],
    ] as const) {
      if (list?.some((part) => part.includes(','))) {
        issues.push({
          severity: 'error',
          feature: 'source.image',
          path: `source.image.${field}`,
          message: `FunctionGraph takes ${field} as one comma-separated string, so no part may contain ","`,
        });
      }
    }
    const joined = [image.command?.join(','), image.args?.join(','), image.workdir]
      .filter(Boolean)
      .join('').length;
    if (joined > 5120) {
      issues.push({
        severity: 'error',
        feature: 'source.image',
        path: 'source.image',
        message: `command, args and workdir take ${joined} characters`,
        actual: joined,
        allowed: 'at most 5120 characters together',
      });
    }
    if (image.user && /^0(:|$)/.test(image.user)) {
      issues.push({
        severity: 'error',
        feature: 'source.image',
        path: 'source.image.user',
        message: 'FunctionGraph never runs images as root (uid 0)',
        actual: image.user,
        allowed: 'a uid other than 0 (default 1003)',
      });
    }
  }
  if (fn.resources.cpu !== undefined) {
    issues.push({
      severity: 'warning',
      feature: 'resources.cpu',
      path: 'resources.cpu',
      message: `FunctionGraph sizes CPU from memory; resources.cpu ${fn.resources.cpu} is not applied (raise resources.memory for more CPU)`,
    });
  }
  if (fn.resources.disk !== undefined) {
    issues.push({
      severity: 'warning',
      feature: 'resources.disk',
      path: 'resources.disk',
      message: `resources.disk ${fn.resources.disk} is not applied; FunctionGraph functions get its default ephemeral storage`,
    });
  }
  const envKeys = Object.keys(fn.env);
  if (envKeys.length > userDataLimits.keys) {
    issues.push({
      severity: 'error',
      feature: 'env',
      path: 'env',
      message: `${envKeys.length} environment variables`,
      actual: envKeys.length,
      allowed: `at most ${userDataLimits.keys} variables (user_data)`,
    });
  }
  const envBytes = Buffer.byteLength(canonicalJson(fn.env));
  if (envBytes > userDataLimits.bytes) {
    issues.push({
      severity: 'error',
      feature: 'env',
      path: 'env',
      message: `the environment takes ${envBytes} bytes as JSON`,
      actual: envBytes,
      allowed: `at most ${userDataLimits.bytes} bytes (user_data)`,
    });
  }
  if (Object.keys(fn.secrets).length > userDataLimits.keys) {
    issues.push({
      severity: 'error',
      feature: 'secrets',
      path: 'secrets',
      message: `${Object.keys(fn.secrets).length} secrets`,
      actual: Object.keys(fn.secrets).length,
      allowed: `at most ${userDataLimits.keys} secrets (encrypted_user_data)`,
    });
  }
  if (fn.scaling.max > 1000) {
    issues.push({
      severity: 'error',
      feature: 'scaling.max',
      path: 'scaling.max',
      message: `max instances ${fn.scaling.max}`,
      actual: fn.scaling.max,
      allowed: '1-1000 instances',
    });
  }
  if (fn.scaling.min > 1000) {
    issues.push({
      severity: 'error',
      feature: 'scaling.min',
      path: 'scaling.min',
      message: `reserved instances ${fn.scaling.min}`,
      actual: fn.scaling.min,
      allowed: '0-1000 reserved instances',
    });
  }
  for (const t of fn.traffic) {
    if (t.tag && (t.tag === mainAlias || !/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(t.tag))) {
      issues.push({
        severity: 'error',
        feature: 'traffic.tags',
        path: 'traffic',
        message: `tag ${JSON.stringify(t.tag)} cannot be a FunctionGraph alias (start with a letter; "${mainAlias}" is the alias faasport routes through)`,
      });
    }
  }
  for (const t of fn.triggers) {
    if (t.kind === 'schedule') {
      try {
        toFunctionGraphSchedule(t.cron, t.timezone);
      } catch (error) {
        issues.push({
          severity: 'error',
          feature: 'trigger.schedule',
          path: 'triggers',
          message: `schedule ${JSON.stringify(t.cron)} in ${t.timezone}: ${(error as Error).message}`,
          hint: 'Use a 5-field cron and an IANA time zone such as Asia/Shanghai.',
        });
      }
    }
    if (t.kind === 'http' && exposure.kind !== 'url' && t.methods.length > 1 && t.methods.length < 7) {
      issues.push({
        severity: 'warning',
        feature: 'trigger.http',
        path: 'triggers',
        message: `an APIG API takes one method or ANY; methods ${t.methods.join(', ')} are published as ANY`,
      });
    }
  }
  return issues;
}
