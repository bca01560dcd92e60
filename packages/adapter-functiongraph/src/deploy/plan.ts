/** Planning: the steps that make a live FunctionGraph function match the desired state. */
import {
  canonicalJson,
  type DesiredState,
  type FieldChange,
  type LiveFunction,
  type Step,
} from '@faasport/core';
import { fieldChanges, versionPublishSteps } from '@faasport/core/toolkit';
import { providerOptions, runtimeMap } from './capabilities';
import { type FgContext, type FgLive, type FgTrigger, parseEnv, stripEmpty } from './context';
import {
  deployedCode,
  mainAlias,
  managedConfig,
  parseDescription,
  revisionHashOfVersion,
  strategyConfig,
} from './function-body';
import { type DesiredFunctionUrl, desiredFunctionUrl } from './http';
import { type DesiredTrigger, desiredTriggers, sameTrigger, triggerKey } from './triggers';

/** The managed config fields that differ between live and desired (secret values never included). */
export function configChanges(fg: FgContext, desired: DesiredState, raw: FgLive): FieldChange[] {
  const want = managedConfig(desired, fg.o.region, 'references');
  const have = raw.config;
  // Absent and empty are the same here: FunctionGraph answers "" for an unset initializer or agency.
  const changes: FieldChange[] = fieldChanges(
    have as Record<string, unknown>,
    want as Record<string, unknown>,
    {
      keys: ['runtime', 'handler', 'memory_size', 'timeout', 'initializer_handler', 'xrole'],
      equal: (h, w, key) =>
        key === 'initializer_handler' || key === 'xrole' ? (w || '') === (h || '') : (w ?? '') === (h ?? ''),
    },
  );
  if (canonicalJson(parseEnv(have.user_data)) !== canonicalJson(desired.fn.env))
    changes.push({ path: 'env', from: parseEnv(have.user_data), to: desired.fn.env });
  const liveSecretKeys = Object.keys(parseEnv(have.encrypted_user_data)).sort();
  const wantSecretKeys = Object.keys(desired.fn.secrets).sort();
  // Secret names only; a changed secret value shows as a new revisionHash.
  if (canonicalJson(liveSecretKeys) !== canonicalJson(wantSecretKeys))
    changes.push({ path: 'secrets', from: liveSecretKeys, to: wantSecretKeys });
  if (
    want.custom_image &&
    canonicalJson(stripEmpty(have.custom_image ?? {})) !== canonicalJson(want.custom_image)
  ) {
    changes.push({ path: 'custom_image', from: have.custom_image, to: want.custom_image });
  }
  const strategy = strategyConfig(desired.fn);
  if (
    (have.strategy_config?.concurrency ?? -1) !== strategy.concurrency ||
    (have.strategy_config?.concurrent_num ?? 1) !== strategy.concurrent_num
  ) {
    changes.push({ path: 'strategy_config', from: have.strategy_config, to: strategy });
  }
  if (parseDescription(have.description).user !== (desired.fn.description || undefined))
    changes.push({
      path: 'description',
      from: parseDescription(have.description).user,
      to: desired.fn.description,
    });
  if (raw.marker?.r !== desired.revisionHash)
    changes.push({ path: 'revisionHash', from: raw.marker?.r, to: desired.revisionHash });
  if (raw.marker?.s !== desired.specHash)
    changes.push({ path: 'specHash', from: raw.marker?.s, to: desired.specHash });
  return changes;
}

