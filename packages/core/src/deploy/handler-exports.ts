import { readdirSync, readFileSync, statSync } from 'node:fs';
import { posix, resolve, sep } from 'node:path';
import { initSync as initCjsLexer, parse as parseCjs } from 'cjs-module-lexer';
import { initSync as initEsmLexer, parse as parseEsm } from 'es-module-lexer';
import type { CheckIssue } from '../adapter';
import { ValidationError } from '../errors';
import { didYouMean, type ResolvedFunction } from '../model';
import { fflate, inlineFileName } from './package';

/**
 * Reads a function's code without running it, as the files it will be deployed with: a folder, the
 * inline code under its file name, or the entries of a zip archive. Paths are relative, `/`-separated.
 */
interface CodeReader {
  read(name: string): string | undefined;
  names(): string[];
}

/** What a module's exports tell about one name: there, not there (with what is), or not knowable. */
type Lookup =
  | { found: true }
  | { found: false; file: string; exports: string[] }
  | { found: 'unknown'; why: string };

/** Module file candidates of a handler's file part, in the order the local runtime's Node.js worker tries them. */
function nodeCandidates(file: string): string[] {
  const extensions = ['.js', '.mjs', '.cjs'];
  const own = extensions.some((ext) => file.endsWith(ext)) ? [file] : [];
  return [...own, ...extensions.map((ext) => file + ext), `${file}/index.js`, `${file}/index.mjs`];
}

function readerOf(fn: ResolvedFunction): CodeReader | undefined {
  const source = fn.source;
  if (source.kind === 'inline') {
    const name = inlineFileName(fn);
    return { read: (n) => (n === name ? source.code : undefined), names: () => [name] };
  }
  if (source.kind === 'dir') {
    const root = resolve(source.path);
    return {
      read(name) {
        const full = resolve(root, name);
        if (!full.startsWith(root + sep)) return undefined;
        try {
          return statSync(full).isFile() ? readFileSync(full, 'utf8') : undefined;
        } catch {
          return undefined;
        }
      },
      names() {
        try {
          return readdirSync(root).sort();
        } catch {
          return [];
        }
      },
    };
  }
  if (source.kind === 'archive') {
    let entries: Record<string, Uint8Array>;
    try {
      entries = fflate().unzipSync(readFileSync(source.path));
    } catch {
      return undefined; // packaging reports an archive it cannot read
    }
    const decoder = new TextDecoder();
    return {
      read: (name) => (entries[name] ? decoder.decode(entries[name]) : undefined),
      names: () => Object.keys(entries).filter((n) => !n.endsWith('/')),
    };
  }
  return undefined;
}

/** Whether a `.js` file is an ES module: the nearest package.json inside the code says `"type": "module"`. */
function packageTypeIsModule(code: CodeReader, file: string): boolean | undefined {
  for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
    const text = code.read(dir === '.' ? 'package.json' : `${dir}/package.json`);
    if (text !== undefined) {
      try {
        return (JSON.parse(text) as { type?: unknown }).type === 'module';
      } catch {
        return undefined;
      }
    }
    if (dir === '.' || dir === '/') return undefined;
  }
}

/** The star re-exports (`export * from './x'`) of an ES module: their names are in the other module. */
function starReexports(source: string, imports: ReturnType<typeof parseEsm>[0]): string[] {
  const out: string[] = [];
  for (const entry of imports) {
    if (entry.n === undefined || entry.d !== -1) continue;
    const statement = source.slice(entry.ss, entry.se);
    if (!statement.startsWith('export')) continue;
    const rest = statement.slice('export'.length).trimStart();
    if (rest.startsWith('*') && !rest.slice(1).trimStart().startsWith('as')) out.push(entry.n);
  }
  return out;
}

/**
 * Whether CommonJS code sets `module.exports` to something other than an object literal or a
 * `require()` (which cjs-module-lexer reads): then names the lexer cannot see may be on the new value.
 */
