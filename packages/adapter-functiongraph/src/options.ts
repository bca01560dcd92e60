import { ConfigurationError, imageTargetOptionsShape, ValidationError, z } from '@faasport/core';
import { loadSetting, queueBindingsSchema, strictWithHints, zodIssues } from '@faasport/core/toolkit';

/** Access keys of a Huawei Cloud account or IAM user; `securityToken` for temporary credentials. @public */
export interface FunctionGraphCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  securityToken?: string;
}

const credentialsSchema = z.strictObject({
  accessKeyId: z.string().min(1, { error: 'must not be empty (the AK)' }),
  secretAccessKey: z.string().min(1, { error: 'must not be empty (the SK)' }),
  securityToken: z.string().min(1).optional(),
});

/**
 * One topic's binding on FunctionGraph (decision 0013): a DMS for Kafka instance (`kafka`, a `KAFKA`
 * trigger) or a self-hosted Kafka (`openSourceKafka`, an `OPENSOURCEKAFKA` trigger). Fields of the
 * trigger's `event_data`: huaweicloud-sdk-go-v3 services/functiongraph/v2/model/model_trigger_event_data_request_body.go
 * (`instance_id`, `topic_ids`, `batch_size` 1-1000, `kafka_connect_address`, `kafka_ssl_enable`).
 *
 * @public
 */
export const functionGraphQueueBinding = strictWithHints({
  kafka: strictWithHints({
    /** The DMS for Kafka instance id (`instance_id`). */
    instanceId: z.string().min(1, { error: 'must not be empty (the DMS for Kafka instance id)' }),
    /** The topic on the instance when its name differs from the model's topic (`topic_ids`). */
    topic: z.string().min(1).optional(),
    /** Connect over SSL (`kafka_ssl_enable`). */
    ssl: z.boolean().optional(),
  }).optional(),
  openSourceKafka: strictWithHints({
    /** The brokers, `host:port[,host:port]` (`kafka_connect_address`). */
    connectAddress: z.string().regex(/^[^\s:,]+:\d{1,5}(,[^\s:,]+:\d{1,5})*$/, {
      error: (i) => `${JSON.stringify(i.input)} is not a Kafka address list (host:port, comma-separated)`,
    }),
    topic: z.string().min(1).optional(),
    ssl: z.boolean().optional(),
  }).optional(),
}).refine((b) => (b.kafka === undefined) !== (b.openSourceKafka === undefined), {
  error: 'needs exactly one of kafka (a DMS for Kafka instance) and openSourceKafka (a self-hosted Kafka)',
});

/** A topic's binding on FunctionGraph. @public */
export type FunctionGraphQueueBinding = z.output<typeof functionGraphQueueBinding>;

/**
 * Options of the FunctionGraph adapter. Unknown keys are errors. Credentials, project and region fall
 * back to the Huawei Cloud SDK environment variables (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`,
 * `HUAWEICLOUD_SDK_SECURITY_TOKEN`, `HUAWEICLOUD_SDK_PROJECT_ID`, `HUAWEICLOUD_SDK_REGION`), then to
 * the Terraform provider's (`HW_ACCESS_KEY`, `HW_SECRET_KEY`, `HW_SECURITY_TOKEN`, `HW_PROJECT_ID`, `HW_REGION_NAME`).
 *
 * @public
 */
export const functionGraphOptionsSchema = z.strictObject({
  /** `registry`, `baseImage`, `imagePlatform`: build functions into images and deploy them by digest. */
  ...imageTargetOptionsShape,
  /** The region, e.g. `cn-north-4`. */
  region: z
    .string()
    .regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, {
      error: (i) => `${JSON.stringify(i.input)} is not a region id (e.g. cn-north-4, ap-southeast-1)`,
    })
    .optional(),
  /** The project id of the region (32 hex characters in Huawei Cloud). */
  projectId: z.string().min(1, { error: 'must not be empty' }).optional(),
  credentials: credentialsSchema.optional(),
  /** The API endpoint; default `https://functiongraph.{region}.myhuaweicloud.com`. */
  endpoint: z.url({ error: (i) => `${JSON.stringify(i.input)} is not a URL` }).optional(),
  /** The FunctionGraph package (app) functions live in; default `default`. */
  package: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, {
      error: (i) =>
        `${JSON.stringify(i.input)} is not a package name (letters, digits, "_" and "-", at most 64)`,
    })
    .optional(),
  /** Retries of throttled (429) and failed (5xx, network) calls, with exponential backoff and jitter. */
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(10).optional(),
      baseDelayMs: z.number().int().min(0).max(60_000).optional(),
    })
    .optional(),
  /** Timeout of one API call in ms (default 60 000). */
  requestTimeoutMs: z.number().int().positive().optional(),
  /** The environment to read variables from (default `process.env`). */
  env: z.record(z.string(), z.string().optional()).optional(),
  /** The deploy target's name, shown in results (default `functiongraph`). */
  target: z.string().min(1).optional(),
  /**
   * A dedicated API gateway (APIG instance id): http triggers become `DEDICATEDGATEWAY` APIs in it instead of
   * function URLs. Functions can set or override it in `providers.functiongraph.apigInstanceId`.
   */
  apigInstanceId: z.string().min(1, { error: 'must not be empty (the APIG instance id)' }).optional(),
  /**
   * Publish http triggers on the shared APIG gateway, which Huawei no longer offers to new customers. Only
   * for accounts that still have it.
   */
  apigShared: z.boolean().optional(),
  /** Where each topic a queue trigger reads lives: `queues.<topic>.kafka` or `.openSourceKafka`. */
  queues: queueBindingsSchema(functionGraphQueueBinding).optional(),
});

