import type { ResolvedFunction, ResolvedProject } from './resolved';
import { resolveFunction, resolveProject } from './resolve';
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
export function defineFunction<const T extends FunctionConfig>(config: T, options: { baseDir?: string } = {}): ResolvedFunction & { name: T['name'] } {
  return resolveFunction(config, options) as ResolvedFunction & { name: T['name'] };
}

/**
 * Declares a project in code, and validates it like `loadProject` does a file.
 *
 * @public
 */
export function defineProject<const T extends ProjectConfig>(config: T, options: { baseDir?: string } = {}): ResolvedProject {
  return resolveProject(config, options);
}
