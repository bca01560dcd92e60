import {
  canonicalJson,
  type DesiredState,
  type FieldChange,
  type LiveFunction,
  type Step,
  ValidationError,
} from '@faasport/core';
import { fieldChanges } from '@faasport/core/toolkit';
import { crc64 } from './crc64';
import type { FcLiveState } from './live';
import {
  codePackage,
  domainBodyOf,
  type FcNames,
  functionConfigOf,
  markers,
  maskSecrets,
  namesFor,
  providerOptions,
  serviceBodyOf,
  type TriggerContext,
  triggerBodyOf,
} from './mapping';

/** The account facts and target defaults the mapping needs. */
export type PlanContext = TriggerContext;

/** The names a desired function deploys to. */
export function desiredNames(desired: DesiredState): FcNames {
  return namesFor(desired.fn.name, providerOptions(desired.fn).service ?? desired.fn.name);
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** Field changes between two flat objects under `prefix`; values of `masked` keys are never shown. */
const diff = (
  prefix: string,
  from: Record<string, unknown>,
  to: Record<string, unknown>,
  masked: ReadonlySet<string> = new Set(),
): FieldChange[] => fieldChanges(from, to, { prefix, masked });

/**
 * The live trigger config reduced to what faasport sets: FC may answer with fields of its own
 * (e.g. newer API fields with defaults), which are not changes. A payload or filter set outside
 * faasport is kept, so that removing it shows as a change.
 */
function comparableConfig(
  wanted: Record<string, unknown>,
  live: Record<string, unknown>,
): Record<string, unknown> {
  const keys = new Set(Object.keys(wanted));
  if (live.payload) keys.add('payload');
  if (live.filter) keys.add('filter');
  return Object.fromEntries([...keys].filter((k) => live[k] !== undefined).map((k) => [k, live[k]]));
}

/** The live value of each function field faasport sets, in the shape of the desired body. */
function liveFunctionFields(live: FcLiveState, keys: string[]): Record<string, unknown> {
  const fn = live.fn as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    let value = fn[key];
    if (key === 'customContainerConfig' && value && typeof value === 'object') {
      const c = value as Record<string, unknown>;
      value = {
        image: c.image,
        ...(c.command ? { command: c.command } : {}),
        ...(c.args ? { args: c.args } : {}),
      };
    }
    if (key === 'initializer' && value === '') value = undefined;
    out[key] = value ?? undefined;
  }
  return out;
}

/**
 * The steps that make FC match the desired function, without the traffic step. Pure: it compares the
 * desired request bodies with what read() found, field by field, and the code by its CRC-64 checksum,
 * so a re-deploy of an unchanged function plans nothing. Step data never holds secret values.
 */
