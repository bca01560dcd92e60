import type { Capabilities } from '@faasport/core';

/** Memory sizes FC 2.0 accepts: multiples of 64 from 128 to 3072 (e1), plus 4, 8, 16 and 32 GB (c1). */
export const fcMemorySizes: readonly number[] = [
  ...Array.from({ length: (3072 - 128) / 64 + 1 }, (_, i) => 128 + i * 64),
  4096,
  8192,
  16384,
  32768,
];

/** faasport runtime → FC 2.0 runtime. FC 2.0 has no nodejs22, python3.11 or python3.12. */
export const fcRuntimeOf: Readonly<Record<string, string>> = {
  nodejs18: 'nodejs18',
  nodejs20: 'nodejs20',
  'python3.9': 'python3.9',
  'python3.10': 'python3.10',
  custom: 'custom.debian10',
};

/** FC runtime → faasport runtime, for read and export. Older FC runtimes map to the nearest one (export notes it). */
export function neutralRuntimeOf(
  fcRuntime: string,
  table: Readonly<Record<string, string>> = fcRuntimeOf,
): { runtime: string; exact: boolean } {
  const exact = Object.entries(table).find(([, fc]) => fc === fcRuntime);
  if (exact) return { runtime: exact[0], exact: true };
  if (fcRuntime.startsWith('nodejs')) return { runtime: 'nodejs18', exact: false };
  if (fcRuntime.startsWith('python')) return { runtime: 'python3.9', exact: false };
  return { runtime: 'custom', exact: fcRuntime.startsWith('custom') };
}

/** The features and limits of FC 2.0 as this adapter drives it. @public */
export const fcCapabilities: Capabilities = {
  features: {
    'source.inline': 'native',
    'source.dir': 'native',
    'source.archive': 'native',
    'source.bucket': {
      level: 'native',
      note: 'OSS bucket and object; only with contract native (the shim cannot be added to a remote package)',
    },
    'source.image': { level: 'native', note: 'custom-container runtime, the image port becomes caPort' },
    'contract.web': {
      level: 'emulated',
      note: 'a bundled shim turns FC HTTP handler calls into web handler calls (Node.js runtimes)',
    },
    'contract.event': {
      level: 'emulated',
      note: 'a bundled shim turns FC events into CloudEvents (Node.js runtimes)',
    },
    'contract.native': 'native',
    'trigger.http': 'native',
    'trigger.http.private': {
      level: 'native',
      note: 'authType function: callers must sign requests with an FC signature',
    },
    'trigger.schedule': { level: 'native', note: 'timer trigger; FC evaluates cron in UTC' },
    'trigger.storage': { level: 'native', note: 'OSS trigger' },
    'trigger.queue': {
      level: 'native',
      note: 'an mns_topic trigger, from targets.<t>.queues.<topic>.mns',
    },
    'trigger.event': {
      level: 'unsupported',
      note: 'EventBridge triggers are not mapped yet',
      instead: 'Invoke the function with mode "event", or deploy to local.',
    },
    'traffic.split': { level: 'native', note: 'alias with additionalVersionWeight, at most 2 versions' },
    'traffic.tags': { level: 'emulated', note: 'one FC alias per tag' },
    'scaling.min': { level: 'native', note: 'provision config on the main alias' },
    'scaling.max': {
      level: 'limited',
      note: 'FC 2.0 has no per-function instance limit, so scaling.max is not applied (limits are per account and region)',
    },
    'scaling.concurrency': 'native',
    'scaling.toZero': { level: 'native', note: "FC's default" },
    secrets: {
      level: 'emulated',
      note: 'set as environment variables of the function (FC 2.0 has no secret store)',
    },
    domains: { level: 'native', note: 'custom domain routed to the main alias; the CNAME is up to you' },
    initializer: 'native',
    'visibility.private': {
      level: 'unsupported',
      note: 'FC 2.0 HTTP triggers are reachable from the internet',
      instead: 'Use an http trigger with auth: function (signed calls only).',
    },
    logs: {
      level: 'unsupported',
      note: 'FC 2.0 writes function logs to Log Service (SLS), which this adapter does not read yet',
      instead:
        "Read the logs in the SLS console or with the aliyun CLI (aliyun log GetLogs) for the service's logConfig project and logstore.",
    },
  },
  limits: {
    memoryMb: {
      min: 128,
      max: 32768,
      values: fcMemorySizes,
      description: '128-3072 in steps of 64 (e1 instances), or 4096, 8192, 16384, 32768 (c1)',
    },
    timeoutSeconds: { min: 1, max: 86_400, description: '1-86400 seconds' },
    concurrency: { min: 1, max: 200, description: '1-200 requests per instance' },
    trafficTargets: 2,
    payloadBytes: 32 * 1024 * 1024,
    name: {
      pattern: /^[A-Za-z_][A-Za-z0-9_-]*$/,
      maxLength: 64,
      description: '1-64 letters, digits, "_" and "-", starting with a letter or "_"',
    },
    runtimes: Object.keys(fcRuntimeOf),
  },
};
