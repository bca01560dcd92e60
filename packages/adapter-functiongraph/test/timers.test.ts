/**
 * Schedules keep the user's hour: FunctionGraph evaluates a TIMER cron in its `CRON_TZ`, else in the
 * region's zone ("Cron Expressions for a Function Timer Trigger", functiongraph_01_0908), so the adapter
 * sends the zone and the fields unshifted.
 */
import { defineFunction, deploy, type FunctionConfig } from '@faasport/core';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunctionGraphAdapter } from '../src';
import { fromFunctionGraphSchedule, regionTimeZone, toFunctionGraphSchedule } from '../src/deploy/cron';

describe('the TIMER cron dialect', () => {
  it('sends the fields as written with CRON_TZ, `?` in the free day field and Sunday as 0', () => {
    expect(toFunctionGraphSchedule('30 9 * * 1-5', 'Asia/Shanghai')).toBe(
      'CRON_TZ=Asia/Shanghai 0 30 9 ? * 1-5',
    );
    expect(toFunctionGraphSchedule('0 0 1 * *', 'UTC')).toBe('CRON_TZ=UTC 0 0 0 1 * ?');
    expect(toFunctionGraphSchedule('0 9 * * 7', 'Europe/Berlin')).toBe('CRON_TZ=Europe/Berlin 0 0 9 ? * 0');
    expect(toFunctionGraphSchedule('0 9 * * 5-7', 'UTC')).toBe('CRON_TZ=UTC 0 0 9 ? * 5-6,0');
    expect(toFunctionGraphSchedule('0 9 * * 1-7/3', 'UTC')).toBe('CRON_TZ=UTC 0 0 9 ? * 1,4,0');
    expect(toFunctionGraphSchedule('0 9 * * sun,sat', 'UTC')).toBe('CRON_TZ=UTC 0 0 9 ? * sun,sat');
    // Daylight saving is the zone's business now, not an error.
    expect(toFunctionGraphSchedule('0 2 * * 1', 'America/New_York')).toBe(
      'CRON_TZ=America/New_York 0 0 2 ? * 1',
    );
    expect(() => toFunctionGraphSchedule('0 9 * *', 'UTC')).toThrow(/5-field/);
    expect(() => toFunctionGraphSchedule('0 9 * * *', 'Mars/Olympus')).toThrow(/IANA/);
  });

  it('reads schedules back with their zone, or without one when CRON_TZ is absent', () => {
    expect(fromFunctionGraphSchedule('CRON_TZ=Asia/Shanghai 0 30 9 ? * 1-5')).toEqual({
      cron: '30 9 * * 1-5',
      timezone: 'Asia/Shanghai',
    });
    expect(fromFunctionGraphSchedule('0 0 8 * *')).toEqual({ cron: '0 8 * * *' });
    expect(fromFunctionGraphSchedule('@every 30m')).toBeUndefined();
    expect(fromFunctionGraphSchedule('15 0 8 * * ?')).toBeUndefined();
    expect(regionTimeZone('cn-east-3')).toBe('Asia/Shanghai');
    expect(regionTimeZone('ap-southeast-3')).toBe('Asia/Singapore');
    expect(regionTimeZone('xx-nowhere-9')).toBeUndefined();
  });
});

describe('a deployed schedule', () => {
  const ak = 'timer-ak';
  const sk = 'timer-sk';
  let emu: FunctionGraphEmulator;
  beforeAll(async () => {
    // Monday 2026-01-05 00:00 UTC, 08:00 in Beijing; cn-north-4 runs on Beijing time.
    emu = await startFunctionGraphEmulator({
      accessKeyId: ak,
      secretAccessKey: sk,
      startTime: new Date('2026-01-05T00:00:00Z'),
    });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('fires 30 9 * * 1-5 in Asia/Shanghai at 09:30 Beijing time, and exports back unchanged', async () => {
    const adapter = createFunctionGraphAdapter({
      region: emu.region,
      projectId: emu.projectId,
      endpoint: emu.url,
      credentials: { accessKeyId: ak, secretAccessKey: sk },
    });
    await deploy(
      adapter,
      defineFunction({
        name: 'standup',
        contract: 'event',
        source: { inline: 'export default async (event) => ({ type: event.type, data: event.data });' },
        triggers: [{ schedule: { cron: '30 9 * * 1-5', timezone: 'Asia/Shanghai', payload: { team: 'a' } } }],
      } as FunctionConfig),
    );
    const fired = await emu.advanceClock(2 * 3600_000);
    expect(fired.map((d) => d.at?.toISOString())).toEqual(['2026-01-05T01:30:00.000Z']);
    expect(JSON.parse(fired[0]!.result)).toEqual({ type: 'dev.faasport.schedule', data: { team: 'a' } });
    // Nothing more that day: a UTC-shifted schedule would fire at 01:30 Beijing time instead.
    expect(await emu.advanceClock(22 * 3600_000)).toEqual([]);
    const exported = await adapter.export('standup', {
      emit() {},
      logger: { debug() {}, info() {}, warn() {} },
      signal: new AbortController().signal,
    });
    expect(exported.config.triggers).toEqual([
      { schedule: { cron: '30 9 * * 1-5', timezone: 'Asia/Shanghai', payload: { team: 'a' } } },
    ]);
  });
});
