/**
 * EventBridge Scheduler's schedule expressions.
 *
 * Source: "Schedule types on EventBridge Scheduler"
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): `cron(minutes hours
 * day-of-month month day-of-week year)`, day-of-week 1-7 with 1 = Sunday (or SUN-SAT), one of
 * day-of-month and day-of-week must be `?`, increments written `start/step`; `rate(value unit)`;
 * `ScheduleExpressionTimezone` takes an IANA zone and Scheduler follows its daylight saving time.
 */
import { cronProblem, isValidTimezone } from '@faasport/core';

const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The days (0 = Sunday … 6) a standard day-of-week field names; 7 is Sunday too. */
function weekdays(field: string): Set<number> {
  const out = new Set<number>();
  const value = (bound: string) => {
    const named = dayNames.indexOf(bound.toLowerCase());
    return named >= 0 ? named : Number(bound);
  };
  for (const part of field.split(',')) {
    const [range, step] = part.split('/');
    const [from, to] =
      range === '*'
        ? [0, 6]
        : range!.includes('-')
          ? range!.split('-').map(value)
          : [value(range!), step ? 7 : value(range!)];
    for (let d = from!; d <= to!; d += step ? Number(step) : 1) out.add(d % 7);
  }
  return out;
}

/** Sorted numbers as a list of runs: `[1, 2, 3, 5]` → `1-3,5`. */
function ranges(values: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    out.push(j - i >= 2 ? `${values[i]}-${values[j]}` : values.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return out.join(',');
}

/** `*\/n` as Scheduler writes increments: `start/n` from the field's first value. */
function increments(field: string, first: number): string {
  return field.replace(/^\*\/(\d+)$/, `${first}/$1`);
}

/**
 * A 5-field cron as Scheduler's 6-field expression: `30 9 * * 1-5` → `cron(30 9 ? * 2,3,4,5,6 *)`. The
 * fields are not shifted in time: the zone travels in `ScheduleExpressionTimezone`.
 *
 * @throws RangeError when the cron is invalid, or restricts both day fields (Scheduler takes one).
 * @public
 */
export function toSchedulerExpression(expression: string): string {
  const problem = cronProblem(expression);
  if (problem) throw new RangeError(`"${expression}" ${problem}`);
  const [minute, hour, dom, month, dow] = expression.trim().split(/\s+/) as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (dom !== '*' && dow !== '*')
    throw new RangeError(
      `"${expression}" restricts both day-of-month and day-of-week; EventBridge Scheduler takes one of them (the other is "?")`,
    );
  let dayOfWeek = '?';
  if (dow !== '*') {
    const days = [...weekdays(dow)].sort((a, b) => a - b);
    dayOfWeek = days.length === 7 ? '*' : ranges(days.map((d) => d + 1));
  }
  const dayOfMonth = dow !== '*' ? '?' : increments(dom, 1);
  return `cron(${increments(minute, 0)} ${increments(hour, 0)} ${dayOfMonth} ${increments(month, 1)} ${dayOfWeek} *)`;
}

/**
 * A Scheduler expression back as a 5-field cron, or undefined when it has none (a year other than `*`,
 * `L`, `W`, `#`, `at(...)`, or a rate that does not divide an hour or a day).
 *
 * @public
 */
export function fromSchedulerExpression(expression: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    if (rate[2]!.startsWith('minute') && 60 % n === 0) return n === 1 ? '* * * * *' : `*/${n} * * * *`;
    if (rate[2]!.startsWith('hour') && 24 % n === 0) return n === 1 ? '0 * * * *' : `0 */${n} * * *`;
    if (rate[2]!.startsWith('day') && n === 1) return '0 0 * * *';
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  const fields = cron?.[1]?.trim().split(/\s+/);
  if (fields?.length !== 6 || fields[5] !== '*' || /[LW#]/.test(fields.join(' '))) return undefined;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const plain = (f: string) => f.replace(/^0\/(\d+)$/, '*/$1').replace(/^1\/(\d+)$/, '*/$1');
  let dayOfWeek = '*';
  if (dow !== '?' && dow !== '*') {
    const days = new Set<number>();
    for (const part of dow.split(',')) {
      const [a, b] = part.split('-').map((x) => {
        const named = dayNames.indexOf(x.toLowerCase());
        return named >= 0 ? named + 1 : Number(x);
      });
      for (let d = a!; d <= (b ?? a!); d++) days.add((d - 1) % 7);
    }
    if ([...days].some((d) => Number.isNaN(d))) return undefined;
    dayOfWeek = ranges([...days].sort((x, y) => x - y));
  }
  const five = `${plain(minute)} ${plain(hour)} ${dom === '?' ? '*' : plain(dom)} ${plain(month)} ${dayOfWeek}`;
  return cronProblem(five) ? undefined : five;
}

/** Whether a zone is one Scheduler's `ScheduleExpressionTimezone` can take (an IANA name). */
export const isSchedulerTimezone = isValidTimezone;
