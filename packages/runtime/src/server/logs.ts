import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { redact, redactValue } from '@faasport/core';
import { jsonValue, type MustBeNever } from '../json-text';

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

/** The fields {@link logLine} writes. */
type LogLineFields =
  | 'time'
  | 'level'
  | 'kind'
  | 'function'
  | 'revision'
  | 'requestId'
  | 'message'
  | 'status'
  | 'durationMs'
  | 'instance'
  | 'fields';
/** A field added to log entries but not written by {@link logLine} fails to compile here. */
// biome-ignore lint/correctness/noUnusedVariables: a compile-time check that nothing needs to use
type UnwrittenLogFields = MustBeNever<Exclude<keyof RuntimeLogEntry, LogLineFields>>;

/** `,"name":value`, or nothing for a field that is not set (as `JSON.stringify` leaves it out). */
const jsonField = (name: string, value: unknown): string =>
  value === undefined ? '' : `,"${name}":${jsonValue(value)}`;

/**
 * An entry's line in its file: its JSON, field by field, and a newline. The gateway writes one per call,
 * and `JSON.stringify` of the entry was a tenth of a loaded gateway's own JavaScript.
 */
export function logLine(entry: RuntimeLogEntry): string {
  return `{"time":${jsonValue(entry.time)},"level":${jsonValue(entry.level)}${jsonField('kind', entry.kind)},"function":${jsonValue(entry.function)}${jsonField('revision', entry.revision)}${jsonField('requestId', entry.requestId)},"message":${jsonValue(entry.message)}${jsonField('status', entry.status)}${jsonField('durationMs', entry.durationMs)}${jsonField('instance', entry.instance)}${jsonField('fields', entry.fields)}}\n`;
}

/**
 * Whether `redactValue` would change a JSON-like value: a registered secret in one of its texts or keys.
 * Nothing is copied to tell, so a line without secrets is written as it came.
 */
function holdsSecret(value: unknown): boolean {
  if (typeof value === 'string') return redact(value) !== value;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array))
    return Object.entries(value).some(([key, field]) => holdsSecret(key) || holdsSecret(field));
  return false;
}

/** The pending lines' buffer: its size to start with, and the most kept after a burst made it larger. */
const initialBufferBytes = 64 * 1024;
const maxKeptBufferBytes = 1024 * 1024;
const newline = Buffer.from('\n');

/** Lines of each function a read returns at most: the last ones. */
const readLines = 2000;
/** How much of a file's end is read at a time when looking for its last lines. */
const tailChunkBytes = 256 * 1024;
/**
 * Bytes a function's log file reaches before it is rotated: it becomes `<function>.ndjson.1` (replacing
 * the previous one) and a new file starts, so a function's logs take at most about twice this on disk.
 */
export const defaultLogFileBytes = 16 * 1024 * 1024;

/**
 * Per-function logs: appended as JSON lines to `logs/<function>.ndjson` and followable. Values
 * registered as secrets are redacted before anything is written.
 *
 * The file is the only copy. A line is encoded into one off-heap buffer as it is written, and the lines
 * of an event-loop turn are appended at its end in one write per function: no line stays on the heap,
 * where under load every minor garbage collection copied the lines kept (the last thousands, once; a
 * turn's text, joined line by line, later), which cost more than writing them. Reads, which are rare,
 * read the files' ends. A file is rotated once it reaches
 * `maxFileBytes`, so a server under load for days does not fill its disk with logs.
 */
export class LogStore {
  private readonly dir: string;
  /** Open files, per function (appended to). */
  private readonly files = new Map<string, number>();
  /** Bytes in each open file. */
  private readonly sizes = new Map<string, number>();
  private readonly maxFileBytes: number;
  /** The encoded lines not yet written, of every function, in the order they came. */
  private buffer = Buffer.allocUnsafeSlow(initialBufferBytes);
  private bufferedBytes = 0;
  /** Who wrote which bytes of `buffer`: a function's lines, as runs [start, end) of it. */
  private readonly pending = new Map<string, number[]>();
  private flushQueued = false;
  private closed = false;
  private readonly events = new EventEmitter();

  /** @param options.maxFileBytes - see {@link defaultLogFileBytes}. */
  constructor(dataDir: string, options: { maxFileBytes?: number } = {}) {
    this.maxFileBytes = options.maxFileBytes ?? defaultLogFileBytes;
    this.dir = path.join(dataDir, 'logs');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.events.setMaxListeners(0);
  }

