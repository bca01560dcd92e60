import { projectJsonSchema } from '@faasport/core';
import { adapterRegistry, loadAdapterModule } from './adapters';

/**
 * The JSON Schema of `faasport.yaml` with the adapters the CLI bundles: each target's options and each
 * `providers.<name>` checked by that adapter's own schema. The build writes it to
 * `@faasport/cli/schema.json`. Loads every adapter package.
 *
 * @public
 */
export async function bundledProjectJsonSchema(): Promise<Record<string, unknown>> {
  const adapters = await Promise.all(Object.keys(adapterRegistry).map((name) => loadAdapterModule(name)));
  return projectJsonSchema({ adapters });
}
