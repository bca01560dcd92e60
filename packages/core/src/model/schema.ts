import { z } from 'zod';
import { cronProblem, isValidTimezone, parseDurationSeconds } from '../cron';
import { didYouMean } from './did-you-mean';

/**
 * A strict object: unknown keys are errors that list the allowed keys and suggest the nearest one.
 * Every input schema is built with it.
 */
function strict<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const near = didYouMean(key, allowed);
          return `unknown key "${key}"${near ? `; did you mean "${near}"?` : ''} (allowed: ${allowed.join(', ')})`;
        })
        .join('; ');
    },
  });
}

const show = (value: unknown) => JSON.stringify(value);

/** A name of a function: letters, digits, `-` and `_`, starting with a letter, at most 64 characters. */
const functionName = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : `${show(i.input)} is not a string`) })
  .min(1, { error: 'must not be empty (give the function a name)' })
  .max(64, { error: (i) => `${show(i.input)} is longer than 64 characters` })
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, {
    error: (i) =>
      `${show(i.input)} is not a valid name (start with a letter; then letters, digits, "-" or "_")`,
  });

/** A DNS label: lowercase letters, digits and `-`, at most 63, used for tags and revision labels. */
const dnsLabel = (what: string, max = 63) =>
  z
    .string()
    .min(1, { error: `must not be empty (give the ${what} a name)` })
    .max(max, { error: (i) => `${show(i.input)} is longer than ${max} characters` })
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, {
      error: (i) =>
        `${show(i.input)} is not a valid ${what} (lowercase letters, digits and "-", not at either end)`,
    });

