import { z } from 'zod';
import { functionSchema, projectSchema } from './schema';

/**
 * The JSON Schema of `faasport.yaml`, generated from the zod model, for editor completion and checks.
 * Published as `@faasport/core/schema.json`.
 *
 * @public
 */
export function projectJsonSchema(): Record<string, unknown> {
  const project = z.toJSONSchema(projectSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    any
  >;
  const fn = z.toJSONSchema(functionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, any>;
  delete fn.$schema;
  project.properties.functions = { type: 'array', minItems: 1, items: fn };
  return {
    ...project,
    $id: 'https://faasport.dev/schema/faasport.json',
    title: 'faasport project (faasport.yaml)',
  };
}
