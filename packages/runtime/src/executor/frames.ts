import type { Duplex } from 'node:stream';
import v8 from 'node:v8';

/**
 * A message channel over a stream: frames of a 4-byte little-endian length and a v8-serialized value
 * (so bodies travel as bytes, not base64). Frames sent in the same turn are written together, so a
 * busy instance costs one system call for many messages rather than one each (Node's own IPC channel
 * writes every message separately).
 */
export class FrameChannel {
  private outgoing: Buffer[] = [];
  private flushQueued = false;
  private incoming: Buffer = Buffer.alloc(0);

  constructor(
    private readonly stream: Duplex,
    onMessage: (message: Record<string, unknown>) => void,
  ) {
    stream.on('data', (chunk: Buffer) => {
      this.incoming = this.incoming.length ? Buffer.concat([this.incoming, chunk]) : chunk;
      let offset = 0;
      while (this.incoming.length - offset >= 4) {
        const size = this.incoming.readUInt32LE(offset);
        if (this.incoming.length - offset - 4 < size) break;
        const message = v8.deserialize(this.incoming.subarray(offset + 4, offset + 4 + size)) as Record<
          string,
          unknown
        >;
        offset += 4 + size;
        onMessage(message);
      }
      this.incoming = offset === this.incoming.length ? Buffer.alloc(0) : this.incoming.subarray(offset);
    });
    stream.on('error', () => undefined);
  }

  /** Queues a message; it is written at the end of the current turn. */
  send(message: Record<string, unknown>): void {
    const body = v8.serialize(message);
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32LE(body.length, 0);
    this.outgoing.push(header, body);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    const frames = this.outgoing;
    this.outgoing = [];
    if (frames.length && this.stream.writable)
      this.stream.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  }
}
