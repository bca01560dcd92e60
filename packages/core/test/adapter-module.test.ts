import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  assertTargetOptions,
  checkFunction,
  defineAdapterModule,
  defineFunction,
  planDeploy,
  projectJsonSchema,
  ValidationError,
} from '../src';
import { createMemoryAdapter } from '../src/testing';

// A made-up platform, so these tests show what core does with any adapter module.
const providerOptionsSchema = z.strictObject({ service: z.string().optional(), role: z.string().optional() });
const optionsSchema = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]+-\d$/, { error: 'is not a region (e.g. eu-1)' })
    .optional(),
  credentials: z.strictObject({ key: z.string() }).optional(),
});
const memory = () => ({ ...createMemoryAdapter(), name: 'memory', providerOptionsSchema });
const moduleOf = defineAdapterModule({
  specificationVersion: 'v1.1',
  name: 'memory',
  description: 'an in-memory target',
  optionsSchema,
  providerOptionsSchema,
  secretOptions: { credentials: ['MEMORY_KEY'] },
  fromTarget: () => memory(),
});

const fn = (providers: Record<string, Record<string, unknown>>) =>
  defineFunction({ name: 'web', source: { inline: 'export default () => "hi"' }, providers });

describe("core validates providers.<adapter> with the adapter's providerOptionsSchema", () => {
  it('reports a typo with a did-you-mean in checkFunction, for an adapter with no check of its own', () => {
    const issues = checkFunction(memory(), fn({ memory: { servce: 'shop' } }));
    expect(issues).toEqual([
      expect.objectContaining({
        severity: 'error',
        path: 'providers.memory',
        message: 'unknown key "servce"; did you mean "service"? (allowed: service, role)',
        hint: 'Rename providers.memory.servce to providers.memory.service.',
      }),
    ]);
  });

  it('ignores the options of other adapters: a function may carry options for several targets', () => {
    expect(checkFunction(memory(), fn({ memory: { service: 'a' }, fc: { anything: 1 } }))).toEqual([]);
  });

  it('stops plan before any read, as render and deploy do (one gate)', async () => {
    const adapter = memory();
    const error = await planDeploy(adapter, fn({ memory: { role: 3 } })).catch((e: unknown) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).issues).toEqual([
      expect.objectContaining({ path: 'providers.memory.role', message: expect.stringContaining('3: ') }),
    ]);
    expect(adapter.calls).toEqual([]);
  });
});

describe("a target's options are validated by the module's optionsSchema", () => {
  it('names the option, suggests the nearest key and lists the allowed ones', () => {
    const error = (() => {
      try {
        assertTargetOptions(moduleOf, 'prod', { regoin: 'eu-1' }, { file: '/p/faasport.yaml' });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error!.file).toBe('/p/faasport.yaml');
    expect(error!.issues).toEqual([
      {
        path: 'targets.prod',
        message: 'unknown key "regoin"; did you mean "region"? (allowed: region, credentials)',
        rule: 'unrecognized_keys',
      },
    ]);
    expect(error!.hint).toBe('Rename targets.prod.regoin to targets.prod.region.');
  });

  it('echoes a bad value, but never the value of a secret option', () => {
    const error = (() => {
      try {
        assertTargetOptions(moduleOf, 'prod', { region: 'Mars', credentials: { key: 42 } });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error!.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'targets.prod.region: "Mars": is not a region (e.g. eu-1)',
      'targets.prod.credentials.key: is not valid',
    ]);
    expect(error!.message).not.toContain('42');
  });

  it('accepts valid options', () => {
    expect(() => assertTargetOptions(moduleOf, 'prod', { region: 'eu-1' })).not.toThrow();
  });
});

describe('the JSON Schema of faasport.yaml, per adapter', () => {
  it("puts each adapter's options under targets (by adapter) and providers.<name>", () => {
    const schema = projectJsonSchema({ adapters: [moduleOf] }) as any;
    const target = schema.properties.targets.additionalProperties;
    expect(target.properties.adapter.enum).toEqual(['memory']);
    expect(target.allOf[0].if).toEqual({
      properties: { adapter: { const: 'memory' } },
      required: ['adapter'],
    });
    expect(Object.keys(target.allOf[0].then.properties)).toEqual(['adapter', 'region', 'credentials']);
    expect(target.allOf[0].then.additionalProperties).toBe(false);
    const providers = schema.properties.functions.items.properties.providers;
    expect(Object.keys(providers.properties)).toEqual(['memory']);
    expect(providers.properties.memory.additionalProperties).toBe(false);
    expect(providers.additionalProperties).toBe(false);
    expect(schema.properties.defaults.properties.providers).toEqual(providers);
  });

  it('stays open without adapters: core alone knows no platform', () => {
    const schema = projectJsonSchema() as any;
    expect(schema.properties.functions.items.properties.providers.properties).toBeUndefined();
    expect(schema.properties.targets.additionalProperties.required).toEqual(['adapter']);
  });
});
