#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
const require = __cr(import.meta.url);

// packages/runtime/src/bin.ts
import path9 from 'node:path';
import { parseArgs } from 'node:util';

// packages/core/src/cron/index.ts
import { CronExpressionParser } from 'cron-parser';

var cronFieldNames = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];
var fieldRanges = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
var monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
var dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
function cronProblem(expression) {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 || expression.trim() === '') {
    return 'is not a 5-field cron expression (minute hour day-of-month month day-of-week)';
  }
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(fields[i], i);
    if (problem) return `has an invalid ${cronFieldNames[i]} field "${fields[i]}": ${problem}`;
  }
  return void 0;
}
function fieldProblem(field, index) {
  const [min, max] = fieldRanges[index];
  const names = index === 3 ? monthNames : index === 4 ? dayNames : [];
  for (const part of field.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== void 0 || range === void 0 || range === '') return 'malformed step';
    if (step !== void 0 && !/^[1-9]\d*$/.test(step)) return `step "${step}" is not a positive whole number`;
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `malformed range "${range}"`;
    for (const bound of bounds) {
      const named = names.indexOf(bound.toLowerCase());
      const value =
        named >= 0 ? named + (index === 3 ? 1 : 0) : /^\d+$/.test(bound) ? Number(bound) : Number.NaN;
      if (Number.isNaN(value)) return `"${bound}" is not a number${names.length ? ' or a name' : ''}`;
      if (value < min || value > max) return `${value} is outside ${min}-${max}`;
    }
  }
  return void 0;
}
function isValidTimezone(timezone) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
function nextCronTimes(expression, options = {}) {
  const problem = cronProblem(expression);
  if (problem) throw new RangeError(`"${expression}" ${problem}`);
  const iterator = CronExpressionParser.parse(expression, {
    currentDate: options.from ?? /* @__PURE__ */ new Date(),
    tz: options.timezone ?? 'UTC',
  });
  const out = [];
  for (let i = 0; i < (options.count ?? 1); i++) out.push(iterator.next().toDate());
  return out;
}
function parseDurationSeconds(value) {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : void 0;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1]);
    total +=
      m[2] === 'ms'
        ? n / 1e3
        : m[2] === 's'
          ? n
          : m[2] === 'm'
            ? n * 60
            : m[2] === 'h'
              ? n * 3600
              : n * 86400;
    consumed = re.lastIndex;
  }
  return consumed === text.length && text.length > 0 ? total : void 0;
}

// packages/core/src/errors/catalog.ts
var errorCatalog = {
  FP_VALIDATION: {
    kind: 'validation',
    title: 'The configuration is not valid',
    hint: 'Fix each listed field; the JSON Schema in @faasport/core/schema.json gives editors completion and checks.',
  },
  FP_UNSUPPORTED_FEATURE: {
    kind: 'unsupported',
    title: 'The target cannot do something the function uses',
    hint: 'Remove the feature from the function, or deploy it to a target that supports it.',
  },
  FP_LIMIT_EXCEEDED: {
    kind: 'validation',
    title: 'A value is outside what the target accepts',
    hint: 'Use one of the values the target accepts.',
  },
  FP_CONFIGURATION: {
    kind: 'usage',
    title: 'A required setting is missing',
    hint: 'Pass the option, or set the environment variable it names.',
  },
  FP_PROVIDER_API: {
    kind: 'provider',
    title: 'The provider API rejected a request',
    hint: 'Read the provider code and message; retryable errors are retried automatically.',
  },
  FP_DEPLOY_TIMEOUT: {
    kind: 'timeout',
    title: 'The function did not become ready in time',
    hint: 'Check the revision status and logs; raise the wait timeout if the platform is slow.',
  },
  FP_DRIFT: {
    kind: 'conflict',
    title: 'The live function changed since the plan was made',
    hint: 'Run plan again and review the changes made outside faasport.',
  },
  FP_DEPLOY_FAILED: {
    kind: 'provider',
    title: 'A deploy step failed',
    hint: 'See which steps ran and what was rolled back; fix the cause and deploy again.',
  },
  FP_NOT_FOUND: {
    kind: 'usage',
    title: 'The function does not exist on the target',
    hint: 'Check the name and the target; `faasport ls` lists what is deployed.',
  },
  FP_INVOKE_FAILED: {
    kind: 'provider',
    title: 'The function returned an error',
    hint: 'Read the function error and its logs.',
  },
  FP_ROLLOUT_FAILED: {
    kind: 'conflict',
    title: 'A rollout check failed and traffic was rolled back',
    hint: 'Look at the failing revision; traffic is back where it was before the rollout.',
  },
  FP_INTERNAL: {
    kind: 'internal',
    title: 'An internal error occurred',
    hint: 'This is a bug in faasport; please report it with the command and this message.',
  },
};

// packages/core/src/errors/redact.ts
var secretValues = /* @__PURE__ */ new Set();
function registerSecret(value) {
  if (value && value.length >= 4) secretValues.add(value);
}
function redact(text) {
  let out = text;
  for (const secret of secretValues) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

// packages/core/src/errors/errors.ts
var marker = /* @__PURE__ */ Symbol.for('faasport.error');
var FaasportError = class extends Error {
  [marker] = true;
  /** The permanent error code. */
  code;
  /** The kind of failure, from the catalogue. */
  kind;
  /** What to do about it. */
  hint;
  /** Whether trying again may succeed. */
  retryable;
  /** The adapter the error came from, if any. */
  adapter;
  constructor(code, message, options = {}) {
    super(redact(message), options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = errorCatalog[code].kind;
    this.hint = redact(options.hint ?? errorCatalog[code].hint);
    this.retryable = options.retryable ?? false;
    if (options.adapter) this.adapter = options.adapter;
  }
  /** True when `value` is a faasport error, even from another copy of this package. */
  static isInstance(value) {
    return typeof value === 'object' && value !== null && value[marker] === true;
  }
  /** A plain, JSON-safe view of the error for `--json` output and logs. */
  toJSON() {
    const out = {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
    };
    if (this.retryable) out.retryable = true;
    if (this.adapter) out.adapter = this.adapter;
    for (const [key2, value] of Object.entries(this)) {
      if (!(key2 in out) && key2 !== 'kind' && value !== void 0) out[key2] = value;
    }
    return out;
  }
};
function formatIssues(issues) {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}
var ValidationError = class extends FaasportError {
  issues;
  /** The file the configuration came from, when loaded from a file. */
  file;
  constructor(issues, options = {}) {
    const where = options.file ? ` in ${options.file}` : options.subject ? ` in ${options.subject}` : '';
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      'FP_VALIDATION',
      `Invalid configuration${where} (${count}):
${formatIssues(issues)}`,
      options,
    );
    this.issues = issues;
    if (options.file) this.file = options.file;
  }
};
var InvokeError = class extends FaasportError {
  functionError;
  status;
  constructor(args) {
    super('FP_INVOKE_FAILED', `Function "${args.functionName}" failed: ${args.message}`, {
      adapter: args.adapter,
    });
    if (args.functionError) this.functionError = args.functionError;
    if (args.status !== void 0) this.status = args.status;
  }
};

// packages/core/src/model/resolve.ts
import { isAbsolute, resolve as resolvePath } from 'node:path';

// packages/core/src/model/schema.ts
import { z } from 'zod';

// packages/core/src/model/did-you-mean.ts
function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
function didYouMean(input, candidates) {
  let best;
  let bestScore = Number.POSITIVE_INFINITY;
  const lower = input.toLowerCase();
  for (const candidate of candidates) {
    const score = distance(lower, candidate.toLowerCase());
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  const threshold = Math.max(1, Math.floor(input.length / 3));
  return best !== void 0 && bestScore <= threshold ? best : void 0;
}

// packages/core/src/model/schema.ts
function strict(shape) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return void 0;
      return issue.keys
        .map((key2) => {
          const near = didYouMean(key2, allowed);
          return `unknown key "${key2}"${near ? `; did you mean "${near}"?` : ''} (allowed: ${allowed.join(', ')})`;
        })
        .join('; ');
    },
  });
}
var show = (value) => JSON.stringify(value);
var functionName = z
  .string({ error: (i) => (i.input === void 0 ? 'is required' : `${show(i.input)} is not a string`) })
  .min(1, { error: 'must not be empty (give the function a name)' })
  .max(64, { error: (i) => `${show(i.input)} is longer than 64 characters` })
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, {
    error: (i) =>
      `${show(i.input)} is not a valid name (start with a letter; then letters, digits, "-" or "_")`,
  });
var dnsLabel = (what, max = 63) =>
  z
    .string()
    .min(1, { error: `must not be empty (give the ${what} a name)` })
    .max(max, { error: (i) => `${show(i.input)} is longer than ${max} characters` })
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, {
      error: (i) =>
        `${show(i.input)} is not a valid ${what} (lowercase letters, digits and "-", not at either end)`,
    });
var duration = (what) =>
  z.union([z.number(), z.string()]).superRefine((value, ctx) => {
    if (parseDurationSeconds(value) === void 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${show(value)} is not a duration for ${what} (use seconds, or "90s", "5m", "1h")`,
      });
    }
  });
var runtimes = [
  'nodejs18',
  'nodejs20',
  'nodejs22',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'custom',
];
var runtime = z.string().superRefine((value, ctx) => {
  if (!runtimes.includes(value)) {
    const near = didYouMean(value, runtimes);
    ctx.addIssue({
      code: 'custom',
      message: `${show(value)} is not a known runtime${near ? `; did you mean "${near}"?` : ''} (known: ${runtimes.join(', ')})`,
    });
  }
});
var positiveInt = (what, max) => {
  let s = z
    .number({ error: (i) => `${show(i.input)} is not a number (${what})` })
    .int({ error: (i) => `${show(i.input)} is not a whole number (${what})` })
    .positive({ error: (i) => `${show(i.input)} must be greater than 0 (${what})` });
  if (max !== void 0) s = s.max(max, { error: (i) => `${show(i.input)} is more than ${max} (${what})` });
  return s;
};
var nonNegativeInt = (what) =>
  z
    .number({ error: (i) => `${show(i.input)} is not a number (${what})` })
    .int({ error: (i) => `${show(i.input)} is not a whole number (${what})` })
    .min(0, { error: (i) => `${show(i.input)} must not be negative (${what})` });
var envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: (i) =>
    `${show(i.input)} is not a valid environment variable name (letters, digits and "_", not starting with a digit)`,
});
var bucketSource = strict({
  name: z.string().min(1, { error: 'must not be empty (the bucket name)' }),
  key: z.string().min(1, { error: 'must not be empty (the object key of the zip archive)' }),
  region: z.string().optional(),
  endpoint: z
    .string()
    .url({ error: (i) => `${show(i.input)} is not a URL` })
    .optional(),
});
var imageSource = strict({
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
var sourceKinds = ['inline', 'dir', 'archive', 'bucket', 'image'];
var sourceSchema = strict({
  inline: z.string().min(1, { error: 'must not be empty (the code of the handler module)' }).optional(),
  dir: z.string().min(1, { error: 'must not be empty (a folder path)' }).optional(),
  archive: z
    .string()
    .regex(/\.(zip|jar)$/i, { error: (i) => `${show(i.input)} is not a .zip archive` })
    .optional(),
  bucket: bucketSource.optional(),
  image: imageSource.optional(),
}).superRefine((source, ctx) => {
  const given = sourceKinds.filter((k) => source[k] !== void 0);
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
var httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
var httpTrigger = strict({
  name: z.string().optional(),
  methods: z
    .array(
      z.string().superRefine((value, ctx) => {
        if (!httpMethods.includes(value)) {
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
var scheduleTrigger = strict({
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
var storageTrigger = strict({
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
var queueTrigger = strict({
  name: z.string().optional(),
  topic: z.string().min(1, { error: 'must not be empty (the topic or queue name)' }),
  batchSize: positiveInt('messages per batch', 1e3).optional(),
});
var eventTrigger = strict({
  name: z.string().optional(),
  filter: z
    .record(z.string(), z.string())
    .refine((f) => Object.keys(f).length > 0, { error: 'must have at least one attribute (e.g. type)' }),
  broker: z.string().optional(),
});
var triggerKinds = ['http', 'schedule', 'storage', 'queue', 'event'];
var triggerSchema = strict({
  http: httpTrigger.optional(),
  schedule: scheduleTrigger.optional(),
  storage: storageTrigger.optional(),
  queue: queueTrigger.optional(),
  event: eventTrigger.optional(),
}).superRefine((trigger, ctx) => {
  const given = triggerKinds.filter((k) => trigger[k] !== void 0);
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
var revisionLabel = dnsLabel('revision label', 40).refine((v) => v !== 'latest', {
  error: '"latest" is reserved for the newest revision; choose another label',
});
var trafficEntry = strict({
  revision: z.union([z.literal('latest'), dnsLabel('revision label', 40)]),
  percent: z
    .number({ error: (i) => `${show(i.input)} is not a number (percent of traffic)` })
    .int({ error: (i) => `${show(i.input)} is not a whole percent` })
    .min(0, { error: (i) => `${show(i.input)} is below 0 percent` })
    .max(100, { error: (i) => `${show(i.input)} is above 100 percent` }),
  tag: dnsLabel('tag').optional(),
});
var trafficSchema = z
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
    const tags = /* @__PURE__ */ new Map();
    entries.forEach((e, i) => {
      if (!e.tag) return;
      const first = tags.get(e.tag);
      if (first !== void 0) {
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
        path: [latest[1], 'revision'],
        message: `"latest" appears ${latest.length} times (entries ${latest.join(', ')}); it may appear once`,
      });
    }
  });
var rolloutSchema = strict({
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
        if (steps[i] <= steps[i - 1]) {
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
    samples: positiveInt('requests sampled per step', 1e4).optional(),
    healthPath: z
      .string()
      .regex(/^\//, { error: (i) => `${show(i.input)} must start with "/"` })
      .optional(),
  }).optional(),
});
var resourcesSchema = strict({
  memory: positiveInt('memory in MB').optional(),
  cpu: z
    .number({ error: (i) => `${show(i.input)} is not a number (vCPUs)` })
    .positive({ error: (i) => `${show(i.input)} must be greater than 0 (vCPUs)` })
    .optional(),
  timeout: positiveInt('timeout in seconds', 86400).optional(),
  disk: positiveInt('disk in MB').optional(),
});
var scalingSchema = strict({
  min: nonNegativeInt('minimum instances').optional(),
  max: positiveInt('maximum instances').optional(),
  concurrency: positiveInt('concurrent requests per instance', 1e3).optional(),
  idle: duration('the idle time before scaling to zero').optional(),
}).superRefine((s, ctx) => {
  if (s.min !== void 0 && s.max !== void 0 && s.min > s.max) {
    ctx.addIssue({
      code: 'custom',
      path: ['min'],
      message: `${s.min} is more than max (${s.max}); min must not exceed max`,
    });
  }
});
var secretRef = z.unknown().superRefine((value, ctx) => {
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
var secretRefShape = z.union([strict({ fromEnv: envName }), strict({ fromFile: z.string().min(1) })]);
var providersSchema = strict({
  local: z.record(z.string(), z.unknown()).optional(),
  knative: z.record(z.string(), z.unknown()).optional(),
  fc: z.record(z.string(), z.unknown()).optional(),
  functiongraph: z.record(z.string(), z.unknown()).optional(),
  lambda: z.record(z.string(), z.unknown()).optional(),
});
var functionShape = {
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
      z.string({ error: (i) => `${show(i.input)} is not a string (quote numbers and booleans)` }),
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
var functionSchema = strict(functionShape).superRefine((fn, ctx) => {
  if (fn.source?.image) {
    if (fn.handler !== void 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['handler'],
        message: `${show(fn.handler)} is set, but an image source has no handler: the image's command serves HTTP (remove handler, or set source.image.command)`,
      });
    }
    if (fn.runtime !== void 0 && fn.runtime !== 'custom') {
      ctx.addIssue({
        code: 'custom',
        path: ['runtime'],
        message: `${show(fn.runtime)} is set, but an image source brings its own runtime (remove runtime)`,
      });
    }
  }
});
var defaultsSchema = strict({
  runtime: runtime.optional(),
  contract: functionShape.contract,
  handler: functionShape.handler,
  env: functionShape.env,
  resources: resourcesSchema.optional(),
  scaling: scalingSchema.optional(),
  visibility: functionShape.visibility,
  providers: providersSchema.optional(),
});
var targetSchema = z
  .object({
    adapter: z
      .string({
        error: (i) =>
          i.input === void 0
            ? 'is required (local, knative, fc, functiongraph, lambda)'
            : `${show(i.input)} is not a string`,
      })
      .regex(/^[a-z][a-z0-9-]*$/, {
        error: (i) => `${show(i.input)} is not an adapter name (e.g. local, knative, fc)`,
      }),
  })
  .catchall(z.unknown());
