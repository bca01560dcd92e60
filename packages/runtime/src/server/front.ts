import http from 'node:http';
import type { Server, Socket } from 'node:net';

/** A request the front parsed completely: head and body. */
export interface FrontRequest {
  method: string;
  /** The request target as sent (origin form: path and query). */
  target: string;
  /** The `Host` header. */
  host: string;
  /** Every header in order, names lower-cased, values as sent (trimmed). */
  headers: [string, string][];
  body: Buffer;
  remoteAddress: string | undefined;
}

/** The answer to a {@link FrontRequest}. */
export interface FrontReply {
  status: number;
  /** Names lower-cased; `content-length`, `transfer-encoding` and `connection` are set by the front. */
  headers: [string, string][];
  body: Uint8Array | null;
}

/** What a parsed head is, before its body arrives: enough to decide who serves it. */
export interface FrontHead {
  method: string;
  target: string;
  host: string;
  headers: [string, string][];
  /** Looks a header up by lower-case name (the first one). */
  header(name: string): string | undefined;
}

/** Serves one request the front accepted. Must not throw: failures are replies too. */
export type FrontHandler = (request: FrontRequest) => Promise<FrontReply>;

/** Options of {@link HttpFront}. */
export interface FrontOptions {
  /**
   * Decides who serves a request: a handler to serve it here, or `undefined` to hand the connection
   * (with this request) to Node's HTTP server for good.
   */
  accept(head: FrontHead): FrontHandler | undefined;
  /** Largest request head in bytes; a larger one goes to Node's server (which answers 431). */
  maxHeaderBytes: number;
  /** Largest body served here; a larger declared one goes to Node's server (which answers 413). */
  bodyLimit: number;
  /** A client must send a request head within this time. */
  headersTimeoutMs: number;
  /** A client must send a whole request within this time. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: number;
  /**
   * Once the front closes a connection (after a `Connection: close` answer, a 408 or the client's end),
   * the client has this long to close its side before the connection is destroyed.
   */
  closeGraceMs: number;
  /** How often the timeouts above are checked. */
  checkIntervalMs: number;
}

const crlfcrlf = Buffer.from('\r\n\r\n');
const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Request targets served here: printable ASCII without spaces, starting with `/`.
const targetPattern = /^\/[\x21-\x7e]*$/;
// Header values: visible characters, spaces, tabs and obs-text; no other control characters.
const valuePattern = /^[\t\x20-\x7e\x80-\xff]*$/;
const maxHeaderCount = 200;
/** Bytes a client may send ahead (pipelining) while a request is served before reading pauses. */
const maxPendingBytes = 1024 * 1024;
/** Bodies up to this size go out with the head in one write, as latin1 text. */
const inlineBodyBytes = 16 * 1024;

/** `line` from `start`, without the spaces and tabs around it (HTTP's OWS; not other whitespace). */
function trimSpaces(line: string, start: number): string {
  let end = line.length;
  while (start < end && (line.charCodeAt(start) === 32 || line.charCodeAt(start) === 9)) start++;
  while (end > start && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
  return line.slice(start, end);
}

/** The head of a request, or `undefined` when anything about it is unusual (Node's parser takes those). */
function parseHead(text: string): FrontHead | undefined {
  const lineEnd = text.indexOf('\r\n');
  const requestLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const firstSpace = requestLine.indexOf(' ');
  const lastSpace = requestLine.lastIndexOf(' ');
  if (firstSpace <= 0 || lastSpace === firstSpace) return undefined;
  if (requestLine.slice(lastSpace + 1) !== 'HTTP/1.1') return undefined;
  const method = requestLine.slice(0, firstSpace);
  const target = requestLine.slice(firstSpace + 1, lastSpace);
  if (!methods.has(method) || !targetPattern.test(target)) return undefined;
  const headers: [string, string][] = [];
  let host: string | undefined;
  let position = lineEnd < 0 ? text.length : lineEnd + 2;
  while (position < text.length) {
    let end = text.indexOf('\r\n', position);
    if (end < 0) end = text.length;
    const line = text.slice(position, end);
    position = end + 2;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon);
    if (!tokenPattern.test(name)) return undefined;
    const value = trimSpaces(line, colon + 1);
    if (!valuePattern.test(value)) return undefined;
    const lower = name.toLowerCase();
    if (lower === 'host') {
      if (host !== undefined) return undefined;
      host = value;
    }
    headers.push([lower, value]);
    if (headers.length > maxHeaderCount) return undefined;
  }
  if (host === undefined) return undefined;
  return {
    method,
    target,
    host,
    headers,
    header(wanted) {
      for (const [name, value] of headers) if (name === wanted) return value;
      return undefined;
    },
  };
}

