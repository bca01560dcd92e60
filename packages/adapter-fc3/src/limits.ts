import { neutralRuntimeOf as fcNeutralRuntimeOf } from '@faasport/adapter-fc';
import type { Capabilities } from '@faasport/core';

/**
 * FC 3.0 limits, from the official client's model documentation (`@alicloud/fc20230330` 4.7,
 * dist/models/CreateFunctionInput.d.ts), which mirrors the CreateFunction API reference
 * (https://help.aliyun.com/zh/functioncompute/fc-3-0/developer-reference/api-fc-2023-03-30-createfunction):
 * memorySize a multiple of 64 from 128 MB to 32 GB; cpu a multiple of 0.05 from 0.05 to 16 vCPU, with
 * cpu : memory (GB) from 1:1 to 1:4; diskSize 512 or 10240 MB; timeout 1-86400 seconds.
 */
export const fc3Limits = {
  memoryMin: 128,
  memoryMax: 32 * 1024,
  memoryStep: 64,
  cpuMin: 0.05,
  cpuMax: 16,
  cpuStep: 0.05,
  /** GB of memory per vCPU. */
  memoryPerCpu: { min: 1, max: 4 },
  diskSizes: [512, 10240] as const,
  timeoutMax: 86_400,
} as const;

/** Memory sizes FC 3.0 accepts: multiples of 64 from 128 MB to 32 GB. @public */
export const fc3MemorySizes: readonly number[] = Array.from(
  { length: (fc3Limits.memoryMax - fc3Limits.memoryMin) / fc3Limits.memoryStep + 1 },
  (_, i) => fc3Limits.memoryMin + i * fc3Limits.memoryStep,
);

/**
 * faasport runtime → FC 3.0 runtime. The `runtime` list of CreateFunctionInput ends at nodejs20 and
 * python3.10 (the same as devsapp/fc3's list), so nodejs22 and python3.11+ are not offered.
 * @public
 */
export const fc3RuntimeOf: Readonly<Record<string, string>> = {
  nodejs18: 'nodejs18',
  nodejs20: 'nodejs20',
  'python3.9': 'python3.9',
  'python3.10': 'python3.10',
  custom: 'custom.debian10',
};

/** FC 3.0 runtime → faasport runtime (the nearest one for older runtimes), and whether it is exact. */
export const neutralRuntimeOf = (runtime: string) => fcNeutralRuntimeOf(runtime, fc3RuntimeOf);

/** The features and limits of FC 3.0 as this adapter drives it. @public */
export const fc3Capabilities: Capabilities = {
  features: {
    'source.inline': 'native',
    'source.dir': 'native',
    'source.archive': 'native',
    'source.bucket': {
      level: 'native',
      note: 'code.ossBucketName/ossObjectName; only with contract native (the shim cannot be added to a remote package)',
    },
    'source.image': { level: 'native', note: 'custom-container runtime with customContainerConfig.port' },
    'contract.web': {
      level: 'emulated',
      note: "a bundled shim turns FC 3.0's HTTP trigger event (version v1) into a Web Request (Node.js runtimes)",
    },
    'contract.event': {
      level: 'emulated',
      note: 'a bundled shim turns FC events into CloudEvents (Node.js runtimes)',
    },
    'contract.native': 'native',
    'trigger.http': {
      level: 'native',
      note: 'HTTP trigger; its URL is urlInternet (<fn>-<hash>.<region>.fcapp.run)',
    },
    'trigger.http.private': {
      level: 'native',
      note: 'authType function: callers must sign requests',
    },
    'trigger.schedule': {
      level: 'native',
      note: 'timer trigger; a time zone other than UTC is sent as CRON_TZ=<zone>, which FC 3.0 evaluates',
    },
    'trigger.storage': { level: 'native', note: 'OSS trigger with an invocation role' },
    'trigger.queue': {
      level: 'native',
      note: 'an mns_topic trigger, from targets.<t>.queues.<topic>.mns (EventBridge sources are not mapped)',
    },
    'trigger.event': {
      level: 'unsupported',
      note: 'EventBridge triggers are not mapped yet',
      instead: 'Invoke the function with mode "event", or deploy to local.',
    },
    'traffic.split': { level: 'native', note: 'alias with additionalVersionWeight, at most 2 versions' },
    'traffic.tags': { level: 'emulated', note: 'one alias per tag' },
    'scaling.min': { level: 'native', note: 'scaling config (minInstances) of the main alias' },
    'scaling.max': { level: 'native', note: 'concurrency config (reservedConcurrency) of the function' },
    'scaling.concurrency': {
      level: 'native',
      note: 'instanceConcurrency; custom runtimes and containers only',
    },
    'scaling.toZero': 'native',
    secrets: {
      level: 'emulated',
      note: 'set as environment variables of the function (FC has no secret store)',
    },
    initializer: { level: 'native', note: 'instanceLifecycleConfig.initializer' },
    'visibility.private': {
      level: 'unsupported',
      note: 'this adapter does not set disableURLInternet yet',
      instead: 'Use an http trigger with auth: function (signed calls only).',
    },
  },
  limits: {
    memoryMb: {
      min: fc3Limits.memoryMin,
      max: fc3Limits.memoryMax,
      values: fc3MemorySizes,
      description: '128-32768 in steps of 64',
    },
    timeoutSeconds: { min: 1, max: fc3Limits.timeoutMax, description: '1-86400 seconds' },
    concurrency: { min: 1, max: 200, description: '1-200 requests per instance' },
    trafficTargets: 2,
    payloadBytes: 32 * 1024 * 1024,
    name: {
      pattern: /^[A-Za-z_][A-Za-z0-9_-]*$/,
      maxLength: 64,
      description: '1-64 letters, digits, "_" and "-", starting with a letter or "_"',
    },
    runtimes: Object.keys(fc3RuntimeOf),
  },
};
