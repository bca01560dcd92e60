import { crc64, markers, maskSecrets } from '@faasport/adapter-fc';
import {
  builtinDefaults,
  canonicalJson,
  type DesiredState,
  type FieldChange,
  type LiveFunction,
  type Step,
  ValidationError,
} from '@faasport/core';
import type { Fc3LiveState } from './live';
import { codeOf, type Fc3Context, functionConfigOf, mainAlias, triggerBodyOf } from './mapping';

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The live value in the shape of the wanted one: FC answers with fields of its own (defaults, newer API
 * fields, `resolvedImageUri`), which are not changes. Environment variables are compared whole.
 */
function projectOnto(wanted: unknown, live: unknown): unknown {
  if (!isPlainObject(wanted) || !isPlainObject(live)) return live;
  return Object.fromEntries(
    Object.keys(wanted)
      .filter((k) => live[k] !== undefined)
      .map((k) => [k, projectOnto(wanted[k], live[k])]),
  );
}

/** Field changes between two flat objects; values of `masked` keys are never shown. */
function fieldChanges(
  prefix: string,
  from: Record<string, unknown>,
  to: Record<string, unknown>,
  masked: ReadonlySet<string> = new Set(),
): FieldChange[] {
  const out: FieldChange[] = [];
  for (const key of [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()) {
    if (same(from[key], to[key])) continue;
    out.push(
      masked.has(key)
        ? { path: `${prefix}${key}` }
        : { path: `${prefix}${key}`, from: from[key], to: to[key] },
    );
  }
  return out;
}

/** The reserved concurrency for `scaling.max`: instances × requests per instance; undefined when not set. */
export function reservedConcurrencyOf(desired: DesiredState): number | undefined {
  const { max, concurrency } = desired.fn.scaling;
  return max === builtinDefaults.scaling.max ? undefined : max * Math.max(1, concurrency);
}

/**
 * `scaling.min` as the main alias's scaling config (`minInstances`, PutScalingConfig), which FC 3.0's
 * API reference documents for the minimum number of instances; 0 removes the config. A provision config
 * on the alias is what earlier faasport versions wrote for `scaling.min`: it is deleted, after the scaling
 * config is written, so the function keeps its warm instances across the move.
 */
function minInstancesSteps(name: string, min: number, live: Fc3LiveState | undefined): Step[] {
  const steps: Step[] = [];
  const current = live?.minInstances;
  if (min > 0 ? current !== min : current !== undefined)
    steps.push({
      id: 'scaling',
      action: min > 0 ? 'update' : 'delete',
      resource: `scaling config ${mainAlias}`,
      phase: 'finalize',
      summary:
        min > 0
          ? `keep ${min} instance${min === 1 ? '' : 's'} of ${name} ready (minInstances of alias ${mainAlias})`
          : `remove the scaling config of alias ${mainAlias} of ${name} (scaling.min 0)`,
      changes: [{ path: 'scaling.min', from: current ?? 0, to: min }],
      data: min > 0 ? { minInstances: min } : {},
    });
  const provisioned = live?.provisionTarget ?? 0;
  if (provisioned > 0)
    steps.push({
      id: 'provision',
      action: 'delete',
      resource: `provision config ${mainAlias}`,
      phase: 'finalize',
      summary: `delete the provision config of alias ${mainAlias} of ${name} (target ${provisioned}), which an earlier faasport version wrote for scaling.min: the scaling config's minInstances holds it now`,
      changes: [{ path: `provisionConfig.${mainAlias}.target`, from: provisioned }],
    });
  return steps;
}

/**
 * The steps that make FC 3.0 match the desired function, without the traffic step. Pure: it compares
 * the desired bodies with what read() found, field by field, and the code by its CRC-64 checksum (FC's
 * `codeChecksum`), so an unchanged re-deploy plans nothing. Step data never holds secret values.
 */
export function planSteps(
  desired: DesiredState,
  liveFunction: LiveFunction | undefined,
  ctx: Fc3Context,
): Step[] {
  const live = liveFunction?.raw as Fc3LiveState | undefined;
  const fn = desired.fn;
  const steps: Step[] = [];
  const secretKeys = new Set(Object.keys(fn.secrets));
  const config = functionConfigOf(desired, ctx);
  const fields = {
    ...config,
    environmentVariables: maskSecrets(config.environmentVariables as Record<string, string>, [...secretKeys]),
  };
  const code = codeOf(desired);
  const desiredChecksum = code?.zipFile ? crc64(Buffer.from(code.zipFile, 'base64')) : undefined;
  if (!live) {
    steps.push({
      id: 'function',
      action: 'create',
      resource: `function ${fn.name}`,
      phase: 'revision',
      summary: `create FC 3.0 function ${fn.name} (${String(config.runtime)}, ${fn.resources.memory} MB)`,
      changes: [],
      data: { code: true },
    });
  } else {
    const changes: FieldChange[] = [];
    const liveFields = Object.fromEntries(
      Object.keys(fields).map((k) => [
        k,
        k === 'environmentVariables' ? live.fn[k] : projectOnto(fields[k as keyof typeof fields], live.fn[k]),
      ]),
    );
    for (const change of fieldChanges('function.', liveFields, fields)) {
      if (change.path === 'function.environmentVariables')
        changes.push(
          ...fieldChanges(
            'env.',
            (live.fn.environmentVariables ?? {}) as Record<string, unknown>,
            fields.environmentVariables,
            secretKeys,
          ),
        );
      else changes.push(change);
    }
    const marker = markers.parseFn(live.fn.description);
    const codeChanged =
      fn.source.kind !== 'image' &&
      (desiredChecksum !== undefined
        ? desiredChecksum !== live.fn.codeChecksum
        : marker.rev !== desired.revisionHash.slice(0, 32));
    if (codeChanged)
      changes.push({
        path: 'code',
        from: live.fn.codeChecksum,
        to: desiredChecksum ?? desired.artifact.codeHash,
      });
    if (changes.length)
      steps.push({
        id: 'function',
        action: 'update',
        resource: `function ${fn.name}`,
        phase: 'revision',
        summary: `update FC 3.0 function ${fn.name} (${changes.map((c) => c.path).join(', ')})`,
        changes,
        data: { code: codeChanged },
      });
  }

  const existing = live?.versions.filter((v) => v.label === desired.revisionLabel) ?? [];
  if (existing.length && !existing.some((v) => v.hash === desired.revisionHash))
    throw new ValidationError(
      [
        {
          path: 'revision',
          message: `${JSON.stringify(desired.revisionLabel)} is already the label of FC version ${existing[0]!.versionId} of "${fn.name}", which has other code or configuration; choose a new label (or leave revision out to get an automatic one)`,
          rule: 'revision-label',
        },
      ],
      { subject: `function "${fn.name}"`, adapter: 'fc3' },
    );
  if (!existing.length)
    steps.push({
      id: 'version',
      action: 'publish',
      resource: `version ${desired.revisionLabel}`,
      phase: 'revision',
      summary: `publish FC 3.0 version for revision ${desired.revisionLabel}`,
      changes: [{ path: 'revision', to: desired.revisionLabel }],
    });

  const liveTriggers = new Map((live?.triggers ?? []).map((t) => [t.triggerName, t]));
  for (const trigger of fn.triggers) {
    const body = triggerBodyOf(trigger, fn, ctx);
    const current = liveTriggers.get(trigger.name);
    liveTriggers.delete(trigger.name);
    const wanted = {
      qualifier: body.qualifier,
      triggerConfig: body.triggerConfig,
      sourceArn: body.sourceArn,
      invocationRole: body.invocationRole,
    };
    const changes = current
      ? fieldChanges(
          `triggers.${trigger.name}.`,
          {
            qualifier: current.qualifier,
            triggerConfig: projectOnto(body.triggerConfig, current.triggerConfig),
            sourceArn: current.sourceArn || undefined,
            invocationRole: current.invocationRole || undefined,
          },
          wanted,
        )
      : [];
    // FC cannot change a trigger's type or source: those are replaced.
    const replace =
      current &&
      (current.triggerType !== body.triggerType || changes.some((c) => c.path.endsWith('.sourceArn')));
    if (current && replace)
      steps.push({
        id: `trigger:${trigger.name}:replace`,
        action: 'delete',
        resource: `trigger ${trigger.name}`,
        phase: 'finalize',
        summary: `delete FC 3.0 ${current.triggerType} trigger ${trigger.name} (its type or source changes)`,
        changes: [
          { path: `triggers.${trigger.name}.triggerType`, from: current.triggerType, to: body.triggerType },
        ],
        data: { name: trigger.name },
      });
    if (!current || replace)
      steps.push({
        id: `trigger:${trigger.name}`,
        action: 'create',
        resource: `trigger ${trigger.name}`,
        phase: 'finalize',
        summary: `create FC 3.0 ${body.triggerType} trigger ${trigger.name}`,
        changes: [],
        data: { name: trigger.name, body },
      });
    else if (changes.length) {
      const { triggerName: _t, triggerType: _y, sourceArn: _s, ...update } = body;
      steps.push({
        id: `trigger:${trigger.name}`,
        action: 'update',
        resource: `trigger ${trigger.name}`,
        phase: 'finalize',
        summary: `update FC 3.0 trigger ${trigger.name} (${changes.map((c) => c.path).join(', ')})`,
        changes,
        data: { name: trigger.name, body: update },
      });
    }
  }
  for (const [name, t] of liveTriggers)
    steps.push({
      id: `trigger:${name}`,
      action: 'delete',
      resource: `trigger ${name}`,
      phase: 'finalize',
      summary: `delete FC 3.0 ${t.triggerType} trigger ${name}`,
      changes: [{ path: `triggers.${name}`, from: t.triggerType }],
      data: { name },
    });

  steps.push(...minInstancesSteps(fn.name, fn.scaling.min, live));

  const reserved = reservedConcurrencyOf(desired);
  if (live?.reservedConcurrency !== reserved)
    steps.push({
      id: 'concurrency',
      action: reserved === undefined ? 'delete' : 'update',
      resource: `concurrency config ${fn.name}`,
      phase: 'finalize',
      summary:
        reserved === undefined
          ? `remove the reserved concurrency of ${fn.name}`
          : `reserve ${reserved} concurrent requests for ${fn.name} (scaling.max ${fn.scaling.max})`,
      changes: [{ path: 'scaling.max', from: live?.reservedConcurrency, to: reserved }],
      data: reserved === undefined ? {} : { reservedConcurrency: reserved },
    });
  return steps;
}
