import { builtinDefaults, type CheckIssue, type ResolvedFunction } from '@faasport/core';
import { toFcCron } from './cron';
import { eventTriggerIssues } from './event-triggers';
import {
  eventTriggerContext,
  fcProviderSchema,
  maxUserDescription,
  ownInvocationRole,
  type TriggerContext,
} from './mapping';

/** FC-specific offline checks beyond the declared capabilities and limits. */
export function checkFunction(fn: ResolvedFunction, ctx: TriggerContext): CheckIssue[] {
  // Core reports problems in providers.fc (providerOptionsSchema); rules that read them need them valid.
  const providerValid = fcProviderSchema.safeParse(fn.providers.fc ?? {}).success;
  const issues: CheckIssue[] = eventTriggerIssues(
    fn,
    providerValid ? ownInvocationRole : undefined,
    eventTriggerContext(ctx),
  );
  issues.push(...shimIssues(fn, 'FC'));
  if (fn.source.kind === 'image' && (fn.source.workdir || fn.source.user)) {
    issues.push({
      severity: 'error',
      feature: 'source.image',
      path: fn.source.workdir ? 'source.image.workdir' : 'source.image.user',
      message: 'FC 2.0 custom containers take no working directory or user override',
      hint: 'Set WORKDIR and USER in the image instead.',
    });
  }
  issues.push(...descriptionIssues(fn));
  for (const t of fn.triggers) {
    issues.push(...triggerNameIssues(t));
    if (t.kind === 'http' && t.methods.includes('OPTIONS') && t.methods.length < 7) {
      issues.push({
        severity: 'warning',
        feature: 'trigger.http',
        path: `triggers.${t.name}.methods`,
        message: 'FC HTTP triggers take GET, POST, PUT, DELETE, HEAD and PATCH; OPTIONS is left out',
      });
    }
    if (t.kind !== 'schedule') continue;
    try {
      toFcCron(t.cron, t.timezone);
    } catch (error) {
      issues.push({
        severity: 'error',
        feature: 'trigger.schedule',
        path: `triggers.${t.name}.timezone`,
        message: `cannot run "${t.cron}" in ${t.timezone} on FC, which evaluates timers in UTC: ${(error as Error).message}`,
        hint: 'Write the cron in UTC (timezone: UTC).',
      });
    }
  }
  issues.push(...idleIssues(fn));
  return issues;
}

/*
 * Rules FC 2.0 and FC 3.0 share (same shim, same description budget, same trigger names, same
 * platform-managed idle time); `@faasport/adapter-fc3` runs them too.
 */

/** A contract other than native runs in faasport's Node.js shim, which must go into the code package. @internal */
export function shimIssues(fn: ResolvedFunction, platform: string): CheckIssue[] {
  const shimmed = fn.contract !== 'native' && fn.source.kind !== 'image';
  const issues: CheckIssue[] = [];
  if (shimmed && !fn.runtime.startsWith('nodejs'))
    issues.push({
      severity: 'error',
      feature: `contract.${fn.contract}`,
      path: 'contract',
      message: `the ${fn.contract} contract runs on ${platform} through a Node.js shim, and runtime ${fn.runtime} is not Node.js`,
      hint: 'Use a nodejs runtime, or contract: native with an FC handler of your runtime.',
    });
  if (shimmed && fn.source.kind === 'bucket')
    issues.push({
      severity: 'error',
      feature: 'source.bucket',
      path: 'source.bucket',
      message: `the ${fn.contract} contract needs faasport's shim inside the code package, which cannot be added to an OSS object`,
      hint: 'Use contract: native (your package holds an FC handler), or a dir/archive source.',
    });
  return issues;
}

/** The user's description must leave room for faasport's revision marker in FC's 256 characters. @internal */
export function descriptionIssues(fn: ResolvedFunction): CheckIssue[] {
  const length = fn.description?.length ?? 0;
  if (length <= maxUserDescription) return [];
  return [
    {
      severity: 'error',
      feature: 'description',
      path: 'description',
      message: `description is ${length} characters; on FC it may have at most ${maxUserDescription} (faasport keeps its revision marker in the rest of FC's 256)`,
      actual: length,
      allowed: `at most ${maxUserDescription} characters`,
    },
  ];
}

/** FC's trigger names: 1-128 letters, digits, "_" and "-", starting with a letter or "_". @internal */
export function triggerNameIssues(t: ResolvedFunction['triggers'][number]): CheckIssue[] {
  if (/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(t.name)) return [];
  return [
    {
      severity: 'error',
      feature: `trigger.${t.kind}`,
      path: `triggers.${t.name}.name`,
      message: `trigger name ${JSON.stringify(t.name)} is not valid on FC (1-128 letters, digits, "_" and "-", starting with a letter or "_")`,
      hint: 'Rename the trigger.',
    },
  ];
}

/** FC stops idle instances on its own schedule: a scaling.idle other than the default is not applied. @internal */
export function idleIssues(fn: ResolvedFunction): CheckIssue[] {
  if (fn.scaling.idleSeconds === builtinDefaults.scaling.idleSeconds) return [];
  return [
    {
      severity: 'warning',
      feature: 'scaling.idle',
      path: 'scaling.idle',
      message: `FC decides when idle instances stop; scaling.idle ${fn.scaling.idleSeconds}s is not applied`,
    },
  ];
}
