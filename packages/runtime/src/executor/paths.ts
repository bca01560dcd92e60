import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The folder of the `@faasport/runtime` package, found from this module's location so it works both
 * from `src/` (tests) and from `dist/` (the published build).
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'worker', 'node-worker.mjs'))) {
      cachedRoot = dir;
      return dir;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the faasport runtime's worker folder above ${fileURLToPath(import.meta.url)}`);
}

/** The path of a worker script shipped in the package's `worker/` folder. */
export function workerPath(name: string): string {
  return path.join(packageRoot(), 'worker', name);
}

/**
 * The node_modules folders holding the runtime's own dependencies (e.g. `raw-body`), put on
 * NODE_PATH so function code written for FC's Node runtimes can `require` them as it does there.
 */
export function defaultNodePath(): string[] {
  const require = createRequire(path.join(packageRoot(), 'package.json'));
  const dirs = new Set<string>();
  for (const dep of ['raw-body']) {
    try {
      const pkg = require.resolve(`${dep}/package.json`);
      dirs.add(path.dirname(path.dirname(pkg)));
    } catch {
      // Not installed: functions that need it will get a clear "Cannot find module" error.
    }
  }
  return [...dirs];
}
