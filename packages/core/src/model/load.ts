import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { ConfigurationError, ValidationError } from '../errors';
import { resolveProject } from './resolve';
import type { ResolvedProject } from './resolved';
import { parseYaml } from './yaml';

/** The file names `loadProject` looks for in a folder, in order. @public */
export const projectFileNames = ['faasport.yaml', 'faasport.yml', 'faasport.json'] as const;

/**
 * Finds the project file: `path` itself when it is a file, else the first of
 * {@link projectFileNames} inside it.
 *
 * @public
 */
export function findProjectFile(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isFile()) return abs;
  for (const name of projectFileNames) {
    const candidate = join(abs, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new ConfigurationError(`No project file at ${abs}: looked for ${projectFileNames.join(', ')}.`, {
    hint: 'Run `faasport init` to create one, or pass the path of your faasport.yaml.',
  });
}

/**
 * Reads `faasport.yaml` / `.yml` / `.json` (or the project file inside a folder), validates it, resolves
 * relative paths against the file's folder and applies defaults. `options.adapters` names the known
 * adapters, against which `providers` keys are checked (see {@link resolveProject}).
 *
 * @throws {@link ValidationError} listing every problem, each with its path, value and rule.
 * @throws {@link ConfigurationError} when there is no project file.
 * @example
 * ```ts
 * const project = loadProject('./faasport.yaml');
 * for (const fn of project.functions) console.log(fn.name, fn.runtime);
 * ```
 * @public
 */
export function loadProject(path: string, options: { adapters?: readonly string[] } = {}): ResolvedProject {
  const file = findProjectFile(path);
  const text = readFileSync(file, 'utf8');
  let data: unknown;
  if (extname(file) === '.json') {
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new ValidationError(
        [{ path: '', message: `is not valid JSON: ${(error as Error).message}`, rule: 'syntax' }],
        { file },
      );
    }
  } else {
    const documents = parseYaml(text, { file });
    if (documents.length > 1)
      throw new ValidationError(
        [
          {
            path: '',
            message: `holds ${documents.length} YAML documents (separated by "---"); a project file is one`,
            rule: 'syntax',
          },
        ],
        { file },
      );
    data = documents[0];
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ValidationError(
      [{ path: '', message: 'must be a mapping with name and functions', rule: 'invalid_type' }],
      { file },
    );
  }
  return resolveProject(data, {
    baseDir: dirname(file),
    file,
    ...(options.adapters ? { adapters: options.adapters } : {}),
  });
}
