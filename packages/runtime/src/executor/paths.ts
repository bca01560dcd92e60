import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/**
 * A function that rewrites paths into `codeDir` (as plain paths, which CommonJS and Python stacks show,
 * and as `file://` URLs, which ES module stacks show; the folder's real path too, since Node.js and
 * Python report modules by their real path) to the same paths under `sourceRoot`. Without a
 * `sourceRoot` it returns the text unchanged.
 */
export function sourcePathMapper(codeDir: string, sourceRoot: string | undefined): (text: string) => string {
  if (!sourceRoot) return (text) => text;
  const dirs = new Set([path.resolve(codeDir)]);
  try {
    dirs.add(realpathSync(codeDir));
  } catch {
    // The folder is gone: its plain path is all a message can hold.
  }
  const url = (dir: string) => `${pathToFileURL(dir).href.replace(/\/$/, '')}/`;
  const plain = (dir: string) => `${dir.replace(/[\\/]$/, '')}${path.sep}`;
  // URLs first: a plain path is a substring of its URL form.
  const pairs: Array<[string, string]> = [
    ...[...dirs].map((dir): [string, string] => [url(dir), url(sourceRoot)]),
    ...[...dirs].map((dir): [string, string] => [plain(dir), plain(sourceRoot)]),
  ];
  return (text) => {
    let out = text;
    for (const [from, to] of pairs) out = out.replaceAll(from, to);
    return out;
  };
}
