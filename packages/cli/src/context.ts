import { colourFor, type OutputStream, type Palette, palette } from './output/terminal';

/**
 * What the CLI reads from and writes to. `runCli` takes it so tests can run commands in-process
 * with captured output; the bin passes the real process streams.
 *
 * @public
 */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** For confirmations; absent or not a TTY means "not interactive". */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted when the user interrupts (Ctrl-C); long-running commands stop on it. */
  signal: AbortSignal;
}

/**
 * The context every command receives (citty's `data`): the streams, colour palettes and the
 * output mode. Commands print through it and never touch `process` directly.
 *
 * @public
 */
export class CliContext {
  readonly io: CliIo;
  /** Colours for stdout. */
  readonly out: Palette;
  /** Colours for stderr. */
  readonly err: Palette;
  /** `--json`: stdout carries exactly one JSON document (or NDJSON for streams), no decoration. */
  json = false;
  /** The exit code when the command returns normally (a command sets 1 for a soft failure, e.g. an HTTP 500). */
  exitCode = 0;

  constructor(io: CliIo) {
    this.io = io;
    this.out = palette(colourFor(io.stdout, io.env));
    this.err = palette(colourFor(io.stderr, io.env));
  }

  /** Writes a line to stdout. */
  print(line = ''): void {
    this.io.stdout.write(`${line}\n`);
  }

  /** Writes a line to stderr (progress, notes, warnings: never part of the result). */
  note(line = ''): void {
    if (!this.json) this.io.stderr.write(`${line}\n`);
  }

  /**
   * Prints a command's result: as JSON with `--json`, else through `human` (which prints with
   * {@link CliContext.print}).
   */
  result<T>(value: T, human: (value: T) => void): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
    else human(value);
  }

  /** Prints one line of a JSON stream (NDJSON), for `dev`, `serve` and `logs --follow`. */
  jsonLine(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, jsonReplacer)}\n`);
  }

  /** Whether the user can be asked a question. */
  get interactive(): boolean {
    return this.io.stdin?.isTTY === true && this.io.stdout.isTTY === true && !this.json;
  }

  /** Asks a yes/no question on the terminal; `false` unless the answer starts with y. */
  async confirm(question: string): Promise<boolean> {
    const stdin = this.io.stdin;
    if (!stdin) return false;
    this.io.stderr.write(`${question} ${this.err.dim('[y/N]')} `);
    const answer = await new Promise<string>((resolve) => {
      const onData = (chunk: Buffer | string) => {
        stdin.off('data', onData);
        stdin.pause();
        resolve(String(chunk));
      };
      stdin.on('data', onData);
      stdin.resume();
    });
    return /^\s*y/i.test(answer);
  }
}

/** JSON.stringify replacer: Uint8Arrays become their length, errors become their JSON view. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.byteLength };
  if (value instanceof Error) {
    const withJson = value as Error & { toJSON?: () => unknown };
    return typeof withJson.toJSON === 'function'
      ? withJson.toJSON()
      : { name: value.name, message: value.message };
  }
  return value;
}
