import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, test } from 'vitest';
import {
  assertDeployable,
  assertHandlerExports,
  type CheckIssue,
  checkHandlerExports,
  type FunctionConfig,
  ValidationError,
} from '../src';
import { resolveFunction } from '../src/model';
import { createMemoryAdapter } from '../src/testing';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faasport-exports-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const check = (config: Omit<FunctionConfig, 'name'>): CheckIssue[] =>
  checkHandlerExports(resolveFunction({ name: 'fn', ...config } as FunctionConfig, { baseDir: '/' }));
const errors = (issues: CheckIssue[]) => issues.filter((i) => i.severity === 'error');
const warnings = (issues: CheckIssue[]) => issues.filter((i) => i.severity === 'warning');

describe('ES modules', () => {
  test('a named export or the default export that exists passes', () => {
    const dir = folder({ 'index.mjs': 'export default () => 1;\nexport async function handler() {}' });
    expect(check({ source: { dir }, handler: 'index.default' })).toEqual([]);
    expect(check({ source: { dir }, handler: 'index.handler' })).toEqual([]);
  });

  test('a typo names the module, the export and what it exports, with a did-you-mean', () => {
    const dir = folder({ 'index.mjs': 'export default () => 1;' });
    const [issue, ...rest] = check({ source: { dir }, handler: 'index.hanlder' });
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ severity: 'error', path: 'handler' });
    expect(issue!.message).toBe('"index.hanlder": index.mjs has no export "hanlder" (it exports: default)');
    const named = check({
      source: { dir: folder({ 'app.mjs': 'export const handle = () => 1;' }) },
      handler: 'app.handler',
    });
    expect(named[0]!.hint).toBe('Did you mean "app.handle"?');
  });

  test('a default-only module does not satisfy a named handler, and a named-only one not the default', () => {
    expect(
      errors(check({ source: { inline: 'export default () => "hi";' }, handler: 'index.handler' })),
    ).toHaveLength(1);
    expect(errors(check({ source: { inline: 'export const handler = () => "hi";' } }))).toHaveLength(1);
  });

  test('.js under "type": "module", and .js with import/export syntax, are read as ES modules', () => {
    const typed = folder({
      'package.json': '{"type":"module"}',
      'index.js': 'export const handler = () => 1;',
    });
    expect(check({ source: { dir: typed }, handler: 'index.handler' })).toEqual([]);
    expect(errors(check({ source: { dir: typed }, handler: 'index.other' }))[0]!.message).toContain(
      'index.js has no export "other"',
    );
    const detected = folder({ 'index.js': 'import fs from "node:fs";\nexport default () => fs;' });
    expect(check({ source: { dir: detected } })).toEqual([]);
  });

  test('re-exports are followed inside the code; a star re-export never carries default', () => {
    const dir = folder({
      'index.mjs': "export * from './impl.mjs';\nexport { helper as aliased } from './impl.mjs';",
      'impl.mjs': 'export const handler = () => 1;\nexport const helper = 2;\nexport default 3;',
    });
    expect(check({ source: { dir }, handler: 'index.handler' })).toEqual([]);
    expect(check({ source: { dir }, handler: 'index.aliased' })).toEqual([]);
    expect(errors(check({ source: { dir }, handler: 'index.default' }))).toHaveLength(1);
    expect(errors(check({ source: { dir }, handler: 'index.missing' }))).toHaveLength(1);
  });

  test('a star re-export of a package cannot be checked offline: a warning that says why, not an error', () => {
    const dir = folder({ 'index.mjs': "export * from 'some-framework';" });
    const issues = check({ source: { dir }, handler: 'index.handler' });
    expect(errors(issues)).toEqual([]);
    expect(warnings(issues)[0]!.message).toBe(
      '"index.handler" was not checked: index.mjs re-exports everything from "some-framework"',
    );
  });
});

