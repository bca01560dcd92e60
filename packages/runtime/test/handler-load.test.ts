import path from 'node:path';
import {
  DeployError,
  defineFunction,
  deploy,
  type FunctionConfig,
  type LogEntry,
  ValidationError,
} from '@faasport/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, codeDir, tempDir } from './helpers/fixtures';
import { request } from './helpers/runtime-process';

// The local target loads a revision's code before it is stored and before traffic moves: a handler
// that names no export, or a module that throws while loading, fails the deploy and changes nothing.

let runtime: Runtime;
let adapter: ReturnType<typeof createLocalAdapter>;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('faasport-handler-');
  runtime = await startRuntime({ dataDir, port: 0 });
  adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
});

afterAll(async () => {
  await runtime?.close();
  cleanTemp();
});

const ship = (config: FunctionConfig) => deploy(adapter, defineFunction(config));

/** The error a deploy fails with, and the validation error it carries. */
async function deployFailure(
  config: FunctionConfig,
): Promise<{ error: DeployError; cause: ValidationError }> {
  const error = await ship(config).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeployError);
  const cause = (error as DeployError).cause;
  expect(cause).toBeInstanceOf(ValidationError);
  return { error: error as DeployError, cause: cause as ValidationError };
}

async function logsOf(name: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const entry of adapter.logs(name, {})) out.push(entry);
  return out;
}

