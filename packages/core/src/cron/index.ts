import type { CronExpressionParser as CronParser } from 'cron-parser';
import { lazyRequire } from '../lazy-require';

// cron-parser (with luxon) loads when a schedule is computed, not with core.
const cronParser = lazyRequire<{ CronExpressionParser: typeof CronParser }>('cron-parser');

/** The names of the five fields of a standard cron expression, in order. @public */
export const cronFieldNames = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;

const fieldRanges: Array<[number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Checks a 5-field cron expression (minute hour day-of-month month day-of-week).
 * Accepts `*`, numbers, ranges `a-b`, steps `x/n`, lists `a,b`, and month and weekday names.
 * Returns `undefined` when it is valid, or the reason it is not.
 *
 * @public
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 || expression.trim() === '') {
    return 'is not a 5-field cron expression (minute hour day-of-month month day-of-week)';
  }
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(fields[i]!, i);
    if (problem) return `has an invalid ${cronFieldNames[i]} field "${fields[i]}": ${problem}`;
  }
  return undefined;
}

function fieldProblem(field: string, index: number): string | undefined {
  const [min, max] = fieldRanges[index]!;
  const names = index === 3 ? monthNames : index === 4 ? dayNames : [];
  for (const part of field.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') return 'malformed step';
    if (step !== undefined && !/^[1-9]\d*$/.test(step))
      return `step "${step}" is not a positive whole number`;
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `malformed range "${range}"`;
    for (const bound of bounds) {
      const named = names.indexOf(bound.toLowerCase());
      const value =
        named >= 0 ? named + (index === 3 ? 1 : 0) : /^\d+$/.test(bound) ? Number(bound) : Number.NaN;
      if (Number.isNaN(value)) return `"${bound}" is not a number${names.length ? ' or a name' : ''}`;
      if (value < min || value > max) return `${value} is outside ${min}-${max}`;
    }
  }
  return undefined;
}

/** True when `timezone` is an IANA time zone name this Node.js knows (e.g. `Asia/Shanghai`). @public */
export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Translates a 6-field seconds-first cron (FC, FunctionGraph) back to 5 fields. Returns `undefined` when
 * the seconds field is not `0` or the form uses Quartz-only syntax (`L`, `W`, `#`) that has no 5-field form.
 *
 * @public
 */
export function fromSixFieldCron(expression: string): string | undefined {
  const trimmed = expression.trim().replace(/^cron\((.*)\)$/, '$1');
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 6 || fields[0] !== '0') return undefined;
  const five = fields.slice(1).map((f) => (f === '?' ? '*' : f));
  const result = five.join(' ');
  return cronProblem(result) ? undefined : result;
}

/**
 * Rewrites the hour field of a 5-field cron from a time zone to UTC, for platforms whose timers run in
 * UTC only, when that can be done exactly: a fixed offset in whole hours and explicit hour numbers.
 * Minute-level offsets (e.g. India), time zones with daylight saving and hour lists that would cross
 * midnight while the day fields are restricted are rejected with a RangeError that says why.
 *
 * @example
 * ```ts
 * shiftCronToUtc('0 9 * * *', 'Asia/Shanghai'); // '0 1 * * *'
 * ```
 * @public
 */
export function shiftCronToUtc(expression: string, timezone = 'UTC'): string {
  const fields = expression.trim().split(/\s+/);
  if (timezone === 'UTC' || timezone === 'Etc/UTC') return fields.join(' ');
  const offset = fixedOffsetMinutes(timezone);
  if (offset === undefined) {
    throw new RangeError(
      `time zone "${timezone}" observes daylight saving time, so a UTC-only cron cannot follow it exactly`,
    );
  }
  if (offset === 0) return fields.join(' ');
  if (offset % 60 !== 0)
    throw new RangeError(`time zone "${timezone}" is not a whole number of hours from UTC`);
  const hourField = fields[1]!;
  if (hourField === '*' || hourField.startsWith('*/')) return fields.join(' ');
  const shift = offset / 60;
  const hours = expandField(hourField, 0, 23);
  const shifted = hours.map((h) => h - shift);
  const wraps = shifted.some((h) => h < 0 || h > 23);
  if (wraps && !(fields[2] === '*' && fields[4] === '*')) {
    throw new RangeError(
      `moving hours ${hourField} from ${timezone} to UTC crosses midnight while the day fields are restricted`,
    );
  }
  const utcHours = [...new Set(shifted.map((h) => (h + 24) % 24))].sort((a, b) => a - b);
  fields[1] = utcHours.join(',');
  return fields.join(' ');
}

