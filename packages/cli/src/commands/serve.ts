import { resolve } from 'node:path';
import { defaultDataDir } from '@faasport/runtime';
import { jsonArgs, listenArgs } from '../args';
import { command } from '../command';
import { hostRuntime, parsePort, untilAborted } from '../runtime-host';
import { commandMeta } from './catalog';

/** `faasport serve`: Run the bundled runtime only (the `local` target), until interrupted. @public */
export default command({
  meta: commandMeta('serve'),
  args: {
    ...listenArgs,
    'data-dir': {
      type: 'string',
      description: 'Where state lives (SQLite, code, logs) (default: ./.faasport or $FAASPORT_DATA_DIR)',
      valueHint: 'dir',
    },
    'public-metrics': {
      type: 'boolean',
      description:
        'Serve /metrics without the admin token, to loopback host names only (localhost, 127.0.0.0/8, [::1])',
    },
    ...jsonArgs,
  },
  examples: [
    ['faasport serve', 'serve on 127.0.0.1:8080 with state in ./.faasport'],
    ['faasport serve --port 0 --json', 'a free port; prints {"type":"ready","url":...} as one JSON line'],
    ['faasport serve --public-metrics', 'Prometheus scrapes http://127.0.0.1:8080/metrics without a token'],
  ],
  epilogue: 'Deploy to it from another terminal with `faasport deploy --target local` in the same folder.',
  async run(args, ctx) {
    const dataDir = args['data-dir']
      ? resolve(ctx.io.cwd, args['data-dir'])
      : defaultDataDir(ctx.io.cwd, ctx.io.env);
    const runtime = await hostRuntime({
      port: parsePort(args.port, 'serve', 8080),
      host: args.host,
      dataDir,
      publicMetrics: args['public-metrics'] === true,
    });
    try {
      if (ctx.json) ctx.jsonLine({ type: 'ready', url: runtime.url, dataDir: runtime.dataDir });
      else {
        ctx.print(`${ctx.out.green('✓')} faasport runtime on ${ctx.out.cyan(runtime.url)}`);
        ctx.print(ctx.out.dim(`  state in ${runtime.dataDir}; Ctrl-C stops`));
      }
      await untilAborted(ctx.io.signal);
    } finally {
      await runtime.close();
      if (ctx.json) ctx.jsonLine({ type: 'stopped' });
      else ctx.note(ctx.err.dim('stopped'));
    }
  },
});
