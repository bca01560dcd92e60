/** Rendering the FunctionGraph request bodies of a deploy, offline. */
import type { DesiredState, Manifest } from '@faasport/core';
import { twoVersionSplit } from '@faasport/core/toolkit';
import { functionGraphSplitLimit, providerOptions } from './capabilities';
import type { FgContext } from './context';
import {
  aliasDescription,
  codeFields,
  mainAlias,
  managedConfig,
  strategyConfig,
  versionDescription,
} from './function-body';
import { desiredFunctionUrl } from './http';
import { desiredTriggers } from './triggers';

/** The request bodies of a deploy as JSON manifests; secret values appear as references. */
export function render(fg: FgContext, desired: DesiredState): Manifest[] {
  const fn = desired.fn;
  const base = `/v2/${fg.o.projectId}/fgs`;
  const manifests: Manifest[] = [
    {
      name: `${fn.name}.create-function.json`,
      format: 'json',
      request: { method: 'POST', path: `${base}/functions` },
      content: {
        ...managedConfig(desired, fg.o.region, 'references'),
        package: fg.o.package,
        ...codeFields(desired, fg.o.region),
      },
    },
    {
      name: `${fn.name}.update-config.json`,
      format: 'json',
      request: { method: 'PUT', path: `${base}/functions/${fg.urn(fn.name, 'latest')}/config` },
      content: { ...managedConfig(desired, fg.o.region, 'references'), strategy_config: strategyConfig(fn) },
    },
    {
      name: `${fn.name}.publish-version.json`,
      format: 'json',
      request: { method: 'POST', path: `${base}/functions/${fg.urn(fn.name)}/versions` },
      content: { version: desired.revisionLabel, description: versionDescription(desired.revisionHash) },
    },
  ];
  if (desired.traffic.some((t) => t.percent > 0)) {
    const { main, additional } = twoVersionSplit(desired.traffic, {
      adapter: 'functiongraph',
      target: fg.o.target,
      functionName: fn.name,
      limit: functionGraphSplitLimit,
    });
    manifests.push({
      name: `${fn.name}.alias-${mainAlias}.json`,
      format: 'json',
      request: { method: 'POST', path: `${base}/functions/${fg.urn(fn.name)}/aliases` },
      content: {
        name: mainAlias,
        version: main,
        description: aliasDescription(),
        ...(additional ? { additional_version_weights: { [additional.label]: additional.weight } } : {}),
      },
    });
  }
  for (const t of desired.traffic.filter((e) => e.tag)) {
    manifests.push({
      name: `${fn.name}.alias-${t.tag}.json`,
      format: 'json',
      request: { method: 'POST', path: `${base}/functions/${fg.urn(fn.name)}/aliases` },
      content: { name: t.tag, version: t.revision, description: aliasDescription(t.tag) },
    });
  }
  const functionUrl = desiredFunctionUrl(fn, providerOptions(fn), fg.o);
  if (functionUrl) {
    manifests.push({
      name: `${fn.name}.function-url.json`,
      format: 'json',
      request: { method: 'POST', path: `${base}/functions/${fg.urn(fn.name, `!${mainAlias}`)}/function-url` },
      content: functionUrl,
    });
  }
  for (const t of desiredTriggers(fn, fg.o)) {
    manifests.push({
      name: `${fn.name}.trigger-${t.type.toLowerCase()}-${String(t.eventData.name ?? t.name)}.json`,
      format: 'json',
      request: { method: 'POST', path: `${base}/triggers/${fg.urn(fn.name, `!${mainAlias}`)}` },
      content: { trigger_type_code: t.type, trigger_status: t.status, event_data: t.eventData },
    });
  }
  if (fn.scaling.min > 0) {
    manifests.push({
      name: `${fn.name}.reserved-instances.json`,
      format: 'json',
      request: {
        method: 'PUT',
        path: `${base}/functions/${fg.urn(fn.name, `!${mainAlias}`)}/reservedinstances`,
      },
      content: { count: fn.scaling.min, idle_mode: false },
    });
  }
  return manifests;
}