var projectSchema = strict({
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

// packages/core/src/model/resolve.ts
var builtinDefaults = {
  runtime: 'nodejs20',
  contract: 'web',
  webHandler: 'index.default',
  nativeHandler: 'index.handler',
  memory: 256,
  timeout: 30,
  scaling: { min: 0, max: 100, concurrency: 1, idleSeconds: 60 },
  imagePort: 8080,
  rollout: { intervalSeconds: 60, maxErrorRate: 0.05, samples: 20 },
  broker: 'default',
};
var allMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
function formatPath(path10, prefix = '') {
  let out = prefix;
  for (const part of path10) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
function toIssues(error, prefix = '') {
  const out = [];
  for (const issue of error.issues) {
    if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors)) {
      const branches = issue.errors;
      const best = branches.reduce((a, b) => (deepest(b) > deepest(a) ? b : a), branches[0] ?? []);
      if (best.length) {
        const nested = {
          issues: best.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
        };
        out.push(...toIssues(nested, prefix));
        continue;
      }
    }
    const path10 = formatPath(issue.path, prefix);
    const underSecrets = issue.path.includes('secrets');
    out.push({
      path: path10,
      message: issueMessage(issue, underSecrets),
      rule: issue.code === 'custom' ? 'rule' : issue.code,
    });
  }
  return out;
}
function deepest(issues) {
  return Math.max(0, ...issues.map((i) => i.path.length));
}
function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
function issueMessage(issue, hideValue) {
  const input = issue.input;
  if (
    issue.code === 'custom' ||
    (issue.message && !issue.message.startsWith('Invalid') && !issue.message.startsWith('Too'))
  ) {
    return issue.message;
  }
  const value = hideValue ? 'the value' : JSON.stringify(input);
  if (issue.code === 'invalid_key' && issue.issues.length) {
    return issueMessage(issue.issues[0], hideValue);
  }
  switch (issue.code) {
    case 'invalid_type':
      return input === void 0
        ? `is required (${issue.expected})`
        : `${value} is ${describe(input)}, expected ${issue.expected === 'record' ? 'an object' : issue.expected}`;
    case 'too_small':
      return `${value} is too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `${value} is too big (maximum ${String(issue.maximum)})`;
    case 'invalid_value':
      return `${value} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${value}: ${issue.message}`;
  }
}
function deepMerge(base, over) {
  if (base === void 0) return over;
  if (over === void 0) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return over;
}
function isPlainObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function resolveSource(source, baseDir) {
  const abs = (p) => (isAbsolute(p) ? p : resolvePath(baseDir, p));
  if (source.inline !== void 0) return { kind: 'inline', code: source.inline };
  if (source.dir !== void 0) return { kind: 'dir', path: abs(source.dir) };
  if (source.archive !== void 0) return { kind: 'archive', path: abs(source.archive) };
  if (source.bucket) return { kind: 'bucket', ...source.bucket };
  const image = source.image;
  return { kind: 'image', ...image, port: image.port ?? builtinDefaults.imagePort };
}
function resolveTriggers(fn, contract) {
  const given = fn.triggers ?? (contract === 'web' ? [{ http: {} }] : []);
  const seen = /* @__PURE__ */ new Map();
  const nameFor = (kind, explicit) => {
    if (explicit) return explicit;
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    return n === 1 ? kind : `${kind}-${n}`;
  };
  return given.map((t) => {
    if (t.http) {
      return {
        kind: 'http',
        name: nameFor('http', t.http.name),
        methods: t.http.methods ?? allMethods,
        auth: t.http.auth ?? 'anonymous',
      };
    }
    if (t.schedule) {
      const s = t.schedule;
      return {
        kind: 'schedule',
        name: nameFor('schedule', s.name),
        cron: s.cron.trim().split(/\s+/).join(' '),
        timezone: s.timezone ?? 'UTC',
        ...(s.payload === void 0 ? {} : { payload: s.payload }),
        enabled: s.enabled ?? true,
      };
    }
    if (t.storage) {
      const s = t.storage;
      return {
        kind: 'storage',
        name: nameFor('storage', s.name),
        bucket: s.bucket,
        events: s.events ?? ['created'],
        ...(s.prefix ? { prefix: s.prefix } : {}),
        ...(s.suffix ? { suffix: s.suffix } : {}),
      };
    }
    if (t.queue)
      return {
        kind: 'queue',
        name: nameFor('queue', t.queue.name),
        topic: t.queue.topic,
        batchSize: t.queue.batchSize ?? 1,
      };
    const e = t.event;
    return {
      kind: 'event',
      name: nameFor('event', e.name),
      filter: e.filter,
      broker: e.broker ?? builtinDefaults.broker,
    };
  });
}
function resolveFunction(input, options = {}) {
  const issues = collectFunctionIssues(input, options.pathPrefix ?? '');
  if (issues.length) throw new ValidationError(issues, { file: options.file });
  return buildResolved(input, options.defaults ?? {}, options.baseDir ?? process.cwd());
}
function collectFunctionIssues(input, prefix) {
  const parsed = functionSchema.safeParse(input, { reportInput: true });
  return parsed.success ? [] : toIssues(parsed.error, prefix);
}
function buildResolved(fn, defaults, baseDir) {
  const contract = fn.contract ?? defaults.contract ?? builtinDefaults.contract;
  const source = resolveSource(fn.source, baseDir);
  const isImage = source.kind === 'image';
  const resources = deepMerge(defaults.resources ?? {}, fn.resources ?? {});
  const scaling = deepMerge(defaults.scaling ?? {}, fn.scaling ?? {});
  const providers = deepMerge(defaults.providers ?? {}, fn.providers ?? {});
  const handler = isImage
    ? void 0
    : (fn.handler ??
      defaults.handler ??
      (contract === 'native' ? builtinDefaults.nativeHandler : builtinDefaults.webHandler));
  const resolved = {
    name: fn.name,
    ...(fn.description ? { description: fn.description } : {}),
    source,
    runtime: isImage ? 'custom' : (fn.runtime ?? defaults.runtime ?? builtinDefaults.runtime),
    ...(handler ? { handler } : {}),
    contract,
    ...(fn.initializer ? { initializer: fn.initializer } : {}),
    env: { ...(defaults.env ?? {}), ...(fn.env ?? {}) },
    secrets: fn.secrets ?? {},
    resources: {
      memory: resources.memory ?? builtinDefaults.memory,
      timeout: resources.timeout ?? builtinDefaults.timeout,
      ...(resources.cpu !== void 0 ? { cpu: resources.cpu } : {}),
      ...(resources.disk !== void 0 ? { disk: resources.disk } : {}),
    },
    scaling: {
      min: scaling.min ?? builtinDefaults.scaling.min,
      max: scaling.max ?? Math.max(builtinDefaults.scaling.max, scaling.min ?? 0),
      concurrency: scaling.concurrency ?? builtinDefaults.scaling.concurrency,
      idleSeconds:
        scaling.idle !== void 0 ? parseDurationSeconds(scaling.idle) : builtinDefaults.scaling.idleSeconds,
    },
    triggers: resolveTriggers(fn, contract),
    ...(fn.revision ? { revision: fn.revision } : {}),
    traffic: (fn.traffic ?? [{ revision: 'latest', percent: 100 }]).map((t) => ({
      revision: t.revision,
      percent: t.percent,
      ...(t.tag ? { tag: t.tag } : {}),
    })),
    domains: (fn.domains ?? []).map((d) => ({
      host: d.host.toLowerCase(),
      ...(d.path ? { path: d.path } : {}),
    })),
    visibility: fn.visibility ?? defaults.visibility ?? 'public',
    ...(fn.rollout
      ? {
          rollout: {
            steps: fn.rollout.steps,
            intervalSeconds:
              fn.rollout.interval !== void 0
                ? parseDurationSeconds(fn.rollout.interval)
                : builtinDefaults.rollout.intervalSeconds,
            check: {
              maxErrorRate: fn.rollout.check?.maxErrorRate ?? builtinDefaults.rollout.maxErrorRate,
              samples: fn.rollout.check?.samples ?? builtinDefaults.rollout.samples,
              ...(fn.rollout.check?.healthPath ? { healthPath: fn.rollout.check.healthPath } : {}),
            },
          },
        }
      : {}),
    providers,
  };
  return deepFreeze(resolved);
}
function deepFreeze(value) {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// packages/core/src/deploy/package.ts
import { createHash } from 'node:crypto';
import { unzipSync, zipSync } from 'fflate';

var fixedTime = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));
function zipEntries(entries) {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const zippable = {};
  const hash = createHash('sha256');
  for (const e of sorted) {
    zippable[e.name] = [
      e.data,
      { mtime: fixedTime, level: 6, os: 3, attrs: ((e.executable ? 33261 : 33188) << 16) >>> 0 },
    ];
    hash.update(`${e.name}\0${e.executable ? 'x' : '-'}\0${sha256(e.data)}
`);
  }
  return { zip: zipSync(zippable), codeHash: hash.digest('hex'), files: sorted.map((e) => e.name) };
}
function isSafeEntryName(name) {
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\0')
  )
    return false;
  return !name.split('/').some((part) => part === '..');
}
function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

// packages/core/src/handler/normalize.ts
var ceRequired = ['id', 'source', 'type'];
async function cloudEventFromRequest(request) {
  const contentType = request.headers.get('content-type') ?? '';
  if (contentType.startsWith('application/cloudevents+json')) {
    const event2 = await request.json();
    return ceRequired.every((k) => typeof event2[k] === 'string') ? event2 : void 0;
  }
  if (!request.headers.has('ce-id')) return void 0;
  const event = { specversion: '1.0' };
  request.headers.forEach((value, key2) => {
    if (key2.startsWith('ce-')) event[key2.slice(3)] = value;
  });
  if (contentType) event.datacontenttype = contentType;
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length) {
    const text = new TextDecoder().decode(body);
    if (contentType.includes('json')) {
      try {
        event.data = JSON.parse(text);
      } catch {
        event.data = text;
      }
    } else if (contentType.startsWith('text/') || contentType === '') event.data = text;
    else event.data_base64 = toBase64(body);
  }
  return ceRequired.every((k) => typeof event[k] === 'string') ? event : void 0;
}
function cloudEventToBinary(event) {
  const headers = {};
  for (const [key2, value] of Object.entries(event)) {
    if (key2 === 'data' || key2 === 'data_base64' || key2 === 'datacontenttype' || value === void 0) continue;
    headers[`ce-${key2}`] = String(value);
  }
  let body = new Uint8Array();
  if (event.data_base64 !== void 0) {
    body = fromBase64(event.data_base64);
    headers['content-type'] = event.datacontenttype ?? 'application/octet-stream';
  } else if (event.data !== void 0) {
    if (typeof event.data === 'string' && !(event.datacontenttype ?? '').includes('json')) {
      body = new TextEncoder().encode(event.data);
      headers['content-type'] = event.datacontenttype ?? 'text/plain; charset=utf-8';
    } else {
      body = new TextEncoder().encode(JSON.stringify(event.data));
      headers['content-type'] = event.datacontenttype ?? 'application/json';
    }
  }
  return { headers, body };
}
function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 32768)
    binary += String.fromCharCode(...bytes.subarray(i, i + 32768));
  return btoa(binary);
}
function fromBase64(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

// packages/runtime/src/executor/index.ts
import { execFileSync } from 'node:child_process';
// packages/runtime/src/server/runtime.ts
// packages/runtime/src/executor/executable.ts
import {
  randomBytes,
  randomUUID as randomUUID3,
  randomUUID as randomUUID7,
  timingSafeEqual,
} from 'node:crypto';
import fs5, { accessSync, constants, existsSync as existsSync2, statSync } from 'node:fs';
import http2 from 'node:http';
import path8 from 'node:path';
import path2 from 'node:path';
import { z as z2 } from 'zod';

// packages/runtime/src/executor/errors.ts
var statusOf = {
  timeout: 504,
  crash: 502,
  start: 502,
  overloaded: 429,
  aborted: 499,
};
var ExecutionError = class extends InvokeError {
  /** What went wrong. */
  reason;
  constructor(args) {
    super({
      functionName: args.functionName,
      message: args.message,
      status: statusOf[args.reason],
      functionError: args.reason,
    });
    this.reason = args.reason;
  }
  /** True for an ExecutionError, even from another copy of this package. */
  static is(value) {
    return value instanceof Error && typeof value.reason === 'string' && value.code === 'FP_INVOKE_FAILED';
  }
};

// packages/runtime/src/executor/http-instance.ts
// packages/runtime/src/executor/instance.ts
import { spawn, spawn as spawn2 } from 'node:child_process';
import { randomUUID, randomUUID as randomUUID2 } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

// packages/runtime/src/executor/frames.ts
import v8 from 'node:v8';

var FrameChannel = class {
  constructor(stream, onMessage) {
    this.stream = stream;
    stream.on('data', (chunk) => {
      this.incoming = this.incoming.length ? Buffer.concat([this.incoming, chunk]) : chunk;
      let offset = 0;
      while (this.incoming.length - offset >= 4) {
        const size = this.incoming.readUInt32LE(offset);
        if (this.incoming.length - offset - 4 < size) break;
        const message = v8.deserialize(this.incoming.subarray(offset + 4, offset + 4 + size));
        offset += 4 + size;
        onMessage(message);
      }
      this.incoming = offset === this.incoming.length ? Buffer.alloc(0) : this.incoming.subarray(offset);
    });
    stream.on('error', () => void 0);
  }
  stream;
  outgoing = [];
  flushQueued = false;
  incoming = Buffer.alloc(0);
  /** Queues a message; it is written at the end of the current turn. */
  send(message) {
    const body = v8.serialize(message);
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32LE(body.length, 0);
    this.outgoing.push(header, body);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }
  flush() {
    this.flushQueued = false;
    const frames = this.outgoing;
    this.outgoing = [];
    if (frames.length && this.stream.writable)
      this.stream.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  }
};

// packages/runtime/src/executor/instance.ts
var InstanceGoneError = class extends Error {
  constructor(reason, detail) {
    super(detail);
    this.reason = reason;
  }
  reason;
};
function baseEnvironment(extra = {}) {
  const env = {};
  for (const key2 of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SYSTEMROOT']) {
    const value = process.env[key2];
    if (value !== void 0) env[key2] = value;
  }
  return { ...env, ...extra };
}
function tailCollector(limit = 2e3) {
  let text = '';
  return {
    add(chunk) {
      text = (text + chunk).slice(-limit);
    },
    get: () => text.trim(),
  };
}
function forwardLines(stream, onLine) {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    rest += chunk;
    let index = rest.indexOf('\n');
    while (index >= 0) {
      const line = rest.slice(0, index);
      rest = rest.slice(index + 1);
      if (line.trim()) onLine(line);
      index = rest.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (rest.trim()) onLine(rest);
  });
}
var WorkerProcess = class {
  /** Starts the process; wait for {@link WorkerProcess.ready} before loading. */
  constructor(kind, options) {
    this.kind = kind;
    if (kind === 'node') {
      const args = options.memoryMb
        ? [`--max-old-space-size=${Math.max(16, Math.floor(options.memoryMb))}`]
        : [];
      this.child = spawn(process.execPath, [...args, options.script], {
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      });
      this.frames = new FrameChannel(this.child.stdio[3], (message) => this.onMessage(message));
    } else {
      this.child = spawn(options.python ?? 'python3', ['-u', options.script], {
        env: { ...options.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      });
      const channel = this.child.stdio[3];
      this.lineChannel = channel;
      forwardLines(channel, (line) => {
        try {
          this.onMessage(fromPythonWire(JSON.parse(line)));
        } catch {
          this.stderrTail.add(`bad message from worker: ${line.slice(0, 200)}
`);
        }
      });
      channel.on('error', () => void 0);
    }
    forwardLines(this.child.stdout, (line) => this.emitRaw('info', line));
    forwardLines(this.child.stderr, (line) => {
      this.stderrTail.add(`${line}
`);
      this.emitRaw('error', line);
    });
    this.child.on('error', (error) => this.handleExit(`could not start: ${error.message}`));
    this.child.on('exit', (code, signal) =>
      this.handleExit(signal ? `killed by ${signal}` : `exited with code ${code}`),
    );
  }
  kind;
  id = `i-${randomUUID().slice(0, 8)}`;
  inFlight = 0;
  lastUsed = Date.now();
  stopReason;
  child;
  pending = /* @__PURE__ */ new Map();
  nextId = 1;
  exitListeners = [];
  logSink;
  stderrTail = tailCollector();
  exited = false;
  readyWaiter;
  loadWaiter;
  lineChannel;
  frames;
  /** Resolves when the worker has started and waits for code. */
  ready() {
    return new Promise((resolve, reject2) => {
      if (this.exited)
        reject2(
          new InstanceGoneError('start-failed', this.describeExit('worker exited before it was ready')),
        );
      else this.readyWaiter = { resolve, reject: reject2 };
    });
  }
  /** Loads the function's code into the worker; rejects with the load error (missing file, syntax...). */
  load(spec) {
    return new Promise((resolve, reject2) => {
      this.loadWaiter = { resolve, reject: reject2 };
      this.send({ t: 'load', spec });
    });
  }
  setLogSink(sink) {
    this.logSink = sink;
    for (const log of this.early.splice(0)) sink(log);
  }
  /** Lines written before anyone listened (start-up output), kept for the first sink. */
  early = [];
  deliver(log) {
    if (this.logSink) this.logSink(log);
    else if (this.early.length < 100) this.early.push(log);
  }
  onExit(listener) {
    if (this.exited) listener(this.stopReason ?? 'crash', 'already exited');
    else this.exitListeners.push(listener);
  }
  call(message) {
    if (this.exited)
      return Promise.reject(new InstanceGoneError(this.stopReason ?? 'crash', 'the instance has stopped'));
    const id = this.nextId++;
    return new Promise((resolve, reject2) => {
      this.pending.set(id, { resolve, reject: reject2 });
      this.send({ ...message, id });
    });
  }
  kill(reason) {
    if (this.exited) return;
    this.stopReason ??= reason;
    this.child.kill('SIGKILL');
  }
  send(message) {
    if (this.frames) {
      this.frames.send(message);
      return;
    }
    this.lineChannel?.write(`${JSON.stringify(toPythonWire(message))}
`);
  }
  onMessage(message) {
    switch (message.t) {
      case 'ready':
        this.readyWaiter?.resolve();
        this.readyWaiter = void 0;
        return;
      case 'loaded':
        this.loadWaiter?.resolve();
        this.loadWaiter = void 0;
        return;
      case 'loadError': {
        const error = message.error;
        this.loadWaiter?.reject(new InstanceGoneError('start-failed', error.message));
        this.loadWaiter = void 0;
        return;
      }
      case 'log':
        this.deliver({
          level: message.level,
          message: String(message.message),
          rid: message.rid ?? void 0,
          time: String(message.time),
        });
        return;
      case 'res':
      case 'eres': {
        const id = message.id;
        const waiter = this.pending.get(id);
        if (!waiter) return;
        this.pending.delete(id);
        waiter.resolve(message);
        return;
      }
    }
  }
  emitRaw(level, line) {
    this.deliver({ level, message: line, time: /* @__PURE__ */ new Date().toISOString() });
  }
  describeExit(what) {
    const tail = this.stderrTail.get();
    return tail ? `${what}: ${tail}` : what;
  }
  handleExit(detail) {
    if (this.exited) return;
    this.exited = true;
    const reason = this.stopReason ?? 'crash';
    this.stopReason = reason;
    const message = this.describeExit(`the instance ${detail}`);
    const gone = new InstanceGoneError(reason, message);
    this.readyWaiter?.reject(new InstanceGoneError('start-failed', message));
    this.loadWaiter?.reject(new InstanceGoneError('start-failed', message));
    for (const waiter of this.pending.values()) waiter.reject(gone);
    this.pending.clear();
    for (const listener of this.exitListeners) listener(reason, message);
    this.exitListeners = [];
  }
};
function toPythonWire(message) {
  const out = { ...message };
  if (message.body instanceof Uint8Array) {
    out.body64 = Buffer.from(message.body).toString('base64');
    delete out.body;
  }
  if (message.payload instanceof Uint8Array) {
    out.payload64 = Buffer.from(message.payload).toString('base64');
    delete out.payload;
  }
  return out;
}
function fromPythonWire(message) {
  if (message.t !== 'res' && message.t !== 'eres') return message;
  const { body64, ...rest } = message;
  const bytes = typeof body64 === 'string' ? new Uint8Array(Buffer.from(body64, 'base64')) : null;
  return { ...rest, body: message.t === 'eres' ? (bytes ?? new Uint8Array()) : bytes };
}

// packages/runtime/src/executor/http-instance.ts
function freePort() {
  return new Promise((resolve, reject2) => {
    const server = net.createServer();
    server.once('error', reject2);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
var hopByHop = /* @__PURE__ */ new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);
var HttpInstance = class {
  constructor(options) {
    this.options = options;
    this.child = spawn2(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.forward(this.child.stdout, 'info');
    this.forward(this.child.stderr, 'error');
    this.child.on('error', (error) =>
      this.handleExit(`could not start "${options.command}": ${error.message}`),
    );
    this.child.on('exit', (code, signal) =>
      this.handleExit(signal ? `killed by ${signal}` : `exited with code ${code}`),
    );
  }
  options;
  id = `i-${randomUUID2().slice(0, 8)}`;
  inFlight = 0;
  lastUsed = Date.now();
  stopReason;
  child;
  agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  exited = false;
  exitDetail = '';
  exitListeners = [];
  logSink;
  stderrTail = '';
  requests = /* @__PURE__ */ new Set();
  /** Waits until the server accepts connections, then POSTs the init path once when configured. */
  async ready() {
    const deadline = Date.now() + this.options.startTimeoutMs;
    let delay = 5;
    while (!this.exited) {
      if (await canConnect(this.options.port)) break;
      if (Date.now() > deadline) {
        this.kill('start-failed');
        throw new InstanceGoneError(
          'start-failed',
          `the command did not listen on port ${this.options.port} within ${this.options.startTimeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
    if (this.exited)
      throw new InstanceGoneError(
        'start-failed',
        this.describe(`the command ${this.exitDetail} before it listened on port ${this.options.port}`),
      );
    if (this.options.initPath) {
      const reply = await this.request(
        'POST',
        this.options.initPath,
        [['content-type', 'application/json'], ...Object.entries(this.options.initHeaders ?? {})],
        new Uint8Array(),
      );
      if (reply.status >= 400) {
        this.kill('start-failed');
        throw new InstanceGoneError('start-failed', `POST ${this.options.initPath} answered ${reply.status}`);
      }
    }
  }
  setLogSink(sink) {
    this.logSink = sink;
    for (const log of this.early.splice(0)) sink(log);
  }
  /** Lines written before anyone listened (start-up output), kept for the first sink. */
  early = [];
  deliver(log) {
    if (this.logSink) this.logSink(log);
    else if (this.early.length < 100) this.early.push(log);
  }
  onExit(listener) {
    if (this.exited) listener(this.stopReason ?? 'crash', this.exitDetail);
    else this.exitListeners.push(listener);
  }
  async call(message) {
    if (message.t === 'http') {
      const url = new URL(message.url);
      const headers2 = message.headers.filter(([name]) => !hopByHop.has(name.toLowerCase()));
      for (const [name, value] of Object.entries(message.extraHeaders ?? {})) headers2.push([name, value]);
      return this.request(message.method, url.pathname + url.search, headers2, message.body);
    }
    const headers = [['content-type', 'application/json'], ...Object.entries(message.extraHeaders ?? {})];
    const reply = await this.request('POST', this.options.invokePath, headers, message.payload);
    const failed =
      reply.status >= 400 || reply.headers.some(([name, value]) => name === 'x-fc-status' && value !== '200');
    return {
      t: 'eres',
      body: reply.body ?? new Uint8Array(),
      error: failed
        ? { message: `${this.options.invokePath} answered ${reply.status}`, type: 'HttpError' }
        : void 0,
    };
  }
  kill(reason) {
    if (this.exited) return;
    this.stopReason ??= reason;
    this.child.kill('SIGKILL');
  }
  request(method, path10, headers, body) {
    return new Promise((resolve, reject2) => {
      const flat = [];
      let hasHost = false;
      for (const [name, value] of headers) {
        if (name.toLowerCase() === 'content-length') continue;
        if (name.toLowerCase() === 'host') hasHost = true;
        flat.push(name, value);
      }
      if (!hasHost) flat.push('host', `127.0.0.1:${this.options.port}`);
      if (body?.length) flat.push('content-length', String(body.length));
      const req = http.request({
        host: '127.0.0.1',
        port: this.options.port,
        method,
        path: path10,
        headers: flat,
        agent: this.agent,
      });
      this.requests.add(req);
      req.on('response', (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          this.requests.delete(req);
          const out = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i].toLowerCase();
            if (!hopByHop.has(name) && name !== 'content-length') out.push([name, res.rawHeaders[i + 1]]);
          }
          const data = Buffer.concat(chunks);
          resolve({
            t: 'res',
            status: res.statusCode ?? 502,
            headers: out,
            body: data.length ? new Uint8Array(data) : null,
          });
        });
        res.on('error', (error) => reject2(new InstanceGoneError(this.stopReason ?? 'crash', error.message)));
      });
      req.on('error', (error) => {
        this.requests.delete(req);
        reject2(
          new InstanceGoneError(
            this.stopReason ?? 'crash',
            this.exited ? this.describe(`the instance ${this.exitDetail}`) : error.message,
          ),
        );
      });
      req.end(body?.length ? Buffer.from(body) : void 0);
    });
  }
  forward(stream, level) {
    if (!stream) return;
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      rest += chunk;
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        if (level === 'error')
          this.stderrTail = `${this.stderrTail}${line}
`.slice(-2e3);
        this.deliver({ level, message: line, time: /* @__PURE__ */ new Date().toISOString() });
      }
    });
  }
  describe(what) {
    return this.stderrTail.trim() ? `${what}: ${this.stderrTail.trim()}` : what;
  }
  handleExit(detail) {
    if (this.exited) return;
    this.exited = true;
    this.exitDetail = detail;
    this.stopReason ??= 'crash';
    this.agent.destroy();
    for (const req of this.requests)
      req.destroy(new InstanceGoneError(this.stopReason, this.describe(`the instance ${detail}`)));
    for (const listener of this.exitListeners)
      listener(this.stopReason, this.describe(`the instance ${detail}`));
    this.exitListeners = [];
  }
};

