/**
 * The triggers a function wants on Lambda, in the shape of the calls that make them: EventBridge Scheduler
 * schedules (CreateSchedule, aws-sdk-js-v3 `clients/client-scheduler/src/models/models_0.ts`) and SQS event
 * source mappings (CreateEventSourceMapping, `clients/client-lambda`). Both target the main alias.
 */
import { createHash } from 'node:crypto';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import type { GetScheduleCommandOutput } from '@aws-sdk/client-scheduler';
import { canonicalJson, type ResolvedFunction } from '@faasport/core';
import type { ResolvedOptions } from '../options';
import { providerOptions } from './capabilities';
import { roleOf } from './code';
import { toSchedulerExpression } from './cron';

/** A schedule as faasport wants it (the fields CreateSchedule / UpdateSchedule take, but the target ARN). */
export interface DesiredSchedule {
  Name: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  State: 'ENABLED' | 'DISABLED';
  /** The Input Scheduler sends: faasport's envelope with Scheduler's context attributes. */
  Input: string;
  RoleArn: string;
}

/** A schedule name: `<function>-<trigger>`, within Scheduler's 64 characters of `[0-9a-zA-Z-_.]`. */
export function scheduleName(functionName: string, triggerName: string): string {
  const name = `${functionName}-${triggerName}`.replace(/[^0-9A-Za-z._-]/g, '-');
  if (name.length <= 64) return name;
  return `${name.slice(0, 55)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** The schedules of a function's schedule triggers. */
export function desiredSchedules(fn: ResolvedFunction, o: Pick<ResolvedOptions, 'role'>): DesiredSchedule[] {
  const role = providerOptions(fn).schedulerRole ?? roleOf(fn, o.role) ?? '';
  return fn.triggers.flatMap((t) => {
    if (t.kind !== 'schedule') return [];
    const name = scheduleName(fn.name, t.name);
    // Scheduler fills the <aws.scheduler.*> context attributes in at each run.
    const input = {
      faasport: 'schedule',
      schedule: '<aws.scheduler.schedule-arn>',
      time: '<aws.scheduler.scheduled-time>',
      id: '<aws.scheduler.execution-id>',
      ...(t.payload === undefined ? {} : { payload: t.payload }),
    };
    return [
      {
        Name: name,
        ScheduleExpression: toSchedulerExpression(t.cron),
        ScheduleExpressionTimezone: t.timezone,
        State: t.enabled ? 'ENABLED' : 'DISABLED',
        Input: canonicalJson(input),
        RoleArn: role,
      },
    ];
  });
}

/** Whether a live schedule already is the desired one. */
export function sameSchedule(
  live: GetScheduleCommandOutput,
  want: DesiredSchedule,
  aliasArnSuffix: string,
): boolean {
  return (
    live.ScheduleExpression === want.ScheduleExpression &&
    (live.ScheduleExpressionTimezone ?? 'UTC') === want.ScheduleExpressionTimezone &&
    live.State === want.State &&
    live.Target?.Input === want.Input &&
    live.Target?.RoleArn === want.RoleArn &&
    (live.Target?.Arn ?? '').endsWith(aliasArnSuffix)
  );
}

/** An SQS event source mapping as faasport wants it. */
export interface DesiredMapping {
  topic: string;
  EventSourceArn: string;
  BatchSize: number;
}

/** The event source mappings of a function's queue triggers (their queues bound on the target). */
export function desiredMappings(fn: ResolvedFunction, o: Pick<ResolvedOptions, 'queues'>): DesiredMapping[] {
  return fn.triggers.flatMap((t) =>
    t.kind === 'queue' && o.queues[t.topic]
      ? [{ topic: t.topic, EventSourceArn: o.queues[t.topic]!.arn, BatchSize: Math.min(t.batchSize, 10_000) }]
      : [],
  );
}

/** Whether a live mapping already is the desired one. */
export const sameMapping = (live: EventSourceMappingConfiguration, want: DesiredMapping) =>
  live.EventSourceArn === want.EventSourceArn && live.BatchSize === want.BatchSize;
