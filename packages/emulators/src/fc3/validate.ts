import { z } from 'zod';
import { triggerConfigSchemas } from '../fc/schemas';
import { fc3Errors } from './errors';

/**
 * The rules FC 3.0 documents for CreateFunction / UpdateFunction fields (`@alicloud/fc20230330`
 * dist/models/CreateFunctionInput.d.ts): memorySize a multiple of 64 in 128-32768, cpu a multiple of
 * 0.05 in 0.05-16 with 1-4 GB per vCPU, diskSize 512 or 10240, timeout 1-86400.
 */
const functionFields = {
  description: z.string().max(256).optional(),
  runtime: z.string().min(1).optional(),
  handler: z.string().min(1).max(128).optional(),
  memorySize: z
    .number()
    .int()
    .min(128)
    .max(32768)
    .refine((n) => n % 64 === 0, 'memorySize must be a multiple of 64')
    .optional(),
  cpu: z
    .number()
    .min(0.05)
    .max(16)
    .refine((n) => Math.abs(n / 0.05 - Math.round(n / 0.05)) < 1e-9, 'cpu must be a multiple of 0.05')
    .optional(),
  diskSize: z.union([z.literal(512), z.literal(10240)]).optional(),
  timeout: z.number().int().min(1).max(86400).optional(),
  instanceConcurrency: z.number().int().min(1).max(200).optional(),
  environmentVariables: z.record(z.string(), z.string()).optional(),
  role: z.string().optional(),
  code: z
    .object({
      zipFile: z.string().optional(),
      ossBucketName: z.string().optional(),
      ossObjectName: z.string().optional(),
      checksum: z.string().optional(),
    })
    .optional(),
  customContainerConfig: z
    .object({
      image: z.string().min(1),
      port: z.number().int().min(1).max(65535).optional(),
      command: z.array(z.string()).optional(),
      entrypoint: z.array(z.string()).optional(),
    })
    .loose()
    .optional(),
  instanceLifecycleConfig: z
    .object({
      initializer: z
        .object({ handler: z.string().optional(), timeout: z.number().int().optional() })
        .optional(),
      preStop: z.object({ handler: z.string().optional(), timeout: z.number().int().optional() }).optional(),
    })
    .optional(),
};

const createSchema = z
  .object({ functionName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/), ...functionFields })
  .loose();
const updateSchema = z.object(functionFields).loose();

