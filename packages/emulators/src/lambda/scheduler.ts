/**
 * The EventBridge Scheduler calls the adapter makes (aws-sdk-js-v3 `clients/client-scheduler`: CreateSchedule
 * `POST /schedules/{Name}`, UpdateSchedule `PUT`, GetSchedule `GET`, DeleteSchedule `DELETE`, ListSchedules
 * `GET /schedules`), and the clock that fires schedules: `cron(...)` in `ScheduleExpressionTimezone`
 * (day-of-week 1-7 = SUN-SAT, `?` for the unrestricted day field) and `rate(...)` from the schedule's creation
 * ("Schedule types on EventBridge Scheduler", https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
 * The target's `Input` gets its context attributes filled in (managing-schedule-context-attributes.html).
 */
import { randomUUID } from 'node:crypto';
import { isValidTimezone, nextCronTimes } from '@faasport/core';
import { type ApiAnswer, type LambdaEmuState, parseFunctionName } from './context';
import { LambdaApiError } from './errors';
import { type LambdaDelivery, runEvent } from './invoke';
import type { ScheduleState } from './state';

const validation = (message: string) => new LambdaApiError(400, 'ValidationException', message);
const notFound = (name: string) =>
  new LambdaApiError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);

const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A Scheduler `cron(...)` as a standard 5-field cron, or the reason it has none here. */
export function standardCron(expression: string): string | { problem: string } {
  const m = /^cron\((.+)\)$/.exec(expression.trim());
  const fields = m?.[1]?.trim().split(/\s+/);
  if (fields?.length !== 6)
    return { problem: 'a cron expression has six fields: minutes hours day-of-month month day-of-week year' };
  const [minute, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) return { problem: 'one of day-of-month and day-of-week must be "?"' };
  if (year !== '*' || /[LW#]/.test(fields.join(' ')))
    return { problem: 'the emulator fires cron with "*" years and without L, W and #' };
  const day = (d: string) => {
    const n = dayNames.indexOf(d.toUpperCase());
    return String(n >= 0 ? n : Number(d) - 1);
  };
  const weekday = dow === '?' ? '*' : dow === '*' ? '*' : dow.replace(/[A-Za-z]{3}|\d+/g, day);
  return `${minute} ${hour} ${dom === '?' ? '*' : dom} ${month} ${weekday}`;
}

function check(body: Record<string, unknown>): void {
  const expression = String(body.ScheduleExpression ?? '');
  if (!/^(cron\(.+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(.+\))$/.test(expression))
    throw validation(`Invalid Schedule Expression ${expression}.`);
  if (expression.startsWith('cron(')) {
    const five = standardCron(expression);
    if (typeof five !== 'string')
      throw validation(`Invalid Schedule Expression ${expression}: ${five.problem}.`);
  }
  const zone = body.ScheduleExpressionTimezone;
  if (zone !== undefined && !isValidTimezone(String(zone)))
    throw validation(`Invalid time zone ${String(zone)}.`);
  const target = body.Target as { Arn?: string; RoleArn?: string } | undefined;
  if (!target?.Arn || !target.RoleArn)
    throw validation('1 validation error detected: Target.Arn and Target.RoleArn must not be null');
  if (!(body.FlexibleTimeWindow as { Mode?: string } | undefined)?.Mode)
    throw validation('FlexibleTimeWindow must not be null');
}

/** Handles `/schedules[/{Name}]`. */
export function schedulerApi(
  em: LambdaEmuState,
  method: string,
  name: string | undefined,
  query: URLSearchParams,
  body: Record<string, unknown>,
): ApiAnswer {
  const group = query.get('groupName') ?? (body.GroupName as string | undefined) ?? 'default';
  if (!name) {
    if (method !== 'GET') throw validation(`${method} /schedules is not an operation`);
    const prefix = query.get('NamePrefix') ?? '';
    const list = [...em.schedules.values()]
      .filter(
        (s) =>
          s.Name.startsWith(prefix) &&
          (!query.get('ScheduleGroup') || s.GroupName === query.get('ScheduleGroup')),
      )
      .map((s) => ({
        Name: s.Name,
        GroupName: s.GroupName,
        Arn: s.Arn,
        State: s.State,
        Target: { Arn: s.Target.Arn },
        CreationDate: s.CreationDate,
        LastModificationDate: s.LastModificationDate,
      }));
    return { status: 200, body: { Schedules: list } };
  }
  const key = `${group}/${name}`;
  const existing = em.schedules.get(key);
  if (method === 'GET') {
    if (!existing) throw notFound(name);
    return { status: 200, body: existing };
  }
  if (method === 'DELETE') {
    if (!existing) throw notFound(name);
    em.schedules.delete(key);
    return { status: 200, body: {} };
  }
  if (method === 'POST' || method === 'PUT') {
    if (method === 'POST' && existing)
      throw new LambdaApiError(409, 'ConflictException', `Schedule ${name} already exists.`);
    if (method === 'PUT' && !existing) throw notFound(name);
    check(body);
    const at = Math.floor(em.now() / 1000);
    const schedule: ScheduleState = {
      Name: name,
      GroupName: group,
      Arn: `arn:aws:scheduler:${em.region}:${em.accountId}:schedule/${group}/${name}`,
      ScheduleExpression: String(body.ScheduleExpression),
      ...(body.ScheduleExpressionTimezone
        ? { ScheduleExpressionTimezone: String(body.ScheduleExpressionTimezone) }
        : {}),
      State: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      FlexibleTimeWindow: body.FlexibleTimeWindow as ScheduleState['FlexibleTimeWindow'],
      Target: body.Target as ScheduleState['Target'],
      ...(body.Description ? { Description: String(body.Description) } : {}),
      CreationDate: existing?.CreationDate ?? at,
      LastModificationDate: at,
    };
    em.schedules.set(key, schedule);
    return { status: 200, body: { ScheduleArn: schedule.Arn } };
  }
  throw validation(`${method} is not a schedule operation`);
}

/** The times a schedule fires in `(after, until]`. */
function fireTimes(s: ScheduleState, after: number, until: number): number[] {
  const out: number[] = [];
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(s.ScheduleExpression);
  if (rate) {
    const step =
      Number(rate[1]) *
      { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[rate[2] as 'minute' | 'hour' | 'day'];
    const anchor = s.CreationDate * 1000;
    for (
      let at = anchor + step * Math.max(1, Math.floor((after - anchor) / step) + 1);
      at <= until;
      at += step
    )
      if (at > after) out.push(at);
    return out;
  }
  const five = standardCron(s.ScheduleExpression);
  if (typeof five !== 'string') return out;
  let from = new Date(after);
  for (;;) {
    const [next] = nextCronTimes(five, { timezone: s.ScheduleExpressionTimezone ?? 'UTC', from });
    if (!next || next.getTime() > until) return out;
    out.push(next.getTime());
    from = next;
  }
}

/** Fires every enabled schedule due in `(after, until]`, in time order, and resolves with the deliveries. */
export async function fireDueSchedules(
  em: LambdaEmuState,
  after: number,
  until: number,
): Promise<LambdaDelivery[]> {
  const due = [...em.schedules.values()]
    .filter((s) => s.State === 'ENABLED')
    .flatMap((s) => fireTimes(s, after, until).map((at) => ({ s, at })))
    .sort((a, b) => a.at - b.at);
  const out: LambdaDelivery[] = [];
  for (const { s, at } of due) {
    const target = parseFunctionName(s.Target.Arn);
    const fn = em.functions.get(target.name);
    if (!fn) continue;
    const input = (s.Target.Input ?? '{}')
      .replaceAll('<aws.scheduler.schedule-arn>', s.Arn)
      .replaceAll('<aws.scheduler.scheduled-time>', new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'))
      .replaceAll('<aws.scheduler.execution-id>', randomUUID())
      .replaceAll('<aws.scheduler.attempt-number>', '1');
    const result = await runEvent(em, fn, target.qualifier, new TextEncoder().encode(input));
    out.push({
      function: fn.name,
      version: result.version,
      result: new TextDecoder().decode(result.body),
      ...(result.error ? { error: result.error.errorMessage } : {}),
    });
  }
  return out;
}
