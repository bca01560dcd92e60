import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Manifest, type ResolvedProject, renderFunction, stringifyYaml } from '@faasport/core';
import { configArgs, functionArgs, jsonArgs, projectDirArgs } from '../args';
import { command } from '../command';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { progressRenderer } from '../output/events';
import { adapterFor, loadProjectAt, resolveTarget, selectFunctions } from '../project';
import { listArg, projectPathArg } from '../workspace';
import { commandMeta } from './catalog';

/**
 * The environment render reads secrets from: a variable that is not set becomes a visible
 * placeholder, since render never needs the values (manifests carry references, not secrets).
 */
function placeholderEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return new Proxy(env, {
    get: (target, key) => (typeof key === 'string' ? (target[key] ?? `\${${key}}`) : undefined),
  });
}

function contentText(m: Manifest, format: 'yaml' | 'json'): string {
  return format === 'yaml' ? stringifyYaml(m.content) : `${JSON.stringify(m.content, null, 2)}\n`;
}

/**
 * The target render uses without `--target`: $FAASPORT_TARGET, else the project's only target. With
 * several there is no safe guess (render prints manifests for one platform), so it asks for one.
 */
function renderTargetName(ctx: CliContext, project: ResolvedProject): string {
  const fromEnv = ctx.io.env.FAASPORT_TARGET;
  if (fromEnv) return fromEnv;
  const names = Object.keys(project.targets);
  if (names.length === 1) return names[0]!;
  throw new UsageError(
    names.length
      ? `\`faasport render\` needs --target: ${project.file ?? 'the project'} has ${names.length} targets (${names.join(', ')}).`
      : '`faasport render` needs --target: the project has no targets.',
    {
      command: 'render',
      hint: names.length
        ? `Pass --target with one of: ${names.join(', ')}.`
        : 'Pass --target with an adapter name (knative, fc, functiongraph), or add a target to faasport.yaml.',
    },
  );
}

/** `faasport render`: Print a target's manifests or API request bodies (Knative YAML, FC / FunctionGraph JSON); offline, no credentials. @public */
export default command({
  meta: commandMeta('render'),
  args: {
    ...projectDirArgs,
    target: {
      type: 'string',
      alias: 't',
      description:
        "A target from faasport.yaml `targets`, or an adapter name (knative, fc, functiongraph); default: $FAASPORT_TARGET or the project's only target",
      valueHint: 'name',
    },
    ...configArgs,
    ...functionArgs,
    format: {
      type: 'string',
      description: 'yaml or json (default: yaml for Kubernetes manifests, json for request bodies)',
      valueHint: 'yaml|json',
    },
    out: {
      type: 'string',
      alias: 'o',
      description: 'Write one file per manifest into this folder instead of stdout',
      valueHint: 'dir',
    },
    ...jsonArgs,
  },
  examples: [
    ['faasport render --target knative | kubectl apply -f -', 'apply the Knative Services yourself'],
    ['faasport render --target fc -o ./out', 'write the FC request bodies as files'],
  ],
  epilogue:
    'Secret values never appear: manifests reference them. Unset secret variables render as $' + '{NAME}.',
  async run(args, ctx) {
    if (args.format !== undefined && args.format !== 'yaml' && args.format !== 'json') {
      throw new UsageError(`--format ${JSON.stringify(args.format)} is not a format; use yaml or json.`, {
        command: 'render',
      });
    }
    const project = loadProjectAt(ctx, projectPathArg(args, 'render'));
    const functions = selectFunctions(project, listArg(args.function));
    const target = resolveTarget(ctx, project, args.target ?? renderTargetName(ctx, project));
    const adapter = await adapterFor(ctx, target, project.baseDir, { offline: true, project });
    const env = placeholderEnv(ctx.io.env);
    const onEvent = progressRenderer(ctx);
    // Every function is checked (as plan and deploy check it) before anything is printed or written.
    const rendered = functions.map((fn) => ({
      fn,
      ...renderFunction(adapter, fn, { env, baseDir: project.baseDir }),
    }));
    for (const { fn, warnings } of rendered)
      for (const issue of warnings) onEvent({ type: 'warning', functionName: fn.name, issue });
    const manifests: Manifest[] = rendered.flatMap((r) => r.manifests);
    const format =
      (args.format as 'yaml' | 'json' | undefined) ??
      (manifests.every((m) => m.format === 'yaml') ? 'yaml' : 'json');
    if (args.out) {
      const dir = resolve(ctx.io.cwd, args.out);
      mkdirSync(dir, { recursive: true });
      const files = manifests.map((m) => {
        const name = m.name.replace(/\.(ya?ml|json)$/, '') + (format === 'yaml' ? '.yaml' : '.json');
        writeFileSync(join(dir, name), contentText(m, format));
        return join(dir, name);
      });
      ctx.result({ target: target.name, files }, (r) => {
        for (const f of r.files) ctx.print(f);
      });
      return;
    }
    if (ctx.json || format === 'json') {
      ctx.io.stdout.write(`${JSON.stringify(manifests, null, 2)}\n`);
      return;
    }
    ctx.io.stdout.write(
      manifests
        .map(
          (m) =>
            `# ${m.name}${m.request ? ` (${m.request.method} ${m.request.path})` : ''}\n${contentText(m, 'yaml')}`,
        )
        .join('---\n'),
    );
  },
});
