import type { IncomingMessage, ServerResponse } from 'node:http';
import { ValidationError, z } from '@faasport/core';
import { zodIssues } from '@faasport/core/toolkit';
import type { RuntimeContext } from './context';
import { HttpError, readBody, sendJson } from './http';
import { maxMessagesPerPublish, type TopicMessageInput } from './topics';

const messageBody = z
  .strictObject({
    /** The body as text (sent as its UTF-8 bytes). */
    body: z.string().optional(),
    /** The body as base64, for bytes that are not text. */
    bodyBase64: z.base64({ error: 'must be base64' }).optional(),
    contentType: z.string().min(1).max(256).optional(),
    id: z.string().optional(),
  })
  .refine((m) => (m.body === undefined) !== (m.bodyBase64 === undefined), {
    error: 'needs exactly one of body (text) and bodyBase64',
  });

const publishBody = z.strictObject({
  messages: z
    .array(messageBody)
    .min(1, { error: 'must hold at least one message' })
    .max(maxMessagesPerPublish),
});

const header = (req: IncomingMessage, name: string) =>
  typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined;

/**
 * The topic routes of the admin API (`parts` below `/_faasport/v1`); false when the path is not one:
 * - `POST /topics/{topic}`: the request body is one message (its `content-type` kept; an optional
 *   `x-faasport-message-id` makes a retried publish a no-op);
 * - `POST /topics/{topic}/messages`: `{ messages: [{ body | bodyBase64, contentType?, id? }] }`, all or none;
 * - `GET /topics`: topics with their message counts and the triggers reading them;
 * - `GET /topics/{topic}/messages?limit=`: the newest messages.
 * A publish answers 202 once its messages and their deliveries are committed.
 */
export async function handleTopics(
  context: RuntimeContext,
  req: IncomingMessage,
  res: ServerResponse,
  parts: string[],
  query: URLSearchParams,
): Promise<boolean> {
  if (parts[0] !== 'topics') return false;
  const method = req.method ?? 'GET';
  const topic = parts[1];
  if (parts.length === 1 && method === 'GET') {
    sendJson(res, 200, { topics: context.topics.list() });
    return true;
  }
  if (!topic) return false;
  if (parts.length === 3 && parts[2] === 'messages' && method === 'GET') {
    const limit = Number(query.get('limit') ?? 100);
    sendJson(res, 200, {
      topic,
      messages: context.topics.messages(topic, Number.isFinite(limit) ? limit : 100),
    });
    return true;
  }
  if (method !== 'POST' || parts.length > 3 || (parts.length === 3 && parts[2] !== 'messages')) return false;
  let messages: TopicMessageInput[];
  if (parts.length === 2) {
    const id = header(req, 'x-faasport-message-id');
    const contentType = header(req, 'content-type');
    messages = [
      {
        body: await readBody(req, context.bodyLimit),
        ...(contentType ? { contentType } : {}),
        ...(id ? { id } : {}),
      },
    ];
  } else {
    const raw = await readBody(req, 64 * 1024 * 1024);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new HttpError(400, 'InvalidJson', `the request body is not JSON: ${(error as Error).message}`);
    }
    const parsed = publishBody.safeParse(json);
    if (!parsed.success)
      throw new ValidationError(zodIssues(parsed.error), { subject: `the publish to topic "${topic}"` });
    messages = parsed.data.messages.map((m) => ({
      body: m.body !== undefined ? Buffer.from(m.body, 'utf8') : Buffer.from(m.bodyBase64!, 'base64'),
      ...(m.contentType ? { contentType: m.contentType } : {}),
      ...(m.id !== undefined ? { id: m.id } : {}),
    }));
  }
  context.countWrite();
  sendJson(res, 202, { topic, messages: await context.topics.publish(topic, messages) });
  return true;
}
