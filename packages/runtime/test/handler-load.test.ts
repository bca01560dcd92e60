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

describe('a handler that names no export', () => {
  test('fails the deploy naming the export and the exports the module has; the old revision keeps all traffic', async () => {
    const dir = codeDir({ 'index.mjs': `export default () => 'v1 answers';` });
    await ship({ name: 'typo', source: { dir }, revision: 'v1' });
    expect((await request(`${runtime.url}/typo/`)).body).toBe('v1 answers');

    const { error, cause } = await deployFailure({
      name: 'typo',
      source: { dir },
      handler: 'index.hanlder',
      revision: 'v2',
    });
    expect(cause.issues[0]?.path).toBe('handler');
    expect(cause.message).toContain('"index.hanlder"');
    expect(cause.message).toContain('index.mjs has no export "hanlder"');
    expect(cause.message).toContain('it exports: default');
    expect(error.message).toContain('create revision v2');

    const live = await adapter.read('typo');
    expect(live?.revisions.map((r) => r.label)).toEqual(['v1']);
    expect(live?.traffic).toEqual([{ revision: 'v1', percent: 100 }]);
    expect((await request(`${runtime.url}/typo/`)).body).toBe('v1 answers');

    // Nothing was stored, so the same label deploys once the handler is fixed.
    await ship({ name: 'typo', source: { dir }, handler: 'index.default', revision: 'v2' });
    expect((await adapter.read('typo'))?.traffic).toEqual([{ revision: 'v2', percent: 100 }]);
  });

  test('a first deploy with a missing export creates nothing', async () => {
    const { cause } = await deployFailure({
      name: 'never',
      source: { dir: codeDir({ 'index.mjs': `export const handle = () => 'x';` }) },
      handler: 'index.handler',
    });
    expect(cause.message).toContain('did you mean "index.handle"?');
    expect(await adapter.read('never')).toBeUndefined();
  });

  test('a CommonJS module.exports function is its default export only, not any name', async () => {
    const dir = codeDir({ 'index.js': `module.exports = function () { return 'cjs'; };` });
    const { cause } = await deployFailure({ name: 'cjs-typo', source: { dir }, handler: 'index.handler' });
    expect(cause.message).toContain('index.js has no export "handler"');
    await ship({ name: 'cjs-typo', source: { dir }, handler: 'index.default' });
    expect((await request(`${runtime.url}/cjs-typo/`)).body).toBe('cjs');
  });

  test('a native handler is resolved as strictly (FC event handler on a module with a default export)', async () => {
    const { cause } = await deployFailure({
      name: 'native-typo',
      contract: 'native',
      handler: 'index.handler',
      providers: { local: { contract: 'fc-event' } },
      source: {
        dir: codeDir({ 'index.mjs': `export default (event, context, callback) => callback(null, 'x');` }),
      },
    });
    expect(cause.message).toContain('index.mjs has no export "handler" (it exports: default)');
  });

  test('an export that is not a function is named as such', async () => {
    const { cause } = await deployFailure({
      name: 'not-fn',
      source: { dir: codeDir({ 'index.mjs': `export const handler = 42;` }) },
      handler: 'index.handler',
    });
    expect(cause.message).toContain('export "handler" of index.mjs is a number, not a function');
  });

  test('Python: a handler naming no function lists the functions the module defines', async () => {
    const { cause } = await deployFailure({
      name: 'py-typo',
      runtime: 'python3.11',
      handler: 'main.hanlder',
      source: { dir: codeDir({ 'main.py': 'def handler(request, ctx):\n    return "py"\n' }) },
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