/**
 * What the front needs besides the handler: the body length, and whether the connection closes after
 * this request. `undefined` sends the request to Node's parser (chunked bodies, `Expect`, upgrades,
 * ambiguous lengths).
 */
function framing(head: FrontHead, bodyLimit: number): { length: number; close: boolean } | undefined {
  let length: number | undefined;
  let close = false;
  for (const [name, value] of head.headers) {
    switch (name) {
      case 'content-length': {
        // One plain decimal length; anything else (lists, repeats) is Node's parser's to judge.
        if (length !== undefined || !/^\d{1,15}$/.test(value)) return undefined;
        length = Number(value);
        break;
      }
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return undefined;
      case 'connection':
        for (const option of value.toLowerCase().split(',')) {
          const token = option.trim();
          if (token === 'close') close = true;
          else if (token === 'upgrade') return undefined;
        }
        break;
    }
  }
  if ((length ?? 0) > bodyLimit) return undefined;
  return { length: length ?? 0, close };
}

let cachedDate = '';
let cachedDateAt = 0;
/** The `Date` header, rendered at most once per second like Node's own. */
function dateHeader(): string {
  const now = Date.now();
  if (now - cachedDateAt >= 1000) {
    cachedDateAt = now - (now % 1000);
    cachedDate = new Date(cachedDateAt).toUTCString();
  }
  return cachedDate;
}

const bodylessStatus = (status: number) => status < 200 || status === 204 || status === 304;

/**
 * Renders a reply's head. Returns `undefined` when a header a function set cannot go on the wire
 * (bad name, or a value with control characters such as CR/LF): the caller answers 502 instead.
 */