// packages/runtime/src/executor/executable.ts
var nullBodyStatus = /* @__PURE__ */ new Set([101, 103, 204, 205, 304]);
var maxParallelStarts = 2;
var ScheduledExecutable = class {
  constructor(spec, factory, options) {
    this.spec = spec;
    this.factory = factory;
    this.options = options;
    this.maxInstances = options.singleInstance ? 1 : Math.max(1, spec.maxInstances);
    this.ensureMinimum();
  }
  spec;
  factory;
  options;
  ready = /* @__PURE__ */ new Set();
  starting = 0;
  queue = [];
  idleTimers = /* @__PURE__ */ new Map();
  started = 0;
  closed = false;
  maxInstances;
  stats() {
    let inFlight = 0;
    for (const instance of this.ready) inFlight += instance.inFlight;
    return {
      instances: this.ready.size + this.starting,
      starting: this.starting,
      inFlight,
      queued: this.queue.length,
      started: this.started,
    };
  }
  async fetch(request, options = {}) {
    const method = request.method.toUpperCase();
    const body = method === 'GET' || method === 'HEAD' ? void 0 : new Uint8Array(await request.arrayBuffer());
    const message = {
      t: 'http',
      rid: options.requestId ?? randomUUID3(),
      method,
      url: request.url,
      headers: [...request.headers],
      body: body?.length ? body : void 0,
      deadline: 0,
      context: options.context,
      clientIp: options.clientIp,
      extraHeaders: options.headers,
    };
    const reply = await this.run(message, options.signal);
    const headers = new Headers();
    for (const [name, value] of reply.headers) headers.append(name, value);
    const status = reply.status >= 200 && reply.status <= 599 ? reply.status : 502;
    return new Response(nullBodyStatus.has(status) || method === 'HEAD' ? null : reply.body, {
      status,
      headers,
    });
  }
  /**
   * Forwards an HTTP request given as raw parts and returns the raw answer, without building Web
   * `Request`/`Response` objects (the gateway's fast path; `fetch` is the same call with Web types).
   */
  async forward(parts, options = {}) {
    const method = parts.method.toUpperCase();
    const reply = await this.run(
      {
        t: 'http',
        rid: options.requestId ?? randomUUID3(),
        method,
        url: parts.url,
        headers: parts.headers,
        body: parts.body?.length && method !== 'GET' && method !== 'HEAD' ? parts.body : void 0,
        deadline: 0,
        context: options.context,
        clientIp: options.clientIp,
        extraHeaders: options.headers,
      },
      options.signal,
    );
    const status = reply.status >= 200 && reply.status <= 599 ? reply.status : 502;
    const body = nullBodyStatus.has(status) || method === 'HEAD' ? null : reply.body;
    return { status, headers: reply.headers, body: body && body.length ? body : null };
  }
  async invokeEvent(payload, options = {}) {
    const started = Date.now();
    const requestId = options.requestId ?? randomUUID3();
    const message = {
      t: 'event',
      rid: requestId,
      payload,
      deadline: 0,
      context: options.context,
      extraHeaders: options.headers,
    };
    const reply = await this.run(message, options.signal);
    return {
      body: reply.body instanceof Uint8Array ? reply.body : new Uint8Array(reply.body ?? []),
      error: reply.error,
      logs: reply.logs ?? [],
      durationMs: Date.now() - started,
      requestId,
    };
  }
  async close() {
    this.closed = true;
    for (const waiter of this.queue.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure('aborted', 'the function was unloaded'));
    }
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    const exits = [...this.ready].map(
      (instance) =>
        new Promise((resolve) => {
          instance.onExit(() => resolve());
          instance.kill('closed');
        }),
    );
    await Promise.all(exits);
  }
  // -------------------------------------------------------------------------------------------
  failure(reason, message) {
    return new ExecutionError({ functionName: this.spec.functionName, reason, message });
  }
  async run(message, signal) {
    const instance = await this.acquire(signal);
    message.deadline = Date.now() + this.spec.timeoutMs;
    let timer;
    const timedOut = new Promise((_, reject2) => {
      timer = setTimeout(() => {
        reject2(
          this.failure(
            'timeout',
            `the call ${message.rid} ran longer than the ${this.spec.timeoutMs} ms timeout; the instance was stopped`,
          ),
        );
        this.ready.delete(instance);
        instance.kill('timeout');
      }, this.spec.timeoutMs);
    });
    try {
      return await Promise.race([instance.call(message), timedOut]);
    } catch (error) {
      if (error instanceof InstanceGoneError) {
        throw this.failure('crash', `the instance serving ${message.rid} stopped: ${error.message}`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      this.release(instance);
    }
  }
  pickReady() {
    let best;
    for (const instance of this.ready) {
      if (instance.inFlight >= this.spec.concurrency || instance.stopReason) continue;
      if (!best || instance.inFlight < best.inFlight) best = instance;
    }
    return best;
  }
  take(instance) {
    instance.inFlight++;
    const idle = this.idleTimers.get(instance);
    if (idle) {
      clearTimeout(idle);
      this.idleTimers.delete(instance);
    }
    return instance;
  }
  acquire(signal) {
    if (this.closed) return Promise.reject(this.failure('aborted', 'the function was unloaded'));
    const instance = this.pickReady();
    if (instance) return Promise.resolve(this.take(instance));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(
        this.failure(
          'overloaded',
          `${this.queue.length} calls are already waiting for an instance (max ${this.options.maxQueue})`,
        ),
      );
    }
    return new Promise((resolve, reject2) => {
      const waiter = { resolve, reject: reject2 };
      const drop = (error) => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        clearTimeout(waiter.timer);
        reject2(error);
      };
      waiter.timer = setTimeout(
        () =>
          drop(
            this.failure(
              'overloaded',
              `no instance was free within ${this.options.queueTimeoutMs} ms (max ${this.maxInstances} instances \xD7 ${this.spec.concurrency} concurrent calls)`,
            ),
          ),
        this.options.queueTimeoutMs,
      );
      signal?.addEventListener('abort', () => drop(this.failure('aborted', 'the caller went away')), {
        once: true,
      });
      this.queue.push(waiter);
      this.scale();
    });
  }
  release(instance) {
    instance.inFlight = Math.max(0, instance.inFlight - 1);
    instance.lastUsed = Date.now();
    if (!this.ready.has(instance)) {
      this.scale();
      return;
    }
    this.drain(instance);
    if (instance.inFlight === 0) this.armIdle(instance);
  }
  drain(instance) {
    while (this.queue.length && instance.inFlight < this.spec.concurrency && this.ready.has(instance)) {
      const waiter = this.queue.shift();
      clearTimeout(waiter.timer);
      waiter.resolve(this.take(instance));
    }
  }
  armIdle(instance) {
    const idleMs = (this.spec.idleSeconds ?? 300) * 1e3;
    if (!Number.isFinite(idleMs) || idleMs < 0) return;
    const timer = setTimeout(() => {
      this.idleTimers.delete(instance);
      if (instance.inFlight === 0 && this.ready.size > (this.spec.minInstances ?? 0)) {
        this.ready.delete(instance);
        instance.kill('idle');
      }
    }, idleMs);
    timer.unref();
    this.idleTimers.set(instance, timer);
  }
  /** Starts instances while calls wait and the limit allows. */
  scale() {
    if (this.closed) return;
    let uncovered = this.queue.length - this.starting * this.spec.concurrency;
    while (
      uncovered > 0 &&
      this.ready.size + this.starting < this.maxInstances &&
      this.starting < maxParallelStarts
    ) {
      this.startInstance();
      uncovered -= this.spec.concurrency;
    }
  }
  ensureMinimum() {
    const min = Math.min(this.spec.minInstances ?? 0, this.maxInstances);
    while (!this.closed && this.ready.size + this.starting < min) this.startInstance();
  }
  startInstance() {
    this.starting++;
    const begin = Date.now();
    this.factory().then(
      ({ instance, fromPool }) => {
        this.starting--;
        this.started++;
        if (this.closed) {
          instance.kill('closed');
          return;
        }
        this.ready.add(instance);
        instance.setLogSink((log) => this.log(instance.id, log));
        instance.onExit((reason) => this.onInstanceExit(instance, reason));
        this.options.observer?.instanceStarted?.({
          executableId: this.spec.id,
          instanceId: instance.id,
          startMs: Date.now() - begin,
          fromPool,
        });
        this.drain(instance);
        if (instance.inFlight === 0) this.armIdle(instance);
        this.scale();
      },
      (error) => {
        this.starting--;
        this.options.observer?.instanceStopped?.({
          executableId: this.spec.id,
          instanceId: 'none',
          reason: 'start-failed',
        });
        this.log('none', {
          level: 'error',
          message: `instance failed to start: ${error.message}`,
          time: /* @__PURE__ */ new Date().toISOString(),
        });
        if (this.ready.size === 0 && this.starting === 0) {
          for (const waiter of this.queue.splice(0)) {
            clearTimeout(waiter.timer);
            waiter.reject(this.failure('start', `the function could not start: ${error.message}`));
          }
        }
      },
    );
  }
  onInstanceExit(instance, reason) {
    this.ready.delete(instance);
    const idle = this.idleTimers.get(instance);
    if (idle) clearTimeout(idle);
    this.idleTimers.delete(instance);
    this.options.observer?.instanceStopped?.({ executableId: this.spec.id, instanceId: instance.id, reason });
    if (this.closed) return;
    this.ensureMinimum();
    this.scale();
  }
  log(instanceId, log) {
    this.options.observer?.log?.({
      time: log.time,
      level: log.level,
      message: log.message,
      requestId: log.rid ?? void 0,
      executableId: this.spec.id,
      functionName: this.spec.functionName,
      revision: this.spec.revision,
      instanceId,
    });
  }
};
async function startHttpInstance(options) {
  const instance = new HttpInstance(options);
  await instance.ready();
  return instance;
}