export function planSteps(
  desired: DesiredState,
  liveFunction: LiveFunction | undefined,
  ctx: PlanContext,
): Step[] {
  const live = liveFunction?.raw as FcLiveState | undefined;
  const fn = desired.fn;
  const names = desiredNames(desired);
  if (live && live.names.service !== names.service) {
    throw new ValidationError(
      [
        {
          path: 'providers.fc.service',
          message: `function "${fn.name}" lives in FC service "${live.names.service}", and this deploy asks for service "${names.service}"; FC cannot move a function between services`,
          rule: 'service-move',
        },
      ],
      {
        subject: `function "${fn.name}"`,
        adapter: 'fc',
        hint: `Set providers.fc.service back to "${live.names.service}", or remove the function first (faasport rm ${fn.name}) and deploy it again.`,
      },
    );
  }
  const steps: Step[] = [];
  const secretKeys = new Set(Object.keys(fn.secrets));

  // Service
  const serviceBody = serviceBodyOf(fn, names);
  if (!live) {
    steps.push({
      id: 'service',
      action: 'create',
      resource: `service ${names.service}`,
      phase: 'prepare',
      summary: `create FC service ${names.service}`,
      changes: [],
      data: { body: serviceBody },
    });
  } else {
    const { serviceName: _n, description: _d, ...wanted } = serviceBody;
    const changes = diff(
      'service.',
      Object.fromEntries(Object.keys(wanted).map((k) => [k, (live.service as Record<string, unknown>)[k]])),
      wanted,
    );
    if (changes.length) {
      steps.push({
        id: 'service',
        action: 'update',
        resource: `service ${names.service}`,
        phase: 'prepare',
        summary: `update FC service ${names.service} (${changes.map((c) => c.path).join(', ')})`,
        changes,
        data: { body: wanted, etag: live.service.etag },
      });
    }
  }

  // Function (the LATEST configuration and code)
  const config = functionConfigOf(desired);
  const { functionName: _fnName, ...rest } = config;
  // Compared as hashes: read() never holds secret values.
  const fields = {
    ...rest,
    environmentVariables: maskSecrets(
      rest.environmentVariables as Record<string, string>,
      Object.keys(fn.secrets),
    ),
  };
  const zip = codePackage(desired);
  const desiredChecksum = zip ? crc64(zip) : undefined;
  if (!live) {
    steps.push({
      id: 'function',
      action: 'create',
      resource: `function ${names.service}/${fn.name}`,
      phase: 'revision',
      summary: `create FC function ${fn.name} (${String(config.runtime)}, ${fn.resources.memory} MB)`,
      changes: [],
      data: { code: true },
    });
  } else {
    const wantedKeys = Object.keys(fields);
    const changes: FieldChange[] = [];
    for (const change of diff('function.', liveFunctionFields(live, wantedKeys), fields)) {
      if (change.path === 'function.environmentVariables') {
        changes.push(
          ...diff(
            'env.',
            (live.fn.environmentVariables ?? {}) as Record<string, unknown>,
            fields.environmentVariables as Record<string, unknown>,
            secretKeys,
          ),
        );
      } else changes.push(change);
    }
    const marker = markers.parseFn(live.fn.description);
    const codeChanged =
      desiredChecksum !== undefined
        ? desiredChecksum !== live.fn.codeChecksum
        : marker.rev !== desired.revisionHash.slice(0, 32);
    if (codeChanged && fn.source.kind !== 'image')
      changes.push({
        path: 'code',
        from: live.fn.codeChecksum,
        to: desiredChecksum ?? desired.artifact.codeHash,
      });
    if (changes.length) {
      steps.push({
        id: 'function',
        action: 'update',
        resource: `function ${names.service}/${fn.name}`,
        phase: 'revision',
        summary: `update FC function ${fn.name} (${changes.map((c) => c.path).join(', ')})`,
        changes,
        data: { code: codeChanged && fn.source.kind !== 'image', etag: live.fn.etag },
      });
    }
  }

  // Version for the revision label
  const existing = live?.versions.filter((v) => v.label === desired.revisionLabel) ?? [];
  if (existing.length && !existing.some((v) => v.hash === desired.revisionHash)) {
    throw new ValidationError(
      [
        {
          path: 'revision',
          message: `${JSON.stringify(desired.revisionLabel)} is already the label of FC version ${existing[0]!.versionId} of "${fn.name}", which has other code or configuration; choose a new label (or leave revision out to get an automatic one)`,
          rule: 'revision-label',
        },
      ],
      { subject: `function "${fn.name}"`, adapter: 'fc' },
    );
  }
  if (!existing.length) {
    steps.push({
      id: 'version',
      action: 'publish',
      resource: `version ${desired.revisionLabel}`,
      phase: 'revision',
      summary: `publish FC version for revision ${desired.revisionLabel}`,
      changes: [{ path: 'revision', to: desired.revisionLabel }],
    });
  }

  // Triggers
  const liveTriggers = new Map((live?.triggers ?? []).map((t) => [t.triggerName, t]));
  for (const trigger of fn.triggers) {
    const body = triggerBodyOf(trigger, fn, names, ctx);
    const current = liveTriggers.get(trigger.name);
    liveTriggers.delete(trigger.name);
    if (current && current.triggerType !== body.triggerType) {
      steps.push({
        id: `trigger:${trigger.name}:replace`,
        action: 'delete',
        resource: `trigger ${trigger.name}`,
        phase: 'finalize',
        summary: `delete FC ${current.triggerType} trigger ${trigger.name} (its type changes to ${String(body.triggerType)})`,
        changes: [
          { path: `triggers.${trigger.name}.triggerType`, from: current.triggerType, to: body.triggerType },
        ],
        data: { name: trigger.name },
      });
    }
    if (!current || current.triggerType !== body.triggerType) {
      steps.push({
        id: `trigger:${trigger.name}`,
        action: 'create',
        resource: `trigger ${trigger.name}`,
        phase: 'finalize',
        summary: `create FC ${String(body.triggerType)} trigger ${trigger.name}`,
        changes: [],
        data: { name: trigger.name, body },
      });
      continue;
    }
    const liveView = {
      qualifier: current.qualifier ?? undefined,
      triggerConfig: comparableConfig(body.triggerConfig as Record<string, unknown>, current.triggerConfig),
      sourceArn: current.sourceArn ?? undefined,
      invocationRole: current.invocationRole ?? undefined,
    };
    const wanted = {
      qualifier: body.qualifier,
      triggerConfig: body.triggerConfig,
      sourceArn: body.sourceArn,
      invocationRole: body.invocationRole,
    };
    const changes = diff(`triggers.${trigger.name}.`, liveView, wanted);
    if (changes.length) {
      if (changes.some((c) => c.path.endsWith('.sourceArn'))) {
        // FC cannot move a trigger to another source: replace it.
        steps.push({
          id: `trigger:${trigger.name}:replace`,
          action: 'delete',
          resource: `trigger ${trigger.name}`,
          phase: 'finalize',
          summary: `delete FC trigger ${trigger.name} (its source changes)`,
          changes,
          data: { name: trigger.name },
        });
        steps.push({
          id: `trigger:${trigger.name}`,
          action: 'create',
          resource: `trigger ${trigger.name}`,
          phase: 'finalize',
          summary: `create FC ${String(body.triggerType)} trigger ${trigger.name}`,
          changes: [],
          data: { name: trigger.name, body },
        });
      } else {
        const { triggerName: _t, triggerType: _y, sourceArn: _s, ...update } = body;
        steps.push({
          id: `trigger:${trigger.name}`,
          action: 'update',
          resource: `trigger ${trigger.name}`,
          phase: 'finalize',
          summary: `update FC trigger ${trigger.name} (${changes.map((c) => c.path).join(', ')})`,
          changes,
          data: { name: trigger.name, body: update },
        });
      }
    }
  }
  for (const [name, t] of liveTriggers) {
    steps.push({
      id: `trigger:${name}`,
      action: 'delete',
      resource: `trigger ${name}`,
      phase: 'finalize',
      summary: `delete FC ${t.triggerType} trigger ${name}`,
      changes: [{ path: `triggers.${name}`, from: t.triggerType }],
      data: { name },
    });
  }

  // Provisioned instances for scaling.min
  const target = fn.scaling.min;
  if ((live?.provisionTarget ?? 0) !== target) {
    steps.push({
      id: 'provision',
      action: 'update',
      resource: `provision config ${names.mainAlias}`,
      phase: 'finalize',
      summary: `set FC provisioned instances of ${fn.name} to ${target}`,
      changes: [{ path: 'scaling.min', from: live?.provisionTarget ?? 0, to: target }],
      data: { target },
    });
  }

  // Custom domains
  const liveDomains = new Map((live?.domains ?? []).map((d) => [d.domainName, d]));
  for (const domain of fn.domains) {
    const body = domainBodyOf(domain, names);
    const current = liveDomains.get(domain.host);
    liveDomains.delete(domain.host);
    if (!current) {
      steps.push({
        id: `domain:${domain.host}`,
        action: 'create',
        resource: `custom domain ${domain.host}`,
        phase: 'finalize',
        summary: `create FC custom domain ${domain.host}`,
        changes: [],
        data: { body },
      });
    } else if (
      !same(
        { protocol: current.protocol, routes: current.routeConfig?.routes },
        { protocol: body.protocol, routes: (body.routeConfig as { routes: unknown }).routes },
      )
    ) {
      const { domainName: _d, ...update } = body;
      steps.push({
        id: `domain:${domain.host}`,
        action: 'update',
        resource: `custom domain ${domain.host}`,
        phase: 'finalize',
        summary: `update FC custom domain ${domain.host}`,
        changes: [
          { path: `domains.${domain.host}.routeConfig`, from: current.routeConfig, to: body.routeConfig },
        ],
        data: { body: update },
      });
    }
  }
  for (const host of liveDomains.keys()) {
    steps.push({
      id: `domain:${host}`,
      action: 'delete',
      resource: `custom domain ${host}`,
      phase: 'finalize',
      summary: `delete FC custom domain ${host}`,
      changes: [{ path: `domains.${host}`, from: host }],
      data: { host },
    });
  }
  return steps;
}
