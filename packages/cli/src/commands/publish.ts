import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigurationError, registerSecret } from '@faasport/core';
import { configArgs, jsonArgs, targetArgs } from '../args';
import { command } from '../command';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { loadProjectIfAny, projectDir, refuseSecretsInFile, resolveTarget } from '../project';
import { commandMeta } from './catalog';
import { publishToTopic, topicMessages } from './publish-topic';

/** What the broker answers: the event's id and the `function/trigger` pairs it was queued for. */
interface Published {
  id: string;
  deliveries: string[];
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * The event's data and its content type: `--data` as given (JSON when it parses, else text), or the
 * bytes of `--file` (JSON when they parse, else octet-stream); `--content-type` overrides either.
 */
function dataOf(
  args: { data?: string; file?: string; 'content-type'?: string },
  cwd: string,
): { body?: ArrayBuffer | string; contentType?: string } {
  if (args.data !== undefined && args.file !== undefined)
    throw new UsageError('Give the data with --data or --file, not both.', { command: 'publish' });
  if (args.file !== undefined) {
    const path = resolve(cwd, args.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new UsageError(
        `--file ${args.file}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
        { command: 'publish', hint: 'Pass the path of a readable file, relative to the current folder.' },
      );
    }
    const json = isJson(bytes.toString('utf8'));
    return {
      body: Uint8Array.from(bytes).buffer,
      contentType: args['content-type'] ?? (json ? 'application/json' : 'application/octet-stream'),
    };
  }
  if (args.data !== undefined)
    return {
      body: args.data,
      contentType: args['content-type'] ?? (isJson(args.data) ? 'application/json' : 'text/plain'),
    };
  return args['content-type'] ? { contentType: args['content-type'] } : {};
}

/**
 * `faasport publish`: Send a CloudEvent to the bundled runtime's broker. The event goes to the
 * runtime `faasport dev` or `faasport serve` runs for the project (the `local` target), with its
 * admin token read from the runtime's data dir, so nobody copies the token by hand.
 *
 * @public
 */
export default command({
  meta: commandMeta('publish'),
  args: {
    topic: {
      type: 'positional',
      required: false,
      description:
        'A topic of the runtime: publish a message to the queue triggers that read it (decision 0013)',
    },
    message: {
      type: 'positional',
      required: false,
      description: 'The message to publish on the topic (its bytes as given)',
    },
    type: {
      type: 'string',
      description: 'The event type (ce-type); for CloudEvents, without a topic',
      valueHint: 'type',
    },
    source: {
      type: 'string',
      description: 'Where the event comes from (ce-source), a URI reference such as /shop; without a topic',
      valueHint: 'uri',
    },
    data: {
      type: 'string',
      alias: 'd',
      description: 'The event data (JSON when it parses, else text), or the message on a topic',
      valueHint: 'data',
    },
    file: {
      type: 'string',
      description: 'Read the event data from a file; with a topic, NDJSON: one message per line',
      valueHint: 'path',
    },
    'content-type': {
      type: 'string',
      description: 'The data content type (default: application/json when the data is JSON)',
      valueHint: 'mime',
    },
    id: {
      type: 'string',
      description: 'The event id (ce-id), or the message id on a topic (default: a new UUID)',
      valueHint: 'id',
    },
    subject: { type: 'string', description: 'The event subject (ce-subject)', valueHint: 'subject' },
    ...targetArgs,
    ...configArgs,
    ...jsonArgs,
  },
  examples: [
    [`faasport publish orders '{"id":"o-1","total":42}'`, 'publish one message on the local topic orders'],
    ['faasport publish orders --file messages.ndjson', 'one message per line of the file'],
    [
      'faasport publish --type com.example.order.created --source /shop --data \'{"id":"o-1","total":42}\'',
      'publish an order event with JSON data',
    ],
    [
      'faasport publish --type com.example.order.created --source /shop --file order.json',
      'data from a file',
    ],
  ],
  epilogue:
    "Prints the functions the event was queued for (`function/trigger`); none when no trigger filter matches.\nWith a topic, prints each message's id and the queue triggers it was queued for; each 10,000 lines of\n--file are committed together. The broker delivers each queued event, retrying failures. Run it from the\nfolder `faasport dev` runs, or set FAASPORT_RUNTIME_URL and FAASPORT_RUNTIME_TOKEN. Local topics are this\nmachine's; beyond it, bind the topic to Kafka on a knative target.",
  async run(args, ctx) {
    if (args.topic !== undefined) return publishOnTopic(args, ctx);
    if (args.type === undefined || args.source === undefined)
      throw new UsageError(
        `--${args.type === undefined ? 'type' : 'source'} is required to publish a CloudEvent (or give a topic: faasport publish <topic> <message>).`,
        { command: 'publish' },
      );
    for (const [name, value] of [
      ['type', args.type],
      ['source', args.source],
      ['id', args.id],
    ] as const) {
      if (value !== undefined && value.trim() === '')
        throw new UsageError(`--${name} must not be empty: CloudEvents require the ${name} attribute.`, {
          command: 'publish',
        });
    }
    const { body, contentType } = dataOf(args, ctx.io.cwd);
    const connection = await runtimeConnection(args, ctx);
    const id = args.id ?? randomUUID();
    const headers: Record<string, string> = {
      authorization: `Bearer ${connection.token}`,
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': args.source,
      'ce-type': args.type,
      ...(args.subject ? { 'ce-subject': args.subject } : {}),
      ...(contentType ? { 'content-type': contentType } : {}),
    };
    // Binary content mode: the attributes in ce-* headers, the data as the body (CloudEvents HTTP binding 3.1,
    // https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md#31-binary-content-mode).
    const response = await fetch(`${connection.url}/_faasport/v1/events`, {
      method: 'POST',
      headers,
      ...(body === undefined ? {} : { body }),
      signal: ctx.io.signal,
    });
    const answer = await response.text();
    if (!response.ok) {
      const { errorOf } = await import('@faasport/runtime/adapter');
      let data: unknown;
      try {
        data = JSON.parse(answer);
      } catch {
        data = { error: { message: answer.slice(0, 500) } };
      }
      throw errorOf(response.status, data, 'POST /_faasport/v1/events');
    }
    const published = JSON.parse(answer) as Published;
    ctx.result(
      { id: published.id, type: args.type, source: args.source, deliveries: published.deliveries },
      (r) => {
        const c = ctx.out;
        ctx.print(`${c.green('✓')} published ${c.bold(r.id)} (${r.type} from ${r.source})`);
        if (r.deliveries.length === 0) ctx.print(c.dim('  no trigger matched: not queued for any function'));
        for (const delivery of r.deliveries) ctx.print(`  queued for ${c.cyan(delivery)}`);
      },
    );
  },
});

/** The runtime of the local target the args name (or the project's default target). */
async function runtimeConnection(args: { config?: string; target?: string }, ctx: CliContext) {
  const project = loadProjectIfAny(ctx, args.config);
  const target = resolveTarget(ctx, project, args.target);
  if (target.adapter !== 'local') {
    throw new ConfigurationError(
      `faasport publish sends events and messages to the bundled runtime; target "${target.name}" uses the ${target.adapter} adapter.`,
      {
        option: '--target',
        hint: 'Pass --target with a local target (the one `faasport dev` runs), or leave it out. On a cloud, publish with its own tools (a Kafka producer, the MNS console).',
      },
    );
  }
  await refuseSecretsInFile(project, target);
  const { localTargetConnection } = await import('@faasport/runtime/adapter');
  const connection = localTargetConnection(target.options, ctx.io.env, projectDir(ctx, project, args.config));
  registerSecret(connection.token);
  return connection;
}

/** `faasport publish <topic> [message]`: messages on a topic of the runtime. */
async function publishOnTopic(
  args: {
    topic?: string;
    message?: string;
    type?: string;
    source?: string;
    subject?: string;
    data?: string;
    file?: string;
    id?: string;
    'content-type'?: string;
    config?: string;
    target?: string;
  },
  ctx: CliContext,
): Promise<void> {
  const topic = args.topic!;
  for (const name of ['type', 'source', 'subject'] as const)
    if (args[name] !== undefined)
      throw new UsageError(
        `--${name} is a CloudEvent attribute; a message on topic "${topic}" has none (the runtime makes it a dev.faasport.queue.message event).`,
        {
          command: 'publish',
          hint: 'Leave the topic out to publish a CloudEvent, or leave --' + name + ' out.',
        },
      );
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic))
    throw new UsageError(
      `${JSON.stringify(topic)} is not a topic name (1-249 letters, digits, ".", "_" and "-").`,
      { command: 'publish' },
    );
  const messages = topicMessages(args, ctx.io.cwd);
  await publishToTopic(ctx, await runtimeConnection(args, ctx), topic, messages);
}
