import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigurationError, type FunctionConfig, resolveProject, stringifyYaml } from '@faasport/core';
import { jsonArgs } from '../args';
import { command } from '../command';
import { commandMeta } from './catalog';

/** Re-bases a relative `source.dir` / `source.archive` from the input's folder to the output's. */
function rebase(config: FunctionConfig, from: string, to: string): FunctionConfig {
  const move = (p: string) => {
    if (isAbsolute(p)) return p;
    const rel = relative(to, resolve(from, p)) || '.';
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  const source = config.source as { dir?: string; archive?: string };
  if (source.dir !== undefined) return { ...config, source: { dir: move(source.dir) } };
  if (source.archive !== undefined) return { ...config, source: { archive: move(source.archive) } };
  return config;
}

/** `faasport import`: Convert a Knative Service YAML, an OpenFunction Function or a func.yaml into faasport.yaml. @public */
export default command({
  meta: commandMeta('import'),
  args: {
    file: { type: 'positional', description: 'The manifest to convert', required: true },
    out: {
      type: 'string',
      alias: 'o',
      description: 'Write faasport.yaml here (and any code found as <fn>.zip beside it) instead of printing',
      valueHint: 'file',
    },
    name: {
      type: 'string',
      description: 'The project name (default: the first function name)',
      valueHint: 'name',
    },
    force: { type: 'boolean', description: 'Overwrite the output files' },
    ...jsonArgs,
  },
  examples: [
    ['faasport import service.yaml', 'print the neutral faasport.yaml of a Knative Service'],
    ['faasport import func.yaml -o faasport.yaml', 'convert a Knative func project'],
    [
      'kn service export hello -o yaml > hello.yaml && faasport import hello.yaml -o faasport.yaml',
      'adopt a live Knative Service',
    ],
  ],
  epilogue:
    'Fields the neutral model cannot express are listed as "not carried over" comments (and in "notes" with --json).',
  async run(args, ctx) {
    const path = resolve(ctx.io.cwd, args.file);
    if (!existsSync(path)) {
      throw new ConfigurationError(`${args.file} does not exist.`, {
        hint: 'Pass the path of a Knative Service YAML, an OpenFunction Function or a func.yaml.',
      });
    }
    const { importManifest } = await import('@faasport/adapter-knative');
    const imported = importManifest(readFileSync(path, 'utf8'), { file: path });
    const out = args.out ? resolve(ctx.io.cwd, args.out) : undefined;
    const outDir = out ? dirname(out) : ctx.io.cwd;
    const code = imported.code ?? {};
    const written: string[] = [];
    const functions = imported.functions.map((fn) => {
      const zip = code[fn.name];
      // Code found in the manifest (a Knative code ConfigMap) is kept only when there is a folder to write it to.
      if (zip && out) return { ...fn, source: { archive: `./${fn.name}.zip` } } as FunctionConfig;
      return rebase(fn, dirname(path), outDir);
    });
    const project = { name: args.name ?? functions[0]?.name ?? 'imported', functions };
    // The result must itself be a valid project, as `faasport plan` will read it.
    resolveProject(project, { baseDir: outDir });
    const notes = [...imported.notes];
    for (const fn of imported.functions)
      if (code[fn.name] && !out)
        notes.push(
          `${fn.name}: the code in the manifest was not saved; pass -o <file> to write it as ${fn.name}.zip`,
        );
    const header = `# imported by faasport from ${basename(path)}\n${notes.map((n) => `# not carried over: ${n}\n`).join('')}`;
    const yaml = header + stringifyYaml(project);
    if (out) {
      const targets = [
        out,
        ...imported.functions.filter((fn) => code[fn.name]).map((fn) => join(outDir, `${fn.name}.zip`)),
      ];
      const existing = targets.filter((f) => existsSync(f));
      if (existing.length && !args.force) {
        throw new ConfigurationError(
          `${existing.map((f) => relative(ctx.io.cwd, f)).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written.`,
          {
            option: '--force',
            hint: 'Pass --force to overwrite, or choose another -o path.',
          },
        );
      }
      for (const fn of imported.functions) {
        const zip = code[fn.name];
        if (!zip) continue;
        writeFileSync(join(outDir, `${fn.name}.zip`), zip);
        written.push(join(outDir, `${fn.name}.zip`));
      }
      writeFileSync(out, yaml);
      written.unshift(out);
    }
    ctx.result({ project, notes, files: written }, (r) => {
      if (out) for (const f of r.files) ctx.print(`${ctx.out.green('+')} ${relative(ctx.io.cwd, f) || f}`);
      else ctx.io.stdout.write(yaml);
      for (const n of r.notes) ctx.note(`${ctx.err.yellow('⚠')} not carried over: ${n}`);
    });
  },
});
