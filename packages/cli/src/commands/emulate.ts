import { resolve } from 'node:path';
import { stringifyYaml } from '@faasport/core';
import { jsonArgs } from '../args';
import { command } from '../command';
import { emulatorRegistry } from '../emulate/registry';
import { UsageError } from '../errors';
import { listenFailure, parsePort, untilAborted } from '../runtime-host';
import { commandMeta } from './catalog';

const names = () => Object.keys(emulatorRegistry).join(', ');

/** Parses `--latency` (whole milliseconds, at most 10 minutes). */
function parseLatency(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 600_000) {
    throw new UsageError(
      `--latency ${JSON.stringify(value)} is not a delay: give whole milliseconds from 0 to 600000 (e.g. --latency 200).`,
      { command: 'emulate' },
    );
  }
  return n;
}

/** `faasport emulate`: Run a cloud's API emulator for offline tests of deploy scripts, until interrupted. @public */
export default command({
  meta: commandMeta('emulate'),
  args: {
    emulator: {
      type: 'positional',
      description: `Which emulator: ${names()}`,
      required: true,
    },
    port: {
      type: 'string',
      alias: 'p',
      description: 'The port to listen on (default 0: a free one)',
      valueHint: 'port',
    },
    host: { type: 'string', description: 'The address to bind', default: '127.0.0.1', valueHint: 'address' },
    latency: {
      type: 'string',
      description: 'Delay every API call by this many milliseconds (default 0)',
      valueHint: 'ms',
    },
    kubeconfig: {
      type: 'string',
      description: 'kubernetes: write a kubeconfig here (CA and token inside) that kubectl uses unchanged',
      valueHint: 'file',
    },
    ...jsonArgs,
  },
  examples: [
    [
      'faasport emulate kubernetes --kubeconfig ./kubeconfig',
      'then: KUBECONFIG=./kubeconfig kubectl apply -f service.yaml',
    ],
    ['faasport emulate fc --port 9000 --latency 200', 'FC 2.0 on :9000, each call 200 ms slower'],
    [
      'faasport emulate functiongraph --json',
      'one JSON line: {endpoint, region, target, env} for a test script',
    ],
  ],
  epilogue:
    '`target` is a faasport.yaml target pointing at the emulator; export `env` for the credentials. State lives in memory and ends with the process (Ctrl-C or SIGTERM).',
  async run(args, ctx) {
    const name = String(args.emulator);
    const entry = emulatorRegistry[name];
    if (!entry) {
      throw new UsageError(`There is no emulator "${name}" (known: ${names()}).`, {
        command: 'emulate',
        hint: `Run one of: ${Object.keys(emulatorRegistry)
          .map((n) => `faasport emulate ${n}`)
          .join(', ')}.`,
      });
    }
    if (args.kubeconfig !== undefined && !entry.kubeconfig) {
      throw new UsageError(`--kubeconfig applies to Kubernetes emulators only, not to "${name}".`, {
        command: 'emulate',
        hint: 'Drop --kubeconfig; the target and env in the output say how to reach it.',
      });
    }
    const options = {
      port: parsePort(args.port, 'emulate', 0),
      host: args.host,
      latencyMs: parseLatency(args.latency),
      ...(args.kubeconfig ? { kubeconfig: resolve(ctx.io.cwd, args.kubeconfig) } : {}),
    };
    const emulator = await entry.start(options).catch((error) => {
      throw listenFailure(error, options);
    });
    try {
      const { endpoint, region, target, env } = emulator;
      if (ctx.json) ctx.jsonLine({ emulator: name, endpoint, region, target, env });
      else {
        ctx.print(`${ctx.out.green('✓')} ${name} emulator on ${ctx.out.cyan(endpoint)}`);
        for (const [key, value] of Object.entries(env)) ctx.print(`  export ${key}=${value}`);
        ctx.print(ctx.out.dim('  faasport.yaml target:'));
        for (const line of stringifyYaml({ targets: { [name]: target } }, { lineWidth: 80 })
          .trimEnd()
          .split('\n'))
          ctx.print(`    ${line}`);
        for (const note of emulator.notes) ctx.print(ctx.out.dim(`  ${note}`));
        ctx.print(ctx.out.dim('  state is in memory; Ctrl-C stops'));
      }
      await untilAborted(ctx.io.signal);
    } finally {
      await emulator.close();
      ctx.note(ctx.err.dim('stopped'));
    }
  },
});
