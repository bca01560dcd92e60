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
 */
export class LogStore {
  private readonly dir: string;
  private readonly rings = new Map<string, RuntimeLogEntry[]>();
  private readonly streams = new Map<string, fs.WriteStream>();
  /** Lines not yet written, per function: written together every 100 ms (one write, not one per line). */
  private readonly pending = new Map<string, string[]>();
  private flushScheduled = false;
  private closed = false;
  private readonly events = new EventEmitter();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'logs');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.events.setMaxListeners(0);
  }

  write(entry: RuntimeLogEntry): void {
    const clean = {
      ...entry,
      message: redact(entry.message),
      ...(entry.fields ? { fields: redactValue(entry.fields) } : {}),
    };
    let ring = this.rings.get(clean.function);
    if (!ring) {
      ring = this.load(clean.function);
      this.rings.set(clean.function, ring);
    }
    ring.push(clean);
    // Trim in chunks: dropping one entry per write would copy the whole ring every time.
    if (ring.length > ringSize * 2) ring.splice(0, ring.length - ringSize);
    let lines = this.pending.get(clean.function);
    if (!lines) {
      lines = [];
      this.pending.set(clean.function, lines);
    }
    lines.push(JSON.stringify(clean));
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
      out.push(...ring.slice(-ringSize));
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
    for (const [name, lines] of this.pending) {
      if (lines.length) this.stream(name).write(`${lines.join('\n')}\n`);
    }
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

  private load(name: string): RuntimeLogEntry[] {
    try {
      const lines = fs.readFileSync(this.file(name), 'utf8').split('\n').filter(Boolean).slice(-ringSize);
      return lines.flatMap((line) => {
        try {
          return [JSON.parse(line) as RuntimeLogEntry];
        } catch {
          return [];
        }
      });
    } catch {
      return [];
    }
  }
}
