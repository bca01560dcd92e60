import { z } from 'zod';
import { fcErrors } from './errors';

/**
 * Request bodies of the FC 2.0 API (2016-08-15), strict: an unknown field or a wrong type is a
 * `400 InvalidArgument`, as FC rejects them. Field lists follow reference Part A6-A12 (fc-go-sdk JSON
 * tags). The exact wording of FC's messages for these rejections is not verified.
 */

const name = (what: string, max: number) =>
  z.string().regex(new RegExp(`^[A-Za-z_][A-Za-z0-9_-]{0,${max - 1}}$`), {
    error: (i) =>
      `${what} '${String(i.input)}' is invalid: 1-${max} characters, letters, digits, '_' and '-', starting with a letter or '_'`,
  });

/** A service name: 1-128 characters. */
export const serviceNameSchema = name('serviceName', 128);
/** A function name: 1-64 characters. */
export const functionNameSchema = name('functionName', 64);
/** A trigger name: 1-128 characters. */
export const triggerNameSchema = name('triggerName', 128);
/** An alias name: 1-128 characters, not `LATEST`. */
export const aliasNameSchema = name('aliasName', 128).refine((v) => v !== 'LATEST', {
  error: "aliasName cannot be 'LATEST'",
});

const logConfig = z.strictObject({
  project: z.string().optional(),
  logstore: z.string().optional(),
  enableRequestMetrics: z.boolean().optional(),
  enableInstanceMetrics: z.boolean().optional(),
  logBeginRule: z.string().optional(),
});
const vpcConfig = z.strictObject({
  vpcId: z.string().optional(),
  vSwitchIds: z.array(z.string()).optional(),
  securityGroupId: z.string().optional(),
});
const nasConfig = z.strictObject({
  userId: z.number().int().optional(),
  groupId: z.number().int().optional(),
  mountPoints: z.array(z.strictObject({ serverAddr: z.string(), mountDir: z.string() })).optional(),
});
const tracingConfig = z.strictObject({
  type: z.string().optional(),
  params: z.record(z.string(), z.string()).optional(),
});

const serviceFields = {
  description: z.string().max(256).optional(),
  role: z.string().optional(),
  internetAccess: z.boolean().optional(),
  logConfig: logConfig.optional(),
  vpcConfig: vpcConfig.optional(),
  nasConfig: nasConfig.optional(),
  tracingConfig: tracingConfig.optional(),
};
/** CreateService body. */
export const createServiceSchema = z.strictObject({ serviceName: serviceNameSchema, ...serviceFields });
/** UpdateService body. */
export const updateServiceSchema = z.strictObject(serviceFields);

const code = z
  .strictObject({
    zipFile: z.string().optional(),
    ossBucketName: z.string().optional(),
    ossObjectName: z.string().optional(),
  })
  .refine(
    (c) => (c.zipFile !== undefined) !== (c.ossBucketName !== undefined || c.ossObjectName !== undefined),
    {
      error: 'code must have either zipFile or ossBucketName and ossObjectName',
    },
  )
  .refine((c) => c.zipFile !== undefined || (c.ossBucketName && c.ossObjectName), {
    error: 'code needs both ossBucketName and ossObjectName',
  });

/** `command`/`args` of a custom container are JSON arrays written as strings in the 2016-08-15 API. */
const jsonArrayString = z.string().refine(
  (s) => {
    try {
      const v = JSON.parse(s);
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    } catch {
      return false;
    }
  },
  { error: (i) => `'${String(i.input)}' is not a JSON array of strings` },
);
const customContainerConfig = z.strictObject({
  image: z.string().min(1),
  command: jsonArrayString.optional(),
  args: jsonArrayString.optional(),
  accelerationType: z.enum(['Default', 'None']).optional(),
  instanceID: z.string().optional(),
  webServerMode: z.boolean().optional(),
});
const customRuntimeConfig = z.strictObject({
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
});