const duration = (what: string) =>
  z.union([z.number(), z.string()]).superRefine((value, ctx) => {
    if (parseDurationSeconds(value) === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${show(value)} is not a duration for ${what} (use seconds, or "90s", "5m", "1h")`,
      });
    }
  });

/** The runtimes faasport knows. Each adapter maps them to the provider's own names. @public */
export const runtimes = [
  'nodejs18',
  'nodejs20',
  'nodejs22',
  'nodejs24',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'custom',
] as const;

const runtime = z.string().superRefine((value, ctx) => {
  if (!(runtimes as readonly string[]).includes(value)) {
    const near = didYouMean(value, runtimes);
    ctx.addIssue({
      code: 'custom',
      message: `${show(value)} is not a known runtime${near ? `; did you mean "${near}"?` : ''} (known: ${runtimes.join(', ')})`,
    });
  }
});

const positiveInt = (what: string, max?: number) => {
  let s = z
    .number({ error: (i) => `${show(i.input)} is not a number (${what})` })
    .int({ error: (i) => `${show(i.input)} is not a whole number (${what})` })
    .positive({ error: (i) => `${show(i.input)} must be greater than 0 (${what})` });
  if (max !== undefined) s = s.max(max, { error: (i) => `${show(i.input)} is more than ${max} (${what})` });
  return s;
};

const nonNegativeInt = (what: string) =>
  z
    .number({ error: (i) => `${show(i.input)} is not a number (${what})` })
    .int({ error: (i) => `${show(i.input)} is not a whole number (${what})` })
    .min(0, { error: (i) => `${show(i.input)} must not be negative (${what})` });

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: (i) =>
    `${show(i.input)} is not a valid environment variable name (letters, digits and "_", not starting with a digit)`,
});

// ---------------------------------------------------------------------------------------------
// Sources

const bucketSource = strict({
  name: z.string().min(1, { error: 'must not be empty (the bucket name)' }),
  key: z.string().min(1, { error: 'must not be empty (the object key of the zip archive)' }),
  region: z.string().optional(),
  endpoint: z
    .string()
    .url({ error: (i) => `${show(i.input)} is not a URL` })
    .optional(),
});

const imageSource = strict({
  ref: z.string().min(1, { error: 'must not be empty (the image reference, e.g. registry/name:tag)' }),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workdir: z
    .string()
    .regex(/^\//, { error: (i) => `${show(i.input)} is not an absolute path` })
    .optional(),
  port: z
    .number()
    .int()
    .min(1, { error: (i) => `${show(i.input)} is not a port number (1-65535)` })
    .max(65535, { error: (i) => `${show(i.input)} is not a port number (1-65535)` })
    .optional(),
  user: z
    .string()
    .regex(/^\d+(:\d+)?$/, { error: (i) => `${show(i.input)} is not a user id, or "uid:gid"` })
    .optional(),
});

const sourceKinds = ['inline', 'dir', 'archive', 'bucket', 'image'] as const;

/** Where a function's code comes from: exactly one of the five kinds. @public */
export const sourceSchema = strict({
  inline: z.string().min(1, { error: 'must not be empty (the code of the handler module)' }).optional(),
  dir: z.string().min(1, { error: 'must not be empty (a folder path)' }).optional(),
  archive: z
    .string()
    .regex(/\.(zip|jar)$/i, { error: (i) => `${show(i.input)} is not a .zip archive` })
    .optional(),
  bucket: bucketSource.optional(),
  image: imageSource.optional(),
}).superRefine((source, ctx) => {
  const given = sourceKinds.filter((k) => source[k] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        given.length === 0
          ? `needs exactly one of ${sourceKinds.join(', ')}`
          : `has ${given.join(' and ')}; give exactly one of ${sourceKinds.join(', ')}`,
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Triggers

const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const httpTrigger = strict({
  name: z.string().optional(),
  methods: z
    .array(
      z.string().superRefine((value, ctx) => {
        if (!(httpMethods as readonly string[]).includes(value)) {
          ctx.addIssue({
            code: 'custom',
            message: `${show(value)} is not an HTTP method (one of ${httpMethods.join(', ')}, in capitals)`,
          });
        }
      }),
    )
    .min(1, { error: 'must list at least one method (or leave methods out for all)' })
    .optional(),
  auth: z
    .enum(['anonymous', 'function', 'private'], {
      error: (i) => `${show(i.input)} is not an auth mode (anonymous, function or private)`,
    })
    .optional(),
});

const scheduleTrigger = strict({
  name: z.string().optional(),
  cron: z.string().superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${show(value)} ${problem}` });
  }),
  timezone: z
    .string()
    .superRefine((value, ctx) => {
      if (!isValidTimezone(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `${show(value)} is not an IANA time zone (e.g. "UTC", "Asia/Shanghai")`,
        });
      }
    })
    .optional(),
  payload: z.unknown().optional(),
  enabled: z.boolean().optional(),
});

const storageTrigger = strict({
  name: z.string().optional(),
  bucket: z.string().min(1, { error: 'must not be empty (the bucket to watch)' }),
  events: z
    .array(
      z.enum(['created', 'deleted'], {
        error: (i) => `${show(i.input)} is not a storage event (created or deleted)`,
      }),
    )
    .min(1, { error: 'must list at least one event (created, deleted)' })
    .optional(),
  prefix: z.string().optional(),
  suffix: z.string().optional(),
});

/**
 * A queue trigger names only the topic: where the topic lives (Kafka, an MNS topic, SQS, the local
 * runtime's SQLite) is bound per target in `targets.<t>.queues.<topic>`. The function receives one
 * `dev.faasport.queue.message` event per message on every target (decision 0013); `batchSize` and
 * `maxBatchingWindow` only tune how many messages the platform fetches at once.
 */
const queueTrigger = strict({
  name: z.string().optional(),
  topic: z
    .string()
    .min(1, { error: 'must not be empty (the topic or queue name)' })
    .max(249, {
      error: (i) => `${show(i.input).slice(0, 60)}… is longer than 249 characters (Kafka's limit)`,
    })
    .regex(/^[A-Za-z0-9._-]+$/, {
      error: (i) =>
        `${show(i.input)} is not a topic name (letters, digits, ".", "_" and "-": a name every queue service takes)`,
    }),
  batchSize: positiveInt('messages per batch', 1000).optional(),
  maxBatchingWindow: duration('the longest wait to fill a batch').optional(),
  startFrom: z
    .enum(['latest', 'earliest'], {
      error: (i) =>
        `${show(i.input)} is not a start position (latest: only messages published after the trigger exists; earliest: every message the topic still holds)`,
    })
    .optional(),
});

