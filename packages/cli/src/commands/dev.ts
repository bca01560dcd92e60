import { join, relative, resolve, sep } from 'node:path';
import {
  type Adapter,
  type DeployResult,
  deploy,
  loadProject,
  type ResolvedFunction,
  type ResolvedProject,
  remove,
} from '@faasport/core';
import { type FSWatcher, watch } from 'chokidar';
import { adapterNames } from '../adapters';
import { functionArgs, jsonArgs, listenArgs } from '../args';
import { command } from '../command';
import type { CliContext } from '../context';
import { errorJson, renderError } from '../output/errors';
import { progressRenderer } from '../output/events';
import { selectFunctions } from '../project';
import { ProjectChanges } from '../project-changes';
import { hostRuntime, parsePort, untilAborted } from '../runtime-host';
import { listArg } from '../workspace';
import { commandMeta } from './catalog';

/** Folders that never trigger a redeploy, wherever they are: state, dependencies, VCS. */
const ignored = new Set(['.faasport', 'node_modules', '.git']);

/** Whether `path` is `dir` or inside it. */
const within = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

/**
 * Whether a changed path can change a deploy: the project file itself, or a file of a watched
 * function's code (its folder or archive). Anything else (logs, build output, editor files elsewhere)
 * is ignored, so a function writing into the project cannot loop the watcher.
 */
function isRelevant(projectFile: string, functions: ResolvedFunction[], path: string): boolean {
  if (path === projectFile) return true;
  return functions.some((fn) => {
    if (fn.source.kind === 'dir') return within(path, fn.source.path);
    if (fn.source.kind === 'archive') return path === fn.source.path;
    return false;
  });
}

/**
 * Watches the project folder's directories (not the files' inodes), so every way an editor saves is
 * seen: in place, write-and-rename (vim, JetBrains, `sed -i`), delete and recreate. State, dependency
 * and VCS folders are never walked. Resolves once the initial scan is done, so no later save is missed.
 */
async function watchProject(
  baseDir: string,
  dataDir: string,
  onChange: (event: string, path: string) => void,
): Promise<FSWatcher> {
  const watcher = watch(baseDir, {
    ignoreInitial: true,
    ignored: (path) =>
      within(path, dataDir) ||
      relative(baseDir, path)
        .split(sep)
        .some((part) => ignored.has(part)),
  });
  watcher.on('all', (event, path) => onChange(event, resolve(baseDir, path)));
  await new Promise<void>((done, fail) => {
    watcher.once('ready', done);
    watcher.once('error', fail);
  });
  return watcher;
}

/** The URL that works everywhere (path routing on the runtime's own address), besides the host-based one. */
function pathUrl(runtimeUrl: string, name: string): string {
  return `${runtimeUrl}/${encodeURIComponent(name)}/`;
}

/** What one pass over the project did: the functions deployed and those that could not be. */
interface SyncResult {
  deployed: Array<{ result: DeployResult; http: boolean }>;
  failed: Array<{ name: string; error: unknown }>;
}

/**
 * Deploys each function on its own, so one that cannot run on `local` is reported and the rest are
 * still deployed; then removes the functions no longer in the project.
 */
async function syncProject(
  ctx: CliContext,
  adapter: Adapter,
  project: ResolvedProject,
  functions: ResolvedFunction[],
  deployed: Set<string>,
): Promise<SyncResult> {
  const onEvent = progressRenderer(ctx);
  const outcome: SyncResult = { deployed: [], failed: [] };
  for (const fn of functions) {
    try {
      const result = await deploy(adapter, fn, {
        env: ctx.io.env,
        baseDir: project.baseDir,
        onEvent,
        signal: ctx.io.signal,
      });
      outcome.deployed.push({ result, http: fn.triggers.some((t) => t.kind === 'http') });
      deployed.add(fn.name);
    } catch (error) {
      outcome.failed.push({ name: fn.name, error });
    }
  }
  for (const name of [...deployed]) {
    if (!functions.some((f) => f.name === name)) {
      await remove(adapter, name, { signal: ctx.io.signal });
      deployed.delete(name);
      ctx.note(`${ctx.err.yellow('-')} removed ${name} (no longer in the project)`);
    }
  }
  return outcome;
}

/**
 * Prints a pass: an `error` line per function that could not be deployed, then one `deployed` line.
 * A function without an http trigger has no URL (the runtime answers 404 there), so none is printed.
 */
function report(ctx: CliContext, runtimeUrl: string, { deployed, failed }: SyncResult): void {
  if (ctx.json) {
    for (const { name, error } of failed)
      ctx.jsonLine({ type: 'error', function: name, ...errorJson(error) });
    ctx.jsonLine({
      type: 'deployed',
      functions: deployed.map(({ result: r, http }) => ({
        name: r.functionName,
        revision: r.revision,
        changed: r.changed,
        ...(http
          ? { url: pathUrl(runtimeUrl, r.functionName), hostUrl: r.url, tagUrls: r.tagUrls ?? {} }
          : {}),
      })),
      failed: failed.map((f) => f.name),
    });
    return;
  }
  const c = ctx.out;
  for (const { result: r, http } of deployed) {
    if (!http) {
      ctx.print(
        `  ${c.bold(r.functionName)}  ${c.dim(r.revision)}  ${c.dim('(no http trigger, so no URL)')}`,
      );
      continue;
    }
    const host = r.url ? c.dim(`  (or ${r.url})`) : '';
    ctx.print(
      `  ${c.bold(r.functionName)}  ${c.dim(r.revision)}  ${c.cyan(pathUrl(runtimeUrl, r.functionName))}${host}`,
    );
    for (const [tag, url] of Object.entries(r.tagUrls ?? {})) ctx.print(`    ${c.dim(`tag ${tag}`)}  ${url}`);
  }
  for (const { name, error } of failed) {
    ctx.note(`${ctx.err.red('✗')} ${ctx.err.bold(name)} is not deployed:`);
    renderError(ctx, error);
  }
}

