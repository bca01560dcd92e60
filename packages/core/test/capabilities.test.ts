import { describe, expect, it } from 'vitest';
import { defineAdapter, defineFunction, featureLabels, features, featuresUsed } from '../src';
import { createMemoryAdapter } from '../src/testing';

const hello = { inline: 'export default () => "hi"' };

describe('featuresUsed', () => {
  it('derives scaling.max only when the maximum differs from the one faasport picks', () => {
    expect(featuresUsed(defineFunction({ name: 'a', source: hello })).has('scaling.max')).toBe(false);
    expect(
      featuresUsed(defineFunction({ name: 'a', source: hello, scaling: { max: 5 } })).has('scaling.max'),
    ).toBe(true);
    // A minimum above the default maximum raises the maximum with it: no maximum was asked for.
    expect(
      featuresUsed(defineFunction({ name: 'a', source: hello, scaling: { min: 150 } })).has('scaling.max'),
    ).toBe(false);
  });

  it('derives scaling.toZero from a minimum of 0, and scaling.min otherwise', () => {
    const zero = featuresUsed(defineFunction({ name: 'a', source: hello }));
    expect(zero.has('scaling.toZero')).toBe(true);
    expect(zero.has('scaling.min')).toBe(false);
    const warm = featuresUsed(defineFunction({ name: 'a', source: hello, scaling: { min: 1 } }));
    expect(warm.has('scaling.toZero')).toBe(false);
    expect(warm.has('scaling.min')).toBe(true);
  });

  it('names every feature', () => {
    expect(Object.keys(featureLabels).sort()).toEqual([...features].sort());
  });
});

describe('defineAdapter', () => {
  const adapter = createMemoryAdapter();

  it('refuses an adapter whose logs capability and logs method disagree', () => {
    const { logs: _logs, ...withoutLogs } = adapter;
    expect(() => defineAdapter(withoutLogs)).toThrow(/declares logs but has no logs method/);
    const undeclared = {
      ...adapter,
      capabilities: {
        ...adapter.capabilities,
        features: { ...adapter.capabilities.features, logs: undefined },
      },
    };
    expect(() => defineAdapter(undeclared)).toThrow(/has a logs method but does not declare logs/);
  });

  it('takes an adapter without logs that leaves out both, or declares them unsupported with a note', () => {
    const { logs: _logs, ...withoutLogs } = adapter;
    const left = { ...withoutLogs, capabilities: { ...adapter.capabilities, features: {} } };
    expect(defineAdapter(left)).toBe(left);
    const noted = {
      ...withoutLogs,
      capabilities: {
        ...adapter.capabilities,
        features: { logs: { level: 'unsupported' as const, note: 'elsewhere' } },
      },
    };
    expect(defineAdapter(noted)).toBe(noted);
  });
});
