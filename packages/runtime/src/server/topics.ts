import { randomUUID } from 'node:crypto';
import { queueMessageEvent, ValidationError, type ValidationIssue } from '@faasport/core';
import type { Broker, SettingsSource } from './broker';
import type { Store } from './store';

/** One message to publish on a local topic. */
export interface TopicMessageInput {
  /** The body, as bytes. */
  body: Uint8Array;
  contentType?: string;
  /** A message id chosen by the publisher: publishing the same id on a topic again is a no-op. */
  id?: string;
}

/** What publishing answers per message: its id and the `function/trigger` deliveries queued for it. */
export interface PublishedMessage {
  id: string;
  deliveries: string[];
  /** False when a message with this id was already on the topic (nothing was queued again). */
  stored: boolean;
}

/** Most messages one publish may carry. */
export const maxMessagesPerPublish = 10_000;
/** Messages kept per topic for listing; older ones are pruned (their deliveries stay queued). */
const keptPerTopic = 1000;
/** A topic is pruned once this many messages came since its last pruning (not on every publish). */
const pruneEvery = 100;
const topicName = /^[A-Za-z0-9._-]{1,249}$/;
const messageId = /^[\x21-\x7e]{1,128}$/;

const schema = `
CREATE TABLE IF NOT EXISTS topic_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  message_id TEXT NOT NULL,
  body BLOB NOT NULL,
  content_type TEXT,
  published_at TEXT NOT NULL,
  UNIQUE (topic, message_id)
);
`;

/** Checks a topic name with the model's rule; throws a ValidationError naming it. */
export function checkTopicName(topic: string): void {
  if (!topicName.test(topic))
    throw new ValidationError([
      {
        path: 'topic',
        message: `${JSON.stringify(topic.slice(0, 80))} is not a topic name (1-249 letters, digits, ".", "_" and "-")`,
        rule: 'topic-name',
      },
    ]);
}

/**
 * The runtime's durable topics (decision 0013). Publishing stores each message and queues one
 * delivery per queue trigger on the topic in the broker's durable queue, all in the broker's group
 * commit before the publish is acknowledged; the broker then delivers each as a
 * `dev.faasport.queue.message` event, with its retries, backoff, dead-letter store and per-function
 * pacing. A message goes to the triggers that exist when it is published. One machine's topics:
 * beyond it, use Kafka through Knative.
 */
export class Topics {
  /** Messages published per topic since it was last pruned. */
  private readonly sincePrune = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly broker: Broker,
    private readonly settings: SettingsSource,
  ) {
    store.db.exec(schema);
  }

  /**
   * Publishes messages on a topic, all or none; resolves with each message's deliveries once they are
   * committed. Bad input throws a ValidationError and stores nothing.
   */
  async publish(topic: string, messages: TopicMessageInput[]): Promise<PublishedMessage[]> {
    checkTopicName(topic);
    const issues: ValidationIssue[] = [];
    if (messages.length === 0)
      issues.push({ path: 'messages', message: 'must hold at least one message', rule: 'min' });
    if (messages.length > maxMessagesPerPublish)
      issues.push({
        path: 'messages',
        message: `holds ${messages.length} messages; one publish takes at most ${maxMessagesPerPublish} (split it)`,
        rule: 'max',
      });
    messages.forEach((m, i) => {
      if (m.id !== undefined && !messageId.test(m.id))
        issues.push({
          path: `messages[${i}].id`,
          message: `${JSON.stringify(m.id.slice(0, 80))} is not a message id (1-128 printable ASCII characters, no spaces)`,
          rule: 'message-id',
        });
    });
    if (issues.length) throw new ValidationError(issues, { subject: `the publish to topic "${topic}"` });
    const triggers = this.triggersOf(topic);
    const insert = this.store.statement(
      'INSERT OR IGNORE INTO topic_messages (topic, message_id, body, content_type, published_at) VALUES (?, ?, ?, ?, ?)',
    );
    const deliveries = triggers.map(({ settings, trigger }) => `${settings.name}/${trigger}`);
    return this.broker.grouped((enqueue) => {
      const time = new Date().toISOString();
      const published = messages.map((m): PublishedMessage => {
        const id = m.id ?? randomUUID();
        const stored = insert.run(topic, id, m.body, m.contentType ?? null, time).changes > 0;
        if (!stored) return { id, deliveries: [], stored };
        if (triggers.length) {
          const event = queueMessageEvent({
            topic,
            id,
            body: m.body,
            ...(m.contentType ? { contentType: m.contentType } : {}),
            attempt: 1,
            time,
          });
          const eventJson = JSON.stringify(event);
          for (const { settings, trigger } of triggers) enqueue(settings, trigger, event, eventJson);
        }
        return { id, deliveries, stored };
      });
      const since = (this.sincePrune.get(topic) ?? 0) + messages.length;
      if (since >= pruneEvery) this.prune(topic);
      this.sincePrune.set(topic, since >= pruneEvery ? 0 : since);
      return published;
    });
  }

  /** Every topic with a message or a trigger: its message count and the triggers reading it. */
  list(): Array<{ topic: string; messages: number; triggers: string[] }> {
    const counts = new Map<string, number>();
    for (const row of this.store
      .statement('SELECT topic, COUNT(*) AS n FROM topic_messages GROUP BY topic')
      .all() as Array<{ topic: string; n: number }>)
      counts.set(row.topic, row.n);
    const readers = new Map<string, string[]>();
    for (const { settings } of this.settings())
      for (const t of settings.triggers)
        if (t.kind === 'queue')
          readers.set(t.topic, [...(readers.get(t.topic) ?? []), `${settings.name}/${t.name}`]);
    return [...new Set([...counts.keys(), ...readers.keys()])]
      .sort()
      .map((topic) => ({ topic, messages: counts.get(topic) ?? 0, triggers: readers.get(topic) ?? [] }));
  }

  /** The newest messages of a topic (at most `limit`), oldest first. */
  messages(
    topic: string,
    limit = 100,
  ): Array<{ id: string; contentType?: string; publishedAt: string; size: number; bodyBase64: string }> {
    checkTopicName(topic);
    const rows = this.store
      .statement('SELECT * FROM topic_messages WHERE topic = ? ORDER BY seq DESC LIMIT ?')
      .all(topic, Math.max(1, Math.min(limit, keptPerTopic))) as any[];
    return rows.reverse().map((r) => ({
      id: r.message_id,
      ...(r.content_type ? { contentType: r.content_type } : {}),
      publishedAt: r.published_at,
      size: (r.body as Buffer).length,
      bodyBase64: (r.body as Buffer).toString('base64'),
    }));
  }

  private triggersOf(topic: string) {
    const out: Array<{ settings: ReturnType<SettingsSource>[number]['settings']; trigger: string }> = [];
    for (const { settings } of this.settings())
      for (const t of settings.triggers)
        if (t.kind === 'queue' && t.topic === topic) out.push({ settings, trigger: t.name });
    return out;
  }

  /**
   * Keeps the newest messages of a topic (at least `keptPerTopic`; pruned every `pruneEvery`
   * messages); the id check for duplicates reaches as far back.
   */
  private prune(topic: string): void {
    this.store
      .statement(
        'DELETE FROM topic_messages WHERE topic = ? AND seq <= (SELECT seq FROM topic_messages WHERE topic = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)',
      )
      .run(topic, topic, keptPerTopic);
  }
}