/** Runtimes FC 2.0 accepts (reference Part A16). */
export const fcRuntimes = [
  'nodejs20',
  'nodejs18',
  'nodejs16',
  'nodejs14',
  'nodejs12',
  'nodejs10',
  'nodejs8',
  'nodejs6',
  'nodejs4.4',
  'python3.10',
  'python3.9',
  'python3',
  'python2.7',
  'java11',
  'java8',
  'go1',
  'php7.2',
  'dotnetcore3.1',
  'dotnetcore2.1',
  'custom',
  'custom.debian10',
  'custom.debian11',
  'custom.debian12',
  'custom-container',
] as const;

const memorySize = z
  .number()
  .int()
  .refine((m) => (m >= 128 && m <= 3072 && m % 64 === 0) || [4096, 8192, 16384, 32768].includes(m), {
    error: (i) =>
      `memorySize ${String(i.input)} is invalid: a multiple of 64 from 128 to 3072, or 4096, 8192, 16384, 32768`,
  });

const functionFields = {
  description: z.string().max(256).optional(),
  runtime: z.enum(fcRuntimes, { error: (i) => `runtime '${String(i.input)}' is not supported` }).optional(),
  handler: z.string().min(1).optional(),
  initializer: z.string().optional(),
  initializationTimeout: z.number().int().min(1).max(300).optional(),
  timeout: z.number().int().min(1).max(86400).optional(),
  memorySize: memorySize.optional(),
  instanceConcurrency: z.number().int().min(1).max(200).optional(),
  environmentVariables: z.record(z.string(), z.string()).optional(),
  code: code.optional(),
  customContainerConfig: customContainerConfig.optional(),
  customRuntimeConfig: customRuntimeConfig.optional(),
  caPort: z.number().int().min(1).max(65535).optional(),
  instanceType: z.string().optional(),
  layers: z.array(z.string()).optional(),
  cpu: z.number().positive().optional(),
  diskSize: z.number().int().optional(),
};
/** CreateFunction body: code, or a container for `custom-container`. */
export const createFunctionSchema = z
  .strictObject({
    functionName: functionNameSchema,
    ...functionFields,
    runtime: functionFields.runtime.unwrap(),
    handler: functionFields.handler.unwrap(),
  })
  .refine(
    (f) => (f.runtime === 'custom-container' ? f.customContainerConfig !== undefined : f.code !== undefined),
    {
      error:
        'a function needs code (zipFile or OSS object), or customContainerConfig for runtime custom-container',
    },
  );
/** UpdateFunction body (partial). */
export const updateFunctionSchema = z.strictObject(functionFields);

