/** What FunctionGraph accepts, as faasport capabilities and limits, and the `providers.functiongraph` options. */

import { type Capabilities, type ResolvedFunction, ValidationError, z } from '@faasport/core';
import { zodIssues } from '@faasport/core/toolkit';

/**
 * faasport runtime → FunctionGraph runtime. The versions are those of Huawei's runtime table
 * ("FunctionGraph支持的运行时语言", https://support.huaweicloud.com/usermanual-functiongraph/functiongraph_01_0151.html):
 * Node.js up to 22.18 and Python up to 3.12. The API names a runtime `Node.js<version>` as in that table
 * (`Node.js20.15`; API reference CreateFunction, functiongraph_06_0108). The international table
 * (support.huaweicloud.com/intl/en-us/...) still stops at 20.15, so `nodejs22` gets a plan-time warning.
 *
 * @public
 */
export const runtimeMap: Record<string, string> = {
  nodejs18: 'Node.js18.15',
  nodejs20: 'Node.js20.15',
  nodejs22: 'Node.js22.18',
  'python3.9': 'Python3.9',
  'python3.10': 'Python3.10',
  'python3.12': 'Python3.12',
  custom: 'http',
};

/** Memory sizes FunctionGraph accepts, in MB. @public */
export const memorySizes = [
  128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 8192, 10240,
] as const;

/** Most environment variables in `user_data` (FSS.1017), and most bytes of its JSON (the API doc; FSS.1018 says 2 KB). */
export const userDataLimits = { keys: 20, bytes: 4096 } as const;

/** What FunctionGraph can do, as faasport features and limits. @public */
export const functionGraphCapabilities: Capabilities = {
  features: {
    'source.inline': 'native',
    'source.dir': 'native',
    'source.archive': 'native',
    'source.bucket': {
      level: 'native',
      note: 'OBS code_url; the archive is deployed as-is, so use contract native',
    },
    'source.image': { level: 'native', note: 'custom image (Custom-Image-Swr) serving port 8000' },
    'contract.web': { level: 'emulated', note: 'a bundled shim maps APIG events to Request/Response' },
    'contract.event': {
      level: 'emulated',
      note: 'a bundled shim delivers timer and OBS events as CloudEvents',
    },
    'contract.native': 'native',
    'trigger.http': {
      level: 'native',
      note: 'a function URL; a DEDICATEDGATEWAY API with apigInstanceId; the shared APIG with apigShared',
    },
    'trigger.http.private': {
      level: 'native',
      note: 'private → IAM auth; function → APIG APP auth (dedicated or shared gateway only)',
    },
    'trigger.schedule': {
      level: 'native',
      note: 'TIMER trigger: the cron as written, seconds first, with CRON_TZ=<timezone>',
    },
    'trigger.storage': { level: 'native', note: 'OBS trigger' },
    'trigger.queue': {
      level: 'native',
      note: 'a KAFKA (DMS for Kafka) or OPENSOURCEKAFKA trigger, from targets.<t>.queues.<topic>',
    },
    'trigger.event': {
      level: 'unsupported',
      note: 'EventGrid triggers are not mapped yet',
      instead: 'Use an EventGrid trigger created in FunctionGraph directly, or deploy to knative or local.',
    },
    'traffic.split': {
      level: 'native',
      note: 'alias with additional_version_weights: two revisions, whole percents',
    },
    'traffic.tags': { level: 'emulated', note: 'one alias per tag' },
    'scaling.min': { level: 'native', note: 'reserved instances on the main alias' },
    'scaling.max': { level: 'native', note: 'strategy_config.concurrency, set after create' },
    'scaling.concurrency': { level: 'native', note: 'strategy_config.concurrent_num, set after create' },
    'scaling.toZero': 'native',
    secrets: { level: 'native', note: 'encrypted_user_data' },
    domains: {
      level: 'unsupported',
      instead:
        'Use a dedicated gateway (apigInstanceId) and bind the domain to its API group in the APIG console.',
    },
    initializer: 'native',
    'visibility.private': {
      level: 'unsupported',
      instead: 'Use an http trigger with auth: private (APIG IAM auth) instead.',
    },
    logs: {
      level: 'unsupported',
      note: 'FunctionGraph writes function logs to Log Tank Service (LTS), which this adapter does not read yet',
      instead: "Read the logs in the FunctionGraph console (the function's Monitoring > Logs tab) or in LTS.",
    },
  },
  limits: {
    memoryMb: { min: 128, max: 10240, values: memorySizes, description: memorySizes.join(', ') },
    timeoutSeconds: { min: 3, max: 259_200, description: '3-259200 seconds' },
    concurrency: { min: 1, max: 1000, description: '1-1000 requests per instance' },
    trafficTargets: 2,
    codeBytes: 50 * 1024 * 1024,
    payloadBytes: 6 * 1024 * 1024,
    name: {
      pattern: /^[A-Za-z]([A-Za-z0-9_-]{0,58}[A-Za-z0-9])?$/,
      maxLength: 60,
      description:
        '1-60 letters, digits, "_" or "-", starting with a letter and ending with a letter or digit',
    },
    runtimes: Object.keys(runtimeMap),
  },
};

/** `providers.functiongraph` of a function: FunctionGraph-only settings. @public */
export const functionGraphProviderSchema = z.strictObject({
  /** The dedicated gateway (APIG instance id) http triggers publish into; overrides the target's `apigInstanceId`. */
  apigInstanceId: z.string().min(1).optional(),
  /** Publish http triggers on the shared APIG gateway (closed to new customers); overrides the target's `apigShared`. */
  apigShared: z.boolean().optional(),
  /** The APIG API group of a gateway API (required with `apigInstanceId` or `apigShared`). */
  apigGroupId: z.string().min(1).optional(),
  /** The APIG environment id; default the RELEASE environment. */
  apigEnvId: z.string().min(1).optional(),
  /** The APIG environment name; default `RELEASE`. */
  apigEnvName: z.string().min(1).optional(),
  /** The API path of http triggers; default `/<function name>`. */
  apigPath: z.string().regex(/^\//, { error: 'must start with "/"' }).optional(),
  /** `HTTPS` (default) or `HTTP`. */
  apigProtocol: z.enum(['HTTP', 'HTTPS']).optional(),
  /** Whether the function URL answers CORS requests (`cors.is_cors`); default false. */
  cors: z.boolean().optional(),
  /** The agency (IAM delegation) the function runs with; needed to pull images from SWR. */
  xrole: z.string().min(1).optional(),
});

/** Provider options of a function, validated. */
export type ProviderOptions = z.infer<typeof functionGraphProviderSchema>;

/** Reads `fn.providers.functiongraph`; throws ValidationError naming the field. */
export function providerOptions(fn: ResolvedFunction): ProviderOptions {
  const parsed = functionGraphProviderSchema.safeParse(fn.providers.functiongraph ?? {});
  if (parsed.success) return parsed.data;
  throw new ValidationError(zodIssues(parsed.error, { prefix: ['providers', 'functiongraph'] }), {
    subject: `function "${fn.name}"`,
    adapter: 'functiongraph',
  });
}

/** FunctionGraph's split limit, in its words, for the split error. */
export const functionGraphSplitLimit =
  'a FunctionGraph alias routes to at most 2 versions (its version plus one additional_version_weights entry)';
