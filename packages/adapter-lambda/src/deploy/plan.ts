/** Planning: the steps that make a live Lambda function match the desired state. */
import {
  canonicalJson,
  type DesiredState,
  type FieldChange,
  type LiveFunction,
  type Step,
} from '@faasport/core';
import { versionPublishSteps } from '@faasport/core/toolkit';
import { providerOptions } from './capabilities';
import { defaultMaxScale } from './check';
import {
  comparableConfig,
  deployedCode,
  managedConfig,
  parseDescription,
  parseVersionDescription,
  secretsTag,
} from './code';
import { type LambdaApi, type LambdaLive, mainAlias } from './context';
import { labelOf } from './live';
import { desiredNotifications, entryOf, managedEntries, sameEntries } from './storage';
import { desiredMappings, desiredSchedules, sameMapping, sameSchedule } from './triggers';

/** The function URL faasport wants on the main alias (CreateFunctionUrlConfig's fields), if any. */
export function desiredUrl(
  desired: DesiredState,
): { AuthType: 'NONE' | 'AWS_IAM'; Cors?: Record<string, unknown> } | undefined {
  const http = desired.fn.triggers.find((t) => t.kind === 'http');
  if (http?.kind !== 'http') return undefined;
  const cors = providerOptions(desired.fn).cors;
  return {
    AuthType: http.auth === 'anonymous' ? 'NONE' : 'AWS_IAM',
    ...(cors
      ? {
          Cors: {
            AllowOrigins: cors.allowOrigins,
            AllowMethods: http.methods.length >= 7 ? ['*'] : http.methods,
            ...(cors.allowHeaders ? { AllowHeaders: cors.allowHeaders } : {}),
            ...(cors.exposeHeaders ? { ExposeHeaders: cors.exposeHeaders } : {}),
            ...(cors.allowCredentials !== undefined ? { AllowCredentials: cors.allowCredentials } : {}),
            ...(cors.maxAge !== undefined ? { MaxAge: cors.maxAge } : {}),
          },
        }
      : {}),
  };
}

/** Reserved concurrency faasport wants: `scaling.max` unless it is the model's default. */
export const desiredReserved = (desired: DesiredState) =>
  desired.fn.scaling.max === defaultMaxScale ? undefined : desired.fn.scaling.max;

/** The managed configuration fields that differ between live and desired (secret values never shown). */
export function configChanges(api: LambdaApi, desired: DesiredState, raw: LambdaLive): FieldChange[] {
  const want = comparableConfig(managedConfig(desired, api.o.role, 'values'));
  const have = comparableConfig(raw.config as Record<string, unknown>);
  const secretKeys = new Set(Object.keys(desired.fn.secrets));
  const changes: FieldChange[] = [];
  for (const key of Object.keys(want)) {
    if (key === 'Environment') continue;
    if (canonicalJson(want[key] ?? null) !== canonicalJson(have[key] ?? null))
      changes.push({ path: key, from: have[key], to: want[key] });
  }
  const wantVars = (want.Environment as { Variables: Record<string, string> }).Variables;
  const haveVars = (have.Environment as { Variables: Record<string, string> }).Variables;
  const liveSecrets = new Set((raw.tags[secretsTag] ?? '').split(',').filter(Boolean));
  const plain = (vars: Record<string, string>, secret: Set<string>) =>
    Object.fromEntries(Object.entries(vars).filter(([k]) => !secret.has(k)));
  if (canonicalJson(plain(haveVars, liveSecrets)) !== canonicalJson(plain(wantVars, secretKeys)))
    changes.push({ path: 'env', from: plain(haveVars, liveSecrets), to: desired.fn.env });
  // Secret names only; a changed value shows as a new revision hash.
  const names = (s: Set<string>) => [...s].sort();
  if (canonicalJson(names(liveSecrets)) !== canonicalJson(names(secretKeys)))
    changes.push({ path: 'secrets', from: names(liveSecrets), to: names(secretKeys) });
  const marker = parseDescription(raw.config.Description);
  if ((marker.user ?? '') !== (desired.fn.description ?? ''))
    changes.push({ path: 'description', from: marker.user, to: desired.fn.description });
  if (marker.marker?.r !== desired.revisionHash.slice(0, 32))
    changes.push({ path: 'revisionHash', from: marker.marker?.r, to: desired.revisionHash.slice(0, 32) });
  if (marker.marker?.s !== desired.specHash.slice(0, 32))
    changes.push({ path: 'specHash', from: marker.marker?.s, to: desired.specHash.slice(0, 32) });
  return changes;
}

/** Whether the live code is the desired code (CodeSha256 for zips, the image URI, the revision hash for S3). */
function codeMatches(desired: DesiredState, raw: LambdaLive): boolean {
  const code = deployedCode(desired);
  if (code.kind === 'zip') return raw.config.CodeSha256 === code.sha256;
  if (code.kind === 'image')
    return desired.fn.source.kind === 'image' && raw.code.imageUri === desired.fn.source.ref;
  // S3 code cannot be compared without downloading it: the revision hash covers its bucket and key.
  return parseDescription(raw.config.Description).marker?.r === desired.revisionHash.slice(0, 32);
}