// packages/runtime/src/executor/paths.ts
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

var cachedRoot;
function packageRoot() {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'worker', 'node-worker.mjs'))) {
      cachedRoot = dir;
      return dir;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the faasport runtime's worker folder above ${fileURLToPath(import.meta.url)}`);
}
function workerPath(name) {
  return path.join(packageRoot(), 'worker', name);
}
function defaultNodePath() {
  const require2 = createRequire(path.join(packageRoot(), 'package.json'));
  const dirs = /* @__PURE__ */ new Set();
  for (const dep of ['raw-body']) {
    try {
      const pkg = require2.resolve(`${dep}/package.json`);
      dirs.add(path.dirname(path.dirname(pkg)));
    } catch {}
  }
  return [...dirs];
}

// packages/runtime/src/executor/pool.ts
var WarmPool = class _WarmPool {
  constructor(size) {
    this.size = size;
  }
  size;
  idle = /* @__PURE__ */ new Map();
  starting = /* @__PURE__ */ new Map();
  kinds = /* @__PURE__ */ new Map();
  closed = false;
  /** The pool key of a worker kind. */
  static keyOf(kind) {
    return kind.kind === 'node' ? `node:${kind.memoryMb ?? 0}` : `python:${kind.python ?? 'python3'}`;
  }
  /** Makes sure `size` workers of this kind are ready or starting. */
  fill(kind) {
    if (this.closed || this.size <= 0) return;
    const key2 = _WarmPool.keyOf(kind);
    this.kinds.set(key2, kind);
    const idle = this.idle.get(key2) ?? [];
    this.idle.set(key2, idle);
    while (idle.length + (this.starting.get(key2) ?? 0) < this.size) {
      const worker = new WorkerProcess(kind.kind, kind);
      this.starting.set(key2, (this.starting.get(key2) ?? 0) + 1);
      worker.ready().then(
        () => {
          this.starting.set(key2, (this.starting.get(key2) ?? 1) - 1);
          if (this.closed) return worker.kill('closed');
          idle.push(worker);
          worker.onExit(() => {
            const at = idle.indexOf(worker);
            if (at >= 0) idle.splice(at, 1);
          });
        },
        () => this.starting.set(key2, (this.starting.get(key2) ?? 1) - 1),
      );
    }
  }
  /** A ready generic worker: from the pool when one is waiting, else a fresh process. */
  async take(kind) {
    const key2 = _WarmPool.keyOf(kind);
    const worker = this.idle.get(key2)?.shift();
    this.fill(kind);
    if (worker) return { worker, fromPool: true };
    const fresh = new WorkerProcess(kind.kind, kind);
    await fresh.ready();
    return { worker: fresh, fromPool: false };
  }
  /** Workers waiting in the pool. */
  get idleCount() {
    let count = 0;
    for (const list of this.idle.values()) count += list.length;
    return count;
  }
  /** Stops every pooled worker. */
  close() {
    this.closed = true;
    for (const list of this.idle.values()) for (const worker of list) worker.kill('closed');
    this.idle.clear();
  }
};

// packages/runtime/src/executor/index.ts
var specSchema = z2.object({
  id: z2.string().min(1),
  codeDir: z2.string().min(1),
  runtime: z2.string().min(1),
  handler: z2.string().min(1).optional(),
  initializer: z2.string().min(1).optional(),
  contract: z2.enum(['web', 'event', 'fc-http', 'fc-event', 'fg-event', 'lambda', 'http']),
  command: z2.array(z2.string()).min(1).optional(),
  workdir: z2.string().optional(),
  port: z2.number().int().min(1).max(65535).optional(),
  fixedPort: z2.boolean().optional(),
  http: z2
    .object({
      initPath: z2.string().startsWith('/').optional(),
      invokePath: z2.string().startsWith('/').optional(),
      initHeaders: z2.record(z2.string(), z2.string()).optional(),
    })
    .optional(),
  startTimeoutMs: z2.number().int().positive().optional(),
  env: z2.record(z2.string(), z2.string()),
  timeoutMs: z2.number().int().positive(),
  memoryMb: z2.number().positive(),
  concurrency: z2.number().int().positive(),
  maxInstances: z2.number().int().positive(),
  minInstances: z2.number().int().min(0).optional(),
  idleSeconds: z2.number().min(0).optional(),
  functionName: z2.string().min(1),
  revision: z2.string(),
  target: z2.string(),
});
function invalid(spec, field, message, hint) {
  return new ValidationError([{ path: field, message, rule: 'executor' }], {
    subject: `function "${spec.functionName}"`,
    hint,
  });
}
var pythonCache = /* @__PURE__ */ new Map();
function pythonFor(runtime2) {
  const cached = pythonCache.get(runtime2);
  if (cached) return cached;
  let chosen = 'python3';
  if (/^python3\.\d+$/.test(runtime2)) {
    try {
      execFileSync(runtime2, ['--version'], { stdio: 'ignore' });
      chosen = runtime2;
    } catch {}
  }
  pythonCache.set(runtime2, chosen);
  return chosen;
}
function runtimeFamily(spec) {
  if (spec.contract === 'http') return 'http';
  if (/^node(js)?\d*/.test(spec.runtime)) return 'node';
  if (/^python3/.test(spec.runtime)) return 'python';
  throw invalid(
    spec,
    'runtime',
    `runtime "${spec.runtime}" cannot run the "${spec.contract}" contract`,
    'use nodejs20 or python3.x, or contract "http" with a command for custom runtimes',
  );
}
function isNodeCommand(command) {
  return command === process.execPath || ['node', 'nodejs'].includes(path2.basename(command));
}
function httpCommand(spec) {
  if (spec.command?.length)
    return spec.command[0] === 'node' ? [process.execPath, ...spec.command.slice(1)] : spec.command;
  const bootstrap = path2.join(spec.codeDir, 'bootstrap');
  if (existsSync2(bootstrap)) {
    try {
      accessSync(bootstrap, constants.X_OK);
      return [bootstrap];
    } catch {
      return ['/bin/sh', bootstrap];
    }
  }
  throw invalid(
    spec,
    'command',
    'an http-contract function needs a command, or a "bootstrap" file in its code',
    'set command (e.g. ["node", "server.js"]) or add an executable bootstrap',
  );
}
function createExecutor(options = {}) {
  const pool = new WarmPool(options.warmPool ?? 1);
  const nodePath = options.nodePath ?? defaultNodePath();
  const loaded = /* @__PURE__ */ new Set();
  let closed = false;
  function loadMessage(spec, baseEnv) {
    return {
      codeDir: spec.codeDir,
      handler: spec.handler,
      initializer: spec.initializer,
      contract: spec.contract,
      env: spec.env,
      baseEnv,
      functionName: spec.functionName,
      revision: spec.revision,
      target: spec.target,
      timeoutMs: spec.timeoutMs,
      memoryMb: spec.memoryMb,
    };
  }
  function workerFactory(spec, kind) {
    return async () => {
      const { worker, fromPool } = await pool.take(kind);
      try {
        await worker.load(loadMessage(spec, kind.env));
      } catch (error) {
        worker.kill('start-failed');
        throw error;
      }
      return { instance: worker, fromPool };
    };
  }
  function httpFactory(spec, command, remap) {
    return async () => {
      const fixed = spec.port ?? 8080;
      const port = spec.fixedPort && !remap ? fixed : await freePort();
      const nodeOptions = [`--max-old-space-size=${Math.max(16, Math.floor(spec.memoryMb))}`];
      const extra = {};
      if (spec.fixedPort && remap) {
        nodeOptions.push(`--require=${workerPath('port-remap.cjs')}`);
        extra.FAASPORT_FIXED_PORT = String(fixed);
      }
      const env = {
        ...baseEnvironment({ NODE_PATH: nodePath.join(path2.delimiter) }),
        ...spec.env,
        ...extra,
        PORT: String(port),
        NODE_OPTIONS: nodeOptions.join(' '),
      };
      const instance = await startHttpInstance({
        command: command[0],
        args: command.slice(1),
        cwd: spec.workdir ?? spec.codeDir,
        env,
        port,
        startTimeoutMs: spec.startTimeoutMs ?? 1e4,
        initPath: spec.http?.initPath,
        initHeaders: spec.http?.initHeaders,
        invokePath: spec.http?.invokePath ?? '/invoke',
      });
      return { instance, fromPool: false };
    };
  }
  function workerKind(family, runtime2, memoryMb) {
    return family === 'node'
      ? {
          kind: 'node',
          script: workerPath('node-worker.mjs'),
          memoryMb,
          env: baseEnvironment({ NODE_PATH: nodePath.join(path2.delimiter) }),
        }
      : {
          kind: 'python',
          script: workerPath('python_worker.py'),
          python: options.python ?? pythonFor(runtime2),
          env: baseEnvironment(),
        };
  }
  return {
    prewarm(runtime2, memoryMb) {
      if (closed) return;
      if (/^node(js)?\d*/.test(runtime2)) pool.fill(workerKind('node', runtime2, memoryMb));
      else if (/^python3/.test(runtime2)) pool.fill(workerKind('python', runtime2, memoryMb));
    },
    async load(input) {
      if (closed) throw new Error('the executor is closed');
      const parsed = specSchema.safeParse(input);
      if (!parsed.success) {
        throw new ValidationError(
          parsed.error.issues.map((issue) => ({
            path: issue.path.join('.'),
            message: issue.message,
            rule: issue.code,
          })),
          { subject: `executable "${input?.id}"` },
        );
      }
      const spec = input;
      if (!existsSync2(spec.codeDir) || !statSync(spec.codeDir).isDirectory()) {
        throw invalid(spec, 'codeDir', `the code folder "${spec.codeDir}" does not exist`);
      }
      const family = runtimeFamily(spec);
      const queueOptions = {
        maxQueue: options.maxQueue ?? 1e3,
        queueTimeoutMs: options.queueTimeoutMs ?? Math.max(1e4, spec.timeoutMs),
        observer: options.observer,
      };
      let executable;
      if (family === 'http') {
        const command = httpCommand(spec);
        const remap = isNodeCommand(command[0]);
        executable = new ScheduledExecutable(spec, httpFactory(spec, command, remap), {
          ...queueOptions,
          singleInstance: Boolean(spec.fixedPort && !remap),
        });
      } else {
        const kind = workerKind(family, spec.runtime, spec.memoryMb);
        pool.fill(kind);
        executable = new ScheduledExecutable(spec, workerFactory(spec, kind), queueOptions);
      }
      loaded.add(executable);
      const close = executable.close.bind(executable);
      executable.close = async () => {
        loaded.delete(executable);
        await close();
      };
      return executable;
    },
    async close() {
      closed = true;
      await Promise.all([...loaded].map((executable) => executable.close()));
      pool.close();
    },
  };
}

// packages/runtime/src/server/api.ts
import { z as z4 } from 'zod';

// packages/runtime/src/config.ts
function triggerToConfig(trigger) {
  switch (trigger.kind) {
    case 'http':
      return { http: { name: trigger.name, methods: trigger.methods, auth: trigger.auth } };
    case 'schedule':
      return {
        schedule: {
          name: trigger.name,
          cron: trigger.cron,
          timezone: trigger.timezone,
          enabled: trigger.enabled,
          ...(trigger.payload === void 0 ? {} : { payload: trigger.payload }),
        },
      };
    case 'storage':
      return {
        storage: {
          name: trigger.name,
          bucket: trigger.bucket,
          events: trigger.events,
          ...(trigger.prefix ? { prefix: trigger.prefix } : {}),
          ...(trigger.suffix ? { suffix: trigger.suffix } : {}),
        },
      };
    case 'queue':
      return { queue: { name: trigger.name, topic: trigger.topic, batchSize: trigger.batchSize } };
    case 'event':
      return { event: { name: trigger.name, filter: trigger.filter, broker: trigger.broker } };
  }
}
function toFunctionConfig(fn, source) {
  return {
    name: fn.name,
    ...(fn.description ? { description: fn.description } : {}),
    source,
    runtime: fn.runtime,
    ...(fn.handler ? { handler: fn.handler } : {}),
    contract: fn.contract,
    ...(fn.initializer ? { initializer: fn.initializer } : {}),
    env: { ...fn.env },
    ...(Object.keys(fn.secrets).length ? { secrets: { ...fn.secrets } } : {}),
    resources: { ...fn.resources },
    scaling: {
      min: fn.scaling.min,
      max: fn.scaling.max,
      concurrency: fn.scaling.concurrency,
      idle: fn.scaling.idleSeconds,
    },
    triggers: fn.triggers.map(triggerToConfig),
    ...(fn.revision ? { revision: fn.revision } : {}),
    traffic: fn.traffic.map((t) => ({ ...t })),
    ...(fn.domains.length ? { domains: fn.domains.map((d) => ({ ...d })) } : {}),
    visibility: fn.visibility,
    ...(Object.keys(fn.providers).length ? { providers: JSON.parse(JSON.stringify(fn.providers)) } : {}),
  };
}

// packages/runtime/src/server/functions.ts
import fs from 'node:fs';
import path3 from 'node:path';
import { z as z3 } from 'zod';

var localProviderSchema = z3.strictObject({
  /** The provider contract native code is written in. */
  contract: z3.enum(['fc-http', 'fc-event', 'fg-event', 'lambda']).optional(),
  /** For `custom` functions: the command that serves HTTP (default: `bootstrap` in the code). */
  command: z3.array(z3.string().min(1)).min(1).optional(),
  /** The port the command listens on (default $PORT, which the runtime sets). */
  port: z3.number().int().min(1).max(65535).optional(),
  /** The command listens on `port` whatever $PORT says (FunctionGraph custom images use 8000). */
  fixedPort: z3.boolean().optional(),
  /** POSTed once per instance before its first call (FunctionGraph custom images: `/init`). */
  initPath: z3.string().startsWith('/').optional(),
  /** Where event payloads are POSTed for custom functions (default `/invoke`). */
  invokePath: z3.string().startsWith('/').optional(),
  /** Event delivery retries for this function's triggers. */
  retry: z3
    .strictObject({
      attempts: z3.number().int().min(1).max(100).optional(),
      backoffMs: z3.number().int().min(1).max(36e5).optional(),
    })
    .optional(),
});
function resolveStored(config) {
  return resolveFunction(config, { baseDir: '/' });
}
function localOptions(fn) {
  const parsed = localProviderSchema.safeParse(fn.providers.local ?? {});
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((issue) => ({
        path: ['providers', 'local', ...issue.path].join('.'),
        message: issue.message,
        rule: issue.code,
      })),
      { subject: `function "${fn.name}"` },
    );
  }
  return parsed.data;
}
function contractOf(fn) {
  if (fn.runtime === 'custom' || fn.source.kind === 'image') return 'http';
  if (fn.contract === 'native') {
    const contract = localOptions(fn).contract;
    if (!contract) {
      throw new ValidationError(
        [
          {
            path: 'providers.local.contract',
            message: 'is required for contract "native" (fc-http, fc-event, fg-event or lambda)',
            rule: 'required',
          },
        ],
        { subject: `function "${fn.name}"` },
      );
    }
    return contract;
  }
  return fn.contract;
}
var Functions = class {
  constructor(store, code, executor, dataDir) {
    this.store = store;
    this.code = code;
    this.executor = executor;
    this.emptyDir = path3.join(dataDir, 'empty');
    fs.mkdirSync(this.emptyDir, { recursive: true });
  }
  store;
  code;
  executor;
  executables = /* @__PURE__ */ new Map();
  weights = /* @__PURE__ */ new Map();
  rows = /* @__PURE__ */ new Map();
  revisions = /* @__PURE__ */ new Map();
  settings = /* @__PURE__ */ new Map();
  allCache;
  emptyDir;
  /** The stored function, cached. */
  get(name) {
    let row = this.rows.get(name);
    if (row === void 0) {
      row = this.store.getFunction(name) ?? null;
      this.rows.set(name, row);
    }
    return row ?? void 0;
  }
  /** A stored revision, cached. */
  revision(name, label) {
    const id = `${name}@${label}`;
    let row = this.revisions.get(id);
    if (row === void 0) {
      row = this.store.getRevision(name, label) ?? null;
      this.revisions.set(id, row);
    }
    return row ?? void 0;
  }
  /** The resolved settings (triggers, scaling, visibility, domains) of a function, cached. */
  settingsOf(name) {
    let value = this.settings.get(name);
    if (value === void 0) {
      const row = this.get(name);
      value = row?.config ? resolveStored(row.config) : null;
      this.settings.set(name, value);
    }
    return value ?? void 0;
  }
  /** Every function that has settings, for the broker, the scheduler and the buckets. */
  all() {
    if (!this.allCache) {
      this.allCache = this.store.listFunctions().flatMap((row) => {
        const settings = this.settingsOf(row.name);
        return settings ? [{ name: row.name, settings }] : [];
      });
    }
    return this.allCache;
  }
  /** Drops cached state of a function after a write and reloads executables whose settings changed. */
  changed(name) {
    this.rows.delete(name);
    this.settings.delete(name);
    for (const id of [...this.revisions.keys()]) if (id.startsWith(`${name}@`)) this.revisions.delete(id);
    this.allCache = void 0;
    this.weights.delete(name);
    const fn = this.get(name);
    for (const [id, entry] of [...this.executables]) {
      const [fnName, label] = id.split('@');
      if (fnName !== name) continue;
      const revision = fn ? this.revision(name, label) : void 0;
      if (!fn || !revision) {
        this.executables.delete(id);
        void entry.executable.then(
          (e) => e.close(),
          () => void 0,
        );
        continue;
      }
      const spec = this.specOf(fn, revision);
      if (keyOf(spec) !== entry.key) {
        this.executables.delete(id);
        void entry.executable.then(
          (e) => e.close(),
          () => void 0,
        );
      }
    }
  }
  /** The revision label a request goes to, or undefined when the function has no such route. */
  pick(fn, options = {}) {
    if (options.revision) return this.revision(fn.name, options.revision) ? options.revision : void 0;
    if (options.tag) return fn.traffic.find((t) => t.tag === options.tag)?.revision;
    const entries = fn.traffic.filter((t) => t.percent > 0);
    if (entries.length === 0) return void 0;
    if (entries.length === 1) return entries[0].revision;
    let current = this.weights.get(fn.name);
    if (!current) {
      current = /* @__PURE__ */ new Map();
      this.weights.set(fn.name, current);
    }
    let best;
    let bestWeight = -Infinity;
    for (const entry of entries) {
      const weight = (current.get(entry.revision) ?? 0) + entry.percent;
      current.set(entry.revision, weight);
      if (weight > bestWeight) {
        best = entry;
        bestWeight = weight;
      }
    }
    current.set(best.revision, bestWeight - 100);
    return best.revision;
  }
  /** The executable of one revision, loaded on first use. */
  executableFor(fnName, label) {
    const id = `${fnName}@${label}`;
    const existing = this.executables.get(id);
    if (existing) return existing.executable;
    const fn = this.get(fnName);
    const revision = this.revision(fnName, label);
    if (!fn || !revision) return Promise.reject(new Error(`revision ${label} of ${fnName} does not exist`));
    const spec = this.specOf(fn, revision);
    const entry = {
      key: keyOf(spec),
      executable: this.executor.load(spec),
    };
    entry.executable.then(
      (e) => {
        entry.ready = e;
      },
      () => this.executables.delete(id),
    );
    this.executables.set(id, entry);
    return entry.executable;
  }
  /** Loaded executables that finished loading. */
  loaded() {
    return [...this.executables.values()].flatMap((e) => (e.ready ? [e.ready] : []));
  }
  /** Starts `scaling.min` instances of every revision that receives traffic. */
  warm(fnName) {
    const names = fnName ? [fnName] : this.store.listFunctions().map((f) => f.name);
    for (const name of names) {
      const fn = this.get(name);
      const settings = this.settingsOf(name);
      if (!fn || !settings || settings.scaling.min === 0) continue;
      for (const entry of fn.traffic)
        if (entry.percent > 0) this.executableFor(name, entry.revision).catch(() => void 0);
    }
  }
  async close() {
    await Promise.all(
      [...this.executables.values()].map((e) =>
        e.executable.then(
          (x) => x.close(),
          () => void 0,
        ),
      ),
    );
    this.executables.clear();
  }
  /** The executor spec of a revision, with the function's current scaling settings. */
  specOf(fn, revision) {
    const config = resolveStored(revision.config);
    const settings = this.settingsOf(fn.name) ?? config;
    const local = localOptions(config);
    const contract = contractOf(config);
    const source = config.source;
    const image = source.kind === 'image' ? source : void 0;
    const command = local.command ?? (image?.command ? [...image.command, ...(image.args ?? [])] : void 0);
    const inTraffic = fn.traffic.some((t) => t.revision === revision.label && t.percent > 0);
    return {
      id: `${fn.name}@${revision.label}`,
      codeDir: revision.codeHash === 'none' ? this.emptyDir : this.code.dirOf(revision.codeHash),
      runtime: config.runtime,
      handler: config.handler,
      initializer: config.initializer,
      contract,
      command,
      workdir: image?.workdir && fs.existsSync(image.workdir) ? image.workdir : void 0,
      port: local.port ?? image?.port,
      fixedPort: local.fixedPort,
      http: contract === 'http' ? { initPath: local.initPath, invokePath: local.invokePath } : void 0,
      env: { ...config.env, ...revision.secretValues },
      timeoutMs: config.resources.timeout * 1e3,
      memoryMb: config.resources.memory,
      concurrency: config.scaling.concurrency,
      maxInstances: settings.scaling.max,
      minInstances: inTraffic ? settings.scaling.min : 0,
      idleSeconds: settings.scaling.idleSeconds,
      functionName: fn.name,
      revision: revision.label,
      target: 'local',
    };
  }
};
function keyOf(spec) {
  return JSON.stringify({ ...spec, env: void 0 });
}