function parseOrThrow<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw fc3Errors.invalidArgument(`${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return r.data;
}

/** Checks the cross-field rules on the merged function: cpu/memory ratio and where instanceConcurrency applies. */
function checkMerged(c: Record<string, any>): void {
  if (c.cpu !== undefined && c.memorySize !== undefined) {
    const ratio = c.memorySize / 1024 / c.cpu;
    if (ratio < 1 || ratio > 4)
      throw fc3Errors.invalidArgument(
        `the ratio of cpu (${c.cpu}) to memorySize in GB (${c.memorySize / 1024}) must be from 1:1 to 1:4`,
      );
  }
  if (c.instanceConcurrency > 1 && !String(c.runtime).startsWith('custom'))
    throw fc3Errors.invalidArgument(
      `instanceConcurrency is only supported by custom runtimes and custom containers, not ${c.runtime}`,
    );
  if (c.runtime === 'custom-container' ? !c.customContainerConfig?.image : !c.handler)
    throw fc3Errors.invalidArgument(
      c.runtime === 'custom-container' ? 'customContainerConfig.image is required' : 'handler is required',
    );
}

export function validateCreate(body: unknown): Record<string, any> {
  const c = parseOrThrow(createSchema, body) as Record<string, any>;
  if (!c.runtime) throw fc3Errors.invalidArgument('runtime is required');
  if (!c.code && c.runtime !== 'custom-container') throw fc3Errors.invalidArgument('code is required');
  checkMerged(c);
  return c;
}

export function validateUpdate(body: unknown, current: Record<string, any>): Record<string, any> {
  const u = parseOrThrow(updateSchema, body) as Record<string, any>;
  checkMerged({ ...current, ...u });
  return u;
}

type Json = Record<string, any>;

/**
 * A trigger's `triggerConfig`, which FC 3.0 takes as a JSON string (CreateTriggerInput.triggerConfig).
 * http: authType and methods; timer: a six-field cron or `@every`, optionally after `CRON_TZ=<zone>`
 * ("Time triggers", time zone expression); oss and mns_topic: the fields of `OSSTriggerConfig` and
 * `MNSTopicTriggerConfig` (`@alicloud/fc20230330` dist/models), which FC 2.0 shares, so its schemas check them.
 */
export function validateTriggerConfig(type: string, raw: unknown): Json {
  if (typeof raw !== 'string') throw fc3Errors.invalidArgument('triggerConfig must be a JSON string');
  let config: Json;
  try {
    config = JSON.parse(raw) as Json;
  } catch {
    throw fc3Errors.invalidArgument('triggerConfig is not valid JSON');
  }
  if (type === 'http') {
    if (!['anonymous', 'function', 'jwt'].includes(config.authType))
      throw fc3Errors.invalidArgument(
        `authType ${JSON.stringify(config.authType)} is not anonymous, function or jwt`,
      );
    if (!Array.isArray(config.methods) || !config.methods.length)
      throw fc3Errors.invalidArgument('methods must list HTTP methods');
  }
  if (type === 'timer') {
    const cron = String(config.cronExpression ?? '');
    const m = /^(?:CRON_TZ=([A-Za-z_+\-/0-9]+) )?(\S+ \S+ \S+ \S+ \S+ \S+)$|^@every \d+[smh]$/.exec(cron);
    if (!m)
      throw fc3Errors.invalidArgument(
        `cronExpression ${JSON.stringify(cron)} is not a six-field cron or @every`,
      );
    if (m[1]) {
      try {
        new Intl.DateTimeFormat('en', { timeZone: m[1] });
      } catch {
        throw fc3Errors.invalidArgument(`CRON_TZ ${m[1]} is not a time zone`);
      }
    }
  }
  const schema = type === 'oss' || type === 'mns_topic' ? triggerConfigSchemas[type] : undefined;
  return schema ? (parseOrThrow(schema, config) as Json) : config;
}

/** Event sources FC 3.0 checks at CreateTrigger: their `sourceArn` shape and the role they invoke with. */
const sources: Record<string, { arn: RegExp; form: string; service: string }> = {
  oss: { arn: /^acs:oss:[^:]+:\d+:[^:/]+$/, form: 'acs:oss:<region>:<account>:<bucket>', service: 'OSS' },
  mns_topic: {
    arn: /^acs:mns:[^:]+:\d+:\/topics\/[^/]+$/,
    form: 'acs:mns:<region>:<account>:/topics/<topic>',
    service: 'MNS',
  },
};

/**
 * The source of an event trigger: an OSS trigger names its bucket and an mns_topic trigger its topic
 * in `sourceArn`, and both need the `invocationRole` the service assumes to invoke the function
 * (devsapp/fc3 docs/zh/yaml/triggers.md: "触发器角色权限", fc:InvokeFunction).
 */
export function validateTriggerSource(type: string, sourceArn: unknown, invocationRole: unknown): void {
  const source = sources[type];
  if (!source) return;
  if (typeof sourceArn !== 'string' || !source.arn.test(sourceArn))
    throw fc3Errors.invalidArgument(
      `a ${type} trigger needs sourceArn ${source.form}, not ${JSON.stringify(sourceArn ?? null)}`,
    );
  if (typeof invocationRole !== 'string' || !/^acs:ram::\d+:role\/.+$/.test(invocationRole))
    throw fc3Errors.invalidArgument(
      `invocationRole is required for ${type} triggers: the RAM role (acs:ram::<account>:role/<name>) ${source.service} assumes to invoke the function`,
    );
}