  write(entry: RuntimeLogEntry): void {
    if (this.closed) return;
    const message = redact(entry.message);
    // The caller's entry is new for this line: it is written as is unless it holds a secret.
    const clean =
      message === entry.message && !(entry.fields && holdsSecret(entry.fields))
        ? entry
        : { ...entry, message, ...(entry.fields ? { fields: redactValue(entry.fields) } : {}) };
    const name = clean.function;
    this.encodeLine(name, logLine(clean));
    if (!this.flushQueued) {
      // One write per function at the end of the turn, not one per line.
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
    if (this.events.listenerCount('entry')) this.events.emit('entry', clean);
  }

  /** Lines of one function (or all), oldest first: the last 2000 of each function. */
  read(options: { function?: string; since?: Date; requestId?: string; limit?: number }): RuntimeLogEntry[] {
    this.flush();
    const names = options.function ? [options.function] : this.names();
    let out: RuntimeLogEntry[] = [];
    for (const name of names) for (const line of this.lastLines(name)) out.push(line);
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
    this.pending.delete(name);
    this.closeFile(name);
    fs.rmSync(this.file(name), { force: true });
    fs.rmSync(this.rotated(name), { force: true });
  }

  /** Writes the pending lines of every function. */
  flush(): void {
    this.flushQueued = false;
    if (this.closed) return;
    const buffer = this.buffer;
    for (const [name, runs] of this.pending) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < runs.length; at += 2) chunks.push(buffer.subarray(runs[at], runs[at + 1]));
      this.append(name, chunks);
    }
    this.pending.clear();
    // The writes were synchronous: the buffer is free again. One a rare burst made large is let go.
    this.bufferedBytes = 0;
    if (buffer.length > maxKeptBufferBytes) this.buffer = Buffer.allocUnsafeSlow(initialBufferBytes);
  }

  close(): Promise<void> {
    this.flush();
    this.closed = true;
    for (const name of [...this.files.keys()]) this.closeFile(name);
    return Promise.resolve();
  }

  /** Encodes a line of a function into the buffer, after the lines before it. */
  private encodeLine(name: string, line: string): void {
    // Bounded without measuring: UTF-8 takes at most 3 bytes a UTF-16 unit.
    const room = line.length * 3;
    if (this.buffer.length - this.bufferedBytes < room) {
      const next = Buffer.allocUnsafeSlow(Math.max(2 * this.buffer.length, this.bufferedBytes + room));
      this.buffer.copy(next, 0, 0, this.bufferedBytes);
      this.buffer = next;
    }
    const start = this.bufferedBytes;
    this.bufferedBytes += this.buffer.write(line, start);
    const runs = this.pending.get(name);
    if (runs === undefined) this.pending.set(name, [start, this.bufferedBytes]);
    // The run of the line before, when it was this function's too, grows; otherwise a run starts.
    else if (runs[runs.length - 1] === start) runs[runs.length - 1] = this.bufferedBytes;
    else runs.push(start, this.bufferedBytes);
  }

  /**
   * Appends to a function's file. Synchronous: appending a few kilobytes to a local file is one short
   * system call, cheaper than handing it to the thread pool, and a read right after sees it.
   */
  private append(name: string, chunks: Buffer[]): void {
    try {
      let fd = this.files.get(name);
      let size = this.sizes.get(name) ?? 0;
      if (fd === undefined) {
        fd = fs.openSync(this.file(name), 'a+', 0o600);
        this.files.set(name, fd);
        // A line cut by a crash stays a line of its own: the next one starts on a new line.
        size = fs.fstatSync(fd).size;
        const last = Buffer.alloc(1);
        if (size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 10)
          chunks.unshift(newline);
      }
      size += chunks.length === 1 ? fs.writeSync(fd, chunks[0]!) : fs.writevSync(fd, chunks);
      this.sizes.set(name, size);
      if (size >= this.maxFileBytes) {
        // Whole lines only: the file is rotated between two writes, never within one.
        this.closeFile(name);
        fs.renameSync(this.file(name), this.rotated(name));
      }
    } catch {
      // A full or vanished disk loses log lines, never a call.
      this.closeFile(name);
    }
  }

  private closeFile(name: string): void {
    const fd = this.files.get(name);
    if (fd === undefined) return;
    this.files.delete(name);
    this.sizes.delete(name);
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
  }

  private names(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((file) => file.endsWith('.ndjson'))
      .map((file) => file.slice(0, -'.ndjson'.length));
  }

  private file(name: string): string {
    return path.join(this.dir, `${name}.ndjson`);
  }

  /** The previous file of a function, kept after a rotation. */
  private rotated(name: string): string {
    return `${this.file(name)}.1`;
  }

  /** The last lines of a function: from its file, and from the rotated one when the file has too few. */
  private lastLines(name: string): RuntimeLogEntry[] {
    const current = this.tailOf(this.file(name), readLines);
    if (current.length >= readLines) return current;
    return [...this.tailOf(this.rotated(name), readLines - current.length), ...current];
  }

  /**
   * The last `count` lines of a file that are whole JSON (a line cut by a crash is left out), read
   * from the end of the file in chunks until there are enough of them.
   */
  private tailOf(file: string, count: number): RuntimeLogEntry[] {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return [];
    }
    try {
      let end = fs.fstatSync(fd).size;
      const chunks: Buffer[] = [];
      let newlines = 0;
      // One line more than needed: the first one found may be cut where the read started.
      while (end > 0 && newlines <= count) {
        const start = Math.max(0, end - tailChunkBytes);
        const chunk = Buffer.allocUnsafe(end - start);
        fs.readSync(fd, chunk, 0, chunk.length, start);
        for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) newlines++;
        chunks.unshift(chunk);
        end = start;
      }
      const lines = Buffer.concat(chunks).toString('utf8').split('\n');
      // Where the read started mid-file, the first line may be cut: it is never taken.
      const first = end > 0 ? 1 : 0;
      const entries: RuntimeLogEntry[] = [];
      for (let at = lines.length - 1; at >= first && entries.length < count; at--) {
        if (!lines[at]) continue;
        try {
          entries.push(JSON.parse(lines[at]!) as RuntimeLogEntry);
        } catch {
          // a line cut by a crash
        }
      }
      return entries.reverse();
    } finally {
      fs.closeSync(fd);
    }
  }
}