/** The steps that make the live function match the desired state; none when nothing changed. */
export function plan(api: LambdaApi, desired: DesiredState, live: LiveFunction | undefined): Step[] {
  const fn = desired.fn;
  const raw = live?.raw as LambdaLive | undefined;
  const code = deployedCode(desired);
  const steps: Step[] = [];
  if (!raw) {
    const config = managedConfig(desired, api.o.role, 'references');
    steps.push({
      id: 'function',
      action: 'create',
      resource: `function ${fn.name}`,
      summary: `create Lambda function ${fn.name} (${String(config.Runtime ?? 'image')}, ${fn.resources.memory} MB, ${fn.resources.timeout} s)`,
      changes: [
        {
          path: 'function',
          to: {
            runtime: config.Runtime ?? 'image',
            memory: fn.resources.memory,
            timeout: fn.resources.timeout,
            code: code.hash.slice(0, 12),
          },
        },
      ],
      phase: 'revision',
    });
  } else {
    if (!codeMatches(desired, raw))
      steps.push({
        id: 'code',
        action: 'update',
        resource: `function ${fn.name} code`,
        summary: `upload code of ${fn.name} (${code.kind === 'zip' ? `${code.zip!.length} bytes` : code.kind})`,
        changes: [{ path: 'code', from: raw.config.CodeSha256, to: code.sha256 ?? code.hash.slice(0, 16) }],
        phase: 'revision',
      });
    const changes = configChanges(api, desired, raw);
    if (changes.length)
      steps.push({
        id: 'config',
        action: 'update',
        resource: `function ${fn.name} configuration`,
        summary: `update configuration of ${fn.name} (${changes.map((c) => c.path).join(', ')})`,
        changes,
        phase: 'revision',
      });
  }
  const existing = raw?.versions.find((v) => labelOf(v) === desired.revisionLabel);
  steps.push(
    ...versionPublishSteps({
      functionName: fn.name,
      revisionLabel: desired.revisionLabel,
      revisionHash: desired.revisionHash,
      ...(existing
        ? {
            existing: {
              name: existing.Version ?? '',
              revisionHash: parseVersionDescription(existing.Description)?.revisionHash,
            },
          }
        : {}),
      platform: 'Lambda',
      adapter: 'lambda',
    }),
  );
  const reserved = desiredReserved(desired);
  if (raw?.reserved !== reserved && !(raw === undefined && reserved === undefined))
    steps.push({
      id: 'reserved',
      action: reserved === undefined ? 'delete' : 'update',
      resource: `function ${fn.name} reserved concurrency`,
      summary:
        reserved === undefined
          ? `remove the reserved concurrency of ${fn.name}`
          : `reserve ${reserved} concurrent executions for ${fn.name}`,
      changes: [{ path: 'scaling.max', from: raw?.reserved, to: reserved }],
      phase: 'revision',
    });
  const url = desiredUrl(desired);
  const haveUrl = raw?.url
    ? { AuthType: raw.url.AuthType, ...(raw.url.Cors ? { Cors: raw.url.Cors } : {}) }
    : undefined;
  const urlKey = (u: typeof haveUrl | typeof url) =>
    u ? canonicalJson({ AuthType: u.AuthType, Cors: normaliseCors(u.Cors) }) : 'none';
  if (urlKey(haveUrl) !== urlKey(url)) {
    const action = !haveUrl ? 'create' : !url ? 'delete' : 'update';
    steps.push({
      id: `url:${action}`,
      action,
      resource: `function URL of ${fn.name}`,
      summary: `${action} the function URL of ${fn.name}${url ? ` (auth ${url.AuthType})` : ''}`,
      changes: [{ path: 'functionUrl', ...(haveUrl ? { from: haveUrl } : {}), ...(url ? { to: url } : {}) }],
      phase: 'finalize',
    });
  }
  const provisioned = fn.scaling.min;
  if ((raw?.provisioned ?? 0) !== provisioned && !(raw && raw.provisioned === undefined && provisioned === 0))
    steps.push({
      id: 'provisioned',
      action: provisioned ? 'update' : 'delete',
      resource: `alias ${mainAlias} provisioned concurrency`,
      summary: provisioned
        ? `provision ${provisioned} concurrent executions on ${fn.name}:${mainAlias}`
        : `remove the provisioned concurrency of ${fn.name}:${mainAlias}`,
      changes: [{ path: 'scaling.min', from: raw?.provisioned ?? 0, to: provisioned }],
      phase: 'finalize',
    });
  const suffix = `:function:${fn.name}:${mainAlias}`;
  const liveSchedules = raw?.schedules ?? [];
  const wantSchedules = desiredSchedules(fn, api.o);
  for (const want of wantSchedules) {
    const have = liveSchedules.find((s) => s.Name === want.Name);
    if (have && sameSchedule(have, want, suffix)) continue;
    steps.push({
      id: `schedule:${want.Name}`,
      action: have ? 'update' : 'create',
      resource: `schedule ${want.Name}`,
      summary: `${have ? 'update' : 'create'} EventBridge schedule ${want.Name} (${want.ScheduleExpression} ${want.ScheduleExpressionTimezone})`,
      changes: [
        {
          path: `triggers.${want.Name}`,
          ...(have
            ? {
                from: {
                  ScheduleExpression: have.ScheduleExpression,
                  ScheduleExpressionTimezone: have.ScheduleExpressionTimezone,
                  State: have.State,
                },
              }
            : {}),
          to: {
            ScheduleExpression: want.ScheduleExpression,
            ScheduleExpressionTimezone: want.ScheduleExpressionTimezone,
            State: want.State,
          },
        },
      ],
      phase: 'finalize',
      data: { name: want.Name, exists: Boolean(have) },
    });
  }
  for (const have of liveSchedules)
    if (!wantSchedules.some((w) => w.Name === have.Name))
      steps.push({
        id: `schedule-delete:${have.Name}`,
        action: 'delete',
        resource: `schedule ${have.Name}`,
        summary: `delete EventBridge schedule ${have.Name}`,
        changes: [{ path: `triggers.${have.Name}`, from: { ScheduleExpression: have.ScheduleExpression } }],
        phase: 'finalize',
        data: { name: have.Name },
      });
  const liveMappings = raw?.mappings ?? [];
  const wantMappings = desiredMappings(fn, api.o);
  const kept = new Set<string>();
  for (const want of wantMappings) {
    const have = liveMappings.find((m) => m.EventSourceArn === want.EventSourceArn);
    if (have) kept.add(have.UUID!);
    if (have && sameMapping(have, want)) continue;
    steps.push({
      id: `queue:${want.topic}`,
      action: have ? 'update' : 'create',
      resource: `event source mapping ${want.topic}`,
      summary: `${have ? 'update' : 'create'} the SQS event source mapping of ${want.EventSourceArn} (batch ${want.BatchSize})`,
      changes: [
        {
          path: `triggers.queue.${want.topic}`,
          ...(have ? { from: { BatchSize: have.BatchSize } } : {}),
          to: { EventSourceArn: want.EventSourceArn, BatchSize: want.BatchSize },
        },
      ],
      phase: 'finalize',
      data: { topic: want.topic, ...(have ? { uuid: have.UUID } : {}) },
    });
  }
  for (const have of liveMappings)
    if (!kept.has(have.UUID!))
      steps.push({
        id: `queue-delete:${have.UUID}`,
        action: 'delete',
        resource: `event source mapping ${have.UUID}`,
        summary: `delete the event source mapping of ${have.EventSourceArn}`,
        changes: [{ path: 'triggers.queue', from: { EventSourceArn: have.EventSourceArn } }],
        phase: 'finalize',
        data: { uuid: have.UUID },
      });
  steps.push(...storageSteps(desired, raw));
  return steps;
}

