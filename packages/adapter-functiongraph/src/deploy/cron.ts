/**
 * FunctionGraph's TIMER cron dialect.
 *
 * Source: Huawei Cloud, "Cron Expressions for a Function Timer Trigger"
 * (https://support.huaweicloud.com/intl/en-us/usermanual-functiongraph/functiongraph_01_0908.html):
 * `[CRON_TZ=<zone> ]seconds minutes hours day-of-month month [day-of-week]`, day-of-week 0-6 or Sun-Sat with
 * 0 = Sunday, `?` allowed in day-of-month and day-of-week, and `@every <duration>`. Without `CRON_TZ` the
 * region's time zone applies, so faasport always sends it: the user's fields stay as written and the zone
 * travels with them (docs/decisions/0006-functiongraph-timer-time-zone.md).
 */
import { cronProblem, fromSixFieldCron, isValidTimezone } from '@faasport/core';

/**
 * A 5-field cron in an IANA time zone as FunctionGraph's TIMER `schedule`: `30 9 * * 1-5` in
 * `Asia/Shanghai` → `CRON_TZ=Asia/Shanghai 0 30 9 ? * 1-5`. The fields are not shifted; day-of-week 7
 * (Sunday in standard cron) becomes 0, which is all FunctionGraph's 0-6 range takes.
 *
 * @public
 */
export function toFunctionGraphSchedule(expression: string, timezone: string): string {
  const problem = cronProblem(expression);
  if (problem) throw new RangeError(`"${expression}" ${problem}`);
  if (!isValidTimezone(timezone)) throw new RangeError(`"${timezone}" is not an IANA time zone`);
  const [minute, hour, dom, month, dow] = expression.trim().split(/\s+/) as [
    string,
    string,
    string,
    string,
    string,
  ];
  let dayOfMonth = dom;
  let dayOfWeek = sundayAsZero(dow);
  // `?` marks the day field that does not restrict, as the page's examples write it.
  if (dayOfWeek !== '*' && dayOfMonth === '*') dayOfMonth = '?';
  else if (dayOfWeek === '*') dayOfWeek = '?';
  return `CRON_TZ=${timezone} 0 ${minute} ${hour} ${dayOfMonth} ${month} ${dayOfWeek}`;
}

/** Rewrites day-of-week 7 (Sunday) as 0: alone, as a range end (`5-7` → `5-6,0`), or stepped (`1-7/3` → `1,4,0`). */
function sundayAsZero(field: string): string {
  const parts = field.split(',').flatMap((part) => {
    if (part === '7') return ['0'];
    const range = /^(\d)-7(?:\/(\d+))?$/.exec(part);
    if (!range) return [part];
    const from = Number(range[1]);
    if (!range[2]) return from === 7 ? ['0'] : [`${from}-6`, '0'];
    const values: string[] = [];
    for (let day = from; day <= 7; day += Number(range[2])) values.push(String(day % 7));
    return values;
  });
  return [...new Set(parts)].join(',');
}

/**
 * Reads a TIMER `Cron` schedule back as a 5-field cron and its zone. `timezone` is undefined when the
 * schedule has no `CRON_TZ` (the region's zone applies). Undefined when it has no 5-field form
 * (`@every`, seconds other than 0, Quartz-only syntax).
 *
 * @public
 */
export function fromFunctionGraphSchedule(schedule: string): { cron: string; timezone?: string } | undefined {
  const m = /^\s*CRON_TZ=(\S+)\s+(.*)$/.exec(schedule);
  const timezone = m?.[1];
  const body = (m ? m[2]! : schedule).trim();
  if (timezone !== undefined && !isValidTimezone(timezone)) return undefined;
  const fields = body.split(/\s+/);
  // day-of-week is optional in FunctionGraph's form.
  const six = fields.length === 5 ? [...fields, '*'].join(' ') : body;
  const cron = fromSixFieldCron(six);
  if (!cron) return undefined;
  return { cron, ...(timezone ? { timezone } : {}) };
}

/**
 * The time zone of each Huawei Cloud region outside the Chinese mainland, for timers without `CRON_TZ`.
 * Region ids and cities: Huawei Cloud's endpoint tables (https://support.huaweicloud.com/intl/en-us/usermanual-sdrs/sdrs_ad_0003.html,
 * https://support.huaweicloud.com/intl/en-us/api-cdm/endpoint.html). That a region's zone is its city's IANA
 * zone is our reading of "the region's time zone"; the page names no zone.
 *
 * @public
 */
export const functionGraphRegionTimeZones: Record<string, string> = {
  'af-south-1': 'Africa/Johannesburg',
  'ap-southeast-1': 'Asia/Hong_Kong',
  'ap-southeast-2': 'Asia/Bangkok',
  'ap-southeast-3': 'Asia/Singapore',
  'la-north-2': 'America/Mexico_City',
  'na-mexico-1': 'America/Mexico_City',
  'la-south-2': 'America/Santiago',
  'sa-brazil-1': 'America/Sao_Paulo',
  'tr-west-1': 'Europe/Istanbul',
};

/** The zone a timer without `CRON_TZ` runs in: the table above; every Chinese mainland region is Beijing time. @public */
export function regionTimeZone(region: string): string | undefined {
  return functionGraphRegionTimeZones[region] ?? (region.startsWith('cn-') ? 'Asia/Shanghai' : undefined);
}
