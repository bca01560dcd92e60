import path from 'node:path';
import { type CloudEvent, defineFunction, deploy } from '@faasport/core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, tempDir } from './helpers/fixtures';
import { request } from './helpers/runtime-process';

// The broker's group commit: the publishes that arrive in one event-loop turn share one SQLite
// transaction, and each 202 is written only after it commits. The failures here are SQLite's own,
// caused by triggers this test adds to the runtime's database through a second connection: a
// deferred foreign key that only COMMIT checks, and an insert that aborts.

let runtime: Runtime;
let db: Database.Database;
const delivered = new Set<string>();

beforeAll(async () => {
  const dataDir = tempDir('faasport-commit-');
  runtime = await startRuntime({
    dataDir,
    port: 0,
    onDelivery: (outcome) => {
      if (outcome.outcome === 'delivered') delivered.add(outcome.eventId);
    },
  });
  await deploy(
    createLocalAdapter({ url: runtime.url, token: runtime.token }),
    defineFunction({
      name: 'sink',
      contract: 'event',
      source: { inline: 'export default () => "ok";\n' },
      triggers: [{ event: { filter: { type: 'commit.test' } } }],
    }),
  );
  db = new Database(path.join(dataDir, 'state.db'));
  db.exec(`
    CREATE TABLE poison_parent (id INTEGER PRIMARY KEY);
    CREATE TABLE poison_child (parent INTEGER REFERENCES poison_parent (id) DEFERRABLE INITIALLY DEFERRED);
    CREATE TRIGGER poison_commit AFTER INSERT ON events WHEN NEW.event_id LIKE 'commit-poison%'
      BEGIN INSERT INTO poison_child VALUES (1); END;
    CREATE TRIGGER poison_insert BEFORE INSERT ON events WHEN NEW.event_id LIKE 'insert-poison%'
      BEGIN SELECT RAISE(ABORT, 'poisoned insert'); END;
  `);
});

afterAll(async () => {
  db?.close();
  await runtime?.close();
  cleanTemp();
});

const event = (id: string): CloudEvent => ({
  specversion: '1.0',
  id,
  source: '/commit-test',
  type: 'commit.test',
  datacontenttype: 'application/json',
  data: { n: 1 },
});

/** Publishes one event per id, all in this turn (so in one group commit); each result or error. */
const publishTogether = (ids: string[]) => Promise.allSettled(ids.map((id) => runtime.publish([event(id)])));

const stored = (ids: string[]) =>
  (
    db
      .prepare(`SELECT COUNT(*) AS n FROM events WHERE event_id IN (${ids.map(() => '?').join(', ')})`)
      .get(...ids) as { n: number }
  ).n;

async function waitForDelivery(ids: string[]): Promise<void> {
  const until = Date.now() + 20_000;
  while (!ids.every((id) => delivered.has(id))) {
    if (Date.now() > until) throw new Error(`not delivered: ${ids.filter((id) => !delivered.has(id))}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('group commit', () => {
  test('a commit that fails fails every publish of its group and stores none of them', async () => {
    const ids = ['commit-a', 'commit-poison', 'commit-b'];
    const results = await publishTogether(ids);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(stored(ids)).toBe(0);
    // The broker goes on: the next publishes commit and are delivered, the failed ones never are.
    const after = await publishTogether(['after-1', 'after-2']);
    expect(after.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    await waitForDelivery(['after-1', 'after-2']);
    expect(ids.filter((id) => delivered.has(id))).toEqual([]);
  });

  test('a publish whose insert fails fails alone: the others of its group are committed and delivered', async () => {
    const results = await publishTogether(['group-a', 'insert-poison', 'group-b']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/poisoned insert/);
    expect(stored(['insert-poison'])).toBe(0);
    await waitForDelivery(['group-a', 'group-b']);
    expect(delivered.has('insert-poison')).toBe(false);
  });

  test('over HTTP, a publish whose commit fails is answered 500 and is not stored', async () => {
    const reply = await request(`${runtime.url}/_faasport/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${runtime.token}`,
        'ce-id': 'commit-poison-http',
        'ce-source': '/commit-test',
        'ce-type': 'commit.test',
        'ce-specversion': '1.0',
        'content-type': 'application/json',
      },
      body: '{"n":1}',
    });
    expect(reply.status).toBe(500);
    expect(stored(['commit-poison-http'])).toBe(0);
  });
});