// packages/runtime/src/server/http.ts
var BodyTooLargeError = class extends Error {
  constructor(limit) {
    super(`the request body is larger than ${limit} bytes`);
    this.limit = limit;
  }
  limit;
};
function readBody(req, limit) {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject2) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject2(new BodyTooLargeError(limit));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject2);
  });
}
function sendJson(res, status, body, headers = {}) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
    ...headers,
  });
  res.end(data);
}
function sendError(res, status, code, message, extra = {}) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: { code, message: redact(message), ...extra } });
}
var HttpError = class extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  status;
  code;
};
function sendFailure(res, error) {
  if (error instanceof HttpError) {
    sendError(res, error.status, error.code, error.message);
    return;
  }
  if (error instanceof BodyTooLargeError) {
    sendError(res, 413, 'PayloadTooLarge', error.message);
    return;
  }
  if (FaasportError.isInstance(error)) {
    const status =
      error.code === 'FP_NOT_FOUND'
        ? 404
        : error.kind === 'validation' || error.kind === 'unsupported' || error.kind === 'usage'
          ? 400
          : 500;
    const { message: _message, code: _code, name: _name, ...rest } = error.toJSON();
    sendError(res, status, error.code, error.message, rest);
    return;
  }
  sendError(res, 500, 'FP_INTERNAL', `internal error: ${error?.message ?? String(error)}`);
}

// packages/runtime/src/server/api.ts
var dnsLabel2 = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
var functionName2 = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
var revisionBody = z4.strictObject({
  label: z4.string().max(40).regex(dnsLabel2, 'must be a revision label (lowercase letters, digits and "-")'),
  revisionHash: z4.string().regex(/^[a-f0-9]{64}$/, 'must be a sha256 hex digest'),
  config: z4.record(z4.string(), z4.unknown()),
  secretValues: z4.record(z4.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z4.string()).default({}),
  code: z4.string().optional(),
});
var settingsBody = z4.strictObject({
  specHash: z4.string().min(1).max(128),
  config: z4.record(z4.string(), z4.unknown()),
});
var trafficBody = z4.strictObject({ traffic: trafficSchema });
function parse(schema2, value, subject) {
  const result = schema2.safeParse(value);
  if (!result.success) {
    throw new ValidationError(
      result.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
        rule: issue.code,
      })),
      { subject },
    );
  }
  return result.data;
}
async function jsonBody(req, limit) {
  const body = await readBody(req, limit);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'InvalidJson', `the request body is not JSON: ${error.message}`);
  }
}
function checkName(name) {
  if (!functionName2.test(name)) {
    throw new ValidationError([
      {
        path: 'name',
        message: `${JSON.stringify(name.slice(0, 80))} is not a function name (a letter, then letters, digits, "-" or "_"; at most 64)`,
        rule: 'name',
      },
    ]);
  }
}
function urlsOf(context, name, tags) {
  const base = new URL(context.baseUrl());
  const hostForm = dnsLabel2.test(name);
  const url = hostForm
    ? `http://${name}.${context.namespace}.localhost:${base.port}/`
    : `${context.baseUrl()}/${encodeURIComponent(name)}/`;
  const tagUrls = {};
  for (const tag of tags) tagUrls[tag] = `http://${tag}-${name}.${context.namespace}.localhost:${base.port}/`;
  return { url, tagUrls };
}
function liveOf(context, name) {
  const fn = context.functions.get(name);
  if (!fn) return void 0;
  const revisions = context.store.listRevisions(name);
  const settings = context.functions.settingsOf(name);
  const { url, tagUrls } = urlsOf(
    context,
    name,
    fn.traffic.flatMap((t) => (t.tag ? [t.tag] : [])),
  );
  return {
    name,
    target: 'local',
    specHash: fn.specHash,
    revisions: revisions.map((r) => ({
      label: r.label,
      id: r.label,
      revisionHash: r.revisionHash,
      ready: true,
      createdAt: r.createdAt,
    })),
    traffic: fn.traffic,
    url,
    tagUrls,
    config: settings
      ? {
          runtime: settings.runtime,
          handler: settings.handler,
          env: settings.env,
          resources: settings.resources,
          contract: settings.contract,
        }
      : void 0,
  };
}
async function handleAdmin(context, req, res, path10, query) {
  const method = req.method ?? 'GET';
  const parts = path10
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  const { store, functions } = context;
  if (parts.length === 1 && parts[0] === 'health') return sendJson(res, 200, { ok: true });
  if (parts[0] === 'functions') {
    if (parts.length === 1 && method === 'GET') {
      return sendJson(res, 200, {
        functions: store.listFunctions().map((fn) => ({
          name: fn.name,
          url: urlsOf(context, fn.name, []).url,
          revisions: store.listRevisions(fn.name).length,
          traffic: fn.traffic,
        })),
      });
    }
    const name = parts[1];
    if (!name) throw new HttpError(404, 'NotFound', `no admin route ${method} ${path10}`);
    checkName(name);
    if (parts.length === 2 && method === 'GET') {
      const live = liveOf(context, name);
      if (!live) throw new HttpError(404, 'FunctionNotFound', `function "${name}" does not exist`);
      return sendJson(res, 200, live);
    }
    if (parts.length === 2 && method === 'DELETE') {
      context.countWrite();
      req.resume();
      const existed = Boolean(store.getFunction(name));
      store.deleteFunction(name);
      functions.changed(name);
      context.logs.remove(name);
      context.code.collect(store.codeHashes());
      return sendJson(res, 200, { removed: existed });
    }
    if (parts.length === 3 && parts[2] === 'revisions' && method === 'POST') {
      context.countWrite();
      const body = parse(revisionBody, await jsonBody(req, 512 * 1024 * 1024), `revision of "${name}"`);
      return deployRevision(context, res, name, body);
    }
    if (parts.length === 3 && parts[2] === 'settings' && method === 'PUT') {
      context.countWrite();
      const body = parse(settingsBody, await jsonBody(req, 4 * 1024 * 1024), `settings of "${name}"`);
      const resolved = resolveStored(body.config);
      if (resolved.name !== name)
        throw new HttpError(400, 'NameMismatch', `the config names "${resolved.name}", the path "${name}"`);
      localOptions(resolved);
      const queue = resolved.triggers.find((t) => t.kind === 'queue');
      if (queue) {
        throw new HttpError(
          400,
          'FP_UNSUPPORTED_FEATURE',
          `trigger "${queue.name}" is a queue trigger; the local runtime has no queues (use an event trigger on its broker)`,
        );
      }
      if (!store.getFunction(name))
        throw new HttpError(
          404,
          'FunctionNotFound',
          `function "${name}" does not exist; deploy a revision first`,
        );
      store.setSettings(name, body.specHash, body.config);
      functions.changed(name);
      functions.warm(name);
      return sendJson(res, 200, { name, specHash: body.specHash });
    }
    if (parts.length === 3 && parts[2] === 'traffic' && method === 'PUT') {
      context.countWrite();
      const body = parse(trafficBody, await jsonBody(req, 1024 * 1024), `traffic of "${name}"`);
      if (!store.getFunction(name))
        throw new HttpError(404, 'FunctionNotFound', `function "${name}" does not exist`);
      for (const entry of body.traffic) {
        if (entry.revision === 'latest' || !store.getRevision(name, entry.revision)) {
          const known = store.listRevisions(name).map((r) => r.label);
          throw new ValidationError(
            [
              {
                path: 'traffic',
                message: `revision "${entry.revision}" does not exist (revisions: ${known.join(', ') || 'none'})`,
                rule: 'exists',
              },
            ],
            { subject: `traffic of "${name}"` },
          );
        }
      }
      const traffic = body.traffic.map((t) => ({
        revision: t.revision,
        percent: t.percent,
        ...(t.tag ? { tag: t.tag } : {}),
      }));
      store.setTraffic(name, traffic);
      functions.changed(name);
      functions.warm(name);
      return sendJson(res, 200, { name, traffic });
    }
    if (parts.length === 3 && parts[2] === 'export' && method === 'GET') {
      return exportFunction(context, res, name);
    }
    if (parts[2] === 'invoke') {
      const fn = store.getFunction(name);
      if (!fn) {
        req.resume();
        throw new HttpError(404, 'FunctionNotFound', `function "${name}" does not exist`);
      }
      const rest = `/${parts.slice(3).map(encodeURIComponent).join('/')}`;
      const search = query.toString();
      const header = (key2) => (typeof req.headers[key2] === 'string' ? req.headers[key2] : void 0);
      return context.serve(
        req,
        res,
        {
          fn,
          tag: header('x-faasport-tag'),
          revision: header('x-faasport-revision'),
          path: rest + (search ? `?${search}` : ''),
        },
        { mode: header('x-faasport-mode') === 'event' ? 'event' : void 0 },
      );
    }
  }
  if (parts.length === 1 && parts[0] === 'logs' && method === 'GET')
    return streamLogs(context, req, res, query);
  if (parts.length === 1 && parts[0] === 'events' && method === 'POST') {
    const body = await readBody(req, context.bodyLimit);
    const headers = new Headers();
    for (const [key2, value] of Object.entries(req.headers))
      if (typeof value === 'string') headers.set(key2, value);
    let event;
    try {
      event = await cloudEventFromRequest(
        new Request('http://runtime/events', {
          method: 'POST',
          headers,
          body: body.length ? body : void 0,
        }),
      );
    } catch (error) {
      throw new HttpError(400, 'InvalidEvent', `the body is not a CloudEvent: ${error.message}`);
    }
    if (!event) {
      throw new HttpError(
        400,
        'InvalidEvent',
        'not a CloudEvent: send ce-id, ce-source, ce-type and ce-specversion headers (binary mode) or an application/cloudevents+json body (structured mode)',
      );
    }
    if (event.specversion !== '1.0')
      throw new HttpError(
        400,
        'InvalidEvent',
        `specversion ${JSON.stringify(event.specversion)} is not supported (1.0)`,
      );
    const result = context.broker.publish(event);
    return sendJson(res, 202, result);
  }
  if (parts.length === 1 && parts[0] === 'deadletters' && method === 'GET') {
    const fnName = query.get('function') ?? void 0;
    return sendJson(res, 200, {
      deadLetters: context.store.deadLetters(fnName).map((e) => ({
        seq: e.seq,
        eventId: e.eventId,
        function: e.functionName,
        trigger: e.trigger,
        attempts: e.attempts,
        lastError: e.lastError,
        createdAt: e.createdAt,
        event: e.event,
      })),
    });
  }
  if (parts[0] === 'buckets' && parts[1]) {
    const bucket = parts[1];
    const key2 = parts.slice(2).join('/');
    if (!key2 && method === 'GET')
      return sendJson(res, 200, { bucket, objects: context.buckets.list(bucket, query.get('prefix') ?? '') });
    if (method === 'PUT') {
      const data = await readBody(req, 256 * 1024 * 1024);
      const contentType =
        typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : void 0;
      return sendJson(res, 200, context.buckets.put(bucket, key2, data, contentType));
    }
    if (method === 'GET') {
      const object = context.buckets.get(bucket, key2);
      if (!object)
        throw new HttpError(404, 'NoSuchKey', `bucket "${bucket}" has no object ${JSON.stringify(key2)}`);
      res.writeHead(200, {
        'content-type': object.contentType ?? 'application/octet-stream',
        etag: `"${object.etag}"`,
        'content-length': object.data.length,
      });
      res.end(object.data);
      return;
    }
    if (method === 'DELETE') {
      req.resume();
      return sendJson(res, 200, { deleted: context.buckets.delete(bucket, key2) });
    }
  }
  req.resume();
  throw new HttpError(404, 'NotFound', `no admin route ${method} ${path10}`);
}
function deployRevision(context, res, name, body) {
  const { store, functions, code } = context;
  const resolved = resolveStored(body.config);
  if (resolved.name !== name)
    throw new HttpError(400, 'NameMismatch', `the config names "${resolved.name}", the path "${name}"`);
  localOptions(resolved);
  contractOf(resolved);
  if (
    resolved.source.kind === 'image' &&
    !localOptions(resolved).command &&
    !resolved.source.command?.length
  ) {
    throw new ValidationError(
      [
        {
          path: 'source.image.command',
          message: 'is required on the local runtime, which runs the command instead of pulling the image',
          rule: 'required',
        },
      ],
      { subject: `function "${name}"` },
    );
  }
  const existing = store.getRevision(name, body.label);
  if (existing) {
    if (existing.revisionHash === body.revisionHash) {
      sendJson(res, 200, {
        label: existing.label,
        revisionHash: existing.revisionHash,
        created: false,
      });
      return;
    }
    throw new HttpError(
      409,
      'RevisionExists',
      `revision "${body.label}" of "${name}" already exists with other code or config; revisions are immutable, so give the new one another label`,
    );
  }
  let codeHash = 'none';
  if (body.code !== void 0) {
    codeHash = code.put(new Uint8Array(Buffer.from(body.code, 'base64')));
  } else if (resolved.source.kind === 'bucket') {
    const object = context.buckets.get(resolved.source.name, resolved.source.key);
    if (!object) {
      throw new ValidationError(
        [
          {
            path: 'source.bucket',
            message: `local bucket "${resolved.source.name}" has no object ${JSON.stringify(resolved.source.key)}; upload it with PUT /_faasport/v1/buckets/${resolved.source.name}/${resolved.source.key}`,
            rule: 'exists',
          },
        ],
        { subject: `function "${name}"` },
      );
    }
    codeHash = code.put(new Uint8Array(object.data), 'source.bucket');
  } else if (resolved.source.kind !== 'image') {
    throw new ValidationError(
      [{ path: 'code', message: 'is required: the zip of the code, base64', rule: 'required' }],
      { subject: `function "${name}"` },
    );
  }
  store.transaction(() => {
    store.ensureFunction(name);
    store.insertRevision({
      functionName: name,
      label: body.label,
      revisionHash: body.revisionHash,
      codeHash,
      config: body.config,
      secretValues: body.secretValues,
    });
  });
  functions.changed(name);
  if (contractOf(resolved) !== 'http') context.executor.prewarm(resolved.runtime, resolved.resources.memory);
  sendJson(res, 201, { label: body.label, revisionHash: body.revisionHash, codeHash, created: true });
}
function exportFunction(context, res, name) {
  const fn = context.store.getFunction(name);
  if (!fn) throw new HttpError(404, 'FunctionNotFound', `function "${name}" does not exist`);
  const revisions = context.store.listRevisions(name);
  const serving = [...fn.traffic].sort((a, b) => b.percent - a.percent)[0]?.revision;
  const revision = revisions.find((r) => r.label === serving) ?? revisions[revisions.length - 1];
  if (!revision) throw new HttpError(404, 'FunctionNotFound', `function "${name}" has no revisions`);
  const resolved = resolveStored(fn.config ?? revision.config);
  const revisionConfig = resolveStored(revision.config);
  const notes = [];
  let zip;
  if (revision.codeHash !== 'none') {
    zip = zipEntries(
      context.code.files(revision.codeHash).map((f) => ({ name: f.name, data: f.data, executable: false })),
    ).zip;
  }
  const source =
    revisionConfig.source.kind === 'image'
      ? { image: { ...revisionConfig.source } }
      : { archive: `./${name}.zip` };
  const config = toFunctionConfig(
    {
      ...resolved,
      runtime: revisionConfig.runtime,
      handler: revisionConfig.handler,
      contract: revisionConfig.contract,
      env: revisionConfig.env,
      resources: revisionConfig.resources,
      secrets: revisionConfig.secrets,
      revision: void 0,
      traffic: [{ revision: 'latest', percent: 100 }],
    },
    source,
  );
  if (revisions.length > 1)
    notes.push(
      `${revisions.length} revisions exist; the export holds "${revision.label}" (the one with the most traffic) and sends all traffic to it`,
    );
  if (Object.keys(revisionConfig.secrets).length)
    notes.push('secret values are not exported; the config keeps the references');
  sendJson(res, 200, { config, code: zip ? Buffer.from(zip).toString('base64') : void 0, notes });
}
function streamLogs(context, req, res, query) {
  const fnName = query.get('function') ?? void 0;
  const since = query.get('since') ? new Date(query.get('since')) : void 0;
  if (since && Number.isNaN(since.getTime()))
    throw new HttpError(400, 'InvalidQuery', `since=${JSON.stringify(query.get('since'))} is not a date`);
  const requestId = query.get('requestId') ?? void 0;
  const limit = query.get('limit') ? Number(query.get('limit')) : void 0;
  const follow = query.get('follow') === '1' || query.get('follow') === 'true';
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  for (const entry of context.logs.read({ function: fnName, since, requestId, limit }))
    res.write(`${JSON.stringify(entry)}
`);
  if (!follow) {
    res.end();
    return;
  }
  const stop = context.logs.follow((entry) => {
    if (fnName && entry.function !== fnName) return;
    if (requestId && entry.requestId !== requestId) return;
    res.write(`${JSON.stringify(entry)}
`);
  });
  const heartbeat = setInterval(() => res.write('\n'), 15e3);
  const end = () => {
    stop();
    clearInterval(heartbeat);
  };
  req.on('close', end);
  res.on('close', end);
}