const eventTrigger = strict({
  name: z.string().optional(),
  filter: z
    .record(z.string(), z.string())
    .refine((f) => Object.keys(f).length > 0, { error: 'must have at least one attribute (e.g. type)' }),
  broker: z.string().optional(),
});

const triggerKinds = ['http', 'schedule', 'storage', 'queue', 'event'] as const;

/** One trigger: an object with exactly one of `http`, `schedule`, `storage`, `queue`, `event`. @public */
export const triggerSchema = strict({
  http: httpTrigger.optional(),
  schedule: scheduleTrigger.optional(),
  storage: storageTrigger.optional(),
  queue: queueTrigger.optional(),
  event: eventTrigger.optional(),
}).superRefine((trigger, ctx) => {
  const given = triggerKinds.filter((k) => trigger[k] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        given.length === 0
          ? `needs exactly one of ${triggerKinds.join(', ')}`
          : `has ${given.join(' and ')}; write each trigger as its own list item`,
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Traffic, rollout, scaling, resources

const revisionLabel = dnsLabel('revision label', 40).refine((v) => v !== 'latest', {
  error: '"latest" is reserved for the newest revision; choose another label',
});

const trafficEntry = strict({
  revision: z.union([z.literal('latest'), dnsLabel('revision label', 40)]),
  percent: z
    .number({ error: (i) => `${show(i.input)} is not a number (percent of traffic)` })
    .int({ error: (i) => `${show(i.input)} is not a whole percent` })
    .min(0, { error: (i) => `${show(i.input)} is below 0 percent` })
    .max(100, { error: (i) => `${show(i.input)} is above 100 percent` }),
  tag: dnsLabel('tag').optional(),
});

/** A traffic split: entries whose percents sum to 100, with unique tags and at most one `latest`. @public */
export const trafficSchema = z
  .array(trafficEntry)
  .min(1, { error: 'must have at least one entry' })
  .superRefine((entries, ctx) => {
    const sum = entries.reduce((total, e) => total + (typeof e.percent === 'number' ? e.percent : 0), 0);
    if (sum !== 100) {
      ctx.addIssue({
        code: 'custom',
        message: `percents sum to ${sum}; they must sum to 100 (${entries.map((e) => `${e.revision}=${e.percent}`).join(', ')})`,
      });
    }
    const tags = new Map<string, number>();
    entries.forEach((e, i) => {
      if (!e.tag) return;
      const first = tags.get(e.tag);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'tag'],
          message: `${show(e.tag)} is already the tag of entry ${first}; tags must be unique`,
        });
      } else tags.set(e.tag, i);
    });
    const latest = entries.flatMap((e, i) => (e.revision === 'latest' ? [i] : []));
    if (latest.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [latest[1]!, 'revision'],
        message: `"latest" appears ${latest.length} times (entries ${latest.join(', ')}); it may appear once`,
      });
    }
  });

