/**
 * TIMER schedules as FunctionGraph evaluates them, and the emulator's clock that fires them.
 *
 * Sources: Huawei Cloud, "Cron Expressions for a Function Timer Trigger"
 * (https://support.huaweicloud.com/intl/en-us/usermanual-functiongraph/functiongraph_01_0908.html): `Cron`
 * schedules are `@every N<unit>` (units ns, µs, ms, s, m, h; "@every 1.5h" and "@every 2h30m" are its
 * examples) or `[CRON_TZ=<zone> ]sec min hour day-of-month month [day-of-week]`, day-of-week 0-6 or Sun-Sat,
 * and without `CRON_TZ` the region's time zone applies. "Using a Timer Trigger"
 * (https://support.huaweicloud.com/intl/en-us/usermanual-functiongraph/functiongraph_01_0207.html): `Rate`
 * schedules are 1-60 minutes, 1-24 hours or 1-30 days.
 */
import { isValidTimezone, nextSixFieldCronTimes } from '@faasport/core';

/** A parsed TIMER schedule. */
export type TimerSchedule =
  | { kind: 'interval'; ms: number }
  | { kind: 'cron'; fields: string; timezone?: string };

const durationUnits: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (`2h30m`, `1.5h`, `90s`) in ms, or undefined. The page's `@every` takes these units. */
function goDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * durationUnits[m[2]!]!;
    at = re.lastIndex;
  }
  return at === text.length && text.length > 0 ? total : undefined;
}

/** Parses a TIMER schedule; returns the reason when FunctionGraph would refuse it. */
export function parseTimerSchedule(type: string, schedule: string): TimerSchedule | string {
  if (type === 'Rate') {
    const m = /^([1-9]\d*)([mhd])$/.exec(schedule);
    const limits = { m: 60, h: 24, d: 30 } as const;
    const unit = m?.[2] as keyof typeof limits | undefined;
    if (!m || !unit || Number(m[1]) > limits[unit])
      return 'a Rate schedule is 1-60m, 1-24h or 1-30d (e.g. "3m")';
    return { kind: 'interval', ms: Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[unit] };
  }
  const every = /^@every\s+(\S+)$/.exec(schedule.trim());
  if (every) {
    const ms = goDurationMs(every[1]!);
    if (ms === undefined || ms <= 0) return `"${every[1]}" is not a duration such as 30m, 1.5h or 2h30m`;
    return { kind: 'interval', ms };
  }
  const tz = /^CRON_TZ=(\S+)\s+(.*)$/.exec(schedule.trim());
  const timezone = tz?.[1];
  if (timezone !== undefined && !isValidTimezone(timezone))
    return `CRON_TZ=${timezone} does not name an IANA time zone`;
  const fields = (tz ? tz[2]! : schedule).trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6)
    return 'a Cron schedule is "@every <duration>" or "[CRON_TZ=<zone> ]sec min hour day-of-month month [day-of-week]"';
  // day-of-week is optional; FunctionGraph's range is 0-6 with 0 = Sunday.
  const dow = fields[5] ?? '*';
  if (/(^|[,-])7($|[,/-])/.test(dow)) return 'day-of-week runs 0-6 (0 = Sunday) or Sun-Sat';
  const six = [...fields.slice(0, 5), dow].join(' ');
  try {
    nextSixFieldCronTimes(six, { from: new Date(0) });
  } catch (error) {
    return (error as Error).message;
  }
  return { kind: 'cron', fields: six, ...(timezone ? { timezone } : {}) };
}

/**
 * The times a schedule fires in `(after, until]`: cron in its `CRON_TZ` or the region's zone, intervals
 * counted from `anchor` (the trigger's creation).
 */
export function fireTimesBetween(
  schedule: TimerSchedule,
  anchor: number,
  after: number,
  until: number,
  regionTimeZone: string,
): number[] {
  const out: number[] = [];
  if (schedule.kind === 'interval') {
    let k = Math.max(1, Math.floor((after - anchor) / schedule.ms) + 1);
    for (let at = anchor + k * schedule.ms; at <= until; at = anchor + ++k * schedule.ms)
      if (at > after) out.push(at);
    return out;
  }
  let from = new Date(after);
  for (;;) {
    const [next] = nextSixFieldCronTimes(schedule.fields, {
      timezone: schedule.timezone ?? regionTimeZone,
      from,
    });
    if (!next || next.getTime() > until) return out;
    out.push(next.getTime());
    from = next;
  }
}

/** `2018-06-01T08:30:00+08:00`: a time in a zone with its offset, as the TIMER event's `time` shows it. */
export function zonedIsoTime(at: number, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offset = Math.round((local - Math.floor(at / 1000) * 1000) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${sign}${hh}:${mm}`;
}

/** The zone timers without `CRON_TZ` use: the option, else Beijing time for Chinese mainland regions, else UTC. */
export function defaultTimerZone(region: string, option: string | undefined): string {
  return option ?? (region.startsWith('cn-') ? 'Asia/Shanghai' : 'UTC');
}
