import type { ArgsDef } from 'citty';
import { UsageError } from './errors';

/** `--json`: on every command. @public */
export const jsonArgs = {
  json: {
    type: 'boolean',
    description: 'Print the result as JSON on stdout (errors as {"error": {...}}), for scripts',
  },
} as const satisfies ArgsDef;

/** `--config`: where the project file is. @public */
export const configArgs = {
  config: {
    type: 'string',
    alias: 'c',
    description: 'The project file, or the folder holding faasport.yaml (default: the current folder)',
    valueHint: 'path',
  },
} as const satisfies ArgsDef;

/** `[DIR]`: the project folder as an argument, as `faasport dev DIR` takes it (same as `--config DIR`). @public */
export const projectDirArgs = {
  dir: {
    type: 'positional',
    required: false,
    description: 'The project folder (or its faasport.yaml); default: the current folder',
    valueHint: 'dir',
  },
} as const satisfies ArgsDef;

/** `--target`: which deploy target. @public */
export const targetArgs = {
  target: {
    type: 'string',
    alias: 't',
    description:
      'A target from faasport.yaml `targets`, or an adapter name (local, knative, fc, functiongraph); default: $FAASPORT_TARGET, the only target, or local',
    valueHint: 'name',
  },
} as const satisfies ArgsDef;

/** `--function`: limit a project command to some of its functions. @public */
export const functionArgs = {
  function: {
    type: 'string',
    alias: 'f',
    description: 'Only these functions (comma-separated names)',
    valueHint: 'names',
  },
} as const satisfies ArgsDef;

/** `--port` and `--host`: where the bundled runtime listens (`dev`, `serve`). @public */
export const listenArgs = {
  port: {
    type: 'string',
    alias: 'p',
    description: 'The port to listen on; 0 picks a free one',
    default: '8080',
    valueHint: 'port',
  },
  host: { type: 'string', description: 'The address to bind', default: '127.0.0.1', valueHint: 'address' },
} as const satisfies ArgsDef;

/** `--yes`: skip confirmation. @public */
export const yesArgs = {
  yes: { type: 'boolean', alias: 'y', description: 'Do not ask for confirmation on a terminal' },
} as const satisfies ArgsDef;

/** `--concurrency`: how many functions `plan` and `deploy` work on at once. @public */
export const concurrencyArgs = {
  concurrency: {
    type: 'string',
    description: 'How many functions are planned and deployed at once (default 8)',
    valueHint: 'N',
  },
} as const satisfies ArgsDef;

/** Parses `--concurrency` (a positive whole number); `undefined` keeps core's default. @public */
export function concurrencyArg(value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(
      `--concurrency ${JSON.stringify(value)} is not a number of functions: give a positive whole number (e.g. --concurrency 4).`,
      { command },
    );
  }
  return n;
}