function reportError(ctx: CliContext, error: unknown): void {
  if (ctx.json) ctx.jsonLine({ type: 'error', ...errorJson(error) });
  else renderError(ctx, error);
}

/** `faasport dev`: Run a project on the bundled runtime: deploy it, watch its files, redeploy on change. @public */
export default command({
  meta: commandMeta('dev'),
  args: {
    dir: { type: 'positional', description: 'The project folder (or its faasport.yaml)', default: '.' },
    ...functionArgs,
    ...listenArgs,
    'data-dir': {
      type: 'string',
      description: 'Where the runtime keeps state (default: .faasport in the project, or $FAASPORT_DATA_DIR)',
      valueHint: 'dir',
    },
    ...jsonArgs,
  },
  examples: [
    ['faasport dev examples/hello', 'serve examples/hello on 127.0.0.1:8080'],
    ['faasport dev examples/coffee --function coffee-web', 'only the function coffee-web'],
    [
      'faasport dev --port 0 --json',
      'a free port; NDJSON lines {"type":"ready"|"deployed"|"error"|"stopped", ...}',
    ],
  ],
  epilogue:
    'Every function with an http trigger gets a URL; a saved change deploys a new revision and the URL answers\nwith it. A function that cannot run on the bundled runtime is reported and the others are deployed. Other\ncommands (`faasport invoke`, `publish`, `traffic`, `logs`) reach this runtime through the `local` target from\nthe same folder.',
  async run(args, ctx) {
    const path = resolve(ctx.io.cwd, args.dir);
    const names = listArg(args.function);
    let project = loadProject(path, { adapters: adapterNames() });
    let functions = selectFunctions(project, names);
    const dataDir = args['data-dir']
      ? resolve(ctx.io.cwd, args['data-dir'])
      : ctx.io.env.FAASPORT_DATA_DIR
        ? resolve(project.baseDir, ctx.io.env.FAASPORT_DATA_DIR)
        : join(project.baseDir, '.faasport');
    const projectFile = project.file ?? join(project.baseDir, 'faasport.yaml');
    const runtime = await hostRuntime({ port: parsePort(args.port, 'dev', 8080), host: args.host, dataDir });
    let watcher: FSWatcher | undefined;
    try {
      const { adapterModule } = await import('@faasport/runtime');
      const adapter = await adapterModule.fromTarget({
        targetName: 'local',
        options: { url: runtime.url, token: runtime.token },
        env: ctx.io.env,
        baseDir: project.baseDir,
        offline: false,
      });
      if (ctx.json)
        ctx.jsonLine({ type: 'ready', url: runtime.url, dataDir: runtime.dataDir, project: project.name });
      else
        ctx.print(
          `${ctx.out.green('✓')} faasport dev: ${ctx.out.bold(project.name)} on ${ctx.out.cyan(runtime.url)}`,
        );
      const deployed = new Set<string>();

      // Passes run one at a time; changes during a pass cause one more afterwards.
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> | undefined;
      let again = false;
      const changes = new ProjectChanges();
      const pass = async (reload: boolean) => {
        try {
          if (reload) {
            project = loadProject(path, { adapters: adapterNames() });
            functions = selectFunctions(project, names);
          }
          report(ctx, runtime.url, await syncProject(ctx, adapter, project, functions, deployed));
        } catch (error) {
          reportError(ctx, error);
        }
      };
      /** One pass at a time: the first deploys the project as loaded, later ones reload it first. */
      const redeploy = async (reload = true) => {
        if (running) {
          again = true;
          return;
        }
        const files = changes.startPass().map((file) => relative(project.baseDir, file));
        if (reload && !ctx.json && files.length)
          ctx.note(
            ctx.err.dim(
              `↻ ${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''} changed`,
            ),
          );
        running = pass(reload);
        await running;
        running = undefined;
        if (again) {
          again = false;
          await redeploy();
        }
      };
      // Watching starts before the first deploy: a save during it causes a redeploy, never a miss.
      watcher = await watchProject(project.baseDir, runtime.dataDir, (event, file) => {
        if (!isRelevant(projectFile, functions, file) || !changes.record(event, file)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void redeploy(), 100);
      });
      await redeploy(false);
      if (!ctx.json)
        ctx.note(
          ctx.err.dim(`watching ${relative(ctx.io.cwd, project.baseDir) || '.'} for changes; Ctrl-C stops`),
        );
      await untilAborted(ctx.io.signal);
      clearTimeout(timer);
      if (running) await running;
    } finally {
      await watcher?.close();
      await runtime.close();
      if (ctx.json) ctx.jsonLine({ type: 'stopped' });
      else ctx.note(ctx.err.dim('stopped'));
    }
  },
});
