import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { ConfigurationError } from '@faasport/core';
import { jsonArgs } from '../args';
import { command } from '../command';
import { UsageError } from '../errors';
import { commandMeta } from './catalog';

const webHandler = `/**
 * A web handler: a Web Request in, a Response (or a string, or an object for JSON) out.
 * The same code runs on every faasport target.
 *
 * @param {Request} request
 * @param {import('@faasport/core').Context} ctx
 */
export default async function (request, ctx) {
  const name = new URL(request.url).searchParams.get('name') ?? 'world';
  ctx.log.info('greeting', { name });
  return \`Hello \${name}\\n\`;
}
`;

const eventHandler = `/**
 * An event handler: schedule, storage, queue and CloudEvents triggers call it with a CloudEvent.
 *
 * @param {import('@faasport/core').CloudEvent} event
 * @param {import('@faasport/core').Context} ctx
 */
export default async function (event, ctx) {
  ctx.log.info('received', { type: event.type, data: event.data });
  return { ok: true };
}
`;

function projectYaml(project: string, fn: string, contract: 'web' | 'event'): string {
  const triggers =
    contract === 'web'
      ? '    triggers:\n      - http: { methods: [GET, POST] }\n'
      : '    triggers:\n      - schedule: { cron: "*/5 * * * *", timezone: UTC }\n';
  return `# yaml-language-server: $schema=https://faasport.dev/schema/faasport.json
# A faasport project: functions plus deploy targets. Credentials come from the environment, never this file.
name: ${project}
targets:
  local: { adapter: local }
functions:
  - name: ${fn}
    source: { dir: ./functions/${fn} }
    handler: index.default
    contract: ${contract}
${triggers}`;
}

const nameRule = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** `faasport init`: Scaffold faasport.yaml and a handler in a folder. @public */
export default command({
  meta: commandMeta('init'),
  args: {
    dir: { type: 'positional', description: 'The folder to create the project in', default: '.' },
    name: { type: 'string', description: 'The function name (default: the folder name)', valueHint: 'name' },
    contract: {
      type: 'string',
      description: 'web (an HTTP handler) or event (a CloudEvent handler)',
      default: 'web',
      valueHint: 'web|event',
    },
    force: { type: 'boolean', description: 'Overwrite existing files' },
    ...jsonArgs,
  },
  examples: [
    ['faasport init', 'a web function named after the current folder'],
    [
      'faasport init reports --contract event --name nightly',
      'an event function on a schedule, in ./reports',
    ],
  ],
  run(args, ctx) {
    const contract = args.contract;
    if (contract !== 'web' && contract !== 'event') {
      throw new UsageError(`--contract ${JSON.stringify(contract)} is not a contract; use web or event.`, {
        command: 'init',
      });
    }
    const dir = resolve(ctx.io.cwd, args.dir);
    const folderName =
      basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '-')
        .replace(/^[^a-z]+/, '') || 'hello';
    const fn = args.name ?? folderName;
    if (!nameRule.test(fn)) {
      throw new UsageError(
        `--name ${JSON.stringify(fn)} is not a valid function name (start with a letter; then letters, digits, "-" or "_").`,
        {
          command: 'init',
        },
      );
    }
    const files: Record<string, string> = {
      'faasport.yaml': projectYaml(folderName, fn, contract),
      [join('functions', fn, 'index.mjs')]: contract === 'web' ? webHandler : eventHandler,
    };
    const existing = Object.keys(files).filter((f) => existsSync(join(dir, f)));
    if (existing.length && !args.force) {
      throw new ConfigurationError(
        `${existing.map((f) => join(relative(ctx.io.cwd, dir) || '.', f)).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written.`,
        {
          option: '--force',
          hint: 'Pass --force to overwrite, or choose another folder.',
        },
      );
    }
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    const shown = relative(ctx.io.cwd, dir) || '.';
    ctx.result({ dir, function: fn, contract, files: Object.keys(files) }, (r) => {
      for (const f of r.files) ctx.print(`${ctx.out.green('+')} ${join(shown, f)}`);
      ctx.print('');
      ctx.print(`Next: ${ctx.out.bold(`faasport dev${shown === '.' ? '' : ` ${shown}`}`)}`);
    });
  },
});