function renderHead(
  reply: FrontReply,
  method: string,
  close: boolean,
  keepAliveSeconds: number,
): string | undefined {
  let head = `HTTP/1.1 ${reply.status} ${http.STATUS_CODES[reply.status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of reply.headers) {
    if (name === 'content-length' || name === 'transfer-encoding' || name === 'connection') continue;
    if (!tokenPattern.test(name) || !valuePattern.test(value)) return undefined;
    head += `${name}: ${value}\r\n`;
  }
  head += `date: ${dateHeader()}\r\n`;
  head += close
    ? 'connection: close\r\n'
    : `connection: keep-alive\r\nkeep-alive: timeout=${keepAliveSeconds}\r\n`;
  if (!bodylessStatus(reply.status) && !(method === 'HEAD' && !reply.body))
    head += `content-length: ${reply.body?.length ?? 0}\r\n`;
  return `${head}\r\n`;
}

/** The JSON error the runtime answers with, as a reply. */
export function errorReply(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FrontReply {
  return {
    status,
    headers: [['content-type', 'application/json']],
    body: Buffer.from(JSON.stringify({ error: { code, message, ...extra } })),
  };
}

/** A request whose head is parsed and accepted, waiting for the rest of its body. */
interface PendingRequest {
  head: FrontHead;
  handler: FrontHandler;
  close: boolean;
  /** Where the body starts and ends in the connection's bytes. */
  bodyStart: number;
  end: number;
}

/** One client connection while the front serves it. */
class FrontConnection {
  /**
   * The bytes received and not yet served, as they arrived: they are joined only when a head is
   * looked for or a body is complete, so a body sent in many small writes is copied once, not once
   * per write.
   */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The head of the request being received, once it is complete and accepted. */
  private pending: PendingRequest | undefined;
  private busy = false;
  /** The connection closes: nothing more is read into the buffer or served. */
  private closing = false;
  /** When `closing` was set. */
  private closingSince = 0;
  /** Bytes the client sent after the front decided to close; too many and the connection is cut. */
  private discarded = 0;
  /** The request being served asked to close the connection: what follows it is never served. */
  private closeAfterReply = false;
  /** When the first byte of the request being received arrived (0: between requests). */
  requestStartedAt = 0;
  /** Whether the head of that request is complete (only its body is missing). */
  headComplete = false;
  idleSince = Date.now();
  /** The client half-closed its side: answer what it sent, then close. */
  private clientEnded = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onEnd = () => {
    this.clientEnded = true;
    if (!this.busy) this.next();
  };
  private readonly onError = () => this.socket.destroy();

  constructor(
    readonly socket: Socket,
    private readonly front: HttpFront,
  ) {
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', () => front.forget(this));
  }

  /** Bytes held for requests not served yet. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private receive(chunk: Buffer): void {
    if (this.closing || this.closeAfterReply) {
      // Nothing after a closing request is served: drop it. A client that keeps sending is not
      // reading its answer either, so it is cut off rather than read for the whole grace period.
      this.discarded += chunk.length;
      if (this.discarded > maxPendingBytes) this.socket.destroy();
      return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.requestStartedAt === 0) this.requestStartedAt = Date.now();
    if (this.busy) {
      if (this.buffered > maxPendingBytes) this.socket.pause();
      return;
    }
    // Most of a large body: nothing to do until the last byte of it.
    if (this.pending && this.buffered < this.pending.end) return;
    this.next();
  }

  /** The buffered bytes as one buffer (joined at most once per call). */
  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }

  /** Keeps the bytes from `start` on. */
  private consume(buffer: Buffer, start: number): void {
    if (start >= buffer.length) {
      this.chunks = [];
      this.buffered = 0;
    } else {
      this.chunks = [buffer.subarray(start)];
      this.buffered = buffer.length - start;
    }
  }

  /** The request at the start of `buffer` when its head is complete and the front serves it here. */
  private parse(buffer: Buffer): PendingRequest | 'wait' | 'hand-off' {
    const { options } = this.front;
    const headEnd = buffer.indexOf(crlfcrlf);
    if (headEnd < 0) return buffer.length > options.maxHeaderBytes ? 'hand-off' : 'wait';
    if (headEnd + 4 > options.maxHeaderBytes) return 'hand-off';
    const head = parseHead(buffer.toString('latin1', 0, headEnd));
    const frame = head && framing(head, options.bodyLimit);
    const handler = frame && head && options.accept(head);
    if (!head || !frame || !handler) return 'hand-off';
    return { head, handler, close: frame.close, bodyStart: headEnd + 4, end: headEnd + 4 + frame.length };
  }

  /** Serves the buffered requests one after another (pipelined requests are answered in order). */
  private next(): void {
    while (!this.busy && !this.closing && !this.closeAfterReply && this.buffered > 0) {
      const buffer = this.joined();
      if (!this.pending) {
        const parsed = this.parse(buffer);
        if (parsed === 'hand-off') {
          this.handOff();
          return;
        }
        if (parsed === 'wait') {
          this.headComplete = false;
          if (this.clientEnded) this.finish();
          return;
        }
        this.pending = parsed;
      }
      const { head, handler, close, bodyStart, end } = this.pending;
      if (buffer.length < end) {
        this.headComplete = true;
        if (this.clientEnded) this.finish();
        return;
      }
      this.pending = undefined;
      const body = buffer.subarray(bodyStart, end);
      // Nothing after a closing request is served: what was pipelined behind it is dropped.
      this.consume(buffer, close ? buffer.length : end);
      if (close) {
        this.closeAfterReply = true;
        this.discarded = buffer.length - end;
      }
      this.requestStartedAt = this.buffered ? Date.now() : 0;
      this.headComplete = false;
      this.busy = true;
      const request: FrontRequest = {
        method: head.method,
        target: head.target,
        host: head.host,
        headers: head.headers,
        body,
        remoteAddress: this.socket.remoteAddress,
      };
      handler(request).then(
        (reply) => this.answer(reply, head.method, close),
        (error: unknown) =>
          this.answer(
            errorReply(500, 'FP_INTERNAL', `internal error: ${(error as Error)?.message ?? String(error)}`),
            head.method,
            close,
          ),
      );
    }
    if (this.buffered === 0 && !this.busy) {
      this.requestStartedAt = 0;
      this.idleSince = Date.now();
      if (this.clientEnded) this.finish();
    }
  }

  /**
   * From now on the connection only closes: what is buffered is dropped, what arrives is discarded,
   * and the timeout sweep destroys it after the grace period.
   */
  private startClosing(): void {
    this.closing = true;
    this.closingSince = Date.now();
    this.chunks = [];
    this.buffered = 0;
    this.pending = undefined;
  }

  /** Closes after the client went away mid-request or between requests, or at shutdown. */
  private finish(): void {
    if (this.closing) return;
    this.startClosing();
    this.socket.end();
  }

  private answer(reply: FrontReply, method: string, requestedClose: boolean): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    // While the front drains, every answer is the connection's last.
    const close = requestedClose || this.front.draining;
    const keepAliveSeconds = Math.floor(this.front.options.keepAliveTimeoutMs / 1000);
    let head = renderHead(reply, method, close, keepAliveSeconds);
    let body = method === 'HEAD' || bodylessStatus(reply.status) ? null : reply.body;
    if (head === undefined) {
      const failure = errorReply(
        502,
        'FunctionBadResponse',
        'the function answered with a header that cannot be sent (invalid name, or a value with control characters)',
      );
      head = renderHead(failure, method, close, keepAliveSeconds)!;
      body = method === 'HEAD' ? null : failure.body;
    }
    let flushed: boolean;
    if (!body || body.length === 0) flushed = socket.write(head, 'latin1');
    else if (body.length <= inlineBodyBytes)
      flushed = socket.write(
        head + Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1'),
        'latin1',
      );
    else {
      socket.cork();
      socket.write(head, 'latin1');
      flushed = socket.write(body);
      socket.uncork();
    }
    this.busy = false;
    if (close) {
      this.startClosing();
      socket.end();
      return;
    }
    if (socket.isPaused() && this.buffered <= maxPendingBytes) socket.resume();
    // A client that does not read its answers gets no more served until it does.
    if (flushed) this.next();
    else socket.once('drain', () => this.next());
  }

  /** Hands the connection, with what it sent so far, to Node's HTTP server for good. */
  private handOff(): void {
    const socket = this.socket;
    socket.removeListener('data', this.onData);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('error', this.onError);
    this.front.forget(this);
    if (this.clientEnded) {
      // Node's server would never see the end it needs: nothing more can be answered here.
      socket.destroy();
      return;
    }
    socket.pause();
    if (this.buffered) socket.unshift(this.joined());
    this.chunks = [];
    this.buffered = 0;
    this.front.fallback(socket);
    socket.resume();
  }

  /** Enforces the slow-client, keep-alive and closing timeouts. */
  check(now: number): void {
    const { options } = this.front;
    if (this.closing) {
      // The client had its answer (or its 408) and the grace period to close; an answer still being
      // written gets as long as a request may take.
      const limit = this.socket.writableLength > 0 ? options.requestTimeoutMs : options.closeGraceMs;
      if (now - this.closingSince > limit) this.socket.destroy();
      return;
    }
    if (this.busy) return;
    if (this.requestStartedAt) {
      const limit = this.headComplete ? options.requestTimeoutMs : options.headersTimeoutMs;
      if (now - this.requestStartedAt > limit) {
        const reply = errorReply(408, 'RequestTimeout', 'the client did not send its request in time');
        this.startClosing();
        this.socket.end(
          `${renderHead(reply, 'GET', true, 0)}${Buffer.from(reply.body!).toString('latin1')}`,
          'latin1',
        );
      }
    } else if (now - this.idleSince > options.keepAliveTimeoutMs) {
      this.startClosing();
      this.socket.destroy();
    }
  }

  /** Shutdown: a connection with a call in flight closes after its answer; any other closes now. */
  drain(): void {
    if (this.busy) this.closeAfterReply = true;
    else this.finish();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * The gateway's HTTP/1.1 front: it reads requests straight off client connections and serves the
 * simple, common ones (a function call with a `Content-Length` body, or none) without Node's
 * `IncomingMessage`/`ServerResponse` machinery, which costs more than the rest of a call. Anything
 * else — the admin API, chunked bodies, `Expect`, upgrades, HTTP/1.0, oversized heads, malformed
 * input — hands the whole connection to Node's HTTP server, so every edge case keeps Node's behaviour.
 */
export class HttpFront {
  private readonly connections = new Set<FrontConnection>();
  private readonly timer: NodeJS.Timeout;
  private readonly nodeListener: (socket: Socket) => void;

  /**
   * Takes over the `connection` event of `server` (a Node HTTP server, which keeps listening and
   * tracking its own connections): new connections reach the front first.
   */
  constructor(
    private readonly server: http.Server,
    readonly options: FrontOptions,
  ) {
    const [listener] = server.listeners('connection') as Array<(socket: Socket) => void>;
    if (typeof listener !== 'function') throw new Error('the HTTP server has no connection listener');
    this.nodeListener = listener;
    server.removeListener('connection', listener);
    (server as Server).on('connection', (socket: Socket) => {
      if (this.draining) {
        socket.destroy();
        return;
      }
      this.connections.add(new FrontConnection(socket, this));
    });
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const connection of this.connections) connection.check(now);
    }, options.checkIntervalMs);
    this.timer.unref();
  }

  /** Gives a connection to Node's HTTP server. */
  fallback(socket: Socket): void {
    this.nodeListener.call(this.server, socket);
  }

  forget(connection: FrontConnection): void {
    this.connections.delete(connection);
  }

  /** Connections the front is serving now. */
  get size(): number {
    return this.connections.size;
  }

  /** Bytes held for requests not served yet, over every connection. */
  get bufferedBytes(): number {
    let total = 0;
    for (const connection of this.connections) total += connection.bufferedBytes;
    return total;
  }

  /** Set by {@link HttpFront.drain}: no new request is served, every answer closes its connection. */
  draining = false;

  /**
   * Starts a graceful shutdown: calls in flight are answered (with `Connection: close`), then their
   * connections close; idle and half-received connections close now. The timeout sweep keeps running,
   * so a client that does not close its side is destroyed after the grace period.
   */
  drain(): void {
    this.draining = true;
    for (const connection of this.connections) connection.drain();
  }

  /** Closes every connection the front holds and stops its timer. */
  close(): void {
    clearInterval(this.timer);
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
  }
}