const rolloutSchema = strict({
  steps: z
    .array(
      z
        .number()
        .int({ error: (i) => `${show(i.input)} is not a whole percent` })
        .min(1, { error: (i) => `${show(i.input)} is below 1 percent` })
        .max(100, { error: (i) => `${show(i.input)} is above 100 percent` }),
    )
    .min(1, { error: 'must have at least one step' })
    .superRefine((steps, ctx) => {
      for (let i = 1; i < steps.length; i++) {
        if (steps[i]! <= steps[i - 1]!) {
          ctx.addIssue({
            code: 'custom',
            path: [i],
            message: `${steps[i]} is not more than the step before (${steps[i - 1]}); steps must increase`,
          });
        }
      }
      if (steps[steps.length - 1] !== 100) {
        ctx.addIssue({
          code: 'custom',
          message: `ends at ${steps[steps.length - 1]}; the last step must be 100`,
        });
      }
    }),
  interval: duration('the wait between rollout steps').optional(),
  check: strict({
    maxErrorRate: z
      .number()
      .min(0, { error: (i) => `${show(i.input)} is below 0 (a fraction of failed requests, 0-1)` })
      .max(1, { error: (i) => `${show(i.input)} is above 1 (a fraction of failed requests, 0-1)` })
      .optional(),
    samples: positiveInt('requests sampled per step', 10_000).optional(),
    healthPath: z
      .string()
      .regex(/^\//, { error: (i) => `${show(i.input)} must start with "/"` })
      .optional(),
  }).optional(),
});

const resourcesSchema = strict({
  memory: positiveInt('memory in MB').optional(),
  cpu: z
    .number({ error: (i) => `${show(i.input)} is not a number (vCPUs)` })
    .positive({ error: (i) => `${show(i.input)} must be greater than 0 (vCPUs)` })
    .optional(),
  timeout: positiveInt('timeout in seconds', 86_400).optional(),
  disk: positiveInt('disk in MB').optional(),
});

const scalingSchema = strict({
  min: nonNegativeInt('minimum instances').optional(),
  max: positiveInt('maximum instances').optional(),
  concurrency: positiveInt('concurrent requests per instance', 1000).optional(),
  idle: duration('the idle time before scaling to zero').optional(),
}).superRefine((s, ctx) => {
  if (s.min !== undefined && s.max !== undefined && s.min > s.max) {
    ctx.addIssue({
      code: 'custom',
      path: ['min'],
      message: `${s.min} is more than max (${s.max}); min must not exceed max`,
    });
  }
});

const secretRef = z.unknown().superRefine((value, ctx) => {
  // Never echo the value: a plain string here is very likely the secret itself.
  if (typeof value === 'string' || typeof value === 'number') {
    ctx.addIssue({
      code: 'custom',
      message:
        'is a plain value; secrets are references so the value never sits in the file: use { fromEnv: "VAR" } or { fromFile: "./path" }',
    });
    return;
  }
  const parsed = secretRefShape.safeParse(value);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: 'must be { fromEnv: "VAR" } or { fromFile: "./path" }' });
  }
});
const secretRefShape = z.union([strict({ fromEnv: envName }), strict({ fromFile: z.string().min(1) })]);

/**
 * Per-provider escape hatches, by adapter name: an open record, since core knows no platform. The
 * chosen adapter validates its own key with its `providerOptionsSchema` (checkFunction), and unknown
 * keys are reported against the known adapter names when the caller gives them (`resolveProject`'s
 * `adapters`).
 */
const providersSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9-]*$/, {
    error: (i) => `${show(i.input)} is not an adapter name (lowercase letters, digits and "-")`,
  }),
  z.record(z.string(), z.unknown(), {
    error: (i) => `${show(i.input)} is not a mapping of options`,
  }),
);

// ---------------------------------------------------------------------------------------------
// Function and project

