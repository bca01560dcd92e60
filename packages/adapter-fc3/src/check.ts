import {
  descriptionIssues,
  eventTriggerIssues,
  idleIssues,
  shimIssues,
  triggerNameIssues,
} from '@faasport/adapter-fc';
import type { CheckIssue, ResolvedFunction } from '@faasport/core';
import { fc3Limits } from './limits';
import {
  eventTriggerContext,
  type Fc3Context,
  fc3ProviderSchema,
  ownInvocationRole,
  takesInstanceConcurrency,
  toFc3Cron,
} from './mapping';

/** FC 3.0 checks beyond the declared capabilities and limits, all offline. */
export function checkFunction(fn: ResolvedFunction, ctx: Fc3Context): CheckIssue[] {
  const providerValid = fc3ProviderSchema.safeParse(fn.providers.fc3 ?? {}).success;
  const issues: CheckIssue[] = eventTriggerIssues(
    fn,
    providerValid ? ownInvocationRole : undefined,
    eventTriggerContext(ctx),
  );
  issues.push(...shimIssues(fn, 'FC 3.0'));
  // FC 3.0's built-in runtimes pass an HTTP call to handler(event, context) as an event (FC 3.0 "Use an HTTP
  // trigger to invoke a function"): FC 2.0's (req, resp, context), which `fc` export marks with
  // providers.local.contract fc-http, has nothing to run it.
  const local = fn.providers.local as { contract?: unknown } | undefined;
  if (fn.contract === 'native' && local?.contract === 'fc-http' && !fn.runtime.startsWith('custom'))
    issues.push({
      severity: 'error',
      feature: 'contract.native',
      path: 'providers.local.contract',
      message: `the handler is FC 2.0's HTTP handler (request, response, context) (providers.local.contract fc-http), which FC 3.0's built-in runtime ${fn.runtime} does not call: it passes HTTP calls to handler(event, context) as an event`,
      hint: 'Port the handler to (event, context) returning {statusCode, headers, body}, set providers.local.contract: fc3-event and test it with `faasport dev` (examples/coffee-fc3), or serve HTTP from runtime custom.',
    });
  // CreateFunctionInput: instanceConcurrency applies to custom runtimes and custom containers only.
  if (fn.scaling.concurrency > 1 && !takesInstanceConcurrency(fn))
    issues.push({
      severity: 'error',
      feature: 'scaling.concurrency',
      path: 'scaling.concurrency',
      message: `FC 3.0 takes instanceConcurrency (here ${fn.scaling.concurrency}) only for custom runtimes and custom containers, and runtime ${fn.runtime} is built in`,
      actual: fn.scaling.concurrency,
      allowed: '1 for built-in runtimes',
      hint: 'Set scaling.concurrency to 1, or use runtime custom or an image source.',
    });
  const cpu = fn.resources.cpu;
  if (cpu !== undefined) {
    const steps = cpu / fc3Limits.cpuStep;
    if (cpu < fc3Limits.cpuMin || cpu > fc3Limits.cpuMax || Math.abs(steps - Math.round(steps)) > 1e-9)
      issues.push({
        severity: 'error',
        feature: 'resources.cpu',
        path: 'resources.cpu',
        message: `cpu ${cpu} is not valid on FC 3.0`,
        actual: cpu,
        allowed: 'a multiple of 0.05 from 0.05 to 16 vCPU',
      });
    else {
      const gbPerCpu = fn.resources.memory / 1024 / cpu;
      if (gbPerCpu < fc3Limits.memoryPerCpu.min || gbPerCpu > fc3Limits.memoryPerCpu.max)
        issues.push({
          severity: 'error',
          feature: 'resources.cpu',
          path: 'resources.memory',
          message: `memory ${fn.resources.memory} MB with cpu ${cpu} is ${gbPerCpu.toFixed(2)} GB per vCPU; FC 3.0 needs 1 to 4 GB per vCPU`,
          actual: fn.resources.memory,
          allowed: `${Math.ceil(cpu * 1024)}-${Math.floor(cpu * 4 * 1024)} MB for cpu ${cpu}`,
        });
    }
  }
  const disk = fn.resources.disk;
  if (disk !== undefined && !(fc3Limits.diskSizes as readonly number[]).includes(disk))
    issues.push({
      severity: 'error',
      feature: 'resources.disk',
      path: 'resources.disk',
      message: `disk ${disk} MB is not a size FC 3.0 offers`,
      actual: disk,
      allowed: '512 or 10240 (MB)',
    });
  issues.push(...descriptionIssues(fn));
  for (const t of fn.triggers) {
    issues.push(...triggerNameIssues(t));
    if (t.kind === 'schedule') {
      try {
        toFc3Cron(t.cron, t.timezone);
      } catch (error) {
        issues.push({
          severity: 'error',
          feature: 'trigger.schedule',
          path: `triggers.${t.name}.cron`,
          message: `cannot translate "${t.cron}" to FC's timer cron: ${(error as Error).message}`,
        });
      }
    }
  }
  issues.push(...idleIssues(fn));
  return issues;
}