function replacesModuleExports(source: string): boolean {
  // A signal of doubt only: the export names themselves come from cjs-module-lexer.
  return /\bmodule\.exports\s*=(?!=)(?!\s*\{)(?!\s*require\s*\()/.test(source);
}

/** The file a relative import of `from` names, or undefined when it is not a file of the code. */
function relativeTarget(code: CodeReader, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  if (base.startsWith('../')) return undefined;
  return [base, ...nodeCandidates(base)].find((name) => code.read(name) !== undefined);
}

/** Looks `name` up in the exports of a JavaScript module, following re-exports within the code. */
function lookupNode(code: CodeReader, file: string, name: string, seen = new Set<string>()): Lookup {
  if (seen.has(file)) return { found: false, file, exports: [] };
  seen.add(file);
  const source = code.read(file) ?? '';
  let esm = file.endsWith('.mjs') || (file.endsWith('.js') && packageTypeIsModule(code, file) === true);
  let parsed: ReturnType<typeof parseEsm> | undefined;
  if (!file.endsWith('.cjs')) {
    try {
      initEsmLexer();
      parsed = parseEsm(source, file);
      // A .js file with import/export syntax runs as an ES module (Node.js detects it; so does the worker).
      if (file.endsWith('.js') && parsed[3]) esm = true;
    } catch (error) {
      if (esm)
        return { found: 'unknown', why: `${file} could not be read as an ES module (${String(error)})` };
    }
  }
  if (esm && parsed) {
    const [imports, exports] = parsed;
    const names = exports.map((e) => e.n);
    if (names.includes(name)) return { found: true };
    const stars = starReexports(source, imports);
    // `export *` never re-exports `default`.
    if (name !== 'default') {
      for (const specifier of stars) {
        const target = relativeTarget(code, file, specifier);
        if (!target) return { found: 'unknown', why: `${file} re-exports everything from "${specifier}"` };
        const inner = lookupNode(code, target, name, seen);
        if (inner.found !== false) return inner;
      }
    }
    return { found: false, file, exports: names };
  }
  let cjs: { exports: string[]; reexports: string[] };
  try {
    initCjsLexer();
    cjs = parseCjs(source, file);
  } catch (error) {
    return { found: 'unknown', why: `${file} could not be read as a CommonJS module (${String(error)})` };
  }
  const names = [...new Set(cjs.exports)];
  const replaced = replacesModuleExports(source);
  // Node.js gives a CommonJS module's `module.exports` itself as its default export
  // (https://nodejs.org/api/esm.html#commonjs-namespaces).
  if (names.includes(name) || (name === 'default' && replaced)) return { found: true };
  for (const specifier of cjs.reexports) {
    const target = relativeTarget(code, file, specifier);
    if (!target) return { found: 'unknown', why: `${file} re-exports "${specifier}"` };
    const inner = lookupNode(code, target, name, seen);
    if (inner.found !== false) return inner;
  }
  if (replaced && cjs.reexports.length === 0)
    return {
      found: 'unknown',
      why: `${file} sets module.exports to a value whose names cannot be read without running it`,
    };
  return { found: false, file, exports: replaced ? [...names, 'default'] : names };
}

/**
 * The names a Python module binds at its top level: `def`, `async def`, `class`, assignments and
 * imports. A simple line reader, not a parser (no Python lexer exists for JavaScript): a name bound
 * only inside a top-level `if`/`try`/`with` block, or by `from x import *`, makes the answer unknown.
 */
function pythonTopLevel(source: string): { names: string[]; uncertain?: string } {
  const names: string[] = [];
  let uncertain: string | undefined;
  let inString: string | undefined;
  let openImport = false;
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '');
    if (inString) {
      if (line.includes(inString)) inString = undefined;
      continue;
    }
    if (openImport) {
      names.push(...importedNames(line.replace(/[()]/g, '')));
      if (line.includes(')')) openImport = false;
      continue;
    }
    const quote = ['"""', "'''"].find((q) => line.includes(q));
    if (quote && line.split(quote).length % 2 === 0) inString = quote;
    if (/^\s/.test(raw) || !line.trim()) continue;
    const definition = /^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)/.exec(line);
    if (definition) names.push(definition[1]!);
    else if (/^from\s+\S+\s+import\s+\*/.test(line)) uncertain = 'it imports * from another module';
    else if (/^from\s+\S+\s+import\s+/.test(line)) {
      const list = line.replace(/^from\s+\S+\s+import\s+/, '');
      openImport = list.includes('(') && !list.includes(')');
      names.push(...importedNames(list.replace(/[()]/g, '')));
    } else if (/^import\s+/.test(line))
      names.push(...importedNames(line.replace(/^import\s+/, '')).map((n) => n.split('.')[0]!));
    else if (/^(?:if|try|with|for|while)\b/.test(line))
      uncertain ??= 'it binds names inside top-level blocks';
    else {
      const assigned = /^([A-Za-z_]\w*)\s*(?::[^=]*)?=[^=]/.exec(line);
      if (assigned) names.push(assigned[1]!);
      else if (/\bglobals\(\)/.test(line)) uncertain = 'it writes globals()';
    }
  }
  return { names: [...new Set(names)], ...(uncertain ? { uncertain } : {}) };
}

function importedNames(list: string): string[] {
  return list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) =>
      part
        .split(/\s+as\s+/)
        .pop()!
        .trim(),
    );
}