/**
 * One step per bucket whose notification entries (or invoke permission) for the main alias differ: the
 * buckets of the storage triggers, and those faasport configured before (read from the policy).
 */
function storageSteps(desired: DesiredState, raw: LambdaLive | undefined): Step[] {
  const fn = desired.fn;
  const want = desiredNotifications(fn);
  const aliasArn = raw ? `${raw.config.FunctionArn}:${mainAlias}` : '';
  const live = new Map((raw?.storage ?? []).map((b) => [b.bucket, b]));
  const steps: Step[] = [];
  for (const bucket of [...new Set([...want.keys(), ...live.keys()])].sort()) {
    const wanted = want.get(bucket) ?? [];
    const have = live.get(bucket);
    const ours = have ? managedEntries(have, aliasArn) : [];
    if (!wanted.length && !ours.length && !have?.permission) continue;
    if (wanted.length && have?.permission && sameEntries(ours, wanted)) continue;
    const action = !wanted.length ? 'delete' : ours.length ? 'update' : 'create';
    const show = (entries: Array<{ Id: string; Events: string[]; rules: Record<string, string> }>) =>
      entries.map((e) => ({ id: e.Id, events: e.Events, ...e.rules }));
    steps.push({
      id: `storage:${bucket}`,
      action,
      resource: `notifications of S3 bucket ${bucket}`,
      summary:
        action === 'delete'
          ? `remove the notifications of bucket ${bucket} that invoke ${fn.name}:${mainAlias}, and S3's permission`
          : `${action} ${wanted.length} notification(s) of bucket ${bucket} invoking ${fn.name}:${mainAlias} (${wanted.map((w) => w.Events.join('+')).join(', ')})${have?.permission ? '' : ', and let S3 invoke it'}`,
      changes: [
        {
          path: `triggers.storage.${bucket}`,
          ...(ours.length ? { from: show(ours.map(entryOf)) } : {}),
          ...(wanted.length ? { to: show(wanted) } : {}),
        },
      ],
      phase: 'finalize',
      data: { bucket, addPermission: !have?.permission },
    });
  }
  return steps;
}

/** CORS with sorted lists and no empty fields, so live and desired compare equal when they mean the same. */
function normaliseCors(cors: object | undefined): Record<string, unknown> | null {
  if (!cors) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cors)) {
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = Array.isArray(v) ? [...v].sort() : v;
  }
  return Object.keys(out).length ? out : null;
}
