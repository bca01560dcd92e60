import fs from 'node:fs';
import path from 'node:path';
import type { FunctionConfig, ResolvedTrafficEntry } from '@faasport/core';
import Database from 'better-sqlite3';

/** One stored revision: immutable once written. */
export interface RevisionRow {
  functionName: string;
  label: string;
  revisionHash: string;
  codeHash: string;
  /** The neutral config the revision was deployed with (secrets as references). */
  config: FunctionConfig;
  /** Secret values by env name (kept only here; never returned by the API). */
  secretValues: Record<string, string>;
  /** The folder the code was deployed from, which log lines and stack traces name. */
  sourceRoot?: string;
  createdAt: string;
}

/** One stored function. */
export interface FunctionRow {
  name: string;
  specHash?: string;
  /** The latest settings (scaling, triggers, domains, visibility) as neutral config. */
  config?: FunctionConfig;
  traffic: ResolvedTrafficEntry[];
  createdAt: string;
  updatedAt: string;
}

/** One queued event delivery. */
export interface QueuedEvent {
  seq: number;
  eventId: string;
  functionName: string;
  trigger: string;
  /** The CloudEvent as stored (JSON): delivered as these bytes, parsed only where an object is needed. */
  eventJson: string;
  attempts: number;
  maxAttempts: number;
  backoffMs: number;
  nextAt: number;
  status: 'pending' | 'dead';
  lastError?: string;
  createdAt: string;
}

/** What `Store.enqueue` stores: one delivery of one event to one trigger. */
export interface EventDelivery {
  eventId: string;
  functionName: string;
  trigger: string;
  /** The CloudEvent, already serialized as JSON. */
  eventJson: string;
  maxAttempts: number;
  backoffMs: number;
  /** When it is due (epoch ms); also its creation time. */
  at: number;
}