describe('CommonJS', () => {
  test('exports.x and module.exports.x are named exports', () => {
    const dir = folder({ 'index.js': 'exports.handler = () => 1;\nmodule.exports.init = () => 2;' });
    expect(check({ source: { dir }, handler: 'index.handler' })).toEqual([]);
    expect(check({ source: { dir }, handler: 'index.init' })).toEqual([]);
    expect(errors(check({ source: { dir }, handler: 'index.hanlder' }))[0]!.message).toBe(
      '"index.hanlder": index.js has no export "hanlder" (it exports: handler, init)',
    );
  });

  test('.cjs is CommonJS; module.exports = { ... } lists its names', () => {
    const dir = folder({ 'app.cjs': 'function handler() {}\nmodule.exports = { handler };' });
    expect(check({ source: { dir }, handler: 'app.handler' })).toEqual([]);
    expect(errors(check({ source: { dir }, handler: 'app.main' }))).toHaveLength(1);
  });

  test('module.exports = function is the default export; a named handler on it cannot be read offline', () => {
    const dir = folder({ 'index.js': 'module.exports = function () { return 1; };' });
    expect(check({ source: { dir }, handler: 'index.default' })).toEqual([]);
    const issues = check({ source: { dir }, handler: 'index.handler' });
    expect(errors(issues)).toEqual([]);
    expect(warnings(issues)[0]!.message).toContain(
      'sets module.exports to a value whose names cannot be read',
    );
  });

  test('a CommonJS module with only named exports has no default', () => {
    expect(
      errors(check({ source: { dir: folder({ 'index.js': 'exports.handler = () => 1;' }) } })),
    ).toHaveLength(1);
  });

  test('module.exports = require("./x") is followed', () => {
    const dir = folder({
      'index.js': "module.exports = require('./impl');",
      'impl.js': 'exports.handler = () => 1;',
    });
    expect(check({ source: { dir }, handler: 'index.handler' })).toEqual([]);
    expect(errors(check({ source: { dir }, handler: 'index.nope' }))).toHaveLength(1);
  });
});

describe('Python (top-level names, read line by line)', () => {
  const py = (code: string, handler: string) =>
    check({ runtime: 'python3.11', source: { dir: folder({ 'main.py': code }) }, handler });

  test('def, async def, assignments and imports bind names; nested defs do not', () => {
    const code = [
      'import json',
      'from helpers import (',
      '    make,',
      '    other as renamed,',
      ')',
      '"""',
      'def in_docstring(): pass',
      '"""',
      'def handler(event, context):',
      '    def inner(): pass',
      '    return 1',
      'async def worker(event, context): pass',
      'alias = make()',
    ].join('\n');
    for (const name of ['handler', 'worker', 'alias', 'make', 'renamed', 'json'])
      expect(py(code, `main.${name}`), name).toEqual([]);
    for (const name of ['inner', 'in_docstring', 'other'])
      expect(errors(py(code, `main.${name}`)), name).toHaveLength(1);
    expect(errors(py(code, 'main.hanlder'))[0]!.message).toContain(
      'main.py has no function "hanlder" (it defines: ',
    );
  });

  test('names bound by a star import cannot be known: a warning', () => {
    expect(warnings(py('from impl import *\n', 'main.handler'))[0]!.message).toContain(
      'imports * from another module',
    );
  });
});

describe('sources and modules', () => {
  test('a missing module file lists what was looked for', () => {
    const [issue] = check({
      source: { dir: folder({ 'main.mjs': 'export default 1;' }) },
      handler: 'index.default',
    });
    expect(issue!.message).toBe(
      '"index.default": the code has no module index (looked for index.js, index.mjs, index.cjs, index/index.js, index/index.mjs); it has main.mjs',
    );
  });

  test('zip archives are read too', () => {
    const dir = folder({});
    const archive = path.join(dir, 'fn.zip');
    fs.writeFileSync(archive, zipSync({ 'index.mjs': new TextEncoder().encode('export default () => 1;') }));
    expect(check({ source: { archive }, handler: 'index.default' })).toEqual([]);
    expect(errors(check({ source: { archive }, handler: 'index.handler' }))).toHaveLength(1);
  });

  test('bucket code is not read offline: a warning; image sources have no handler to check', () => {
    const issues = check({ source: { bucket: { name: 'code', key: 'fn.zip' } }, handler: 'index.handler' });
    expect(issues).toEqual([
      {
        severity: 'warning',
        feature: 'handler',
        path: 'handler',
        message: '"index.handler" was not checked: the code is in bucket code, which is not read offline',
      },
    ]);
    expect(check({ source: { image: { ref: 'nginx', command: ['nginx'] } } })).toEqual([]);
  });

  test('the initializer is checked like the handler', () => {
    const issues = check({
      contract: 'native',
      source: { dir: folder({ 'index.js': 'exports.handler = () => 1;' }) },
      handler: 'index.handler',
      initializer: 'index.init',
    });
    expect(errors(issues).map((i) => i.path)).toEqual(['initializer']);
  });
});

describe('the plan check', () => {
  test('assertDeployable (what plan and deploy run) fails on a missing export, naming the handler', () => {
    const fn = resolveFunction({
      name: 'typo',
      source: { inline: 'export default () => 1;' },
      handler: 'index.hanlder',
    });
    expect(() => assertDeployable(createMemoryAdapter(), fn)).toThrow(ValidationError);
    expect(() => assertDeployable(createMemoryAdapter(), fn)).toThrow(
      /handler: "index.hanlder": index.mjs has no export "hanlder"/,
    );
    expect(() => assertHandlerExports(fn)).toThrow(/it exports: default/);
  });
});
