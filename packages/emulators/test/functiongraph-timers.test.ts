/**
 * TIMER schedules as Huawei's "Cron Expressions for a Function Timer Trigger" (functiongraph_01_0908)
 * describes them: `CRON_TZ=<zone>` and the region's zone without it, optional day-of-week 0-6, `@every`.
 */
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fgTestClient } from './functiongraph-client';

const ak = 'timer-ak';
const sk = 'timer-sk';
// Monday 2026-01-05 00:00 UTC = 08:00 in Beijing.
const monday = new Date('2026-01-05T00:00:00Z');
let emu: FunctionGraphEmulator;
const { call, createBody, code } = fgTestClient(() => emu, ak, sk);

beforeAll(async () => {
  emu = await startFunctionGraphEmulator({ accessKeyId: ak, secretAccessKey: sk, startTime: monday });
});
afterAll(async () => {
  await emu?.close();
});

const timer = (name: string, schedule: string, type = 'Cron', status = 'ACTIVE') => ({
  trigger_type_code: 'TIMER',
  trigger_status: status,
  event_data: { name, schedule_type: type, schedule },
});

async function withFunction(name: string, triggers: ReturnType<typeof timer>[]) {
  const created = await call(
    'POST',
    'functions',
    createBody(name, {
      func_code: {
        file: code('exports.handler = async (event) => ({ time: event.time, name: event.trigger_name });'),
      },
    }),
  );
  expect(created.status).toBe(200);
  for (const t of triggers) expect((await call('POST', `triggers/${name}`, t)).status).toBe(201);
}

describe('FunctionGraph emulator: timers', () => {
  it('fires cron schedules in their CRON_TZ and the rest in the region zone, telling the time with its offset', async () => {
    await withFunction('clock', [
      timer('beijing', 'CRON_TZ=Asia/Shanghai 0 30 9 ? * 1-5'),
      timer('berlin', 'CRON_TZ=Europe/Berlin 0 0 9 * * ?'),
      // No CRON_TZ and no day-of-week: cn-north-4 is Beijing time.
      timer('region', '0 0 12 * *'),
      timer('sunday', 'CRON_TZ=UTC 0 0 6 ? * 0'),
      timer('off', 'CRON_TZ=UTC 0 0 * * * ?', 'Cron', 'DISABLED'),
    ]);
    const fired = await emu.advanceClock(24 * 3600_000);
    expect(fired.map((d) => [d.trigger, d.at?.toISOString(), JSON.parse(d.result).time])).toEqual([
      ['beijing', '2026-01-05T01:30:00.000Z', '2026-01-05T09:30:00+08:00'],
      ['region', '2026-01-05T04:00:00.000Z', '2026-01-05T12:00:00+08:00'],
      ['berlin', '2026-01-05T08:00:00.000Z', '2026-01-05T09:00:00+01:00'],
    ]);
    // Six days on, Sunday 06:00 UTC fires once and the weekday timer four more times.
    const week = await emu.advanceClock(6 * 24 * 3600_000);
    expect(week.filter((d) => d.trigger === 'sunday').map((d) => d.at?.toISOString())).toEqual([
      '2026-01-11T06:00:00.000Z',
    ]);
    expect(week.filter((d) => d.trigger === 'beijing')).toHaveLength(4);
  });

  it('runs @every and Rate schedules from the trigger creation', async () => {
    const start = emu.now().getTime();
    await withFunction('every', [
      timer('half', '@every 2h30m'),
      timer('rate', '3h', 'Rate'),
      timer('dec', '@every 1.5h'),
    ]);
    const fired = await emu.advanceClock(6 * 3600_000);
    const offsets = (name: string) =>
      fired
        .filter((d) => d.trigger === name)
        .map((d) => Math.round(((d.at?.getTime() ?? 0) - start) / 60_000));
    expect(offsets('half')).toEqual([150, 300]);
    expect(offsets('rate')).toEqual([180, 360]);
    expect(offsets('dec')).toEqual([90, 180, 270, 360]);
  });

  it('refuses schedules FunctionGraph would refuse, naming the reason, and keeps nothing', async () => {
    await withFunction('strict', []);
    for (const [schedule, type, reason] of [
      ['CRON_TZ=Mars/Olympus 0 0 8 * * ?', 'Cron', /IANA time zone/],
      ['0 0 8 ? * 7', 'Cron', /0-6/],
      ['@every 5x', 'Cron', /duration/],
      ['0 0 8 * * ? extra', 'Cron', /Cron schedule is/],
      ['61m', 'Rate', /1-60m/],
    ] as const) {
      const r = await call('POST', 'triggers/strict', timer('bad', schedule, type));
      expect(r.status, schedule).toBe(400);
      expect(r.body.error_code).toBe('FSS.1109');
      expect(r.body.error_msg).toMatch(reason);
    }
    expect((await call('GET', 'triggers/strict')).body).toEqual([]);
  });
});
