import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { redact, redactValue } from '@faasport/core';

/** One structured log line of a function: its own output, or the runtime's record of an invocation. */
export interface RuntimeLogEntry {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  function: string;
  revision?: string;
  requestId?: string;
  message: string;
  /** Set on invocation records: `invocation`. */
  kind?: 'invocation' | 'log' | 'system';
  status?: number;
  durationMs?: number;
  instance?: string;
  /** The fields of a `ctx.log.*(message, fields)` call, kept structured. */
  fields?: Record<string, unknown>;
}

const ringSize = 2000;

/**
 * Per-function logs: appended as JSON lines to `logs/<function>.ndjson`, kept in memory for fast reads,
 * and followable. Values registered as secrets are redacted before anything is written.
 *
 * Memory keeps each line as its JSON text, the form the file needs anyway: a line is one string to
 * the garbage collector rather than an object of a dozen fields, and the last few thousand lines of a
 * busy function stay in memory long enough to be copied by every minor collection. Reads, which are
 * rare, parse them.
 */
export class LogStore {
  private readonly dir: string;
  private readonly rings = new Map<string, string[]>();
  private readonly streams = new Map<string, fs.WriteStream>();
  /** Text not yet written, per function: written every 100 ms (one write, not one per line). */
  private readonly pending = new Map<string, string>();
  private flushScheduled = false;
  private closed = false;
  private readonly events = new EventEmitter();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'logs');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.events.setMaxListeners(0);
  }

  write(entry: RuntimeLogEntry): void {
    const message = redact(entry.message);
    // The caller's entry is new for this line: it is written as is unless redaction changed something.
    const clean =
      message === entry.message && !entry.fields
        ? entry
        : { ...entry, message, ...(entry.fields ? { fields: redactValue(entry.fields) } : {}) };
    const name = clean.function;
    const line = JSON.stringify(clean);
    let ring = this.rings.get(name);
    if (!ring) {
      ring = this.load(name);
      this.rings.set(name, ring);
    }
    ring.push(line);
    // Trim in chunks: dropping one entry per write would copy the whole ring every time.
    if (ring.length > ringSize * 2) ring.splice(0, ring.length - ringSize);
    // One string per function, appended to: joined as it grows, with no array of lines to join later.
    this.pending.set(name, `${this.pending.get(name) ?? ''}${line}\n`);
    if (!this.flushScheduled) {
      // Written every 100 ms rather than per line: under load a write per event-loop turn costs more
      // than the work being logged. Reads see the lines at once (they come from memory).
      this.flushScheduled = true;
      setTimeout(() => this.flush(), 100).unref();
    }
    if (this.events.listenerCount('entry')) this.events.emit('entry', clean);
  }

  /** Lines of one function (or all), oldest first. */
  read(options: { function?: string; since?: Date; requestId?: string; limit?: number }): RuntimeLogEntry[] {
    const names = options.function ? [options.function] : this.names();
    let out: RuntimeLogEntry[] = [];
    for (const name of names) {
      let ring = this.rings.get(name);
      if (!ring) {
        ring = this.load(name);
        this.rings.set(name, ring);
      }
      for (const line of ring.slice(-ringSize)) out.push(JSON.parse(line) as RuntimeLogEntry);
    }
    if (options.since) out = out.filter((e) => e.time >= options.since!.toISOString());
    if (options.requestId) out = out.filter((e) => e.requestId === options.requestId);
    out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    return options.limit ? out.slice(-options.limit) : out;
  }

  /** Calls `listener` for every new line until the returned function is called. */
  follow(listener: (entry: RuntimeLogEntry) => void): () => void {
    this.events.on('entry', listener);
    return () => this.events.off('entry', listener);
  }

  /** Drops a removed function's logs. */
  remove(name: string): void {
    this.rings.delete(name);
    this.pending.delete(name);
    this.streams.get(name)?.end();
    this.streams.delete(name);
    fs.rmSync(this.file(name), { force: true });
  }

  /** Writes the pending lines of every function. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    for (const [name, text] of this.pending) if (text) this.stream(name).write(text);
    this.pending.clear();
  }

  close(): Promise<void> {
    this.flush();
    this.closed = true;
    const ends = [...this.streams.values()].map((s) => new Promise<void>((resolve) => s.end(resolve)));
    this.streams.clear();
    return Promise.all(ends).then(() => undefined);
  }

  private names(): string[] {
    const names = new Set(this.rings.keys());
    for (const file of fs.readdirSync(this.dir))
      if (file.endsWith('.ndjson')) names.add(file.slice(0, -'.ndjson'.length));
    return [...names];
  }

  private file(name: string): string {
    return path.join(this.dir, `${name}.ndjson`);
  }

  private stream(name: string): fs.WriteStream {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = fs.createWriteStream(this.file(name), { flags: 'a', mode: 0o600 });
      this.streams.set(name, stream);
    }
    return stream;
  }

  /** The last lines of a function's file that are whole JSON (a line cut by a crash is left out). */
  private load(name: string): string[] {
    try {
      const lines = fs.readFileSync(this.file(name), 'utf8').split('\n').filter(Boolean).slice(-ringSize);
      return lines.filter((line) => {
        try {
          JSON.parse(line);
          return true;
        } catch {
          return false;
        }
      });
    } catch {
      return [];
    }
  }
}
