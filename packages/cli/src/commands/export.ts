import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configArgs, jsonArgs } from '../args';
import { command } from '../command';
import { exportedProject } from '../exported';
import { openTarget } from '../workspace';
import { commandMeta } from './catalog';

/** `faasport export`: Write a live function back as faasport.yaml (and its code), for migration or adoption. @public */
export default command({
  meta: commandMeta('export'),
  args: {
    fn: { type: 'positional', description: 'The function name', required: true },
    target: {
      type: 'string',
      alias: 't',
      required: true,
      description: 'The target the function lives on (a target from faasport.yaml, or an adapter name)',
      valueHint: 'name',
    },
    ...configArgs,
    out: {
      type: 'string',
      alias: 'o',
      description: 'Write faasport.yaml and <fn>.zip into this folder instead of printing',
      valueHint: 'dir',
    },
    ...jsonArgs,
  },
  examples: [
    ['faasport export --target fc coffee', 'print the neutral faasport.yaml of FC function coffee'],
    ['faasport export --target fc coffee -o ./coffee', 'also save its code as ./coffee/coffee.zip'],
  ],
  epilogue:
    'What the neutral model cannot express is listed as "not carried over" comments (and in "notes" with --json).',
  async run(args, ctx) {
    const { target, adapter } = await openTarget(ctx, args);
    const exported = await adapter.export(args.fn, {
      emit() {},
      logger: { debug() {}, info() {}, warn() {} },
      signal: ctx.io.signal,
    });
    const dir = args.out ? resolve(ctx.io.cwd, args.out) : undefined;
    const project = exportedProject(exported, { ...(dir ? { dir } : {}), target });
    if (dir) writeFileSync(join(dir, 'faasport.yaml'), project.yaml);
    const result = {
      target: target.name,
      function: args.fn,
      config: project.config,
      notes: project.notes,
      ...(dir
        ? { files: [join(dir, 'faasport.yaml'), ...(project.codeFile ? [project.codeFile] : [])] }
        : {}),
      codeBytes: exported.code?.byteLength ?? 0,
    };
    ctx.result(result, (r) => {
      if (r.files) for (const f of r.files) ctx.print(`${ctx.out.green('+')} ${f}`);
      else {
        ctx.io.stdout.write(project.yaml);
        if (exported.code)
          ctx.note(
            ctx.err.dim(
              `The code (${exported.code.byteLength} bytes) was not saved; pass -o <dir> to write it.`,
            ),
          );
      }
      for (const n of r.notes) ctx.note(`${ctx.err.yellow('⚠')} not carried over: ${n}`);
    });
  },
});