/** What `createFunctionGraphAdapter` takes. @public */
export type FunctionGraphAdapterOptions = z.input<typeof functionGraphOptionsSchema>;

/** The options after validation and environment fallbacks (credentials still lazy). */
export interface ResolvedOptions {
  region: string;
  projectId: string;
  endpoint: string;
  package: string;
  retry: { attempts: number; baseDelayMs: number };
  requestTimeoutMs: number;
  target: string;
  /** The target's dedicated gateway, for http triggers. */
  apigInstanceId?: string;
  /** The target asks for the shared gateway. */
  apigShared: boolean;
  /** The target's topic bindings. */
  queues?: Record<string, FunctionGraphQueueBinding>;
  /** Reads the credentials; throws ConfigurationError when they are missing. */
  credentials(): FunctionGraphCredentials;
}

/** Environment variables read for each setting, in order. */
export const envVars = {
  accessKeyId: ['HUAWEICLOUD_SDK_AK', 'HW_ACCESS_KEY'],
  secretAccessKey: ['HUAWEICLOUD_SDK_SK', 'HW_SECRET_KEY'],
  securityToken: ['HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HW_SECURITY_TOKEN'],
  projectId: ['HUAWEICLOUD_SDK_PROJECT_ID', 'HW_PROJECT_ID'],
  region: ['HUAWEICLOUD_SDK_REGION', 'HW_REGION_NAME'],
} as const;

const adapter = 'functiongraph';

/** Validates the options and applies environment fallbacks. Credentials are read on first use. @internal */
export function resolveOptions(input: unknown): ResolvedOptions {
  const parsed = functionGraphOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new ValidationError(
      // Never echo credential values.
      zodIssues(parsed.error, {
        message: (issue) =>
          issue.path[0] === 'credentials' ? issue.message.replace(/"[^"]*"/g, 'the value') : issue.message,
      }),
      { subject: 'the functiongraph adapter options', adapter },
    );
  }
  const o = parsed.data;
  const env = o.env ?? process.env;
  const setting = (name: string, envNames: readonly string[], secret = false) =>
    loadSetting({ name, options: o, env, envNames, secret });
  const region = setting('region', envVars.region);
  const projectId = setting('projectId', envVars.projectId);
  const missingCredentials = () => [
    ...(setting('credentials.accessKeyId', envVars.accessKeyId)
      ? []
      : [
          {
            what: 'the Huawei Cloud access key id',
            option: 'credentials.accessKeyId',
            envVar: envVars.accessKeyId[0],
          },
        ]),
    ...(setting('credentials.secretAccessKey', envVars.secretAccessKey, true)
      ? []
      : [
          {
            what: 'the Huawei Cloud secret access key',
            option: 'credentials.secretAccessKey',
            envVar: envVars.secretAccessKey[0],
          },
        ]),
  ];
  const missingTarget = [
    ...(region ? [] : [{ what: 'the FunctionGraph region', option: 'region', envVar: envVars.region[0] }]),
    ...(projectId
      ? []
      : [{ what: 'the FunctionGraph project id', option: 'projectId', envVar: envVars.projectId[0] }]),
  ];
  // Without a region and project there is no endpoint: fail now, naming every missing setting at once.
  if (!region || !projectId)
    throw ConfigurationError.missingAll([...missingTarget, ...missingCredentials()], adapter);
  let credentials: FunctionGraphCredentials | undefined;
  return {
    region,
    projectId,
    endpoint: (o.endpoint ?? `https://functiongraph.${region}.myhuaweicloud.com`).replace(/\/+$/, ''),
    package: o.package ?? 'default',
    retry: { attempts: o.retry?.attempts ?? 4, baseDelayMs: o.retry?.baseDelayMs ?? 200 },
    requestTimeoutMs: o.requestTimeoutMs ?? 60_000,
    target: o.target ?? adapter,
    ...(o.apigInstanceId ? { apigInstanceId: o.apigInstanceId } : {}),
    apigShared: o.apigShared ?? false,
    ...(o.queues ? { queues: o.queues } : {}),
    credentials() {
      if (credentials) return credentials;
      const missing = missingCredentials();
      if (missing.length) throw ConfigurationError.missingAll(missing, adapter);
      const accessKeyId = setting('credentials.accessKeyId', envVars.accessKeyId)!;
      const secretAccessKey = setting('credentials.secretAccessKey', envVars.secretAccessKey, true)!;
      // A token from the environment belongs to the environment's keys, not to keys given as options.
      const securityToken = setting(
        'credentials.securityToken',
        o.credentials ? [] : envVars.securityToken,
        true,
      );
      credentials = { accessKeyId, secretAccessKey, ...(securityToken ? { securityToken } : {}) };
      return credentials;
    },
  };
}