const httpTriggerConfig = z.strictObject({
  authType: z.enum(['anonymous', 'function']),
  methods: z.array(z.enum(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'])).min(1),
  disableURLInternet: z.boolean().optional(),
});
const timerTriggerConfig = z.strictObject({
  cronExpression: z.string().regex(/^(@every \d+[smh]|(\S+\s+){5}\S+)$/, {
    error: (i) => `cronExpression '${String(i.input)}' is invalid`,
  }),
  payload: z.string().optional(),
  enable: z.boolean(),
});
const ossTriggerConfig = z.strictObject({
  events: z.array(z.string().regex(/^oss:Object[A-Za-z]+:[A-Za-z*]+$/)).min(1),
  filter: z
    .strictObject({ key: z.strictObject({ prefix: z.string().optional(), suffix: z.string().optional() }) })
    .optional(),
});
/**
 * mns_topic triggerConfig: aliyun fc-go-sdk `MnsTopicTriggerConfig` (filterTag, notifyContentFormat,
 * notifyStrategy); the values JSON / STREAM (default STREAM) and BACKOFF_RETRY / EXPONENTIAL_DECAY_RETRY
 * are those of alibabacloud-go fc-open `MNSTopicTriggerConfig`.
 */
const mnsTopicTriggerConfig = z.strictObject({
  filterTag: z.string().max(16).optional(),
  notifyContentFormat: z.enum(['JSON', 'STREAM']).optional(),
  notifyStrategy: z.enum(['BACKOFF_RETRY', 'EXPONENTIAL_DECAY_RETRY']).optional(),
});
/** triggerConfig by trigger type; other types are stored unchecked. */
export const triggerConfigSchemas: Record<string, z.ZodType> = {
  http: httpTriggerConfig,
  timer: timerTriggerConfig,
  oss: ossTriggerConfig,
  mns_topic: mnsTopicTriggerConfig,
};
/** Trigger types of the 2016-08-15 API. */
export const triggerTypes = [
  'http',
  'timer',
  'oss',
  'log',
  'mns_topic',
  'cdn_events',
  'tablestore',
  'eventbridge',
] as const;

// The 2021-04-06 API sends triggerConfig as a JSON string; 2016-08-15 clients send an object. Both are accepted.
const triggerConfig = z.union([z.record(z.string(), z.unknown()), z.string()]);
/** CreateTrigger body. */
export const createTriggerSchema = z.strictObject({
  triggerName: triggerNameSchema,
  triggerType: z.enum(triggerTypes),
  description: z.string().optional(),
  qualifier: z.string().optional(),
  sourceArn: z.string().optional(),
  invocationRole: z.string().optional(),
  triggerConfig,
});
/** UpdateTrigger body. */
export const updateTriggerSchema = z.strictObject({
  description: z.string().optional(),
  qualifier: z.string().optional(),
  invocationRole: z.string().optional(),
  triggerConfig: triggerConfig.optional(),
});

/** PublishServiceVersion body. */
export const publishVersionSchema = z.strictObject({ description: z.string().max(256).optional() });
const weights = z.record(z.string().regex(/^\d+$/), z.number().min(0).max(1));
/** CreateAlias body. */
export const createAliasSchema = z.strictObject({
  aliasName: aliasNameSchema,
  versionId: z.string().regex(/^\d+$/),
  description: z.string().max(256).optional(),
  additionalVersionWeight: weights.optional(),
});
/** UpdateAlias body. */
export const updateAliasSchema = z.strictObject({
  versionId: z.string().regex(/^\d+$/).optional(),
  description: z.string().max(256).optional(),
  additionalVersionWeight: weights.optional(),
});

const route = z.strictObject({
  path: z.string().startsWith('/'),
  serviceName: z.string(),
  functionName: z.string(),
  qualifier: z.string().optional(),
  methods: z.array(z.string()).optional(),
});
const domainFields = {
  protocol: z.enum(['HTTP', 'HTTPS', 'HTTP,HTTPS']).optional(),
  routeConfig: z.strictObject({ routes: z.array(route) }).optional(),
  certConfig: z
    .strictObject({ certName: z.string(), certificate: z.string(), privateKey: z.string() })
    .optional(),
};
/** CreateCustomDomain body. */
export const createDomainSchema = z.strictObject({
  domainName: z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i, {
    error: (i) => `domainName '${String(i.input)}' is invalid`,
  }),
  ...domainFields,
});
/** UpdateCustomDomain body. */
export const updateDomainSchema = z.strictObject(domainFields);

/** PutProvisionConfig body. */
export const provisionSchema = z.strictObject({
  target: z.number().int().min(0),
  scheduledActions: z.array(z.record(z.string(), z.unknown())).optional(),
  targetTrackingPolicies: z.array(z.record(z.string(), z.unknown())).optional(),
  alwaysAllocateCPU: z.boolean().optional(),
});

/** Parses a body or throws FC's `400 InvalidArgument` naming the field and the problem. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path.length ? issue.path.join('.') : 'body';
  if (issue.code === 'unrecognized_keys')
    throw fcErrors.invalidArgument(`unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')} in ${at}`);
  throw fcErrors.invalidArgument(`${at}: ${issue.message}`);
}
