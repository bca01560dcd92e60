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
  const shimmed = fn.contract !== 'native' && fn.source.kind !== 'image';
  if (shimmed && !fn.runtime.startsWith('nodejs')) {
    issues.push({
      severity: 'error',
      feature: `contract.${fn.contract}`,
      path: 'contract',
      message: `the ${fn.contract} contract runs on FC through a Node.js shim, and runtime ${fn.runtime} is not Node.js`,
      hint: 'Use a nodejs runtime, or contract: native with an FC handler of your runtime.',
    });
  }
  if (shimmed && fn.source.kind === 'bucket') {
    issues.push({
      severity: 'error',
      feature: 'source.bucket',
      path: 'source.bucket',
      message: `the ${fn.contract} contract needs faasport's shim inside the code package, which cannot be added to an OSS object`,
      hint: 'Use contract: native (your package holds an FC handler), or a dir/archive source.',
    });
  }
  if (fn.source.kind === 'image' && (fn.source.workdir || fn.source.user)) {
    issues.push({
      severity: 'error',
      feature: 'source.image',
      path: fn.source.workdir ? 'source.image.workdir' : 'source.image.user',
      message: 'FC 2.0 custom containers take no working directory or user override',
      hint: 'Set WORKDIR and USER in the image instead.',
    });
  }
  if ((fn.description?.length ?? 0) > maxUserDescription) {
    issues.push({
      severity: 'error',
      feature: 'description',
      path: 'description',
      message: `description is ${fn.description!.length} characters; on FC it may have at most ${maxUserDescription} (faasport keeps its revision marker in the rest of FC's 256)`,
      actual: fn.description!.length,
      allowed: `at most ${maxUserDescription} characters`,
    });
  }
  for (const t of fn.triggers) {
    if (!/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(t.name)) {
      issues.push({
        severity: 'error',
        feature: `trigger.${t.kind}`,
        path: `triggers.${t.name}.name`,
        message: `trigger name ${JSON.stringify(t.name)} is not valid on FC (1-128 letters, digits, "_" and "-", starting with a letter or "_")`,
        hint: 'Rename the trigger.',
      });
    }
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
  if (fn.scaling.idleSeconds !== builtinDefaults.scaling.idleSeconds) {
    issues.push({
      severity: 'warning',
      feature: 'scaling.idle',
      path: 'scaling.idle',
      message: `FC decides when idle instances stop; scaling.idle ${fn.scaling.idleSeconds}s is not applied`,
    });
  }
  return issues;
}
