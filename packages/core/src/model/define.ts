import { resolveFunction, resolveProject } from './resolve';
import type { ResolvedFunction, ResolvedProject } from './resolved';
import type { FunctionConfig, ProjectConfig } from './schema';

/**
 * Declares a function in code with full type checking, and validates it.
 * Relative source paths resolve against `baseDir` (default: the working directory).
 *
 * @example
 * ```ts
 * const hello = defineFunction({ name: 'hello', source: { inline: 'export default () => "hi"' } });
 * hello.runtime; // 'nodejs20'
 * ```
 * @public
 */
export function defineFunction<const N extends string>(
  config: FunctionConfig & { name: N },
  options: { baseDir?: string } = {},
): ResolvedFunction & { name: N } {
  return resolveFunction(config, options) as ResolvedFunction & { name: N };
}

/**
 * Declares a project in code, and validates it like `loadProject` does a file.
 *
 * @public
 */
export function defineProject(config: ProjectConfig, options: { baseDir?: string } = {}): ResolvedProject {
  return resolveProject(config, options);
}
