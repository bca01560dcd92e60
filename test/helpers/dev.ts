import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BinProcess } from './bin';
import { text } from './project';

/** A function in a `faasport dev --json` `deployed` line. */
export interface DeployedFunction {
  name: string;
  revision: string;
  changed: boolean;
  url?: string;
  hostUrl?: string;
}

/** A `faasport dev --json` `deployed` line. */
export interface Deployed {
  type: 'deployed';
  functions: DeployedFunction[];
  failed?: string[];
}

/**
 * Awaits, from line `from` on, a `deployed` line after which function `name` answers `expected`.
 * Deploys of an intermediate state (a save seen half-way) and errors on the way are passed over; a watcher
 * that missed the save never gets there, and the limit turns that into a failure that shows every line.
 */
export async function untilServes(
  dev: BinProcess,
  from: number,
  name: string,
  expected: string | ((fn: DeployedFunction) => string),
  step: string,
): Promise<DeployedFunction> {
  const body = (fn: DeployedFunction) => (typeof expected === 'string' ? expected : expected(fn));
  const search = async (): Promise<DeployedFunction> => {
    let at = from;
    for (;;) {
      const line = (await dev.next((l) => l.type === 'deployed', at)) as unknown as Deployed;
      at = dev.lines.indexOf(line as unknown as Record<string, unknown>) + 1;
      const fn = line.functions.find((f) => f.name === name);
      if (fn?.url && (await text(fn.url)).body === body(fn)) return fn;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `after ${step}, ${name} never answered as expected (${String(expected)}); dev printed:\n${dev.lines
              .slice(from)
              .map((l) => JSON.stringify(l))
              .join('\n')}\nstderr:\n${dev.stderr}`,
          ),
        ),
      60_000,
    );
  });
  try {
    return await Promise.race([search(), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** What vim, JetBrains IDEs and `sed -i` do: write a temporary file beside the original, rename it over. */
export function atomicSave(file: string, content: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(temp, content);
  renameSync(temp, file);
}