// packages/runtime/src/server/broker.ts
import { randomUUID as randomUUID4 } from 'node:crypto';

var concurrentDeliveries = 16;
var Broker = class {
  constructor(store, functions, settings, logs, metrics, defaults, now = Date.now) {
    this.store = store;
    this.functions = functions;
    this.settings = settings;
    this.logs = logs;
    this.metrics = metrics;
    this.defaults = defaults;
    this.now = now;
  }
  store;
  functions;
  settings;
  logs;
  metrics;
  defaults;
  now;
  inflight = /* @__PURE__ */ new Set();
  timer;
  closed = false;
  /** Stores deliveries of `event` to every function whose event trigger filter matches. */
  publish(event) {
    const targets = [];
    for (const { settings } of this.settings()) {
      for (const trigger of settings.triggers) {
        if (trigger.kind !== 'event') continue;
        if (
          Object.entries(trigger.filter).every(
            ([attribute, value]) => String(event[attribute] ?? '') === value,
          )
        ) {
          targets.push({ fn: settings, trigger });
        }
      }
    }
    this.store.transaction(() => {
      for (const { fn, trigger } of targets) this.enqueue(fn, trigger.name, event);
    });
    this.kick();
    return { id: event.id, deliveries: targets.map((t) => `${t.fn.name}/${t.trigger.name}`) };
  }
  /** Queues one delivery (call inside a store transaction to make it atomic with other writes). */
  enqueue(fn, trigger, event) {
    const retry = this.policyOf(fn);
    return this.store.enqueue({
      eventId: event.id,
      functionName: fn.name,
      trigger,
      event,
      maxAttempts: retry.attempts,
      backoffMs: retry.backoffMs,
      at: this.now(),
    });
  }
  /** Starts delivering. */
  start() {
    this.kick();
  }
  /** Delivers what is due now (and schedules the next check). */
  kick() {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.dispatch(), 0);
    this.timer.unref();
  }
  async close() {
    this.closed = true;
    clearTimeout(this.timer);
    const until = Date.now() + 2e3;
    while (this.inflight.size && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }
  policyOf(fn) {
    let retry = this.defaults;
    try {
      const local = localOptions(fn).retry;
      retry = {
        attempts: local?.attempts ?? this.defaults.attempts,
        backoffMs: local?.backoffMs ?? this.defaults.backoffMs,
      };
    } catch {}
    return retry;
  }
  dispatch() {
    if (this.closed) return;
    const free = concurrentDeliveries - this.inflight.size;
    if (free > 0) {
      for (const event of this.store.dueEvents(this.now(), free, this.inflight)) {
        this.inflight.add(event.seq);
        this.deliver(event).finally(() => {
          this.inflight.delete(event.seq);
          this.kick();
        });
      }
    }
    const next = this.store.nextDueAt();
    if (next !== void 0 && !this.closed) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.dispatch(), Math.min(1e3, Math.max(5, next - this.now())));
      this.timer.unref();
    }
  }
  async deliver(queued) {
    const started = Date.now();
    const requestId = randomUUID4();
    let failure;
    let status = 200;
    let revision;
    try {
      const fn = this.store.getFunction(queued.functionName);
      if (!fn) {
        this.store.delivered(queued.seq);
        return;
      }
      revision = this.functions.pick(fn);
      if (!revision) throw new Error('no revision of the function receives traffic');
      const executable = await this.functions.executableFor(fn.name, revision);
      const event = queued.event;
      const spec = executable.spec;
      const asEvent =
        spec.contract !== 'web' &&
        !(spec.contract === 'http' && !spec.http?.invokePath && !spec.http?.initPath);
      if (asEvent) {
        const result = await executable.invokeEvent(new TextEncoder().encode(JSON.stringify(event)), {
          requestId,
        });
        if (result.error) failure = `${result.error.type ?? 'Error'}: ${result.error.message}`;
      } else {
        const { headers, body } = cloudEventToBinary(event);
        const response = await executable.fetch(
          new Request('http://localhost/', {
            method: 'POST',
            headers,
            body: body.length ? body : void 0,
          }),
          { requestId },
        );
        status = response.status;
        await response.arrayBuffer();
        if (status >= 300) failure = `the function answered HTTP ${status}`;
      }
    } catch (error) {
      failure = ExecutionError.is(error) ? `${error.reason}: ${error.message}` : error.message;
      status = ExecutionError.is(error) ? error.status : 500;
    }
    const durationMs = Date.now() - started;
    if (failure === void 0) {
      this.store.delivered(queued.seq);
      this.metrics.inc('faasport_events_delivered_total', { function: queued.functionName });
      this.logs.write({
        time: /* @__PURE__ */ new Date().toISOString(),
        level: 'info',
        kind: 'invocation',
        function: queued.functionName,
        revision,
        requestId,
        message: `delivered event ${queued.eventId} (${queued.trigger})`,
        status,
        durationMs,
      });
      return;
    }
    const outcome = this.store.failed(queued, failure, this.now());
    if (outcome === 'dead')
      this.metrics.inc('faasport_events_dead_lettered_total', { function: queued.functionName });
    this.logs.write({
      time: /* @__PURE__ */ new Date().toISOString(),
      level: outcome === 'dead' ? 'error' : 'warn',
      kind: 'invocation',
      function: queued.functionName,
      revision,
      requestId,
      message: `event ${queued.eventId} (${queued.trigger}) attempt ${queued.attempts + 1}/${queued.maxAttempts} failed: ${failure}${outcome === 'dead' ? '; moved to the dead-letter store' : '; will retry'}`,
      status,
      durationMs,
    });
  }
};

// packages/runtime/src/server/buckets.ts
import { createHash as createHash2, randomUUID as randomUUID5 } from 'node:crypto';
import fs2 from 'node:fs';
import path4 from 'node:path';

var bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
function checkObjectName(bucket, key2) {
  const issues = [];
  if (!bucketName.test(bucket)) {
    issues.push({
      path: 'bucket',
      message: `${JSON.stringify(bucket)} is not a bucket name (3-63 lowercase letters, digits, "." and "-")`,
      rule: 'bucket-name',
    });
  }
  if (
    key2 === '' ||
    key2.length > 1024 ||
    key2.startsWith('/') ||
    key2.includes('\0') ||
    key2.includes('\\') ||
    key2.split('/').some((p) => p === '..' || p === '.')
  ) {
    issues.push({
      path: 'key',
      message: `${JSON.stringify(key2.slice(0, 100))} is not an object key (1-1024 characters, relative, no "." or ".." segments)`,
      rule: 'object-key',
    });
  }
  if (issues.length) throw new ValidationError(issues);
}
var Buckets = class {
  constructor(dataDir, store, broker, settings) {
    this.store = store;
    this.broker = broker;
    this.settings = settings;
    this.root = path4.join(dataDir, 'buckets');
    fs2.mkdirSync(this.root, { recursive: true, mode: 448 });
  }
  store;
  broker;
  settings;
  root;
  fileOf(bucket, key2) {
    return path4.join(this.root, bucket, createHash2('sha256').update(key2).digest('hex'));
  }
  /** Stores an object and queues its `created` events atomically with the metadata. */
  put(bucket, key2, data, contentType) {
    checkObjectName(bucket, key2);
    const file = this.fileOf(bucket, key2);
    fs2.mkdirSync(path4.dirname(file), { recursive: true, mode: 448 });
    const tmp = `${file}.${randomUUID5()}.tmp`;
    fs2.writeFileSync(tmp, data, { mode: 384 });
    fs2.renameSync(tmp, file);
    const etag = createHash2('md5').update(data).digest('hex');
    const deliveries = this.store.transaction(() => {
      this.store.putObject(bucket, key2, data.length, etag, contentType);
      return this.emit('created', bucket, key2, { size: data.length, etag, contentType });
    });
    this.broker.kick();
    return { bucket, key: key2, size: data.length, etag, deliveries };
  }
  get(bucket, key2) {
    checkObjectName(bucket, key2);
    const meta = this.store.getObject(bucket, key2);
    if (!meta) return void 0;
    try {
      return {
        data: fs2.readFileSync(this.fileOf(bucket, key2)),
        contentType: meta.contentType,
        etag: meta.etag,
      };
    } catch {
      return void 0;
    }
  }
  delete(bucket, key2) {
    checkObjectName(bucket, key2);
    const existed = this.store.transaction(() => {
      const gone = this.store.deleteObject(bucket, key2);
      if (gone) this.emit('deleted', bucket, key2, {});
      return gone;
    });
    if (existed) {
      fs2.rmSync(this.fileOf(bucket, key2), { force: true });
      this.broker.kick();
    }
    return existed;
  }
  list(bucket, prefix = '') {
    return this.store.listObjects(bucket, prefix);
  }
  emit(kind, bucket, key2, info) {
    const deliveries = [];
    const id = `storage:${bucket}:${key2}:${kind}:${randomUUID5()}`;
    for (const { name, settings } of this.settings()) {
      for (const trigger of settings.triggers) {
        if (trigger.kind !== 'storage' || trigger.bucket !== bucket || !trigger.events.includes(kind))
          continue;
        if (trigger.prefix && !key2.startsWith(trigger.prefix)) continue;
        if (trigger.suffix && !key2.endsWith(trigger.suffix)) continue;
        this.broker.enqueue(settings, trigger.name, {
          specversion: '1.0',
          id,
          source: `/faasport/buckets/${bucket}`,
          type: `dev.faasport.storage.object.${kind}`,
          subject: key2,
          time: /* @__PURE__ */ new Date().toISOString(),
          datacontenttype: 'application/json',
          data: { bucket, key: key2, event: kind, ...info },
        });
        deliveries.push(`${name}/${trigger.name}`);
      }
    }
    return deliveries;
  }
};

// packages/runtime/src/server/code-store.ts
import { createHash as createHash3, randomUUID as randomUUID6 } from 'node:crypto';
import fs3 from 'node:fs';
import path5 from 'node:path';
import { unzipSync as unzipSync2 } from 'fflate';

var maxUnpackedBytes = 512 * 1024 * 1024;
var maxEntries = 2e4;
function centralDirectory(zip) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 101010256) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const out = [];
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || view.getUint32(offset, true) !== 33639248)
      throw new Error('corrupt central directory');
    const madeBy = view.getUint16(offset + 4, true) >> 8;
    const uncompressedSize = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const external = view.getUint32(offset + 38, true);
    const name = decoder.decode(zip.subarray(offset + 46, offset + 46 + nameLength));
    out.push({ name, mode: madeBy === 3 ? external >>> 16 : void 0, uncompressedSize });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}
function reject(field, message, rule) {
  throw new ValidationError([{ path: field, message, rule }]);
}
function inspectArchive(zip, field = 'code') {
  let entries;
  let files;
  try {
    entries = centralDirectory(zip);
    if (entries.length > maxEntries)
      reject(field, `the archive has ${entries.length} entries (at most ${maxEntries})`, 'archive-size');
    const declared = entries.reduce((total, e) => total + e.uncompressedSize, 0);
    if (declared > maxUnpackedBytes)
      reject(field, `the archive unpacks to ${declared} bytes (at most ${maxUnpackedBytes})`, 'archive-size');
    files = unzipSync2(zip);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    reject(field, `the code is not a readable zip archive: ${error.message}`, 'archive');
  }
  const seen = /* @__PURE__ */ new Set();
  const out = {};
  for (const entry of entries) {
    if (!isSafeEntryName(entry.name)) {
      reject(
        field,
        `the archive entry ${JSON.stringify(entry.name)} escapes the code folder (zip-slip); rebuild the archive without it`,
        'zip-slip',
      );
    }
    if (entry.mode !== void 0 && (entry.mode & 61440) === 40960) {
      reject(
        field,
        `the archive entry ${JSON.stringify(entry.name)} is a symbolic link; links are not unpacked (copy the file in instead)`,
        'symlink',
      );
    }
    const normalized = path5.posix.normalize(entry.name);
    if (seen.has(normalized))
      reject(field, `the archive has the entry ${JSON.stringify(entry.name)} twice`, 'duplicate');
    seen.add(normalized);
    if (entry.name.endsWith('/')) continue;
    const data = files[entry.name];
    if (!data) continue;
    out[entry.name] = { data, executable: entry.mode !== void 0 && (entry.mode & 73) !== 0 };
  }
  if (Object.keys(out).length === 0) reject(field, 'the archive has no files', 'empty');
  return out;
}
var CodeStore = class _CodeStore {
  root;
  constructor(dataDir) {
    this.root = path5.join(dataDir, 'code');
    fs3.mkdirSync(this.root, { recursive: true, mode: 448 });
    for (const name of fs3.readdirSync(this.root)) {
      if (name.startsWith('.tmp-')) fs3.rmSync(path5.join(this.root, name), { recursive: true, force: true });
    }
  }
  /** The folder of a stored code hash. */
  dirOf(codeHash) {
    if (!/^[a-f0-9]{64}$/.test(codeHash)) throw new Error(`invalid code hash ${codeHash}`);
    return path5.join(this.root, codeHash);
  }
  /** The hash the code is stored under. */
  static hashOf(zip) {
    return createHash3('sha256').update(zip).digest('hex');
  }
  /** Checks and unpacks a zip; returns its hash. Nothing is written when the archive is rejected. */
  put(zip, field = 'code') {
    const hash = _CodeStore.hashOf(zip);
    const dir = this.dirOf(hash);
    if (fs3.existsSync(dir)) return hash;
    const files = inspectArchive(zip, field);
    const tmp = path5.join(this.root, `.tmp-${randomUUID6()}`);
    try {
      fs3.mkdirSync(tmp, { mode: 448 });
      for (const [name, file] of Object.entries(files)) {
        const target = path5.resolve(tmp, name);
        if (!target.startsWith(tmp + path5.sep))
          reject(field, `the archive entry ${JSON.stringify(name)} escapes the code folder`, 'zip-slip');
        fs3.mkdirSync(path5.dirname(target), { recursive: true });
        fs3.writeFileSync(target, file.data, { mode: file.executable ? 493 : 420 });
      }
      fs3.renameSync(tmp, dir);
    } catch (error) {
      fs3.rmSync(tmp, { recursive: true, force: true });
      if (fs3.existsSync(dir)) return hash;
      throw error;
    }
    return hash;
  }
  /** The original zip bytes are not kept; this re-reads the folder's files (for export). */
  files(codeHash) {
    const dir = this.dirOf(codeHash);
    const out = [];
    const walk = (current) => {
      for (const name of fs3.readdirSync(current).sort()) {
        const full = path5.join(current, name);
        const stat = fs3.lstatSync(full);
        if (stat.isDirectory()) walk(full);
        else if (stat.isFile())
          out.push({
            name: path5.relative(dir, full).split(path5.sep).join('/'),
            data: fs3.readFileSync(full),
          });
      }
    };
    walk(dir);
    return out;
  }
  /** Removes code folders no revision uses. */
  collect(keep) {
    for (const name of fs3.readdirSync(this.root)) {
      if (!name.startsWith('.tmp-') && !keep.has(name))
        fs3.rmSync(path5.join(this.root, name), { recursive: true, force: true });
    }
  }
};

