import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { invoke, redact, registerReadableSecrets } from '@faasport/core';
import { configArgs, jsonArgs, targetArgs } from '../args';
import { command } from '../command';
import { UsageError } from '../errors';
import { openTarget } from '../workspace';
import { commandMeta } from './catalog';

/** `--data @file` reads a file; anything else is the body itself. */
function bodyFrom(data: string | undefined, cwd: string): string | Uint8Array | undefined {
  if (data === undefined) return undefined;
  if (!data.startsWith('@')) return data;
  const file = resolve(cwd, data.slice(1));
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(
      `--data ${data}: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      { command: 'invoke' },
    );
  }
}

function parseHeaders(values: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of values) {
    const i = h.indexOf(':');
    if (i <= 0)
      throw new UsageError(`--header ${JSON.stringify(h)} is not "Name: value".`, { command: 'invoke' });
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return headers;
}

/** `faasport invoke`: Call a deployed function and print its response. @public */
export default command({
  meta: commandMeta('invoke'),
  args: {
    fn: { type: 'positional', description: 'The function name', required: true },
    ...targetArgs,
    ...configArgs,
    data: {
      type: 'string',
      alias: 'd',
      description: 'The request body, or @file to read it from a file',
      valueHint: 'body',
    },
    method: {
      type: 'string',
      alias: 'X',
      description: 'The HTTP method (default: GET, or POST with --data)',
      valueHint: 'method',
    },
    path: { type: 'string', description: 'The request path and query (default: /)', valueHint: 'path' },
    header: {
      type: 'string',
      alias: 'H',
      description: 'A request header "Name: value" (repeatable)',
      valueHint: 'header',
    },
    tag: { type: 'string', description: 'Send to the revision behind this traffic tag', valueHint: 'tag' },
    revision: { type: 'string', description: 'Send to this revision', valueHint: 'label' },
    event: { type: 'boolean', description: 'Send the body as an event payload instead of an HTTP request' },
    ...jsonArgs,
  },
  examples: [
    ['faasport invoke hello', 'GET / through the default target'],
    [
      'faasport invoke hello --data \'{"name":"Ada"}\' -H "content-type: application/json"',
      'POST a JSON body',
    ],
    ['faasport invoke blue-green --tag v2', 'call the revision tagged v2'],
  ],
  epilogue: 'Exits 1 when the function answers with a status of 400 or more.',
  async run(args, ctx) {
    if (args.tag && args.revision) {
      throw new UsageError('Give --tag or --revision, not both.', { command: 'invoke' });
    }
    const { adapter, project } = await openTarget(ctx, args);
    // A secret value the function puts in an error (its own, or the platform's report of it) is not printed.
    const fn = project?.functions.find((f) => f.name === args.fn);
    if (fn && project) registerReadableSecrets(fn, { env: ctx.io.env, baseDir: project.baseDir });
    const body = bodyFrom(args.data, ctx.io.cwd);
    const path = args.path ?? '/';
    const response = await invoke(
      adapter,
      args.fn,
      {
        ...(args.method ? { method: args.method.toUpperCase() } : {}),
        path: path.startsWith('/') ? path : `/${path}`,
        headers: parseHeaders(
          args.header === undefined ? [] : ([] as string[]).concat(args.header as string | string[]),
        ),
        ...(body === undefined ? {} : { body }),
      },
      {
        ...(args.tag ? { tag: args.tag } : {}),
        ...(args.revision ? { revision: args.revision } : {}),
        ...(args.event ? { mode: 'event' as const } : {}),
        signal: ctx.io.signal,
      },
    );
    const bytes = new Uint8Array(await response.arrayBuffer());
    const decoded = new TextDecoder().decode(bytes);
    const text = response.status >= 500 ? redact(decoded) : decoded;
    const headers = Object.fromEntries(response.headers.entries());
    ctx.result({ status: response.status, headers, body: text }, (r) => {
      ctx.io.stdout.write(r.body);
      // Like other commands' output, the body ends with a newline; --json keeps the exact body.
      if (r.body && !r.body.endsWith('\n')) ctx.io.stdout.write('\n');
      if (r.status >= 400) ctx.note(ctx.err.red(`status ${r.status}`));
    });
    if (response.status >= 400) ctx.exitCode = 1;
  },
});
