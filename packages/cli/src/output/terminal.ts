/**
 * Colour and layout for terminal output. Colour is on only for a TTY (or FORCE_COLOR), and off
 * whenever NO_COLOR is set, so a pipe always gets plain text.
 */

/** A stream the CLI writes to. @public */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Colour functions; each is the identity when colour is off. @public */
export interface Palette {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const wrap = (on: boolean, open: number, close: number) => (text: string) =>
  on ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/**
 * Decides whether a stream gets colour: NO_COLOR wins, then FORCE_COLOR, then "is it a TTY".
 *
 * @public
 */
export function colourFor(stream: OutputStream, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** A palette that colours when `enabled`. @public */
export function palette(enabled: boolean): Palette {
  return {
    enabled,
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    cyan: wrap(enabled, 36, 39),
  };
}

/** Strips ANSI colour codes, for measuring widths. @internal */
export function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/**
 * Lays rows out in aligned columns (the last column is not padded).
 *
 * @public
 */
export function table(rows: string[][], indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
  }
  return rows
    .map((row) =>
      (
        indent +
        row
          .map((cell, i) =>
            i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell)),
          )
          .join('  ')
      ).trimEnd(),
    )
    .join('\n');
}