// packages/runtime/src/server/logs.ts
import { EventEmitter } from 'node:events';
import fs4 from 'node:fs';
import path6 from 'node:path';

var ringSize = 2e3;
var LogStore = class {
  dir;
  rings = /* @__PURE__ */ new Map();
  streams = /* @__PURE__ */ new Map();
  /** Lines not yet written, per function: written together on the next turn (one write, not one per line). */
  pending = /* @__PURE__ */ new Map();
  flushScheduled = false;
  events = new EventEmitter();
  constructor(dataDir) {
    this.dir = path6.join(dataDir, 'logs');
    fs4.mkdirSync(this.dir, { recursive: true, mode: 448 });
    this.events.setMaxListeners(0);
  }
  write(entry) {
    const clean = { ...entry, message: redact(entry.message) };
    let ring = this.rings.get(clean.function);
    if (!ring) {
      ring = this.load(clean.function);
      this.rings.set(clean.function, ring);
    }
    ring.push(clean);
    if (ring.length > ringSize * 2) ring.splice(0, ring.length - ringSize);
    let lines = this.pending.get(clean.function);
    if (!lines) {
      lines = [];
      this.pending.set(clean.function, lines);
    }
    lines.push(JSON.stringify(clean));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    if (this.events.listenerCount('entry')) this.events.emit('entry', clean);
  }
  /** Lines of one function (or all), oldest first. */
  read(options) {
    const names = options.function ? [options.function] : this.names();
    let out = [];
    for (const name of names) {
      let ring = this.rings.get(name);
      if (!ring) {
        ring = this.load(name);
        this.rings.set(name, ring);
      }
      out.push(...ring.slice(-ringSize));
    }
    if (options.since) out = out.filter((e) => e.time >= options.since.toISOString());
    if (options.requestId) out = out.filter((e) => e.requestId === options.requestId);
    out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    return options.limit ? out.slice(-options.limit) : out;
  }
  /** Calls `listener` for every new line until the returned function is called. */
  follow(listener) {
    this.events.on('entry', listener);
    return () => this.events.off('entry', listener);
  }
  /** Drops a removed function's logs. */
  remove(name) {
    this.rings.delete(name);
    this.pending.delete(name);
    this.streams.get(name)?.end();
    this.streams.delete(name);
    fs4.rmSync(this.file(name), { force: true });
  }
  /** Writes the pending lines of every function. */
  flush() {
    this.flushScheduled = false;
    for (const [name, lines] of this.pending) {
      if (lines.length)
        this.stream(name).write(`${lines.join('\n')}
`);
    }
    this.pending.clear();
  }
  close() {
    this.flush();
    const ends = [...this.streams.values()].map((s) => new Promise((resolve) => s.end(resolve)));
    this.streams.clear();
    return Promise.all(ends).then(() => void 0);
  }
  names() {
    const names = new Set(this.rings.keys());
    for (const file of fs4.readdirSync(this.dir))
      if (file.endsWith('.ndjson')) names.add(file.slice(0, -'.ndjson'.length));
    return [...names];
  }
  file(name) {
    return path6.join(this.dir, `${name}.ndjson`);
  }
  stream(name) {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = fs4.createWriteStream(this.file(name), { flags: 'a', mode: 384 });
      this.streams.set(name, stream);
    }
    return stream;
  }
  load(name) {
    try {
      const lines = fs4.readFileSync(this.file(name), 'utf8').split('\n').filter(Boolean).slice(-ringSize);
      return lines.flatMap((line) => {
        try {
          return [JSON.parse(line)];
        } catch {
          return [];
        }
      });
    } catch {
      return [];
    }
  }
};