function expandField(field: string, min: number, max: number): number[] {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    const [from, to] =
      range === '*'
        ? [min, max]
        : range!.includes('-')
          ? range!.split('-').map(Number)
          : [Number(range), stepText ? max : Number(range)];
    for (let v = from!; v <= to!; v += step) values.add(v);
  }
  return [...values];
}

/** The UTC offset of a time zone in minutes, or undefined when it changes during the year. */
function fixedOffsetMinutes(timezone: string): number | undefined {
  const year = new Date().getUTCFullYear();
  const offsets = new Set<number>();
  for (const month of [0, 3, 6, 9]) offsets.add(offsetAt(timezone, new Date(Date.UTC(year, month, 15, 12))));
  return offsets.size === 1 ? [...offsets][0] : undefined;
}

function offsetAt(timezone: string, date: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(date);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((asUtc - date.getTime()) / 60_000);
}

/**
 * The next times a 5-field cron fires after `from`, in the given IANA timezone (default UTC).
 * Used by the local scheduler.
 *
 * @public
 */
export function nextCronTimes(
  expression: string,
  options: { timezone?: string; from?: Date; count?: number } = {},
): Date[] {
  const problem = cronProblem(expression);
  if (problem) throw new RangeError(`"${expression}" ${problem}`);
  const iterator = cronParser().CronExpressionParser.parse(expression, {
    currentDate: options.from ?? new Date(),
    tz: options.timezone ?? 'UTC',
  });
  const out: Date[] = [];
  for (let i = 0; i < (options.count ?? 1); i++) out.push(iterator.next().toDate());
  return out;
}

/**
 * The next times a 6-field, seconds-first cron fires after `from` (`sec min hour day-of-month month
 * day-of-week`, `?` meaning no restriction), in an IANA timezone (default UTC). Used by emulators of clouds
 * whose timers take this form. Throws a RangeError when the expression is not valid.
 *
 * @public
 */
export function nextSixFieldCronTimes(
  expression: string,
  options: { timezone?: string; from?: Date; count?: number } = {},
): Date[] {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) throw new RangeError(`"${expression}" is not a 6-field cron expression`);
  let iterator: ReturnType<typeof CronParser.parse>;
  try {
    iterator = cronParser().CronExpressionParser.parse(fields.join(' '), {
      currentDate: options.from ?? new Date(),
      tz: options.timezone ?? 'UTC',
    });
  } catch (error) {
    throw new RangeError(`"${expression}" is not a valid cron expression: ${(error as Error).message}`);
  }
  const out: Date[] = [];
  for (let i = 0; i < (options.count ?? 1); i++) out.push(iterator.next().toDate());
  return out;
}

/**
 * Parses a duration: a number of seconds, or a string like `90s`, `5m`, `1h30m`, `500ms`.
 * Returns seconds, or `undefined` when the text is not a duration.
 *
 * @public
 */
export function parseDurationSeconds(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1]);
    total +=
      m[2] === 'ms'
        ? n / 1000
        : m[2] === 's'
          ? n
          : m[2] === 'm'
            ? n * 60
            : m[2] === 'h'
              ? n * 3600
              : n * 86400;
    consumed = re.lastIndex;
  }
  return consumed === text.length && text.length > 0 ? total : undefined;
}
