// Loading a function into a Node worker: the environment, the handler's module (ES module or CommonJS,
// as Node.js loads it) and its export, strictly by name.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// A sandboxed worker may write only its scratch folder: it stays the temp folder after the load.
const scratch = process.env.FAASPORT_SCRATCH;

/**
 * Loads a function: sets its environment and working folder, imports its handler (and initializer)
 * module. Returns the loaded function and its initializer, if it has one, for the caller to run.
 */
export async function loadFunction(spec) {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, spec.baseEnv, spec.env, scratch ? { TMPDIR: scratch } : {});
  process.chdir(spec.codeDir);
  const main = splitHandler(spec.handler ?? 'index.handler');
  const loaded = await importCode(spec.codeDir, main.file);
  const handler = resolveExport(loaded, main, 'handler', spec.handler ?? 'index.handler');
  const fn = {
    spec,
    handler,
    env: { ...spec.env },
    frozenEnv: Object.freeze({ ...spec.env }),
    seesNothing: declaresNoParameters(handler),
  };
  let initializer;
  if (spec.initializer) {
    const init = splitHandler(spec.initializer);
    const initLoaded = init.file === main.file ? loaded : await importCode(spec.codeDir, init.file);
    initializer = resolveExport(initLoaded, init, 'initializer', spec.initializer);
  }
  return { fn, initializer };
}

/**
 * Whether a function provably cannot see what it is called with: no parameters (a default or rest
 * parameter counts as one) and no `arguments`. Such a web handler is called without building its
 * Web Request, which costs more than the rest of a small call. Anything unclear counts as "sees".
 */
function declaresNoParameters(handler) {
  if (handler.length !== 0) return false;
  const source = Function.prototype.toString.call(handler);
  if (source.includes('[native code]') || /\barguments\b/.test(source)) return false;
  return /^(?:async\s*)?(?:function\b\s*\*?\s*[\w$]*\s*|\*?\s*[\w$]+\s*)?\(\s*\)\s*(?:=>|\{)/.test(source);
}

/**
 * Runs the loader's steps on one of the worker's own modules (`<dir>/<file>.mjs`, export `name`),
 * changing nothing (no environment, no working folder): a pooled worker does this before it reports
 * ready, so the first load of a cold start does not compile them. Returns the export.
 */
export async function warmLoader(dir, file, name) {
  const loaded = await importCode(dir, file);
  const handler = resolveExport(loaded, { exportName: name }, 'handler', `${file}.${name}`);
  // V8 runs a regular expression's first executions in its interpreter and compiles it on a later
  // one: a few runs here, so that compile does not fall on the cold start's load.
  for (let i = 0; i < 3; i++) declaresNoParameters(handler);
  return handler;
}

function splitHandler(handler) {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) return { file: handler, exportName: 'default' };
  return { file: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

function resolveFile(codeDir, file) {
  const base = path.resolve(codeDir, file);
  const root = path.resolve(codeDir) + path.sep;
  if (!base.startsWith(root)) throw new Error(`handler file "${file}" is outside the code folder`);
  const candidates = path.extname(base) ? [base] : [];
  candidates.push(
    `${base}.js`,
    `${base}.mjs`,
    `${base}.cjs`,
    path.join(base, 'index.js'),
    path.join(base, 'index.mjs'),
  );
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (!found)
    throw new Error(
      `handler file "${file}" not found in the code (tried ${candidates.map((c) => path.relative(codeDir, c)).join(', ')})`,
    );
  return found;
}

/**
 * Loads a handler module the way Node.js does: `.mjs` (and `.js` that is an ES module) with import(),
 * anything else with require(). Returns the module and its kind, which decides how exports are read.
 *
 * An `.mjs` file is not tried with require() first, although Node.js 20.19+ can load an ES module
 * that way: measured on Node.js 20.20, a pooled cold start of an `.mjs` handler took about 6 ms longer
 * through require() than through import(). Measured again with the benchmark's cold starts (require() of
 * `.mjs` warmed in the pool like import() is): p50 8.4–8.5 ms against 4.7–4.8 ms, although the worker's own
 * load step took no longer, and alone require() of a small `.mjs` is faster (0.2–0.4 ms against 0.5–0.8).
 * Where the difference comes from is not known.
 */
async function importCode(codeDir, file) {
  const found = resolveFile(codeDir, file);
  const relative = path.relative(codeDir, found);
  if (found.endsWith('.mjs')) return { mod: await importModule(found), kind: 'esm', relative };
  try {
    const mod = createRequire(path.join(codeDir, 'index.js'))(found);
    // require() of an ES module in a .js file (Node.js 20.19+) returns its namespace object.
    return { mod, kind: mod?.[Symbol.toStringTag] === 'Module' ? 'esm' : 'cjs', relative };
  } catch (error) {
    // ESM in a .js file (type: module, or detected module syntax), or top-level await.
    if (
      error?.code === 'ERR_REQUIRE_ESM' ||
      error?.code === 'ERR_REQUIRE_ASYNC_MODULE' ||
      error instanceof SyntaxError
    ) {
      return { mod: await importModule(found), kind: 'esm', relative };
    }
    throw error;
  }
}

async function importModule(file) {
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    // import() leaves a syntax error's file and line out of its stack; `node --check` prints them.
    if (error instanceof SyntaxError && !error.stack?.startsWith(file)) {
      const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 5000 });
      const where = check.stderr?.split('\n\n')[0];
      if (where?.startsWith(file)) error.stack = `${where}\n\n${error.stack}`;
    }
    throw error;
  }
}

/**
 * The export a handler names, strictly: an ES module's export of that name; a CommonJS module's
 * `module.exports.<name>`, where `default` is `module.exports.default` or else `module.exports`
 * itself (as Node.js imports CommonJS). Never another export: a typo is an error naming the module,
 * the export and the exports it has, the same rule core's static check (`checkHandlerExports`) applies.
 */
function resolveExport({ mod, kind, relative }, { exportName }, field, spec) {
  let value = exportOf(mod, exportName);
  if (value === undefined && kind === 'cjs' && exportName === 'default') value = mod;
  const names = exportNames(mod, kind);
  if (value === undefined) {
    const near = nearest(exportName, names);
    const error = new Error(
      `${field} "${spec}": ${relative} has no export "${exportName}" (it exports: ${names.join(', ') || 'nothing'})${near ? `; did you mean "${spec.slice(0, spec.length - exportName.length)}${near}"?` : ''}`,
    );
    error.name = 'HandlerNotFound';
    throw error;
  }
  if (typeof value !== 'function') {
    const error = new Error(
      `${field} "${spec}": export "${exportName}" of ${relative} is ${value === null ? 'null' : `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`}, not a function`,
    );
    error.name = 'HandlerNotFound';
    throw error;
  }
  return value;
}

/** A module's own (or, for CommonJS objects, inherited) property, never one every object has. */
function exportOf(mod, name) {
  if (mod == null) return undefined;
  const object = Object(mod);
  if (Object.hasOwn(object, name)) return object[name];
  if (name in Object.prototype || name in Function.prototype) return undefined;
  return object[name];
}

function exportNames(mod, kind) {
  if (mod == null || (typeof mod !== 'object' && typeof mod !== 'function')) return [];
  const names = Object.keys(mod);
  if (kind === 'cjs' && typeof mod === 'function' && !names.includes('default')) names.unshift('default');
  return names;
}

/**
 * The closest name within two edits (a typo), if any. Core's `didYouMean` does this for the offline check;
 * the worker imports nothing but Node.js built-ins, so it keeps this small copy.
 */
function nearest(name, names) {
  let best;
  let bestDistance = 3;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length];
}