function lookupPython(code: CodeReader, file: string, name: string): Lookup {
  const { names, uncertain } = pythonTopLevel(code.read(file) ?? '');
  if (names.includes(name)) return { found: true };
  if (uncertain) return { found: 'unknown', why: `${file}: ${uncertain}` };
  return { found: false, file, exports: names.filter((n) => !n.startsWith('_')) };
}

/** Checks one `file.export` reference (the handler or the initializer). */
function checkReference(
  fn: ResolvedFunction,
  code: CodeReader,
  field: 'handler' | 'initializer',
): CheckIssue[] {
  const spec = fn[field];
  if (!spec) return [];
  const dot = spec.lastIndexOf('.');
  const module = dot > 0 ? spec.slice(0, dot) : spec;
  const exportName = dot > 0 ? spec.slice(dot + 1) : 'default';
  const python = fn.runtime.startsWith('python');
  const candidates = python ? [`${module.split('.').join('/')}.py`] : nodeCandidates(module);
  const issue = (severity: CheckIssue['severity'], message: string, hint: string): CheckIssue[] => [
    { severity, feature: 'handler', path: field, message, hint },
  ];
  if (candidates.some((c) => posix.normalize(c).startsWith('../') || c.startsWith('/')))
    return issue(
      'error',
      `"${spec}" names a module outside the code`,
      `Name a file inside the code, e.g. "index.${exportName}".`,
    );
  const file = candidates.find((c) => code.read(c) !== undefined);
  if (!file) {
    const present = code.names().filter((n) => /\.(m?js|cjs|py)$/.test(n));
    return issue(
      'error',
      `"${spec}": the code has no module ${module} (looked for ${candidates.join(', ')})${present.length ? `; it has ${present.slice(0, 10).join(', ')}` : ''}`,
      `Set ${field} to "<file>.<export>" for a module in the code, without its extension.`,
    );
  }
  const found = python ? lookupPython(code, file, exportName) : lookupNode(code, file, exportName);
  if (found.found === true) return [];
  if (found.found === 'unknown')
    return issue(
      'warning',
      `"${spec}" was not checked: ${found.why}`,
      'The local target checks it when it loads the module at deploy time.',
    );
  const near = didYouMean(exportName, found.exports);
  const kind = python ? 'function' : 'export';
  return issue(
    'error',
    `"${spec}": ${found.file} has no ${kind} "${exportName}" (it ${python ? 'defines' : 'exports'}: ${found.exports.join(', ') || 'nothing'})`,
    near
      ? `Did you mean "${module}.${near}"?`
      : `Set ${field} to "${module}.<${kind}>" naming one the module has, or add the ${kind}.`,
  );
}

/**
 * Checks, without running any code, that a function's handler (and initializer) names an export its
 * module has: ES modules (`.mjs`, `.js` under `"type": "module"` or with import/export syntax) are read
 * with es-module-lexer, CommonJS (`.cjs`, other `.js`) with cjs-module-lexer, Python by its top-level
 * `def`, `class`, assignments and imports (a simple line reader: no Python lexer exists for JavaScript).
 * Re-exports are followed inside the code.
 *
 * Errors name the module, the export and the exports the module has. A check that cannot be made is a
 * warning that says why: code in a bucket, a re-export of a package, a `module.exports` whose names only
 * running the code would show. Image sources and custom runtimes have no handler and get no issue.
 *
 * @example
 * ```ts
 * checkHandlerExports(resolveFunction({ name: 'hello', source: { inline: 'export default () => "hi"' }, handler: 'index.hanlder' }));
 * // [{ severity: 'error', path: 'handler', message: '"index.hanlder": index.mjs has no export "hanlder" (it exports: default)', ... }]
 * ```
 * @public
 */
export function checkHandlerExports(fn: ResolvedFunction): CheckIssue[] {
  if (!fn.handler || fn.runtime === 'custom' || fn.source.kind === 'image') return [];
  if (fn.source.kind === 'bucket')
    return [
      {
        severity: 'warning',
        feature: 'handler',
        path: 'handler',
        message: `"${fn.handler}" was not checked: the code is in bucket ${fn.source.name}, which is not read offline`,
      },
    ];
  const code = readerOf(fn);
  if (!code) return [];
  return [...checkReference(fn, code, 'handler'), ...checkReference(fn, code, 'initializer')];
}

/**
 * Runs {@link checkHandlerExports} and throws its errors as one {@link ValidationError}; returns the
 * warnings. For callers that check handlers without a target (plan runs the check with the rest).
 *
 * @public
 */
export function assertHandlerExports(fn: ResolvedFunction): CheckIssue[] {
  const issues = checkHandlerExports(fn);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length)
    throw new ValidationError(
      errors.map((e) => ({ path: e.path ?? 'handler', message: e.message, rule: 'export-exists' })),
      { subject: `function "${fn.name}"`, hint: errors[0]!.hint },
    );
  return issues;
}