// packages/runtime/src/server/metrics.ts
var buckets = [1e-3, 25e-4, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
var key = (labels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
var Metrics = class {
  counters = /* @__PURE__ */ new Map();
  histograms = /* @__PURE__ */ new Map();
  gauges = /* @__PURE__ */ new Map();
  help = {
    faasport_invocations_total: 'Invocations by function, revision and status code.',
    faasport_invocation_errors_total: 'Invocations that failed (status >= 500 or a platform error).',
    faasport_cold_starts_total: 'Instances started, by function and whether a pooled worker was used.',
    faasport_events_delivered_total: 'Events delivered to functions.',
    faasport_events_dead_lettered_total: 'Events moved to the dead-letter store after their retries.',
    faasport_invocation_duration_seconds: 'Invocation latency through the gateway.',
  };
  keys = /* @__PURE__ */ new Map();
  /** The rendered label set, cached (the same few label sets repeat on every request). */
  keyOf(labels) {
    let id = '';
    for (const name in labels) id += `${name}\0${labels[name]}`;
    let rendered = this.keys.get(id);
    if (rendered === void 0) {
      rendered = key(labels);
      if (this.keys.size < 1e5) this.keys.set(id, rendered);
    }
    return rendered;
  }
  inc(name, labels, by = 1) {
    let series = this.counters.get(name);
    if (!series) {
      series = /* @__PURE__ */ new Map();
      this.counters.set(name, series);
    }
    const k = this.keyOf(labels);
    series.set(k, (series.get(k) ?? 0) + by);
  }
  observe(labels, seconds) {
    const k = this.keyOf(labels);
    let h = this.histograms.get(k);
    if (!h) {
      h = { counts: buckets.map(() => 0), sum: 0, count: 0 };
      this.histograms.set(k, h);
    }
    for (let i = 0; i < buckets.length; i++) if (seconds <= buckets[i]) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }
  /** A gauge whose values are read at scrape time. */
  gauge(name, help, read) {
    this.help[name] = help;
    this.gauges.set(name, read);
  }
  /** The Prometheus text exposition. */
  render() {
    const lines = [];
    for (const [name, series] of this.counters) {
      lines.push(`# HELP ${name} ${this.help[name] ?? name}`, `# TYPE ${name} counter`);
      for (const [labels, value] of series) lines.push(`${name}{${labels}} ${value}`);
    }
    const hist = 'faasport_invocation_duration_seconds';
    lines.push(`# HELP ${hist} ${this.help[hist]}`, `# TYPE ${hist} histogram`);
    for (const [labels, h] of this.histograms) {
      const sep = labels ? ',' : '';
      buckets.forEach((b, i) => {
        lines.push(`${hist}_bucket{${labels}${sep}le="${b}"} ${h.counts[i]}`);
      });
      lines.push(
        `${hist}_bucket{${labels}${sep}le="+Inf"} ${h.count}`,
        `${hist}_sum{${labels}} ${h.sum}`,
        `${hist}_count{${labels}} ${h.count}`,
      );
    }
    for (const [name, read] of this.gauges) {
      lines.push(`# HELP ${name} ${this.help[name]}`, `# TYPE ${name} gauge`);
      for (const { labels, value } of read()) lines.push(`${name}{${key(labels)}} ${value}`);
    }
    return `${lines.join('\n')}
`;
  }
};

// packages/runtime/src/server/scheduler.ts
var catchUpLimit = 1e4;
var Scheduler = class {
  constructor(store, broker, settings, logs, now = Date.now) {
    this.store = store;
    this.broker = broker;
    this.settings = settings;
    this.logs = logs;
    this.now = now;
  }
  store;
  broker;
  settings;
  logs;
  now;
  timer;
  /** Ticks every `intervalMs`. */
  start(intervalMs = 1e3) {
    const loop = () => {
      try {
        this.tick();
      } finally {
        this.timer = setTimeout(loop, intervalMs - (Date.now() % intervalMs) + 5);
        this.timer.unref();
      }
    };
    loop();
  }
  stop() {
    clearTimeout(this.timer);
  }
  /** Fires every schedule trigger that is due at the clock's time; returns what fired. */
  tick() {
    const now = this.now();
    const fired = [];
    for (const { name, settings } of this.settings()) {
      for (const trigger of settings.triggers) {
        if (trigger.kind !== 'schedule' || !trigger.enabled) continue;
        const last = this.store.lastFire(name, trigger.name);
        if (last === void 0) {
          this.store.setLastFire(name, trigger.name, now);
          continue;
        }
        let due;
        let from = last;
        for (let i = 0; i < catchUpLimit; i++) {
          const next = nextCronTimes(trigger.cron, {
            timezone: trigger.timezone,
            from: new Date(from),
          })[0].getTime();
          if (next > now) break;
          due = next;
          from = next;
        }
        if (due === void 0) continue;
        const at = new Date(due).toISOString();
        const event = {
          specversion: '1.0',
          id: `schedule:${name}:${trigger.name}:${due}`,
          source: `/faasport/schedule/${name}/${trigger.name}`,
          type: 'dev.faasport.schedule.fired',
          time: at,
          datacontenttype: 'application/json',
          data: trigger.payload ?? { cron: trigger.cron, timezone: trigger.timezone, scheduledTime: at },
        };
        this.store.transaction(() => {
          this.broker.enqueue(settings, trigger.name, event);
          this.store.setLastFire(name, trigger.name, due);
        });
        this.logs.write({
          time: /* @__PURE__ */ new Date().toISOString(),
          level: 'info',
          kind: 'system',
          function: name,
          message: `schedule ${trigger.name} fired for ${at}`,
        });
        fired.push({ function: name, trigger: trigger.name, at });
      }
    }
    if (fired.length) this.broker.kick();
    return fired;
  }
};

// packages/runtime/src/server/store.ts
import path7 from 'node:path';
import Database from 'better-sqlite3';

var schema = `
CREATE TABLE IF NOT EXISTS functions (
  name TEXT PRIMARY KEY,
  spec_hash TEXT,
  config TEXT,
  traffic TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  label TEXT NOT NULL,
  revision_hash TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  config TEXT NOT NULL,
  secret_values TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (function_name, label)
);
CREATE TABLE IF NOT EXISTS cron_state (
  function_name TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  last_fire INTEGER NOT NULL,
  PRIMARY KEY (function_name, trigger_name)
);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  function_name TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  event TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  backoff_ms INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  last_error TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (event_id, function_name, trigger_name)
);
CREATE INDEX IF NOT EXISTS events_due ON events (status, next_at);
CREATE TABLE IF NOT EXISTS objects (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (bucket, key)
);
`;
var nowIso = () => /* @__PURE__ */ new Date().toISOString();
var Store = class {
  db;
  constructor(dataDir) {
    this.db = new Database(path7.join(dataDir, 'state.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(schema);
  }
  close() {
    this.db.close();
  }
  /** Runs `work` in one transaction: all of it is stored, or none. */
  transaction(work) {
    return this.db.transaction(work)();
  }
  // --- functions ----------------------------------------------------------------------------
  listFunctions() {
    return this.db.prepare('SELECT * FROM functions ORDER BY name').all().map(functionRow);
  }
  getFunction(name) {
    const row = this.db.prepare('SELECT * FROM functions WHERE name = ?').get(name);
    return row ? functionRow(row) : void 0;
  }
  ensureFunction(name) {
    const now = nowIso();
    this.db
      .prepare('INSERT OR IGNORE INTO functions (name, traffic, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run(name, '[]', now, now);
  }
  setSettings(name, specHash, config) {
    this.db
      .prepare('UPDATE functions SET spec_hash = ?, config = ?, updated_at = ? WHERE name = ?')
      .run(specHash, JSON.stringify(config), nowIso(), name);
  }
  setTraffic(name, traffic) {
    this.db
      .prepare('UPDATE functions SET traffic = ?, updated_at = ? WHERE name = ?')
      .run(JSON.stringify(traffic), nowIso(), name);
  }
  deleteFunction(name) {
    this.transaction(() => {
      this.db.prepare('DELETE FROM revisions WHERE function_name = ?').run(name);
      this.db.prepare('DELETE FROM cron_state WHERE function_name = ?').run(name);
      this.db.prepare("DELETE FROM events WHERE function_name = ? AND status = 'pending'").run(name);
      this.db.prepare('DELETE FROM functions WHERE name = ?').run(name);
    });
  }
  // --- revisions ----------------------------------------------------------------------------
  listRevisions(name) {
    return this.db
      .prepare('SELECT * FROM revisions WHERE function_name = ? ORDER BY created_at, rowid')
      .all(name)
      .map(revisionRow);
  }
  getRevision(name, label) {
    const row = this.db
      .prepare('SELECT * FROM revisions WHERE function_name = ? AND label = ?')
      .get(name, label);
    return row ? revisionRow(row) : void 0;
  }
  insertRevision(row) {
    this.db
      .prepare(
        'INSERT INTO revisions (function_name, label, revision_hash, code_hash, config, secret_values, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        row.functionName,
        row.label,
        row.revisionHash,
        row.codeHash,
        JSON.stringify(row.config),
        JSON.stringify(row.secretValues),
        nowIso(),
      );
  }
  /** Every code hash still referenced (for garbage collection of the code folder). */
  codeHashes() {
    return new Set(
      this.db
        .prepare('SELECT DISTINCT code_hash FROM revisions')
        .all()
        .map((r) => r.code_hash),
    );
  }
  // --- cron ---------------------------------------------------------------------------------
  lastFire(functionName3, trigger) {
    const row = this.db
      .prepare('SELECT last_fire FROM cron_state WHERE function_name = ? AND trigger_name = ?')
      .get(functionName3, trigger);
    return row?.last_fire;
  }
  setLastFire(functionName3, trigger, at) {
    this.db
      .prepare(
        'INSERT INTO cron_state (function_name, trigger_name, last_fire) VALUES (?, ?, ?) ON CONFLICT (function_name, trigger_name) DO UPDATE SET last_fire = excluded.last_fire',
      )
      .run(functionName3, trigger, at);
  }
  // --- events -------------------------------------------------------------------------------
  /** Queues a delivery; returns false when the same event was already queued for that trigger. */
  enqueue(entry) {
    const result = this.db
      .prepare(
        'INSERT OR IGNORE INTO events (event_id, function_name, trigger_name, event, max_attempts, backoff_ms, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        entry.eventId,
        entry.functionName,
        entry.trigger,
        JSON.stringify(entry.event),
        entry.maxAttempts,
        entry.backoffMs,
        entry.at,
        nowIso(),
      );
    return result.changes > 0;
  }
  dueEvents(now, limit, exclude) {
    const rows = this.db
      .prepare("SELECT * FROM events WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, seq LIMIT ?")
      .all(now, limit + exclude.size);
    return rows
      .map(eventRow)
      .filter((e) => !exclude.has(e.seq))
      .slice(0, limit);
  }
  nextDueAt() {
    const row = this.db.prepare("SELECT MIN(next_at) AS at FROM events WHERE status = 'pending'").get();
    return row?.at ?? void 0;
  }
  /** A delivered event leaves the queue. */
  delivered(seq) {
    this.db.prepare('DELETE FROM events WHERE seq = ?').run(seq);
  }
  /** A failed attempt: retried later with exponential backoff, or moved to the dead-letter store. */
  failed(event, error, now) {
    const attempts = event.attempts + 1;
    if (attempts >= event.maxAttempts) {
      this.db
        .prepare("UPDATE events SET attempts = ?, status = 'dead', last_error = ? WHERE seq = ?")
        .run(attempts, error, event.seq);
      return 'dead';
    }
    const delay = event.backoffMs * 2 ** (attempts - 1);
    this.db
      .prepare('UPDATE events SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?')
      .run(attempts, now + delay, error, event.seq);
    return 'retry';
  }
  deadLetters(functionName3) {
    const rows = functionName3
      ? this.db
          .prepare("SELECT * FROM events WHERE status = 'dead' AND function_name = ? ORDER BY seq")
          .all(functionName3)
      : this.db.prepare("SELECT * FROM events WHERE status = 'dead' ORDER BY seq").all();
    return rows.map(eventRow);
  }
  pendingCount() {
    return this.db.prepare("SELECT COUNT(*) AS n FROM events WHERE status = 'pending'").get().n;
  }
  // --- bucket objects -----------------------------------------------------------------------
  putObject(bucket, key2, size, etag, contentType) {
    this.db
      .prepare(
        'INSERT INTO objects (bucket, key, size, etag, content_type, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET size = excluded.size, etag = excluded.etag, content_type = excluded.content_type, updated_at = excluded.updated_at',
      )
      .run(bucket, key2, size, etag, contentType ?? null, nowIso());
  }
  getObject(bucket, key2) {
    const row = this.db.prepare('SELECT * FROM objects WHERE bucket = ? AND key = ?').get(bucket, key2);
    return row
      ? {
          size: row.size,
          etag: row.etag,
          contentType: row.content_type ?? void 0,
          updatedAt: row.updated_at,
        }
      : void 0;
  }
  deleteObject(bucket, key2) {
    return this.db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?').run(bucket, key2).changes > 0;
  }
  listObjects(bucket, prefix = '') {
    const rows = this.db
      .prepare('SELECT * FROM objects WHERE bucket = ? AND substr(key, 1, length(?)) = ? ORDER BY key')
      .all(bucket, prefix, prefix);
    return rows.map((r) => ({ key: r.key, size: r.size, etag: r.etag, updatedAt: r.updated_at }));
  }
};
function functionRow(row) {
  return {
    name: row.name,
    specHash: row.spec_hash ?? void 0,
    config: row.config ? JSON.parse(row.config) : void 0,
    traffic: JSON.parse(row.traffic),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
function revisionRow(row) {
  return {
    functionName: row.function_name,
    label: row.label,
    revisionHash: row.revision_hash,
    codeHash: row.code_hash,
    config: JSON.parse(row.config),
    secretValues: JSON.parse(row.secret_values),
    createdAt: row.created_at,
  };
}
function eventRow(row) {
  return {
    seq: row.seq,
    eventId: row.event_id,
    functionName: row.function_name,
    trigger: row.trigger_name,
    event: JSON.parse(row.event),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    backoffMs: row.backoff_ms,
    nextAt: row.next_at,
    status: row.status,
    lastError: row.last_error ?? void 0,
    createdAt: row.created_at,
  };
}

// packages/runtime/src/server/runtime.ts
var adminPrefix = '/_faasport/v1';
function loadToken(dataDir) {
  const file = path8.join(dataDir, 'token');
  if (!fs5.existsSync(file)) {
    fs5.writeFileSync(
      file,
      `${randomBytes(32).toString('hex')}
`,
      { mode: 384, flag: 'wx' },
    );
  }
  fs5.chmodSync(file, 384);
  const token = fs5.readFileSync(file, 'utf8').trim();
  registerSecret(token);
  return { token, file };
}
function isLoopback(host) {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}
async function startRuntime(options) {
  const dataDir = path8.resolve(options.dataDir);
  fs5.mkdirSync(dataDir, { recursive: true, mode: 448 });
  const { token, file: tokenFile } = loadToken(dataDir);
  const tokenBytes = Buffer.from(token);
  const namespace = options.namespace ?? 'default';
  const clock = options.clock ?? Date.now;
  const store = new Store(dataDir);
  try {
    fs5.chmodSync(path8.join(dataDir, 'state.db'), 384);
  } catch {}
  const code = new CodeStore(dataDir);
  const logs = new LogStore(dataDir);
  const metrics = new Metrics();
  const executor = createExecutor({
    warmPool: options.warmPool ?? 1,
    observer: {
      log: (entry) =>
        logs.write({
          time: entry.time,
          level: entry.level,
          kind: 'log',
          function: entry.functionName,
          revision: entry.revision,
          requestId: entry.requestId,
          message: entry.message,
          instance: entry.instanceId,
        }),
      instanceStarted: (info) => {
        const [fn, revision] = info.executableId.split('@');
        metrics.inc('faasport_cold_starts_total', { function: fn, pooled: String(info.fromPool) });
        logs.write({
          time: /* @__PURE__ */ new Date().toISOString(),
          level: 'info',
          kind: 'system',
          function: fn,
          revision,
          message: `instance ${info.instanceId} started in ${info.startMs} ms${info.fromPool ? ' (warm pool)' : ''}`,
          instance: info.instanceId,
        });
      },
      instanceStopped: (info) => {
        const [fn, revision] = info.executableId.split('@');
        logs.write({
          time: /* @__PURE__ */ new Date().toISOString(),
          level: info.reason === 'idle' || info.reason === 'closed' ? 'info' : 'warn',
          kind: 'system',
          function: fn,
          revision,
          message: `instance ${info.instanceId} stopped (${info.reason})`,
          instance: info.instanceId,
        });
      },
    },
  });
  const functions = new Functions(store, code, executor, dataDir);
  const settings = () => functions.all();
  const broker = new Broker(
    store,
    functions,
    settings,
    logs,
    metrics,
    { attempts: options.retry?.attempts ?? 5, backoffMs: options.retry?.backoffMs ?? 1e3 },
    clock,
  );
  const buckets2 = new Buckets(dataDir, store, broker, settings);
  const scheduler = new Scheduler(store, broker, settings, logs, clock);
  metrics.gauge('faasport_instances', 'Running instances per function revision.', () =>
    functions.loaded().map((e) => {
      const [fn, revision] = e.spec.id.split('@');
      return { labels: { function: fn, revision }, value: e.stats().instances };
    }),
  );
  metrics.gauge('faasport_events_pending', 'Events waiting in the durable queue.', () => [
    { labels: {}, value: store.pendingCount() },
  ]);
  let writes = 0;
  let baseUrl = '';
  const bodyLimit = options.bodyLimitBytes ?? 6 * 1024 * 1024;
  const context = {
    store,
    code,
    functions,
    broker,
    buckets: buckets2,
    logs,
    metrics,
    executor,
    scheduler,
    namespace,
    bodyLimit,
    baseUrl: () => baseUrl,
    countWrite: () => {
      writes++;
    },
    serve: (req, res, route, serveOptions) => serveFunction(context, req, res, route, serveOptions),
  };
  const authorized = (req) => {
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  };
  const server = http2.createServer(
    {
      maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
      requestTimeout: options.requestTimeoutMs ?? 3e4,
      headersTimeout: options.headersTimeoutMs ?? 1e4,
      keepAliveTimeout: 5e3,
    },
    (req, res) => {
      const url = req.url ?? '/';
      if (url === '/metrics' || url.startsWith('/metrics?')) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(metrics.render());
        return;
      }
      if (url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
        return;
      }
      const route = gatewayRoute(context, req.headers.host ?? '', url);
      if (route === 'admin' || (route === void 0 && url.startsWith(adminPrefix))) {
        if (!authorized(req)) {
          req.resume();
          sendError(
            res,
            401,
            'Unauthorized',
            `the admin API needs "Authorization: Bearer <token>"; the token is in ${tokenFile}`,
          );
          return;
        }
        handleAdmin(
          context,
          req,
          res,
          new URL(url, 'http://runtime').pathname.slice(adminPrefix.length),
          new URL(url, 'http://runtime').searchParams,
        ).catch((error) => sendFailure(res, error));
        return;
      }
      if (!route) {
        req.resume();
        sendError(
          res,
          404,
          'FunctionNotFound',
          `no function matches host ${JSON.stringify(req.headers.host ?? '')} and path ${JSON.stringify(url.split('?')[0])}`,
        );
        return;
      }
      const settingsOf = functions.settingsOf(route.fn.name);
      const needsToken =
        settingsOf?.visibility === 'private' ||
        settingsOf?.triggers.some((t) => t.kind === 'http' && t.auth !== 'anonymous');
      if (needsToken && !authorized(req)) {
        req.resume();
        sendError(
          res,
          401,
          'Unauthorized',
          `function "${route.fn.name}" is private; send "Authorization: Bearer <token>"`,
        );
        return;
      }
      const httpTrigger2 = settingsOf?.triggers.find((t) => t.kind === 'http');
      if (settingsOf && !httpTrigger2) {
        req.resume();
        sendError(res, 404, 'FunctionNotFound', `function "${route.fn.name}" has no http trigger`);
        return;
      }
      if (
        httpTrigger2 &&
        httpTrigger2.kind === 'http' &&
        !httpTrigger2.methods.includes(req.method ?? 'GET')
      ) {
        req.resume();
        sendError(
          res,
          405,
          'MethodNotAllowed',
          `function "${route.fn.name}" accepts ${httpTrigger2.methods.join(', ')}`,
          {},
        );
        return;
      }
      serveFunction(context, req, res, route).catch((error) => sendFailure(res, error));
    },
  );
  server.maxHeadersCount = 200;
  server.on('clientError', (error, socket) => {
    if (!socket.writable) return;
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({
      error: {
        code: status === 431 ? 'HeadersTooLarge' : status === 408 ? 'RequestTimeout' : 'BadRequest',
        message: error.message,
      },
    });
    socket.end(
      `HTTP/1.1 ${status} ${http2.STATUS_CODES[status]}\r
content-type: application/json\r
content-length: ${Buffer.byteLength(body)}\r
connection: close\r
\r
${body}`,
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise((resolve, reject2) => {
    server.once('error', reject2);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = server.address().port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!isLoopback(host)) {
    logs.write({
      time: /* @__PURE__ */ new Date().toISOString(),
      level: 'warn',
      kind: 'system',
      function: '_runtime',
      message: `listening on ${host}, not loopback: anyone who can reach it and has the token can deploy code`,
    });
  }
  fs5.writeFileSync(
    path8.join(dataDir, 'runtime.json'),
    `${JSON.stringify({ url: baseUrl, token, pid: process.pid }, null, 2)}
`,
    { mode: 384 },
  );
  const kinds = /* @__PURE__ */ new Set(['nodejs20:256']);
  for (const { settings: settings2 } of functions.all())
    if (settings2.runtime !== 'custom') kinds.add(`${settings2.runtime}:${settings2.resources.memory}`);
  for (const kind of kinds) {
    const [runtimeName, memory] = kind.split(':');
    executor.prewarm(runtimeName, Number(memory));
  }
  functions.warm();
  broker.start();
  scheduler.start(options.schedulerIntervalMs ?? 1e3);
  let closed = false;
  return {
    url: baseUrl,
    host,
    port,
    dataDir,
    token,
    tokenFile,
    writes: () => writes,
    tick: () => scheduler.tick(),
    async close() {
      if (closed) return;
      closed = true;
      scheduler.stop();
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await broker.close();
      await executor.close();
      await logs.close();
      store.close();
      fs5.rmSync(path8.join(dataDir, 'runtime.json'), { force: true });
    },
  };
}
function gatewayRoute(context, hostHeader, url) {
  const [pathname = '/', query] = url.split('?', 2);
  const search = query === void 0 ? '' : `?${query}`;
  const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${context.namespace}.localhost`;
  if (host.endsWith(suffix)) {
    const label = host.slice(0, -suffix.length);
    if (!label.includes('.')) {
      const fn2 = context.functions.get(label);
      if (fn2) return { fn: fn2, path: pathname + search };
      for (let i = label.indexOf('-'); i > 0; i = label.indexOf('-', i + 1)) {
        const tagged = context.functions.get(label.slice(i + 1));
        const tag = label.slice(0, i);
        if (tagged?.traffic.some((t) => t.tag === tag)) return { fn: tagged, tag, path: pathname + search };
      }
      return void 0;
    }
  }
  for (const { name: name2, settings } of context.functions.all()) {
    for (const domain of settings.domains) {
      if (domain.host !== host) continue;
      const prefix = domain.path && domain.path !== '/' ? domain.path.replace(/\/$/, '') : '';
      if (prefix && pathname !== prefix && !pathname.startsWith(`${prefix}/`)) continue;
      const fn2 = context.functions.get(name2);
      if (fn2) return { fn: fn2, path: (pathname.slice(prefix.length) || '/') + search };
    }
  }
  if (pathname === adminPrefix || pathname.startsWith(`${adminPrefix}/`)) return 'admin';
  const match = /^\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!match) return void 0;
  let name;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    return void 0;
  }
  const fn = context.functions.get(name);
  return fn ? { fn, path: (match[2] ?? '/') + search } : void 0;
}
var skippedRequestHeaders = /* @__PURE__ */ new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'authorization-faasport',
]);
var emptyBody = Buffer.alloc(0);
var failureCodes = {
  timeout: 'FunctionTimeout',
  crash: 'FunctionCrashed',
  start: 'FunctionStartFailed',
  overloaded: 'TooManyRequests',
  aborted: 'ClientClosedRequest',
};
async function serveFunction(context, req, res, route, options = {}) {
  const started = performance.now();
  const requestId =
    (typeof req.headers['x-request-id'] === 'string' && /^[\w.:-]{1,128}$/.test(req.headers['x-request-id'])
      ? req.headers['x-request-id']
      : void 0) ?? randomUUID7();
  const fn = route.fn;
  const label = context.functions.pick(fn, { tag: route.tag, revision: route.revision });
  if (!label) {
    req.resume();
    const what = route.revision
      ? `revision "${route.revision}"`
      : route.tag
        ? `tag "${route.tag}"`
        : 'a revision receiving traffic';
    sendError(res, 404, 'RevisionNotFound', `function "${fn.name}" has no ${what}`);
    return;
  }
  let body;
  try {
    const hasBody = req.headers['content-length'] !== void 0 || req.headers['transfer-encoding'] !== void 0;
    body = options.body ?? (hasBody ? await readBody(req, context.bodyLimit) : emptyBody);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendError(
        res,
        413,
        'PayloadTooLarge',
        `the request body is larger than the ${context.bodyLimit}-byte limit`,
        { limit: context.bodyLimit },
      );
      return;
    }
    throw error;
  }
  let status = 500;
  let failure;
  try {
    const executable = await context.functions.executableFor(fn.name, label);
    const clientIp = req.socket.remoteAddress?.replace(/^::ffff:/, '');
    const extra = { 'x-faasport-request-id': requestId, 'x-faasport-revision': label };
    if (options.mode === 'event') {
      const result = await executable.invokeEvent(new Uint8Array(body.buffer, body.byteOffset, body.length), {
        requestId,
      });
      status = result.error ? 500 : 200;
      if (result.error) failure = result.error.message;
      const payload = result.error
        ? Buffer.from(
            JSON.stringify({
              error: { code: 'FunctionError', type: result.error.type, message: result.error.message },
            }),
          )
        : Buffer.from(result.body);
      const text = payload.toString('utf8');
      let json = false;
      try {
        JSON.parse(text);
        json = payload.length > 0;
      } catch {
        json = false;
      }
      res.writeHead(status, {
        ...extra,
        'content-type': json ? 'application/json' : 'application/octet-stream',
        'content-length': payload.length,
      });
      res.end(payload);
    } else {
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i];
        if (!skippedRequestHeaders.has(name.toLowerCase()))
          headers.push([name.toLowerCase(), req.rawHeaders[i + 1]]);
      }
      const method = req.method ?? 'GET';
      const hostName = req.headers.host ?? 'localhost';
      const reply = await executable.forward(
        { method, url: `http://${hostName}${route.path}`, headers, body: body.length ? body : void 0 },
        { requestId, clientIp },
      );
      status = reply.status;
      const out = { ...extra };
      for (const [name, value] of reply.headers) {
        if (name === 'content-length' || name === 'transfer-encoding' || name === 'connection') continue;
        const existing = out[name];
        if (existing === void 0) out[name] = value;
        else if (name === 'set-cookie')
          out[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
        else out[name] = `${existing}, ${value}`;
      }
      if (reply.body) out['content-length'] = String(reply.body.length);
      res.writeHead(status, out);
      res.end(reply.body ?? void 0);
    }
  } catch (error) {
    if (ExecutionError.is(error)) {
      status = error.status;
      failure = `${error.reason}: ${error.message}`;
      sendError(res, error.status, failureCodes[error.reason] ?? 'FunctionFailed', error.message, {
        requestId,
      });
    } else {
      status = 500;
      failure = error.message;
      sendFailure(res, error);
    }
  }
  const seconds = (performance.now() - started) / 1e3;
  context.metrics.inc('faasport_invocations_total', {
    function: fn.name,
    revision: label,
    status: String(status),
  });
  if (status >= 500)
    context.metrics.inc('faasport_invocation_errors_total', { function: fn.name, revision: label });
  context.metrics.observe({ function: fn.name }, seconds);
  context.logs.write({
    time: /* @__PURE__ */ new Date().toISOString(),
    level: status >= 500 ? 'error' : 'info',
    kind: 'invocation',
    function: fn.name,
    revision: label,
    requestId,
    message: `${options.mode === 'event' ? 'EVENT' : req.method} ${route.path.split('?')[0]} ${status} ${Math.round(seconds * 1e3)} ms${failure ? ` (${failure})` : ''}`,
    status,
    durationMs: Math.round(seconds * 1e3),
  });
}

// packages/runtime/src/bin.ts
var usage = `Usage: faasport-runtime [options]

Runs the bundled faasport runtime: the gateway and the admin API on one port.

Options:
  --data-dir <dir>          state, code, logs and buckets (default: $FAASPORT_DATA_DIR or ./.faasport)
  --port <n>                port to listen on; 0 picks a free one (default: 8080)
  --host <addr>             address to bind (default: 127.0.0.1, loopback only)
  --namespace <ns>          namespace in function hosts {fn}.{ns}.localhost (default: default)
  --warm-pool <n>           pre-started workers per runtime (default: 1; 0 disables)
  --retry-attempts <n>      event delivery attempts before dead-lettering (default: 5)
  --retry-backoff-ms <n>    first retry delay, doubled each time (default: 1000)
  -h, --help                show this help
`;
function integer(name, value, min, max) {
  if (value === void 0) return void 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(
      `--${name} ${JSON.stringify(value)} is not a whole number between ${min} and ${max}.
`,
    );
    process.exit(2);
  }
  return n;
}
async function main() {
  let values;
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
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`${error.message}

${usage}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const dataDir = path9.resolve(values['data-dir'] ?? process.env.FAASPORT_DATA_DIR ?? '.faasport');
  const runtime2 = await startRuntime({
    dataDir,
    port: integer('port', values.port, 0, 65535) ?? 8080,
    host: values.host ?? '127.0.0.1',
    namespace: values.namespace,
    warmPool: integer('warm-pool', values['warm-pool'], 0, 64),
    retry: {
      attempts: integer('retry-attempts', values['retry-attempts'], 1, 100),
      backoffMs: integer('retry-backoff-ms', values['retry-backoff-ms'], 1, 36e5),
    },
  });
  process.stdout.write(
    `faasport runtime listening on ${runtime2.url}
admin token in ${runtime2.tokenFile}
data in ${runtime2.dataDir}
`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    runtime2.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
main().catch((error) => {
  process.stderr.write(
    `${FaasportError.isInstance(error) ? error.message : (error.stack ?? String(error))}
`,
  );
  process.exit(1);
});
