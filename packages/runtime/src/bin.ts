#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FaasportError } from '@faasport/core';
import { startRuntime } from './server/runtime';

const usage = `Usage: faasport-runtime [options]

Runs the bundled faasport runtime: the gateway and the admin API on one port.

Options:
  --data-dir <dir>          state, code, logs and buckets (default: $FAASPORT_DATA_DIR or ./.faasport)
  --port <n>                port to listen on; 0 picks a free one (default: 8080)
  --host <addr>             address to bind (default: 127.0.0.1, loopback only)
  --namespace <ns>          namespace in function hosts {fn}.{ns}.localhost (default: default)
  --warm-pool <n>           pre-started workers per runtime (default: 1; 0 disables)
  --retry-attempts <n>      event delivery attempts before dead-lettering (default: 5)
  --retry-backoff-ms <n>    first retry delay, doubled each time (default: 1000)
  --public-metrics          serve /metrics without the admin token, to loopback host names only
  --drain-ms <n>            on SIGTERM/SIGINT, how long calls in flight may finish (default: 10000)
  --writable <dir>          a folder functions may write besides their temp folder (repeatable)
  --no-sandbox              run instances unconfined (they can read what this user can read)
  -h, --help                show this help
`;

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(
      `--${name} ${JSON.stringify(value)} is not a whole number between ${min} and ${max}.\n`,
    );
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  // Files the runtime creates hold the token and secret values: nobody else may read them.
  process.umask(0o077);
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        namespace: { type: 'string' },
        'warm-pool': { type: 'string' },
        'retry-attempts': { type: 'string' },
        'retry-backoff-ms': { type: 'string' },
        'public-metrics': { type: 'boolean' },
        'drain-ms': { type: 'string' },
        writable: { type: 'string', multiple: true },
        'no-sandbox': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const dataDir = path.resolve(
    (values['data-dir'] as string | undefined) ?? process.env.FAASPORT_DATA_DIR ?? '.faasport',
  );
  const drainMs = integer('drain-ms', values['drain-ms'] as string | undefined, 0, 3_600_000) ?? 10_000;
  const runtime = await startRuntime({
    dataDir,
    port: integer('port', values.port as string | undefined, 0, 65535) ?? 8080,
    host: (values.host as string | undefined) ?? '127.0.0.1',
    namespace: values.namespace as string | undefined,
    warmPool: integer('warm-pool', values['warm-pool'] as string | undefined, 0, 64),
    retry: {
      attempts: integer('retry-attempts', values['retry-attempts'] as string | undefined, 1, 100),
      backoffMs: integer('retry-backoff-ms', values['retry-backoff-ms'] as string | undefined, 1, 3_600_000),
    },
    publicMetrics: values['public-metrics'] === true,
    sandbox: values['no-sandbox'] ? false : { writable: (values.writable as string[] | undefined) ?? [] },
  });
  process.stdout.write(
    `faasport runtime listening on ${runtime.url}\nadmin token in ${runtime.tokenFile}\ndata in ${runtime.dataDir}\n`,
  );
  // The first SIGTERM or SIGINT drains: no new connections, calls in flight finish (up to the
  // deadline), then the runtime exits. A second one exits at once.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting for calls in flight\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`${signal}: draining calls in flight (up to ${drainMs} ms), then exiting\n`);
    runtime.close({ drainMs }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(
    `${FaasportError.isInstance(error) ? error.message : ((error as Error).stack ?? String(error))}\n`,
  );
  process.exit(1);
});
