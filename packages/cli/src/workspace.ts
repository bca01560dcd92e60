import type { Adapter, ResolvedFunction, ResolvedProject, ResolvedTarget } from '@faasport/core';
import type { CliContext } from './context';
import { UsageError } from './errors';
import {
  adapterFor,
  loadProjectAt,
  loadProjectIfAny,
  projectDir,
  resolveTarget,
  selectFunctions,
} from './project';

/** A loaded project with its chosen target and that target's adapter. @public */
export interface ProjectWorkspace {
  project: ResolvedProject;
  target: ResolvedTarget;
  adapter: Adapter;
  functions: ResolvedFunction[];
}

/** Splits `a,b` and repeated flags into names. @internal */
export function listArg(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * The project a command names: its `[DIR]` argument or `--config` (one of them; both only when they
 * agree), else `undefined` for the current folder.
 *
 * @throws {@link UsageError} when both are given and differ.
 * @internal
 */
export function projectPathArg(
  args: { dir?: string; config?: string },
  command?: string,
): string | undefined {
  if (args.dir !== undefined && args.config !== undefined && args.dir !== args.config) {
    throw new UsageError(`Give the project folder once: ${args.dir} or --config ${args.config}.`, {
      ...(command ? { command } : {}),
    });
  }
  return args.dir ?? args.config;
}

/**
 * Loads the project (validating it fully before anything else happens), picks the target and
 * creates its adapter.
 *
 * @public
 */
export async function openProject(
  ctx: CliContext,
  args: { dir?: string; config?: string; target?: string; function?: string | string[] },
): Promise<ProjectWorkspace> {
  const project = loadProjectAt(ctx, projectPathArg(args));
  const functions = selectFunctions(project, listArg(args.function));
  const target = resolveTarget(ctx, project, args.target);
  const adapter = await adapterFor(ctx, target, project.baseDir, { project });
  return { project, target, adapter, functions };
}

/** A target's adapter for commands that act on deployed functions (the project file is optional). @public */
export async function openTarget(
  ctx: CliContext,
  args: { config?: string; target?: string },
): Promise<{ project?: ResolvedProject; target: ResolvedTarget; adapter: Adapter }> {
  const project = loadProjectIfAny(ctx, args.config);
  const target = resolveTarget(ctx, project, args.target);
  const adapter = await adapterFor(ctx, target, projectDir(ctx, project, args.config), {
    ...(project ? { project } : {}),
  });
  return { ...(project ? { project } : {}), target, adapter };
}