const schema = `
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
  source_root TEXT,
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

const nowIso = () => new Date().toISOString();

/**
 * The runtime's durable state in SQLite. WAL with synchronous=NORMAL: a committed write survives the
 * process being killed (`kill -9`) because it is in the WAL file before the API answers; only an OS
 * crash or power loss can lose the last commits: functions, immutable revisions, traffic, cron marks, the event queue, bucket objects.
 */
export class Store {
  readonly db: Database.Database;

  constructor(dataDir: string) {
    const file = path.join(dataDir, 'state.db');
    // The database holds secret values. SQLite creates its -wal and -shm files with the mode of the
    // database file (os_unix.c, findCreateFileMode), so the file is made 0600 before SQLite opens it,
    // and files an older version left readable are tightened.
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    const tighten = () => {
      for (const name of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`])
        if (fs.existsSync(name)) fs.chmodSync(name, 0o600);
    };
    tighten();
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(schema);
    // Data folders made before revisions remembered their source folder get the column.
    const columns = this.db.prepare('PRAGMA table_info(revisions)').all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'source_root'))
      this.db.exec('ALTER TABLE revisions ADD COLUMN source_root TEXT');
    tighten();
  }

  close(): void {
    this.db.close();
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once (preparing costs more than running a small query). */
  statement(sql: string): Database.Statement {
    return this.stmt(sql);
  }

  /** The backlog read of {@link dueEventsAfter}, returning rows as arrays. */
  private dueAfter: Database.Statement | undefined;

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `work` in one transaction (a savepoint when one is open already): all of it is stored, or
   * none. One wrapper serves every call: better-sqlite3 builds four for each `db.transaction()`.
   */
  transaction<T>(work: () => T): T {
    this.inTransaction ??= this.db.transaction((run: () => unknown) => run());
    return this.inTransaction(work) as T;
  }

  private inTransaction?: (run: () => unknown) => unknown;

  // --- functions ----------------------------------------------------------------------------

  listFunctions(): FunctionRow[] {
    return (this.stmt('SELECT * FROM functions ORDER BY name').all() as any[]).map(functionRow);
  }

  getFunction(name: string): FunctionRow | undefined {
    const row = this.stmt('SELECT * FROM functions WHERE name = ?').get(name);
    return row ? functionRow(row) : undefined;
  }

  ensureFunction(name: string): void {
    const now = nowIso();
    this.stmt(
      'INSERT OR IGNORE INTO functions (name, traffic, created_at, updated_at) VALUES (?, ?, ?, ?)',
    ).run(name, '[]', now, now);
  }

  /** Stores a function's settings; a null spec hash marks settings no deploy has confirmed yet. */
  setSettings(name: string, specHash: string | null, config: FunctionConfig): void {
    this.stmt('UPDATE functions SET spec_hash = ?, config = ?, updated_at = ? WHERE name = ?').run(
      specHash,
      JSON.stringify(config),
      nowIso(),
      name,
    );
  }

  setTraffic(name: string, traffic: ResolvedTrafficEntry[]): void {
    this.stmt('UPDATE functions SET traffic = ?, updated_at = ? WHERE name = ?').run(
      JSON.stringify(traffic),
      nowIso(),
      name,
    );
  }

  deleteFunction(name: string): void {
    this.transaction(() => {
      this.stmt('DELETE FROM revisions WHERE function_name = ?').run(name);
      this.stmt('DELETE FROM cron_state WHERE function_name = ?').run(name);
      this.stmt("DELETE FROM events WHERE function_name = ? AND status = 'pending'").run(name);
      this.stmt('DELETE FROM functions WHERE name = ?').run(name);
    });
  }

  // --- revisions ----------------------------------------------------------------------------

  listRevisions(name: string): RevisionRow[] {
    return (
      this.stmt('SELECT * FROM revisions WHERE function_name = ? ORDER BY created_at, rowid').all(
        name,
      ) as any[]
    ).map(revisionRow);
  }

  getRevision(name: string, label: string): RevisionRow | undefined {
    const row = this.stmt('SELECT * FROM revisions WHERE function_name = ? AND label = ?').get(name, label);
    return row ? revisionRow(row) : undefined;
  }

  insertRevision(row: Omit<RevisionRow, 'createdAt'>): void {
    this.stmt(
      'INSERT INTO revisions (function_name, label, revision_hash, code_hash, config, secret_values, created_at, source_root) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      row.functionName,
      row.label,
      row.revisionHash,
      row.codeHash,
      JSON.stringify(row.config),
      JSON.stringify(row.secretValues),
      nowIso(),
      row.sourceRoot ?? null,
    );
  }

  /** Every code hash still referenced (for garbage collection of the code folder). */
  codeHashes(): Set<string> {
    return new Set(
      (this.stmt('SELECT DISTINCT code_hash FROM revisions').all() as any[]).map(
        (r) => r.code_hash as string,
      ),
    );
  }

  // --- cron ---------------------------------------------------------------------------------

  lastFire(functionName: string, trigger: string): number | undefined {
    const row = this.stmt(
      'SELECT last_fire FROM cron_state WHERE function_name = ? AND trigger_name = ?',
    ).get(functionName, trigger) as any;
    return row?.last_fire;
  }

  setLastFire(functionName: string, trigger: string, at: number): void {
    this.stmt(
      'INSERT INTO cron_state (function_name, trigger_name, last_fire) VALUES (?, ?, ?) ON CONFLICT (function_name, trigger_name) DO UPDATE SET last_fire = excluded.last_fire',
    ).run(functionName, trigger, at);
  }

  // --- events -------------------------------------------------------------------------------

  /**
   * Queues a delivery; returns it as queued (with its sequence number), or undefined when the same
   * event was already queued for that trigger.
   */
  enqueue(entry: EventDelivery): QueuedEvent | undefined {
    if (entry.at !== this.isoAt) {
      this.isoAt = entry.at;
      this.iso = new Date(entry.at).toISOString();
    }
    const result = this.stmt(
      'INSERT OR IGNORE INTO events (event_id, function_name, trigger_name, event, max_attempts, backoff_ms, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      entry.eventId,
      entry.functionName,
      entry.trigger,
      entry.eventJson,
      entry.maxAttempts,
      entry.backoffMs,
      entry.at,
      this.iso,
    );
    if (result.changes === 0) return undefined;
    return {
      seq: Number(result.lastInsertRowid),
      eventId: entry.eventId,
      functionName: entry.functionName,
      trigger: entry.trigger,
      eventJson: entry.eventJson,
      attempts: 0,
      maxAttempts: entry.maxAttempts,
      backoffMs: entry.backoffMs,
      nextAt: entry.at,
      status: 'pending',
      createdAt: this.iso,
    };
  }

  /** The last creation time formatted, reused: a burst of publishes shares few distinct milliseconds. */
  private isoAt = Number.NaN;
  private iso = '';

  /** Due pending events not in `exclude` (retries, rows left by a restart, rows queued by other writers), by due time. */
  dueEvents(now: number, limit: number, exclude: ReadonlySet<number>): QueuedEvent[] {
    // Pick by sequence number first, then read only the chosen rows.
    const seqs = (
      this.stmt(
        "SELECT seq FROM events WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, seq LIMIT ?",
      ).all(now, limit + exclude.size) as Array<{ seq: number }>
    )
      .map((r) => r.seq)
      .filter((seq) => !exclude.has(seq))
      .slice(0, limit);
    const byId = this.stmt("SELECT * FROM events WHERE seq = ? AND status = 'pending'");
    return seqs.flatMap((seq) => {
      const row = byId.get(seq);
      return row ? [eventRow(row)] : [];
    });
  }

  /**
   * Due pending events after sequence number `afterSeq`, oldest first: the broker's backlog (deliveries
   * committed while memory was full), read on from where the last read stopped instead of past every
   * row already held in memory.
   */
  dueEventsAfter(afterSeq: number, now: number, limit: number): QueuedEvent[] {
    // `+status` and `+next_at` keep SQLite off the events_due index: with it, SQLite reads every
    // pending row and sorts them by seq for each read (quadratic over a backlog); without it, the read
    // walks the primary key from `afterSeq` and stops after `limit` rows. Rows come as arrays: a
    // backlog is read a few hundred rows at a time, and an object per row with every column named cost
    // about twice as much.
    let statement = this.dueAfter;
    if (!statement) {
      statement = this.db
        .prepare(
          "SELECT seq, event_id, function_name, trigger_name, event, attempts, max_attempts, backoff_ms, next_at, last_error, created_at FROM events WHERE seq > ? AND +status = 'pending' AND +next_at <= ? ORDER BY seq LIMIT ?",
        )
        .raw(true);
      this.dueAfter = statement;
    }
    const rows = statement.all(afterSeq, now, limit) as Array<
      [number, string, string, string, string, number, number, number, number, string | null, string]
    >;
    const out: QueuedEvent[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      out[i] = {
        seq: row[0],
        eventId: row[1],
        functionName: row[2],
        trigger: row[3],
        eventJson: row[4],
        attempts: row[5],
        maxAttempts: row[6],
        backoffMs: row[7],
        nextAt: row[8],
        status: 'pending',
        lastError: row[9] ?? undefined,
        createdAt: row[10],
      };
    }
    return out;
  }

  /** When the earliest pending event is due (for the first sweep after a start). */
  firstDueAt(): number | undefined {
    const row = this.stmt("SELECT MIN(next_at) AS at FROM events WHERE status = 'pending'").get() as any;
    return row?.at ?? undefined;
  }

  /** A delivered event leaves the queue. */
  delivered(seq: number): void {
    this.stmt('DELETE FROM events WHERE seq = ?').run(seq);
  }

  /** A failed attempt: retried later with exponential backoff, or moved to the dead-letter store. */
  failed(event: QueuedEvent, error: string, now: number): 'retry' | 'dead' {
    const attempts = event.attempts + 1;
    if (attempts >= event.maxAttempts) {
      this.stmt("UPDATE events SET attempts = ?, status = 'dead', last_error = ? WHERE seq = ?").run(
        attempts,
        error,
        event.seq,
      );
      return 'dead';
    }
    const delay = event.backoffMs * 2 ** (attempts - 1);
    this.stmt('UPDATE events SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?').run(
      attempts,
      now + delay,
      error,
      event.seq,
    );
    return 'retry';
  }

  deadLetters(functionName?: string): QueuedEvent[] {
    const rows = functionName
      ? this.stmt("SELECT * FROM events WHERE status = 'dead' AND function_name = ? ORDER BY seq").all(
          functionName,
        )
      : this.stmt("SELECT * FROM events WHERE status = 'dead' ORDER BY seq").all();
    return (rows as any[]).map(eventRow);
  }

  pendingCount(): number {
    return (this.stmt("SELECT COUNT(*) AS n FROM events WHERE status = 'pending'").get() as any).n;
  }

  // --- bucket objects -----------------------------------------------------------------------

  putObject(bucket: string, key: string, size: number, etag: string, contentType: string | undefined): void {
    this.stmt(
      'INSERT INTO objects (bucket, key, size, etag, content_type, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET size = excluded.size, etag = excluded.etag, content_type = excluded.content_type, updated_at = excluded.updated_at',
    ).run(bucket, key, size, etag, contentType ?? null, nowIso());
  }

  getObject(
    bucket: string,
    key: string,
  ): { size: number; etag: string; contentType?: string; updatedAt: string } | undefined {
    const row = this.stmt('SELECT * FROM objects WHERE bucket = ? AND key = ?').get(bucket, key) as any;
    return row
      ? {
          size: row.size,
          etag: row.etag,
          contentType: row.content_type ?? undefined,
          updatedAt: row.updated_at,
        }
      : undefined;
  }

  deleteObject(bucket: string, key: string): boolean {
    return this.stmt('DELETE FROM objects WHERE bucket = ? AND key = ?').run(bucket, key).changes > 0;
  }

  listObjects(
    bucket: string,
    prefix = '',
  ): Array<{ key: string; size: number; etag: string; updatedAt: string }> {
    const rows = this.stmt(
      'SELECT * FROM objects WHERE bucket = ? AND substr(key, 1, length(?)) = ? ORDER BY key',
    ).all(bucket, prefix, prefix) as any[];
    return rows.map((r) => ({ key: r.key, size: r.size, etag: r.etag, updatedAt: r.updated_at }));
  }
}

function functionRow(row: any): FunctionRow {
  return {
    name: row.name,
    specHash: row.spec_hash ?? undefined,
    config: row.config ? JSON.parse(row.config) : undefined,
    traffic: JSON.parse(row.traffic),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function revisionRow(row: any): RevisionRow {
  return {
    functionName: row.function_name,
    label: row.label,
    revisionHash: row.revision_hash,
    codeHash: row.code_hash,
    config: JSON.parse(row.config),
    secretValues: JSON.parse(row.secret_values),
    ...(row.source_root ? { sourceRoot: row.source_root } : {}),
    createdAt: row.created_at,
  };
}

function eventRow(row: any): QueuedEvent {
  return {
    seq: row.seq,
    eventId: row.event_id,
    functionName: row.function_name,
    trigger: row.trigger_name,
    eventJson: row.event,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    backoffMs: row.backoff_ms,
    nextAt: row.next_at,
    status: row.status,
    lastError: row.last_error ?? undefined,
    createdAt: row.created_at,
  };
}
