import { z } from 'zod';
import type { AdapterModule } from '../adapter/module';
import { functionSchema, projectSchema } from './schema';

type JsonSchema = Record<string, any>;

/** A zod schema as JSON Schema (the input side: what a user writes), without its `$schema` line. */
function toJson(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** The adapter facts the JSON Schema is composed from. @public */
export type SchemaAdapter = Pick<
  AdapterModule,
  'name' | 'description' | 'optionsSchema' | 'providerOptionsSchema'
>;

/**
 * `providers` with each adapter's own options; other keys are refused, so an editor flags a typo of
 * an adapter name as the CLI does.
 */
function providersJson(adapters: readonly SchemaAdapter[]): JsonSchema {
  return {
    type: 'object',
    description: 'Options for one adapter, under its name; options for other targets are ignored.',
    properties: Object.fromEntries(
      adapters.map((a) => [a.name, { ...toJson(a.providerOptionsSchema), description: a.description }]),
    ),
    additionalProperties: false,
  };
}

/** A target: `adapter` picks the options schema (if/then per adapter, so an editor shows one adapter's keys). */
function targetJson(adapters: readonly SchemaAdapter[]): JsonSchema {
  const names = adapters.map((a) => a.name);
  return {
    type: 'object',
    required: ['adapter'],
    properties: { adapter: { type: 'string', enum: names, description: 'The adapter: ' + names.join(', ') } },
    allOf: adapters.map((a) => {
      const options = toJson(a.optionsSchema);
      return {
        if: { properties: { adapter: { const: a.name } }, required: ['adapter'] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited.
        then: {
          ...options,
          description: a.description,
          properties: { adapter: { const: a.name }, ...(options.properties ?? {}) },
        },
      };
    }),
  };
}

/**
 * The JSON Schema of `faasport.yaml`, generated from the zod model, for editor completion and checks.
 * With `adapters` (their modules, specification v1.1), `targets.*` is checked by each adapter's
 * `optionsSchema` (chosen by `adapter`) and `providers.<name>` by its `providerOptionsSchema`; without
 * them, both stay open. The CLI publishes the schema with its bundled adapters
 * (`@faasport/cli/schema.json`); `@faasport/core/schema.json` is the one without.
 *
 * @public
 */
export function projectJsonSchema(options: { adapters?: readonly SchemaAdapter[] } = {}): JsonSchema {
  const project = z.toJSONSchema(projectSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const fn = toJson(functionSchema);
  const adapters = options.adapters ?? [];
  if (adapters.length) {
    const providers = providersJson(adapters);
    fn.properties.providers = providers;
    project.properties.defaults.properties.providers = providers;
    project.properties.targets.additionalProperties = targetJson(adapters);
  }
  project.properties.functions = { type: 'array', minItems: 1, items: fn };
  return {
    ...project,
    $id: 'https://faasport.dev/schema/faasport.json',
    title: 'faasport project (faasport.yaml)',
  };
}
