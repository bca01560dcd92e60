import { describe, expect, it } from 'vitest';
import { cronProblem, fromSixFieldCron, nextCronTimes, parseDurationSeconds, shiftCronToUtc } from '../src';

describe('cron', () => {
  it('validates 5-field expressions', () => {
    for (const ok of [
      '* * * * *',
      '*/5 * * * *',
      '0 9-17 * * mon-fri',
      '0 0 1,15 * *',
      '30 4 * jan,jul sun',
      '0 0 * * 7',
    ]) {
      expect(cronProblem(ok), ok).toBeUndefined();
    }
    expect(cronProblem('* * *')).toMatch(/5-field/);
    expect(cronProblem('0 0 0 * * *')).toMatch(/5-field/);
    expect(cronProblem('0 24 * * *')).toMatch(/hour.*0-23/);
    expect(cronProblem('*/0 * * * *')).toMatch(/step/);
    expect(cronProblem('0 0 * foo *')).toMatch(/month/);
  });

  it('shifts a cron to UTC where that is exact, and reads 6-field forms back', () => {
    expect(shiftCronToUtc('*/5 * * * *')).toBe('*/5 * * * *');
    // Asia/Shanghai is UTC+8 all year: 09:00 there is 01:00 UTC.
    expect(shiftCronToUtc('0 9 * * *', 'Asia/Shanghai')).toBe('0 1 * * *');
    expect(shiftCronToUtc('0 2 * * *', 'Asia/Shanghai')).toBe('0 18 * * *');
    expect(() => shiftCronToUtc('0 2 * * 1', 'Asia/Shanghai')).toThrow(/crosses midnight/);
    expect(() => shiftCronToUtc('0 9 * * *', 'Europe/Berlin')).toThrow(/daylight saving/);
    expect(() => shiftCronToUtc('0 9 * * *', 'Asia/Kolkata')).toThrow(/whole number of hours/);
    expect(fromSixFieldCron('0 30 8 ? * 1-5')).toBe('30 8 * * 1-5');
    expect(fromSixFieldCron('cron(0 0 4 * * *)')).toBe('0 4 * * *');
    expect(fromSixFieldCron('15 0 4 * * *')).toBeUndefined();
  });

  it('computes next fire times in a timezone', () => {
    const from = new Date('2026-01-01T00:00:30Z');
    expect(nextCronTimes('*/15 * * * *', { from, count: 3 }).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T00:45:00.000Z',
    ]);
    expect(nextCronTimes('0 9 * * *', { from, timezone: 'Asia/Shanghai' })[0]!.toISOString()).toBe(
      '2026-01-01T01:00:00.000Z',
    );
  });

  it('parses durations', () => {
    expect(parseDurationSeconds('90s')).toBe(90);
    expect(parseDurationSeconds('1h30m')).toBe(5400);
    expect(parseDurationSeconds('500ms')).toBe(0.5);
    expect(parseDurationSeconds(12)).toBe(12);
    expect(parseDurationSeconds('soon')).toBeUndefined();
    expect(parseDurationSeconds('5 m')).toBeUndefined();
  });
});