/** The steps that make the live function match the desired state; none when nothing changed. */
export function plan(fg: FgContext, desired: DesiredState, live: LiveFunction | undefined): Step[] {
  const fn = desired.fn;
  const raw = live?.raw as FgLive | undefined;
  const code = deployedCode(desired, fg.o.region);
  const runtime = fn.source.kind === 'image' ? 'Custom Image' : runtimeMap[fn.runtime];
  const steps: Step[] = [];
  const triggers = desiredTriggers(fn, fg.o);
  if (!raw) {
    steps.push({
      id: 'function',
      action: 'create',
      resource: `function ${fn.name}`,
      summary: `create FunctionGraph function ${fn.name} (${runtime}, ${fn.resources.memory} MB, ${fn.resources.timeout} s)`,
      changes: [
        {
          path: 'function',
          to: {
            runtime,
            memory_size: fn.resources.memory,
            timeout: fn.resources.timeout,
            code: code.hash.slice(0, 12),
          },
        },
      ],
      phase: 'revision',
    });
    steps.push({
      id: 'scaling',
      action: 'update',
      resource: `function ${fn.name} strategy`,
      summary: `set max instances ${fn.scaling.max} and ${fn.scaling.concurrency} concurrent requests per instance`,
      changes: [{ path: 'strategy_config', to: strategyConfig(fn) }],
      phase: 'revision',
    });
  } else {
    if (raw.marker?.c !== code.hash.slice(0, 32) && code.code_type !== 'Custom-Image-Swr') {
      steps.push({
        id: 'code',
        action: 'update',
        resource: `function ${fn.name} code`,
        summary: `upload code of ${fn.name} (${code.code_type === 'obs' ? code.codeUrl : `${code.zip?.length ?? 0} bytes`})`,
        changes: [{ path: 'code', from: raw.marker?.c, to: code.hash.slice(0, 32) }],
        phase: 'revision',
      });
    }
    const changes = configChanges(fg, desired, raw);
    if (changes.length) {
      steps.push({
        id: 'config',
        action: 'update',
        resource: `function ${fn.name} config`,
        summary: `update configuration of ${fn.name} (${changes.map((c) => c.path).join(', ')})`,
        changes,
        phase: 'revision',
      });
    }
  }
  const existing = raw?.versions.find((v) => v.version === desired.revisionLabel);
  steps.push(
    ...versionPublishSteps({
      functionName: fn.name,
      revisionLabel: desired.revisionLabel,
      revisionHash: desired.revisionHash,
      ...(existing
        ? {
            existing: {
              name: desired.revisionLabel,
              revisionHash: revisionHashOfVersion(existing.version_description),
            },
          }
        : {}),
      platform: 'FunctionGraph',
      adapter: 'functiongraph',
    }),
  );
  const liveTriggers = raw?.triggers ?? [];
  const kept = new Set<string>();
  for (const want of triggers) {
    const match = liveTriggers.find((t) => triggerKey(t.trigger_type_code, t.event_data) === want.key);
    if (match && sameTrigger(match, want)) {
      kept.add(match.trigger_id);
      continue;
    }
    if (match) {
      kept.add(match.trigger_id);
      steps.push(triggerStep('delete', want.key, match, fn.name, 'replace'));
    }
    steps.push(triggerStep('create', want.key, want, fn.name));
  }
  for (const t of liveTriggers)
    if (!kept.has(t.trigger_id))
      steps.push(
        triggerStep('delete', triggerKey(t.trigger_type_code, t.event_data, t.trigger_id), t, fn.name),
      );
  const urlStep = functionUrlStep(
    fn.name,
    desiredFunctionUrl(fn, providerOptions(fn), fg.o),
    raw?.functionUrl,
  );
  if (urlStep) steps.push(urlStep);
  if ((raw?.reserved ?? 0) !== fn.scaling.min) {
    steps.push({
      id: 'reserved',
      action: 'update',
      resource: `alias ${mainAlias} reserved instances`,
      summary: `keep ${fn.scaling.min} reserved instances of ${fn.name}`,
      changes: [{ path: 'scaling.min', from: raw?.reserved ?? 0, to: fn.scaling.min }],
      phase: 'finalize',
    });
  }
  return steps;
}

/** A step that creates or deletes one trigger on the main alias. */
export function triggerStep(
  action: 'create' | 'delete',
  key: string,
  trigger: DesiredTrigger | FgTrigger,
  name: string,
  why?: string,
): Step {
  const type = 'type' in trigger ? trigger.type : trigger.trigger_type_code;
  return {
    id: `trigger-${action}:${key}`,
    action,
    resource: `trigger ${key}`,
    summary: `${action} ${type} trigger ${key.split('/')[1]} of ${name}${why ? ` (${why})` : ''}`,
    changes: [
      action === 'create'
        ? { path: `triggers.${key}`, to: (trigger as DesiredTrigger).eventData }
        : { path: `triggers.${key}`, from: (trigger as FgTrigger).event_data },
    ],
    phase: 'finalize',
    data: action === 'delete' ? { id: (trigger as FgTrigger).trigger_id, type } : { key },
  };
}

/** The step that creates, updates or deletes the main alias's function URL; none when it already matches. */
function functionUrlStep(
  name: string,
  want: DesiredFunctionUrl | undefined,
  have: FgLive['functionUrl'],
): Step | undefined {
  const haveBody = have
    ? { auth_type: have.auth_type, cors: { is_cors: have.cors?.is_cors ?? false } }
    : undefined;
  if (canonicalJson(haveBody ?? null) === canonicalJson(want ?? null)) return undefined;
  const action = !have ? 'create' : !want ? 'delete' : 'update';
  return {
    id: `function-url:${action}`,
    action,
    resource: `function URL of ${name}`,
    summary: `${action} the function URL of ${name}${want ? ` (auth ${want.auth_type})` : ''}`,
    changes: [
      { path: 'functionUrl', ...(haveBody ? { from: haveBody } : {}), ...(want ? { to: want } : {}) },
    ],
    phase: 'finalize',
  };
}
