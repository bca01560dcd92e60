import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigurationError, resolveProject } from '@faasport/core';
import { stringify } from 'yaml';
import { jsonArgs } from '../args';
import { command } from '../command';

export default command({
  meta: {
    name: 'import',
    description: 'Convert a Knative Service YAML, an OpenFunction Function or a func.yaml into faasport.yaml',
  },
  args: {
    file: { type: 'positional', description: 'The manifest to convert (use - for stdin)', required: true },
    out: {
      type: 'string',
      alias: 'o',
      description: 'Write faasport.yaml here instead of printing it',
      valueHint: 'file',
    },
    name: {
      type: 'string',
      description: 'The project name (default: the first function name)',
      valueHint: 'name',
    },
    force: { type: 'boolean', description: 'Overwrite the output file' },
    ...jsonArgs,
  },
  examples: [
    ['faasport import service.yaml', 'print the neutral faasport.yaml of a Knative Service'],
    ['faasport import func.yaml -o faasport.yaml', 'convert a Knative func project'],
  ],
  epilogue:
    'Fields the neutral model cannot express are listed as "not carried over" comments (and in "notes" with --json).',
  async run(args, ctx) {
    const path = args.file === '-' ? undefined : resolve(ctx.io.cwd, args.file);
    if (path && !existsSync(path)) {
      throw new ConfigurationError(`${args.file} does not exist.`, {
        hint: 'Pass the path of a Knative Service YAML, an OpenFunction Function or a func.yaml.',
      });
    }
    const text = path ? readFileSync(path, 'utf8') : readFileSync(0, 'utf8');
    const { importManifest } = await import('@faasport/adapter-knative');
    const imported = importManifest(text, { ...(path ? { file: path } : {}) });
    const functions = imported.functions;
    const project = { name: args.name ?? functions[0]?.name ?? 'imported', functions };
    // The result must itself be a valid project: check it the way `faasport plan` would read it.
    resolveProject(project, { baseDir: path ? dirname(path) : ctx.io.cwd });
    const notes = imported.notes ?? [];
    const yaml = `# imported by faasport from ${path ? basename(path) : 'stdin'}\n${notes.map((n) => `# not carried over: ${n}`).join('\n')}${notes.length ? '\n' : ''}${stringify(project, { lineWidth: 0 })}`;
    if (args.out) {
      const out = resolve(ctx.io.cwd, args.out);
      if (existsSync(out) && !args.force) {
        throw new ConfigurationError(`${args.out} already exists; nothing was written.`, {
          option: '--force',
          hint: 'Pass --force to overwrite, or choose another -o path.',
        });
      }
      writeFileSync(out, yaml);
    }
    ctx.result({ project, notes, ...(args.out ? { file: resolve(ctx.io.cwd, args.out) } : {}) }, (r) => {
      if (r.file) ctx.print(`${ctx.out.green('+')} ${r.file}`);
      else ctx.io.stdout.write(yaml);
      for (const n of r.notes) ctx.note(`${ctx.err.yellow('⚠')} not carried over: ${n}`);
    });
  },
});
