import { createHmac } from 'node:crypto';
import FCClientModule from '@alicloud/fc2';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FcEmulator, fcStringToSign, startFcEmulator } from '../src/fc';

const FCClient = ((FCClientModule as any).default ?? FCClientModule) as any;

const zipOf = (files: Record<string, string>) =>
  Buffer.from(
    zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)]))),
  ).toString('base64');

const nativeHttp = `exports.handler = (req, resp, context) => {
  resp.setStatusCode(201);
  resp.setHeader('x-path', req.path);
  resp.send(JSON.stringify({ method: req.method, q: req.queries, body: req.body.toString(), fn: context.function.name, qualifier: context.service.qualifier }));
};`;
const nativeEvent = `exports.handler = (event, context, callback) => {
  const input = JSON.parse(event.toString());
  if (input.fail) return callback(new Error('asked to fail'));
  callback(null, { doubled: input.n * 2, version: context.service.versionId });
};`;

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string; name: string }> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: { code?: string; message: string; name: string }) => e,
  );
}

describe('FC 2.0 emulator, through the real @alicloud/fc2 client', () => {
  let fc: FcEmulator;
  let client: any;
  beforeAll(async () => {
    fc = await startFcEmulator({ accountId: '123456789' });
    client = new FCClient(fc.accountId, {
      accessKeyID: fc.accessKeyId,
      accessKeySecret: fc.accessKeySecret,
      region: fc.region,
      endpoint: fc.url,
    });
  });
  afterAll(async () => {
    await fc?.close();
  });

  it('computes the string-to-sign of the reference test vectors', () => {
    const headers = {
      'content-md5': 'YmViOTYyNzQ3ZTI4NGI0NzUxZGVmZGNhYjk4ZjA5NWU=',
      'content-type': 'application/json',
      date: 'Fri, 02 Jan 2026 03:04:05 GMT',
      'x-fc-account-id': '123456789',
    };
    const s1 = fcStringToSign('POST', '/2016-08-15/services', headers);
    expect(createHmac('sha256', 'SECRET').update(s1).digest('base64')).toBe(
      'RQ1OhJtw7xhbgZS30OMnrYspumDDe2XRHe4etu5qyC4=',
    );
    const s2 = fcStringToSign('GET', '/2016-08-15/proxy/svc1.prod/fn1/a/b?b=2&a=1&a=0', {
      date: 'Fri, 02 Jan 2026 03:04:05 GMT',
      'x-fc-account-id': '123456789',
      'x-fc-trace': 't',
    });
    expect(s2).toBe(
      'GET\n\n\nFri, 02 Jan 2026 03:04:05 GMT\nx-fc-account-id:123456789\nx-fc-trace:t\n/2016-08-15/proxy/svc1.prod/fn1/a/b\na=0\na=1\nb=2',
    );
    expect(createHmac('sha256', 'SECRET').update(s2).digest('base64')).toBe(
      'WxrJsBxGeZfqMJG5NtfYSYtncDDyY6dXcphpXouibtk=',
    );
  });

  it('rejects a bad signature and an unknown key with FC error bodies', async () => {
    const wrong = new FCClient(fc.accountId, {
      accessKeyID: fc.accessKeyId,
      accessKeySecret: 'wrong',
      region: fc.region,
      endpoint: fc.url,
    });
    const e1 = await failure(wrong.listServices());
    expect(e1.name).toBe('FCSignatureNotMatchError');
    expect(e1.message).toMatch(
      /failed with 403\. requestid: .+, message: The request signature we calculated does not match/,
    );
    const unknown = new FCClient(fc.accountId, {
      accessKeyID: 'nobody',
      accessKeySecret: 'x',
      region: fc.region,
      endpoint: fc.url,
    });
    expect((await failure(unknown.listServices())).code).toBe('InvalidAccessKeyID');
    // FC answers 403 without Authorization (https://help.aliyun.com/document_detail/53252.htm).
    const raw = await fetch(`${fc.url}/2016-08-15/services`);
    expect(raw.status).toBe(403);
    expect(await raw.json()).toEqual({
      ErrorCode: 'AccessDenied',
      ErrorMessage: 'required HTTP header Authorization was not specified',
    });
  });

  it('validates bodies strictly: unknown fields and wrong types are InvalidArgument', async () => {
    const e1 = await failure(client.createService('strict', { descripton: 'typo' }));
    expect(e1.code).toBe('InvalidArgument');
    expect(e1.message).toContain("unknown field 'descripton'");
    const e2 = await failure(client.createService('strict', { internetAccess: 'yes' }));
    expect(e2.code).toBe('InvalidArgument');
    expect(e2.message).toContain('internetAccess');
    const e3 = await failure(client.createService('9starts-with-digit'));
    expect(e3.code).toBe('InvalidArgument');
    await client.createService('strict');
    const e4 = await failure(
      client.createFunction('strict', {
        functionName: 'f',
        runtime: 'nodejs20',
        handler: 'index.handler',
        memorySize: 100,
        code: { zipFile: zipOf({ 'index.js': '' }) },
      }),
    );
    expect(e4.message).toContain('memorySize 100 is invalid');
    const e5 = await failure(
      client.createFunction('strict', {
        functionName: 'f',
        runtime: 'nodejs99',
        handler: 'index.handler',
        code: { zipFile: zipOf({ 'index.js': '' }) },
      }),
    );
    expect(e5.message).toContain("runtime 'nodejs99' is not supported");
    const e6 = await failure(
      client.createTrigger('strict', 'nope', { triggerName: 't', triggerType: 'http', triggerConfig: {} }),
    );
    expect(e6.code).toBe('FunctionNotFound');
  });

  it('keeps state with FC semantics: conflicts, not-found, not-empty, ETags', async () => {
    const created = await client.createService('svc', { description: 'd' });
    expect(created.data).toMatchObject({ serviceName: 'svc', description: 'd' });
    expect(created.headers.etag).toMatch(/^[0-9a-f]{32}$/);
    expect((await failure(client.createService('svc'))).code).toBe('ServiceAlreadyExists');
    expect((await failure(client.getService('missing'))).code).toBe('ServiceNotFound');
    await client.createFunction('svc', {
      functionName: 'web',
      runtime: 'nodejs20',
      handler: 'index.handler',
      code: { zipFile: zipOf({ 'index.js': nativeHttp }) },
    });
    const fn = await client.getFunction('svc', 'web');
    expect(fn.data).toMatchObject({
      functionName: 'web',
      memorySize: 128,
      timeout: 60,
      instanceConcurrency: 1,
      caPort: 9000,
    });
    expect(fn.data.codeChecksum).toMatch(/^\d+$/);
    expect(
      (await failure(client.updateFunction('svc', 'web', { timeout: 5 }, { 'if-match': 'stale' }))).code,
    ).toBe('PreconditionFailed');
    await client.updateFunction('svc', 'web', { timeout: 5 }, { 'if-match': fn.headers.etag });
    expect((await client.getFunction('svc', 'web')).data.timeout).toBe(5);
    await client.createTrigger('svc', 'web', {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST'] },
    });
    expect((await failure(client.deleteFunction('svc', 'web'))).code).toBe('FunctionNotEmpty');
    expect((await failure(client.deleteService('svc'))).code).toBe('ServiceNotEmpty');
    const list = await client.listFunctions('svc', { limit: 1 });
    expect(list.data.functions.map((f: { functionName: string }) => f.functionName)).toEqual(['web']);
  });

  it('serves the HTTP trigger path with the FC HTTP handler contract', async () => {
    const response = await fetch(`${fc.url}/2016-08-15/proxy/svc/web/a/b?x=1&x=2`, {
      method: 'POST',
      body: 'hi',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-path')).toBe('/a/b');
    expect(await response.json()).toEqual({
      method: 'POST',
      q: { x: ['1', '2'] },
      body: 'hi',
      fn: 'web',
      qualifier: 'LATEST',
    });
    const notAllowed = await fetch(`${fc.url}/2016-08-15/proxy/svc/web/`, { method: 'DELETE' });
    expect(notAllowed.status).toBe(405);
  });

  it('checks FC signatures on HTTP triggers with authType function', async () => {
    await client.createFunction('svc', {
      functionName: 'private',
      runtime: 'nodejs20',
      handler: 'index.handler',
      code: { zipFile: zipOf({ 'index.js': nativeHttp }) },
    });
    await client.createTrigger('svc', 'private', {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType: 'function', methods: ['GET'] },
    });
    const anonymous = await fetch(`${fc.url}/2016-08-15/proxy/svc/private/`);
    expect(anonymous.status).toBe(403);
    // fc2's own proxy call signs the path and the sorted query lines.
    const signed = await client.get('/proxy/svc/private/p', { b: '2', a: ['1', '0'] });
    expect(JSON.parse(signed.data)).toMatchObject({ method: 'GET', q: { a: ['1', '0'], b: '2' } });
  });

  it('publishes versions, routes aliases by weight, and refuses an empty publish', async () => {
    await client.createService('ver');
    await client.createFunction('ver', {
      functionName: 'ev',
      runtime: 'nodejs20',
      handler: 'index.handler',
      code: { zipFile: zipOf({ 'index.js': nativeEvent }) },
    });
    expect((await client.publishVersion('ver', 'one')).data).toMatchObject({
      versionId: '1',
      description: 'one',
    });
    expect((await failure(client.publishVersion('ver', 'again'))).message).toContain(
      'no changes were made since last publish',
    );
    await client.updateFunction('ver', 'ev', { environmentVariables: { X: '2' } });
    expect((await client.publishVersion('ver', 'two')).data.versionId).toBe('2');
    expect(
      (await failure(client.createAlias('ver', 'bad', '1', { additionalVersionWeight: { 1: 0.5 } }))).code,
    ).toBe('AdditionalVersionContainsMajorVersion');
    expect((await failure(client.createAlias('ver', 'LATEST', '1'))).code).toBe('InvalidArgument');
    await client.createAlias('ver', 'prod', '1', { additionalVersionWeight: { 2: 0.25 } });
    const versions: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await client.invokeFunction('ver', 'ev', JSON.stringify({ n: i }), {}, 'prod');
      versions.push(JSON.parse(r.data).version);
    }
    expect(versions.filter((v) => v === '2')).toHaveLength(2);
    expect(versions.filter((v) => v === '1')).toHaveLength(6);
    expect((await failure(client.deleteVersion('ver', '2'))).code).toBe('InvalidArgument');
    const provision = await client.putProvisionConfig('ver', 'ev', 'prod', { target: 2 });
    expect(provision.data).toMatchObject({ target: 2, resource: `${fc.accountId}#ver#prod#ev` });
    expect((await failure(client.putProvisionConfig('ver', 'ev', '1', { target: 1 }))).code).toBe(
      'InvalidArgument',
    );
  });

  it('runs event handlers through InvokeFunction and reports function errors with X-Fc-Error-Type', async () => {
    const ok = await client.invokeFunction('ver', 'ev', JSON.stringify({ n: 21 }));
    expect(ok.headers['x-fc-error-type']).toBeUndefined();
    expect(JSON.parse(ok.data)).toEqual({ doubled: 42, version: '' });
    const bad = await client.invokeFunction('ver', 'ev', JSON.stringify({ fail: true }));
    expect(bad.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(JSON.parse(bad.data)).toMatchObject({ errorMessage: 'asked to fail' });
    const async = await client.invokeFunction('ver', 'ev', JSON.stringify({ n: 1 }), {
      'x-fc-invocation-type': 'Async',
    });
    expect(async.data).toBe('');
    expect(fc.requests().at(-1)).toMatchObject({ status: 202, write: false });
  });

  it('counts control-plane writes only, and injects throttling faults', async () => {
    const before = fc.writes();
    await client.listServices();
    await client.invokeFunction('ver', 'ev', JSON.stringify({ n: 1 }));
    expect(fc.writes()).toBe(before);
    await client.updateService('ver', { description: 'x' });
    expect(fc.writes()).toBe(before + 1);
    fc.injectFault({ status: 503, code: 'ResourceThrottled', message: 'slow down' });
    const e = await failure(client.getService('ver'));
    expect(e.code).toBe('ResourceThrottled');
    expect(e.message).toContain('failed with 503');
    expect((await client.getService('ver')).data.description).toBe('x');
  });

  it('fires timer triggers with FC timer events', async () => {
    await client.createService('timers');
    await client.createFunction('timers', {
      functionName: 'tick',
      runtime: 'nodejs20',
      handler: 'index.handler',
      code: { zipFile: zipOf({ 'index.js': 'exports.handler = (e, c, cb) => cb(null, e.toString());' }) },
    });
    await client.createTrigger('timers', 'tick', {
      triggerName: 'every5',
      triggerType: 'timer',
      triggerConfig: { cronExpression: '0 */5 * * * *', payload: '{"ping":true}', enable: true },
    });
    const bad = await failure(
      client.createTrigger('timers', 'tick', {
        triggerName: 'bad',
        triggerType: 'timer',
        triggerConfig: { cronExpression: '*/5 * * * *', enable: true },
      }),
    );
    expect(bad.message).toContain('cronExpression');
    const fired = await fc.fireTimer('timers', 'tick', 'every5');
    expect(JSON.parse(new TextDecoder().decode(fired.body))).toMatchObject({
      triggerName: 'every5',
      payload: '{"ping":true}',
    });
  });
});

describe('FC 2.0 emulator: custom runtime on caPort', () => {
  let fc: FcEmulator;
  afterAll(async () => {
    await fc?.close();
  });

  it('starts bootstrap, calls POST /initialize once and POST /invoke per event, and forwards HTTP calls', async () => {
    fc = await startFcEmulator();
    const client = new FCClient(fc.accountId, {
      accessKeyID: fc.accessKeyId,
      accessKeySecret: fc.accessKeySecret,
      region: fc.region,
      endpoint: fc.url,
    });
    const server = `#!/usr/bin/env node
const http = require('node:http');
let initialized = 0;
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    if (req.url === '/initialize') { initialized++; return res.end('ok'); }
    if (req.url === '/invoke') {
      if (body === 'fail') { res.setHeader('x-fc-status', '404'); return res.end('failed'); }
      return res.end(JSON.stringify({ event: body, initialized }));
    }
    res.end('http ' + req.method + ' ' + req.url);
  });
}).listen(Number(process.env.FC_SERVER_PORT || 9000), '127.0.0.1');
`;
    await client.createService('custom');
    await client.createFunction('custom', {
      functionName: 'boot',
      runtime: 'custom.debian10',
      handler: 'index.handler',
      initializer: 'index.init',
      caPort: 9000,
      code: { zipFile: zipOf({ bootstrap: server }) },
    });
    const first = await client.invokeFunction('custom', 'boot', 'hello');
    expect(JSON.parse(first.data)).toEqual({ event: 'hello', initialized: 1 });
    const second = await client.invokeFunction('custom', 'boot', 'again');
    expect(JSON.parse(second.data)).toEqual({ event: 'again', initialized: 1 });
    const failed = await client.invokeFunction('custom', 'boot', 'fail');
    expect(failed.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    await client.createTrigger('custom', 'boot', {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType: 'anonymous', methods: ['GET'] },
    });
    expect(await (await fetch(`${fc.url}/2016-08-15/proxy/custom/boot/x?y=1`)).text()).toBe(
      'http GET /x?y=1',
    );
  });
});
