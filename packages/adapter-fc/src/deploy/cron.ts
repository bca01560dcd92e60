/**
 * FC 2.0's timer cron dialect: six fields, seconds first, evaluated in UTC.
 *
 * Source: Alibaba Cloud, Function Compute "Time triggers" (cronExpression: seconds minutes hours
 * day-of-month month day-of-week, in UTC), https://www.alibabacloud.com/help/doc-detail/74676.htm
 */
import { shiftCronToUtc } from '@faasport/core';

/**
 * Translates a 5-field cron expression to the 6-field, seconds-first form that FC timer triggers take
 * (`0 0 4 * * *` for 04:00 daily). FC evaluates timer crons in UTC, so the hours move to UTC; a time zone
 * that cannot be shifted exactly (daylight saving, a partial-hour offset, restricted days across
 * midnight) is a RangeError saying why.
 *
 * @public
 */
export function toFcCron(expression: string, timezone = 'UTC'): string {
  return `0 ${shiftCronToUtc(expression, timezone)}`;
}
