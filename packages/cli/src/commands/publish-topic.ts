import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliContext } from '../context';
import { UsageError } from '../errors';

/** Messages sent in one request; the runtime commits each request all or none. */
const perRequest = 10_000;

/** What the runtime answers per message. */
interface PublishedMessage {
  id: string;
  deliveries: string[];
  stored: boolean;
}

/** The messages of `faasport publish <topic>`: `[data]` (or `--data`) as one message, or `--file` as NDJSON. */
export function topicMessages(
  args: { message?: string; data?: string; file?: string; id?: string; 'content-type'?: string },
  cwd: string,
): Array<{ body: string; contentType?: string; id?: string }> {
  const given = [args.message !== undefined, args.data !== undefined, args.file !== undefined].filter(
    Boolean,
  );
  if (given.length > 1)
    throw new UsageError(
      'Give the message as the argument after the topic, with --data, or with --file: one of them.',
      {
        command: 'publish',
      },
    );
  if (given.length === 0)
    throw new UsageError(
      'Give the message to publish after the topic, or --file with one message per line.',
      {
        command: 'publish',
        hint: `Run \`faasport publish orders '{"id":1}'\` or \`faasport publish orders --file messages.ndjson\`.`,
      },
    );
  const contentType = args['content-type'];
  const withType = (body: string) => ({ body, ...(contentType ? { contentType } : {}) });
  if (args.file === undefined)
    return [{ ...withType((args.message ?? args.data)!), ...(args.id ? { id: args.id } : {}) }];
  if (args.id !== undefined)
    throw new UsageError(
      '--id names one message; with --file each line is its own message with its own id.',
      {
        command: 'publish',
      },
    );
  const path = resolve(cwd, args.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--file ${args.file}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      { command: 'publish', hint: 'Pass the path of a readable file, relative to the current folder.' },
    );
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0)
    throw new UsageError(`--file ${args.file} holds no message: write one message per line (NDJSON).`, {
      command: 'publish',
    });
  return lines.map(withType);
}

/**
 * Publishes messages on a topic of the bundled runtime (`POST /_faasport/v1/topics/{topic}/messages`),
 * at most {@link perRequest} per request, and prints each message's id and deliveries.
 */
export async function publishToTopic(
  ctx: CliContext,
  connection: { url: string; token: string },
  topic: string,
  messages: Array<{ body: string; contentType?: string; id?: string }>,
): Promise<void> {
  const published: PublishedMessage[] = [];
  for (let at = 0; at < messages.length; at += perRequest) {
    const route = `POST /_faasport/v1/topics/${topic}/messages`;
    const response = await fetch(
      `${connection.url}/_faasport/v1/topics/${encodeURIComponent(topic)}/messages`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${connection.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: messages.slice(at, at + perRequest) }),
        signal: ctx.io.signal,
      },
    );
    const answer = await response.text();
    if (!response.ok) {
      const { errorOf } = await import('@faasport/runtime/adapter');
      let data: unknown;
      try {
        data = JSON.parse(answer);
      } catch {
        data = { error: { message: answer.slice(0, 500) } };
      }
      throw errorOf(response.status, data, route);
    }
    published.push(...(JSON.parse(answer) as { messages: PublishedMessage[] }).messages);
  }
  ctx.result({ topic, messages: published }, (r) => {
    const c = ctx.out;
    ctx.print(
      `${c.green('✓')} published ${r.messages.length} message${r.messages.length === 1 ? '' : 's'} on ${c.bold(r.topic)}`,
    );
    const shown = r.messages.slice(0, 20);
    for (const m of shown) {
      if (!m.stored) ctx.print(c.dim(`  ${m.id}: already on the topic, not queued again`));
      else if (m.deliveries.length === 0) ctx.print(c.dim(`  ${m.id}: no queue trigger reads this topic`));
      else ctx.print(`  ${m.id} queued for ${m.deliveries.map((d) => c.cyan(d)).join(', ')}`);
    }
    if (r.messages.length > shown.length)
      ctx.print(c.dim(`  … and ${r.messages.length - shown.length} more (--json lists all)`));
  });
}
