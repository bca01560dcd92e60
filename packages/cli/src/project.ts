import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type Adapter,
  ConfigurationError,
  findProjectFile,
  loadProject,
  type ResolvedFunction,
  type ResolvedProject,
  type ResolvedTarget,
} from '@faasport/core';
import { adapterNames, adapterRegistry, createAdapter, loadAdapterModule } from './adapters';
import type { CliContext } from './context';

/**
 * Loads the project named by `--config` (a file or a folder; default: the working directory).
 * Validation errors list every field, and nothing is touched. `providers` keys are checked against
 * the registry's adapter names.
 *
 * @public
 */
export function loadProjectAt(ctx: CliContext, config: string | undefined): ResolvedProject {
  return loadProject(resolve(ctx.io.cwd, config ?? '.'), { adapters: adapterNames() });
}

/** Loads the project when there is one; `undefined` when the folder has no project file. @public */
export function loadProjectIfAny(ctx: CliContext, config: string | undefined): ResolvedProject | undefined {
  const path = resolve(ctx.io.cwd, config ?? '.');
  if (config === undefined) {
    try {
      findProjectFile(path);
    } catch {
      return undefined;
    }
  }
  return loadProject(path, { adapters: adapterNames() });
}

/** The folder a project lives in (or the working directory without one). @internal */
export function projectDir(ctx: CliContext, project: ResolvedProject | undefined, config?: string): string {
  if (project) return project.baseDir;
  const path = resolve(ctx.io.cwd, config ?? '.');
  return existsSync(path) && statSync(path).isFile() ? dirname(path) : path;
}

/**
 * Picks the target: `--target` (a target of the project, or a bare adapter name), else
 * `$FAASPORT_TARGET`, else the project's only target, else `local`.
 *
 * @throws {@link ConfigurationError} naming the known targets when the name matches nothing. Credentials
 * in the file are refused when the adapter is made ({@link adapterFor}), since its module names them.
 * @public
 */
export function resolveTarget(
  ctx: CliContext,
  project: ResolvedProject | undefined,
  name: string | undefined,
): ResolvedTarget {
  const targets = project?.targets ?? {};
  const chosen =
    name ??
    ctx.io.env.FAASPORT_TARGET ??
    (Object.keys(targets).length === 1 ? Object.keys(targets)[0] : undefined) ??
    'local';
  const fromProject = targets[chosen];
  if (fromProject) return fromProject;
  if (adapterRegistry[chosen]) return { name: chosen, adapter: chosen, options: {} };
  const known = [...Object.keys(targets), ...Object.keys(adapterRegistry).filter((a) => !targets[a])];
  throw new ConfigurationError(
    `Unknown target "${chosen}"${project ? '' : ' (no faasport.yaml here)'}: known targets are ${known.join(', ')}.`,
    {
      option: '--target',
      hint: project
        ? `Add it under \`targets\` in ${project.file ?? 'faasport.yaml'}, or pass --target with one of: ${known.join(', ')}.`
        : `Pass --target with an adapter name (${Object.keys(adapterRegistry).join(', ')}) or run in a folder with faasport.yaml.`,
    },
  );
}

/**
 * Refuses secrets written in faasport.yaml: the file is shared and committed, so credentials come only
 * from the environment (DESIGN §3). The adapter module names them (`secretOptions`). The error names the
 * field and the variables, never the value.
 *
 * @throws {@link ConfigurationError} naming the field and the environment variables to use instead.
 * @public
 */
export async function refuseSecretsInFile(
  project: ResolvedProject | undefined,
  target: ResolvedTarget,
): Promise<void> {
  const secrets = (await loadAdapterModule(target.adapter, target.name)).secretOptions ?? {};
  const found = Object.keys(secrets).filter((key) => target.options[key] !== undefined);
  if (!found.length) return;
  const field = `targets.${target.name}.${found[0]}`;
  const vars = found.flatMap((key) => secrets[key]!);
  throw new ConfigurationError(
    `${field} in ${project?.file ?? 'faasport.yaml'} holds credentials; faasport reads credentials only from the environment.`,
    {
      option: field,
      envVar: vars[0]!.split(' ')[0],
      hint: `Remove ${found.map((k) => `targets.${target.name}.${k}`).join(', ')} from the file (and rotate the keys if it was ever committed), then set ${vars.join(', ')} in the environment.`,
    },
  );
}

/**
 * Creates the adapter of a target: credentials in the file are refused, the options are validated by
 * the adapter's schema, then its module makes the adapter. @public
 */
export async function adapterFor(
  ctx: CliContext,
  target: ResolvedTarget,
  baseDir: string,
  extra: { offline?: boolean; project?: ResolvedProject } = {},
): Promise<Adapter> {
  await refuseSecretsInFile(extra.project, target);
  return createAdapter(target.adapter, {
    targetName: target.name,
    options: target.options,
    env: ctx.io.env,
    baseDir,
    offline: extra.offline === true,
    ...(extra.project?.file ? { file: extra.project.file } : {}),
  });
}

/**
 * The functions a command acts on: all of the project's, or only those named.
 *
 * @throws {@link ConfigurationError} naming the project's functions when a name is unknown.
 * @public
 */
export function selectFunctions(project: ResolvedProject, names: string[]): ResolvedFunction[] {
  if (names.length === 0) return project.functions;
  return names.map((n) => {
    const fn = project.functions.find((f) => f.name === n);
    if (!fn) {
      throw new ConfigurationError(
        `Function "${n}" is not in ${project.file ?? 'the project'} (functions: ${project.functions.map((f) => f.name).join(', ')}).`,
        {
          option: '--function',
          hint: `Pass one of the project's function names to \`--function\` (comma-separated for several).`,
        },
      );
    }
    return fn;
  });
}
