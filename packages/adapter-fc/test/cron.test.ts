import { describe, expect, it } from 'vitest';
import { toFcCron } from '../src';

describe("FC's timer cron dialect", () => {
  it('translates a 5-field cron to six fields, seconds first, in UTC', () => {
    expect(toFcCron('*/5 * * * *')).toBe('0 */5 * * * *');
    // Asia/Shanghai is UTC+8 all year: 09:00 there is 01:00 UTC.
    expect(toFcCron('0 9 * * *', 'Asia/Shanghai')).toBe('0 0 1 * * *');
    expect(toFcCron('0 2 * * *', 'Asia/Shanghai')).toBe('0 0 18 * * *');
    expect(() => toFcCron('0 2 * * 1', 'Asia/Shanghai')).toThrow(/crosses midnight/);
    expect(() => toFcCron('0 9 * * *', 'Europe/Berlin')).toThrow(/daylight saving/);
  });
});
