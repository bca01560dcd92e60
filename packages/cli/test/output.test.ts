import type { DeployEvent, Plan } from '@faasport/core';
import { describe, expect, it } from 'vitest';
import { parseTraffic } from '../src/commands/traffic';
import { CliContext } from '../src/context';
import { UsageError } from '../src/errors';
import { progressRenderer } from '../src/output/events';
import { printPlans } from '../src/output/plan';
import { Capture } from './helpers';

function context(tty = false, json = false) {
  const stdout = new Capture(tty);
  const stderr = new Capture(tty);
  const ctx = new CliContext({ stdout, stderr, env: {}, cwd: '/', signal: new AbortController().signal });
  ctx.json = json;
  return { ctx, stdout, stderr };
}

const step = {
  id: 'function',
  action: 'create' as const,
  resource: 'function hello',
  summary: 'create function hello (nodejs20, 256 MB)',
};

describe('progress rendering', () => {
  const events: DeployEvent[] = [
    { type: 'plan-start', functionName: 'hello', target: 'local' },
    {
      type: 'warning',
      functionName: 'hello',
      issue: {
        severity: 'warning',
        feature: 'scaling.min',
        message: 'min instances are limited',
        hint: 'use 0',
      },
    },
    { type: 'step-start', functionName: 'hello', step },
    { type: 'step-end', functionName: 'hello', step, ms: 12 },
    {
      type: 'traffic',
      functionName: 'hello',
      traffic: [
        { revision: 'v1', percent: 90 },
        { revision: 'v2', percent: 10, tag: 'canary' },
      ],
    },
    { type: 'rollback', functionName: 'hello', what: 'traffic restored to v1 100%' },
    { type: 'done', functionName: 'hello', target: 'local', changed: true, url: 'http://h', ms: 40 },
  ];

  it('prints one line per event on a pipe, on stderr only', () => {
    const { ctx, stdout, stderr } = context();
    const render = progressRenderer(ctx);
    for (const e of events) render(e);
    expect(stdout.text).toBe('');
    expect(stderr.text.split('\n').filter(Boolean)).toEqual([
      '⚠ hello: min instances are limited (use 0)',
      '  … create function hello (nodejs20, 256 MB)',
      '  ✓ create function hello (nodejs20, 256 MB) (12 ms)',
      '  ⇄ traffic hello: v1 90%, v2 10% (tag canary)',
      '  ↺ rollback: traffic restored to v1 100%',
      '✓ hello deployed to local in 40 ms  http://h',
    ]);
  });

  it('on a terminal, a finished step replaces its pending line', () => {
    const { ctx, stderr } = context(true);
    const render = progressRenderer(ctx);
    render(events[2]!);
    render(events[3]!);
    expect(stderr.text).toContain('\u001b[1A\u001b[2K');
  });

  it('prints nothing with --json', () => {
    const { ctx, stdout, stderr } = context(false, true);
    const render = progressRenderer(ctx);
    for (const e of events) render(e);
    expect(stdout.text + stderr.text).toBe('');
  });
});

describe('plan rendering', () => {
  const plan = (kind: Plan['kind'], steps: Plan['steps'] = []): Plan => ({
    functionName: kind === 'none' ? 'same' : 'hello',
    target: 'local',
    kind,
    steps,
    warnings: [],
    drift: kind === 'update' ? [{ path: 'env', from: { A: '1' }, to: { A: '2' } }] : [],
    edits: [],
    revisionLabel: 'r-12345678',
    traffic: [{ revision: 'r-12345678', percent: 100 }],
  });

  it('marks steps and fields like a terraform plan and sums up', () => {
    const { ctx, stdout } = context();
    printPlans(ctx, [
      plan('create', [{ ...step, phase: 'revision', changes: [{ path: 'runtime', to: 'nodejs20' }] }]),
      plan('none'),
    ]);
    expect(stdout.text).toBe(
      [
        'hello on local: create  (revision r-12345678)',
        '  + create function hello (nodejs20, 256 MB)',
        '      runtime: "nodejs20"',
        'same on local: no changes',
        '',
        'Plan: 1 to create, 0 to update, 1 unchanged.',
        '',
      ].join('\n'),
    );
  });

  it('shows drift and says when nothing changes', () => {
    const { ctx, stdout } = context();
    printPlans(ctx, [plan('update', [{ ...step, action: 'update', phase: 'revision', changes: [] }])]);
    expect(stdout.text).toContain('! changed outside faasport: env: {"A":"1"} → {"A":"2"}');
    const none = context();
    printPlans(none.ctx, [plan('none')]);
    expect(none.stdout.text).toContain('No changes. Every function is up to date.');
  });
});

describe('traffic arguments', () => {
  it('parses splits and tags', () => {
    expect(parseTraffic(['v1=90', 'v2=10%'], ['v2=canary', 'v3=next'])).toEqual([
      { revision: 'v1', percent: 90 },
      { revision: 'v2', percent: 10, tag: 'canary' },
      { revision: 'v3', percent: 0, tag: 'next' },
    ]);
  });

  it('rejects malformed pairs as usage errors', () => {
    expect(() => parseTraffic([], [])).toThrow(UsageError);
    expect(() => parseTraffic(['v1=ninety'], [])).toThrow(/"v1=ninety" is not REVISION=PERCENT/);
    expect(() => parseTraffic(['v1=100'], ['v1'])).toThrow(/--tag "v1" is not REVISION=TAG/);
  });
});