// The offline check (plan) stops a typo it can read; these modules build their exports at run time, which
// only loading them shows, so plan warns and the runtime's load check is what stops the deploy.
describe('a handler that names no export', () => {
  /** CommonJS whose exports come from a factory: cjs-module-lexer cannot see their names. */
  const factory = (answer: string) =>
    `function createApp() { return { handle: () => '${answer}' }; }\nmodule.exports = createApp();\n`;

  test('fails the deploy naming the export and the exports the module has; the old revision keeps all traffic', async () => {
    const v1 = codeDir({ 'index.js': factory('v1 answers') });
    await ship({ name: 'typo', source: { dir: v1 }, handler: 'index.handle', revision: 'v1' });
    expect((await request(`${runtime.url}/typo/`)).body).toBe('v1 answers');

    const v2 = codeDir({ 'index.js': factory('v2 answers') });
    const warnings: string[] = [];
    const error = await deploy(
      adapter,
      defineFunction({ name: 'typo', source: { dir: v2 }, handler: 'index.handler', revision: 'v2' }),
      { onEvent: (e) => e.type === 'warning' && warnings.push(e.issue.message) },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(warnings).toEqual([
      '"index.handler" was not checked: index.js sets module.exports to a value whose names cannot be read without running it',
    ]);
    expect(error).toBeInstanceOf(DeployError);
    const cause = (error as DeployError).cause as ValidationError;
    expect(cause).toBeInstanceOf(ValidationError);
    expect(cause.issues[0]?.path).toBe('handler');
    expect(cause.message).toContain(
      'handler "index.handler": index.js has no export "handler" (it exports: handle); did you mean "index.handle"?',
    );
    expect((error as DeployError).message).toContain('create revision v2');

    const live = await adapter.read('typo');
    expect(live?.revisions.map((r) => r.label)).toEqual(['v1']);
    expect(live?.traffic).toEqual([{ revision: 'v1', percent: 100 }]);
    expect((await request(`${runtime.url}/typo/`)).body).toBe('v1 answers');

    // Nothing was stored, so the same label deploys once the handler is fixed.
    await ship({ name: 'typo', source: { dir: v2 }, handler: 'index.handle', revision: 'v2' });
    expect((await adapter.read('typo'))?.traffic).toEqual([{ revision: 'v2', percent: 100 }]);
    expect((await request(`${runtime.url}/typo/`)).body).toBe('v2 answers');
  });

  test('a first deploy with a missing export creates nothing', async () => {
    const { cause } = await deployFailure({
      name: 'never',
      source: { dir: codeDir({ 'index.js': factory('x') }) },
      handler: 'index.main',
    });
    expect(cause.message).toContain('index.js has no export "main" (it exports: handle)');
    expect(await adapter.read('never')).toBeUndefined();
  });

  test('a CommonJS module.exports function is its default export only, not any name', async () => {
    const dir = codeDir({ 'index.js': `module.exports = function () { return 'cjs'; };` });
    const { cause } = await deployFailure({ name: 'cjs-typo', source: { dir }, handler: 'index.handler' });
    expect(cause.message).toContain('index.js has no export "handler" (it exports: default)');
    await ship({ name: 'cjs-typo', source: { dir }, handler: 'index.default' });
    expect((await request(`${runtime.url}/cjs-typo/`)).body).toBe('cjs');
  });

  test('a native handler is resolved as strictly (an FC event handler named on a function module)', async () => {
    const { cause } = await deployFailure({
      name: 'native-typo',
      contract: 'native',
      handler: 'index.handler',
      providers: { local: { contract: 'fc-event' } },
      source: {
        dir: codeDir({ 'index.js': `module.exports = (event, context, callback) => callback(null, 'x');` }),
      },
    });
    expect(cause.message).toContain('index.js has no export "handler" (it exports: default)');
  });

  test('an export that is not a function is named as such', async () => {
    const { cause } = await deployFailure({
      name: 'not-fn',
      source: {
        dir: codeDir({ 'index.js': 'const settings = { handler: 42 };\nmodule.exports = settings;' }),
      },
      handler: 'index.handler',
    });
    expect(cause.message).toContain('export "handler" of index.js is a number, not a function');
  });

  test('Python: a handler naming no function lists the functions the module defines', async () => {
    // Names bound inside a top-level try block are beyond the offline reader: only loading tells.
    const code =
      'try:\n    import ujson as json\nexcept ImportError:\n    import json\n\ndef handler(request, ctx):\n    return "py"\n';
    const { cause } = await deployFailure({
      name: 'py-typo',
      runtime: 'python3.11',
      handler: 'main.hanlder',
      source: { dir: codeDir({ 'main.py': code }) },
    });
    expect(cause.message).toContain('main.py has no function "hanlder" (it defines: handler)');
    expect(cause.message).toContain('did you mean "main.handler"?');
  });
});

describe('a module that fails while loading', () => {
  test('fails the deploy with the error and where it was thrown, in the source folder', async () => {
    const dir = codeDir({ 'index.mjs': `throw new Error('no DATABASE_URL');\nexport default () => 'x';` });
    const { cause } = await deployFailure({ name: 'boom', source: { dir } });
    expect(cause.issues[0]?.path).toBe('source');
    expect(cause.message).toContain('the code failed to load: no DATABASE_URL');
    expect(cause.message).toContain(path.join(dir, 'index.mjs'));
    expect(cause.message).not.toContain(path.join(dataDir, 'code'));
    expect(await adapter.read('boom')).toBeUndefined();
  });

  test('a syntax error names the file and line', async () => {
    const dir = codeDir({ 'index.mjs': `export default () => {\n  return 'x';\n}}\n` });
    const { cause } = await deployFailure({ name: 'syntax', source: { dir } });
    expect(cause.message).toContain('the code failed to load: ');
    expect(cause.message).toContain(`${path.join(dir, 'index.mjs')}:3`);
  });

  test('Python: the error and the line of the source file that raised it', async () => {
    const dir = codeDir({
      'main.py': 'import os\nDB = os.environ["DATABASE_URL"]\ndef handler(r, c):\n    return DB\n',
    });
    const { cause } = await deployFailure({
      name: 'py-boom',
      runtime: 'python3.11',
      handler: 'main.handler',
      source: { dir },
    });
    expect(cause.message).toContain("the code failed to load: 'DATABASE_URL'");
    expect(cause.message).toContain(`File "${path.join(dir, 'main.py')}", line 2`);
  });
});

describe('stack traces', () => {
  const throwing = {
    'index.mjs': `export default () => { throw new Error('esm failure'); };`,
    'lib.cjs': `exports.fail = () => { throw new Error('cjs failure'); };`,
    'cjs.js': `const { fail } = require('./lib.cjs');\nexports.handler = () => fail();`,
  };

  test('errors thrown in user code are logged with the paths of the source folder, not the runtime copy', async () => {
    const dir = codeDir(throwing);
    await ship({ name: 'trace-esm', source: { dir } });
    await ship({ name: 'trace-cjs', source: { dir }, handler: 'cjs.handler' });
    expect((await request(`${runtime.url}/trace-esm/`)).status).toBe(500);
    expect((await request(`${runtime.url}/trace-cjs/`)).status).toBe(500);

    const esm = (await logsOf('trace-esm')).find((e) => e.message.includes('esm failure'));
    expect(esm?.message).toContain(`file://${dir}/index.mjs:1:`);
    const cjs = (await logsOf('trace-cjs')).find((e) => e.message.includes('cjs failure'));
    expect(cjs?.message).toContain(`${path.join(dir, 'lib.cjs')}:1:`);
    expect(cjs?.message).toContain(`${path.join(dir, 'cjs.js')}:2:`);
    for (const entry of [esm, cjs]) expect(entry?.message).not.toContain(path.join(dataDir, 'code'));
  });

  test('Python tracebacks name the source folder too', async () => {
    const dir = codeDir({ 'main.py': 'def handler(request, ctx):\n    raise ValueError("py failure")\n' });
    await ship({ name: 'trace-py', runtime: 'python3.11', handler: 'main.handler', source: { dir } });
    expect((await request(`${runtime.url}/trace-py/`)).status).toBe(500);
    const entry = (await logsOf('trace-py')).find((e) => e.message.includes('py failure'));
    expect(entry?.message).toContain(`File "${path.join(dir, 'main.py')}", line 2`);
    expect(entry?.message).not.toContain(path.join(dataDir, 'code'));
  });
});