const functionShape = {
  name: functionName,
  description: z.string().max(256, { error: 'is longer than 256 characters' }).optional(),
  source: sourceSchema,
  runtime: runtime.optional(),
  handler: z
    .string()
    .regex(/^[^\s]+\.[A-Za-z_$][\w$]*$/, {
      error: (i) =>
        `${show(i.input)} is not a handler (write "file.export", e.g. "index.default" or "app.handler")`,
    })
    .optional(),
  contract: z
    .enum(['web', 'event', 'native'], {
      error: (i) => `${show(i.input)} is not a contract (web, event or native)`,
    })
    .optional(),
  initializer: z.string().optional(),
  env: z
    .record(
      envName,
      z
        .string({ error: (i) => `${show(i.input)} is not a string (quote numbers and booleans)` })
        // The OS passes environment values as C strings: a NUL would silently cut the value there.
        .refine((value) => !value.includes('\0'), {
          error:
            'contains a NUL character, which an environment variable cannot hold (the value would be cut there); remove it',
        }),
    )
    .optional(),
  secrets: z.record(envName, secretRef).optional(),
  resources: resourcesSchema.optional(),
  scaling: scalingSchema.optional(),
  triggers: z.array(triggerSchema).optional(),
  revision: revisionLabel.optional(),
  traffic: trafficSchema.optional(),
  domains: z
    .array(
      strict({
        host: z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i, {
          error: (i) => `${show(i.input)} is not a host name (e.g. api.example.com)`,
        }),
        path: z.string().regex(/^\//).optional(),
      }),
    )
    .optional(),
  visibility: z
    .enum(['public', 'private'], { error: (i) => `${show(i.input)} is not a visibility (public or private)` })
    .optional(),
  rollout: rolloutSchema.optional(),
  providers: providersSchema.optional(),
};

/**
 * A function as a user writes it in `faasport.yaml` or passes to `defineFunction()`.
 *
 * @public
 */
export const functionSchema = strict(functionShape).superRefine((fn, ctx) => {
  if (fn.source?.image) {
    if (fn.handler !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['handler'],
        message: `${show(fn.handler)} is set, but an image source has no handler: the image's command serves HTTP (remove handler, or set source.image.command)`,
      });
    }
    if (fn.runtime !== undefined && fn.runtime !== 'custom') {
      ctx.addIssue({
        code: 'custom',
        path: ['runtime'],
        message: `${show(fn.runtime)} is set, but an image source brings its own runtime (remove runtime)`,
      });
    }
  }
});

/** Defaults every function of a project inherits unless it sets its own. @public */
export const defaultsSchema = strict({
  runtime: runtime.optional(),
  contract: functionShape.contract,
  handler: functionShape.handler,
  env: functionShape.env,
  resources: resourcesSchema.optional(),
  scaling: scalingSchema.optional(),
  visibility: functionShape.visibility,
  providers: providersSchema.optional(),
});

/** A deploy target: the adapter name plus that adapter's options (validated by the adapter). @public */
export const targetSchema = z
  .object({
    adapter: z
      .string({
        error: (i) =>
          i.input === undefined
            ? 'is required: the name of the adapter that deploys this target (e.g. local, knative, lambda)'
            : `${show(i.input)} is not a string`,
      })
      .regex(/^[a-z][a-z0-9-]*$/, {
        error: (i) => `${show(i.input)} is not an adapter name (e.g. local, knative, fc)`,
      }),
  })
  .catchall(z.unknown());

/** A faasport project: `faasport.yaml`. @public */
export const projectSchema = strict({
  $schema: z.string().optional(),
  name: functionName,
  defaults: defaultsSchema.optional(),
  targets: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { error: (i) => `${show(i.input)} is not a valid target name` }),
      targetSchema,
    )
    .optional(),
  functions: z.array(z.unknown()).min(1, { error: 'must list at least one function' }),
});

/** What a user writes for a function. @public */
export type FunctionConfig = z.input<typeof functionSchema>;
/** What a user writes for a project. The functions are {@link FunctionConfig}s. @public */
export type ProjectConfig = Omit<z.input<typeof projectSchema>, 'functions'> & {
  functions: FunctionConfig[];
};
/** A trigger as written. @public */
export type TriggerConfig = z.input<typeof triggerSchema>;
/** A traffic entry as written. @public */
export type TrafficEntryConfig = z.input<typeof trafficEntry>;
/** A deploy target as written. @public */
export type TargetConfig = z.input<typeof targetSchema>;
/** Project defaults as written. @public */
export type DefaultsConfig = z.input<typeof defaultsSchema>;
