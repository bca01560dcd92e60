import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { startVitest } from 'vitest/node';

// The trigger cases never skip silently: a feature the declared capabilities leave out is skipped with
// that reason in the title; a declared feature without its hook, or an unstated reason, fails the case.
test('the trigger cases skip only with the reason in their title, and fail when the target cannot fire a declared trigger', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/trigger-rules.fixture.ts', import.meta.url));
  const exitCode = process.exitCode;
  const quiet = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  const vitest = await startVitest(
    'test',
    [fixture],
    {
      watch: false,
      config: false,
      root: fileURLToPath(new URL('./fixtures', import.meta.url)),
      include: ['trigger-rules.fixture.ts'],
      reporters: [],
    },
    {},
    // The inner run's failures are the expected outcome: its report stays out of this run's output.
    { stdout: quiet(), stderr: quiet() },
  );
  // A failing inner run sets the exit code of the process it runs in, which is this run's.
  process.exitCode = exitCode;
  try {
    const outcomes = vitest.state
      .getFiles()
      .flatMap((file) => file.tasks.flatMap((suite) => ('tasks' in suite ? suite.tasks : [])))
      .map((t) => ({
        name: `${t.suite?.name} > ${t.name}`,
        state: t.mode === 'skip' ? 'skip' : t.result?.state,
        error: t.result?.errors?.[0]?.message ?? '',
      }))
      .filter((t) => !t.name.includes('not under test here'));
    expect(outcomes).toEqual([
      {
        name: 'adapter conformance: told > fires a schedule trigger when the clock passes its times',
        state: 'fail',
        error: expect.stringContaining(
          'told declares trigger.schedule but its target gives no triggers.advanceClock hook',
        ),
      },
      {
        name: 'adapter conformance: told > delivers a published event that matches the trigger filter, and none that does not (skipped: told does not declare trigger.event)',
        state: 'skip',
        error: '',
      },
      {
        name: 'adapter conformance: untold > fires a schedule trigger when the clock passes its times',
        state: 'fail',
        error: expect.stringContaining(
          'untold declares trigger.schedule but its target gives no triggers.advanceClock hook',
        ),
      },
      {
        name: 'adapter conformance: untold > delivers a published event that matches the trigger filter, and none that does not',
        state: 'fail',
        error: expect.stringContaining(
          'untold does not declare trigger.event, so "trigger-event" cannot run: pass the adapter\'s declared capabilities as `capabilities`',
        ),
      },
    ]);
  } finally {
    await vitest.close();
  }
}, 60_000);
