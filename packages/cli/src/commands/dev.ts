import { type FSWatcher, watch } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import {
  type Adapter,
  type DeployResult,
  deploy,
  loadProject,
  type ResolvedProject,
  remove,
} from '@faasport/core';
import { jsonArgs, listenArgs } from '../args';
import { command } from '../command';
import type { CliContext } from '../context';
import { errorJson, renderError } from '../output/errors';
import { progressRenderer } from '../output/events';
import { hostRuntime, parsePort, untilAborted } from '../runtime-host';

/** Folders that never trigger a redeploy, wherever they are: state, dependencies, VCS. */
const ignored = new Set(['.faasport', 'node_modules', '.git']);

/**
 * Whether a changed file (relative to the project folder) can change a deploy: the project file
 * itself, or a file of a function's code (its folder or archive). Anything else (logs, build output,
 * editor files elsewhere) is ignored, so a function writing into the project cannot loop the watcher.
 */
function isRelevant(project: ResolvedProject, file: string, dataDir: string): boolean {
  if (file.split(sep).some((part) => ignored.has(part))) return false;
  const abs = resolve(project.baseDir, file);
  if (abs === dataDir || abs.startsWith(dataDir + sep)) return false;
  if (project.file && abs === project.file) return true;
  return project.functions.some((fn) => {
    if (fn.source.kind === 'dir') return abs === fn.source.path || abs.startsWith(fn.source.path + sep);
    if (fn.source.kind === 'archive') return abs === fn.source.path;
    return false;
  });
}

/** The URL that works everywhere (path routing on the runtime's own address), besides the host-based one. */
function pathUrl(runtimeUrl: string, name: string): string {
  return `${runtimeUrl}/${encodeURIComponent(name)}/`;
}

/** Deploys every function of the project and removes the ones no longer in it. */
async function syncProject(
  ctx: CliContext,
  adapter: Adapter,
  project: ResolvedProject,
  deployed: Set<string>,
): Promise<DeployResult[]> {
  const onEvent = progressRenderer(ctx);
  const results: DeployResult[] = [];
  for (const fn of project.functions) {
    results.push(
      await deploy(adapter, fn, {
        env: ctx.io.env,
        baseDir: project.baseDir,
        onEvent,
        signal: ctx.io.signal,
      }),
    );
    deployed.add(fn.name);
  }
  for (const name of [...deployed]) {
    if (!project.functions.some((f) => f.name === name)) {
      await remove(adapter, name, { signal: ctx.io.signal });
      deployed.delete(name);
      ctx.note(`${ctx.err.yellow('-')} removed ${name} (no longer in the project)`);
    }
  }
  return results;
}

function report(ctx: CliContext, runtimeUrl: string, results: DeployResult[]): void {
  if (ctx.json) {
    ctx.jsonLine({
      type: 'deployed',
      functions: results.map((r) => ({
        name: r.functionName,
        revision: r.revision,
        changed: r.changed,
        url: pathUrl(runtimeUrl, r.functionName),
        hostUrl: r.url,
        tagUrls: r.tagUrls ?? {},
      })),
    });
    return;
  }
  for (const r of results) {
    const c = ctx.out;
    const host = r.url ? c.dim(`  (or ${r.url})`) : '';
    ctx.print(
      `  ${c.bold(r.functionName)}  ${c.dim(r.revision)}  ${c.cyan(pathUrl(runtimeUrl, r.functionName))}${host}`,
    );
    for (const [tag, url] of Object.entries(r.tagUrls ?? {})) ctx.print(`    ${c.dim(`tag ${tag}`)}  ${url}`);
  }
}

function reportError(ctx: CliContext, error: unknown): void {
  if (ctx.json) ctx.jsonLine({ type: 'error', ...errorJson(error) });
  else renderError(ctx, error);
}

/** `faasport dev`: Run a project on the bundled runtime: deploy it, watch its files, redeploy on change. @public */
export default command({
  meta: {
    name: 'dev',
    description: 'Run a project on the bundled runtime: deploy it, watch its files, redeploy on change',
  },
  args: {
    dir: { type: 'positional', description: 'The project folder (or its faasport.yaml)', default: '.' },
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
    ['faasport dev --port 0 --json', 'a free port; NDJSON lines {"type":"ready"|"deployed"|"error", ...}'],
  ],
  epilogue:
    'Every function gets a URL; a saved change deploys a new revision and the URL answers with it. Other commands\n(`faasport invoke`, `traffic`, `logs`) reach this runtime through the `local` target from the same folder.',
  async run(args, ctx) {
    const path = resolve(ctx.io.cwd, args.dir);
    let project = loadProject(path);
    const dataDir = args['data-dir']
      ? resolve(ctx.io.cwd, args['data-dir'])
      : ctx.io.env.FAASPORT_DATA_DIR
        ? resolve(project.baseDir, ctx.io.env.FAASPORT_DATA_DIR)
        : join(project.baseDir, '.faasport');
    const runtime = await hostRuntime({ port: parsePort(args.port, 'dev', 8080), host: args.host, dataDir });
    let watcher: FSWatcher | undefined;
    try {
      const { localAdapterFactory } = await import('../adapters/local');
      const adapter = await localAdapterFactory({
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
      try {
        report(ctx, runtime.url, await syncProject(ctx, adapter, project, deployed));
      } catch (error) {
        reportError(ctx, error);
      }

      // Redeploys run one at a time; changes during a redeploy cause one more afterwards.
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> | undefined;
      let again = false;
      const changed = new Set<string>();
      const redeploy = async () => {
        if (running) {
          again = true;
          return;
        }
        const files = [...changed];
        changed.clear();
        running = (async () => {
          if (!ctx.json)
            ctx.note(
              ctx.err.dim(
                `↻ ${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''} changed`,
              ),
            );
          try {
            project = loadProject(path);
            report(ctx, runtime.url, await syncProject(ctx, adapter, project, deployed));
          } catch (error) {
            reportError(ctx, error);
          }
        })();
        await running;
        running = undefined;
        if (again) {
          again = false;
          await redeploy();
        }
      };
      watcher = watch(project.baseDir, { recursive: true }, (_event, file) => {
        const name = file ? String(file) : '';
        if (!name || !isRelevant(project, name, runtime.dataDir)) return;
        changed.add(name);
        clearTimeout(timer);
        timer = setTimeout(() => void redeploy(), 100);
      });
      if (!ctx.json)
        ctx.note(
          ctx.err.dim(`watching ${relative(ctx.io.cwd, project.baseDir) || '.'} for changes; Ctrl-C stops`),
        );
      await untilAborted(ctx.io.signal);
      clearTimeout(timer);
      if (running) await running;
    } finally {
      watcher?.close();
      await runtime.close();
      if (ctx.json) ctx.jsonLine({ type: 'stopped' });
      else ctx.note(ctx.err.dim('stopped'));
    }
  },
});
