import { signRequest } from '@faasport/adapter-functiongraph';
import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fgTestClient, goSdkSign } from './functiongraph-client';

let emu: FunctionGraphEmulator;
const ak = 'test-ak';
const sk = 'test-sk-secret';

beforeAll(async () => {
  emu = await startFunctionGraphEmulator({
    accessKeyId: ak,
    secretAccessKey: sk,
    obs: {
      code: {
        'fn.zip': zipSync({
          'index.js': new TextEncoder().encode('exports.handler = async (e) => ({ fromObs: e.n });'),
        }),
      },
    },
  });
});
afterAll(async () => {
  await emu?.close();
});

const { call, q, createBody } = fgTestClient(() => emu, ak, sk);

describe('FunctionGraph emulator: signatures', () => {
  it('rejects a wrong secret, an unknown key, an old date and a missing header with APIG 401 APIGW.0301', async () => {
    const bad = await call('GET', 'functions', undefined, { secret: 'wrong' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error_code: 'APIGW.0301' });
    expect(bad.body.error_msg).toMatch(/verify aksk signature fail/);
    const old = await call('GET', 'functions', undefined, { date: new Date(Date.now() - 60 * 60_000) });
    expect(old.status).toBe(401);
    expect(old.body.error_msg).toMatch(/expired/);
    const none = await fetch(`${emu.url}/v2/${emu.projectId}/fgs/functions`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error_code: 'APIGW.0301' });
    const before = emu.writes();
    expect((await call('POST', 'functions', createBody('nope'), { secret: 'wrong' })).status).toBe(401);
    expect(emu.writes()).toBe(before);
  });

  it('checks the signed body: a body changed after signing is rejected', async () => {
    const url = `${emu.url}/v2/${emu.projectId}/fgs/functions`;
    const { headers } = signRequest({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      accessKeyId: ak,
      secretAccessKey: sk,
    });
    const { host: _h, ...sent } = headers;
    const r = await fetch(url, { method: 'POST', headers: sent, body: '{"a":2}' });
    expect(r.status).toBe(401);
  });
});

describe('FunctionGraph emulator: what the SDKs sign', () => {
  const url = () => `${emu.url}/v2/${emu.projectId}/fgs/functions`;

  it('accepts the Go SDK signature without host in SignedHeaders, and refuses one without x-sdk-date', async () => {
    const headers = goSdkSign({
      method: 'GET',
      url: url(),
      headers: { 'Content-Type': 'application/json', 'X-Project-Id': emu.projectId },
      ak,
      sk,
    });
    expect(headers.Authorization).toContain('SignedHeaders=content-type;x-project-id;x-sdk-date,');
    const ok = await fetch(url(), { headers });
    expect(ok.status).toBe(200);
    // The same algorithm with X-Sdk-Date left out of the signed headers is refused.
    const { 'X-Sdk-Date': date, ...rest } = headers;
    const unsignedDate = goSdkSign({
      method: 'GET',
      url: url(),
      headers: { 'X-Project-Id': emu.projectId, 'X-Sdk-Date': date! },
      ak,
      sk,
    });
    const withoutDate = unsignedDate.Authorization!.replace(';x-sdk-date', '');
    const bad = await fetch(url(), { headers: { ...rest, 'X-Sdk-Date': date!, Authorization: withoutDate } });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error_msg).toMatch(/x-sdk-date/);
  });

  it('puts x-sdk-content-sha256 where the body hash goes: UNSIGNED-PAYLOAD frees the body, the header itself is signed', async () => {
    const sign = (contentSha?: string) =>
      goSdkSign({
        method: 'POST',
        url: url(),
        headers: {
          'Content-Type': 'application/json',
          'X-Project-Id': emu.projectId,
          ...(contentSha ? { 'X-Sdk-Content-Sha256': contentSha } : {}),
        },
        body: JSON.stringify(createBody('unsigned-a')),
        ak,
        sk,
      });
    // With UNSIGNED-PAYLOAD the body is not part of the signature, so another body is accepted.
    const unsigned = await fetch(url(), {
      method: 'POST',
      headers: sign('UNSIGNED-PAYLOAD'),
      body: JSON.stringify(createBody('unsigned-b')),
    });
    expect(unsigned.status).toBe(200);
    expect((await unsigned.json()).func_name).toBe('unsigned-b');
    // Changing the header after signing breaks the signature.
    const swapped = {
      ...sign('UNSIGNED-PAYLOAD'),
      'X-Sdk-Content-Sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    };
    expect((await fetch(url(), { method: 'POST', headers: swapped, body: '{}' })).status).toBe(401);
    // Adding UNSIGNED-PAYLOAD to a request signed over its body does not let a new body through.
    const added = { ...sign(), 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' };
    const tampered = await fetch(url(), {
      method: 'POST',
      headers: added,
      body: JSON.stringify(createBody('unsigned-c')),
    });
    expect(tampered.status).toBe(401);
    expect((await call('GET', 'functions/unsigned-c/config')).status).toBe(404);
  });
});

describe('FunctionGraph emulator: functions, versions, aliases', () => {
  it('creates a function (200, URN with :latest) and rejects duplicates with 409 FSS.1061', async () => {
    const created = await call('POST', 'functions', createBody('alpha'));
    expect(created.status).toBe(200);
    expect(created.body.func_urn).toBe(
      `urn:fss:${emu.region}:${emu.projectId}:function:default:alpha:latest`,
    );
    expect(created.body.strategy_config).toEqual({ concurrency: -1, concurrent_num: 1 });
    const again = await call('POST', 'functions', createBody('alpha'));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error_code: 'FSS.1061', error_msg: expect.stringContaining('alpha') });
  });

  it('validates bodies strictly, with the field and its FSS code', async () => {
    const unknown = await call('POST', 'functions', createBody('beta', { colour: 'red' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error_code).toBe('FSS.0400');
    expect(unknown.body.error_msg).toMatch(/colour: is not a known field/);
    const memory = await call('POST', 'functions', createBody('beta', { memory_size: 300 }));
    expect(memory.body).toMatchObject({ error_code: 'FSS.1007' });
    const name = await call('POST', 'functions', createBody('9beta'));
    expect(name.body).toMatchObject({ error_code: 'FSS.1002' });
    const userData = await call(
      'POST',
      'functions',
      createBody('beta', {
        user_data: JSON.stringify(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`K${i}`, 'v']))),
      }),
    );
    expect(userData.body).toMatchObject({ error_code: 'FSS.1017' });
    const noCode = await call('POST', 'functions', createBody('beta', { func_code: {} }));
    expect(noCode.body).toMatchObject({ error_code: 'FSS.1012' });
    const strategyOnCreate = await call(
      'POST',
      'functions',
      createBody('beta', { strategy_config: { concurrency: 5 } }),
    );
    expect(strategyOnCreate.body.error_msg).toMatch(/strategy_config: is not a known field/);
  });

  it('accepts every URN form and answers 404 FSS.1051 for a missing function', async () => {
    for (const ref of [
      'alpha',
      'default:alpha',
      `${emu.projectId}:default:alpha`,
      `${emu.projectId}:default:alpha:latest`,
      `urn:fss:${emu.region}:${emu.projectId}:function:default:alpha`,
    ]) {
      const r = await call('GET', `functions/${ref}/config`);
      expect(r.status, ref).toBe(200);
      expect(r.body.func_name).toBe('alpha');
    }
    const missing = await call('GET', 'functions/ghost/config');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: 'FSS.1051', error_msg: 'Not found the function' });
    expect(missing.headers.get('x-request-id')).toBeTruthy();
  });

  it('resets optional fields a config update leaves out, and takes strategy_config there', async () => {
    const current = (await call('GET', 'functions/alpha/config')).body;
    const r = await call('PUT', 'functions/alpha/config', {
      func_name: 'alpha',
      runtime: current.runtime,
      timeout: current.timeout,
      handler: current.handler,
      memory_size: 512,
      strategy_config: { concurrency: 10, concurrent_num: 4 },
    });
    expect(r.status).toBe(200);
    expect(r.body.user_data).toBe('');
    expect(r.body.memory_size).toBe(512);
    expect(r.body.strategy_config).toEqual({ concurrency: 10, concurrent_num: 4 });
    const withCode = await call('PUT', 'functions/alpha/config', {
      ...createBody('alpha'),
      package: undefined,
    });
    expect(withCode.status).toBe(400);
  });

  it('publishes versions, refuses an unchanged publish (FSS.1016) and routes aliases by weight', async () => {
    await call('PUT', 'functions/alpha/config', {
      func_name: 'alpha',
      runtime: 'Node.js20.15',
      timeout: 30,
      handler: 'index.handler',
      memory_size: 256,
      user_data: '{"STAGE":"one"}',
    });
    const v1 = await call('POST', 'functions/alpha/versions', { version: 'v1', description: 'first' });
    expect(v1.status).toBe(200);
    expect(v1.body.func_urn).toMatch(/:alpha:v1$/);
    expect((await call('POST', 'functions/alpha/versions', { version: 'v1b' })).body).toMatchObject({
      error_code: 'FSS.1016',
    });
    expect((await call('POST', 'functions/alpha/versions', { version: 'v1' })).body).toMatchObject({
      error_code: 'FSS.1062',
    });
    await call('PUT', 'functions/alpha/config', {
      func_name: 'alpha',
      runtime: 'Node.js20.15',
      timeout: 30,
      handler: 'index.handler',
      memory_size: 256,
      user_data: '{"STAGE":"two"}',
    });
    expect((await call('POST', 'functions/alpha/versions', { version: 'v2' })).status).toBe(200);
    const alias = await call('POST', 'functions/alpha/aliases', {
      name: 'prod',
      version: 'v1',
      additional_version_weights: { v2: 100 },
    });
    expect(alias.body.alias_urn).toBe(`urn:fss:${emu.region}:${emu.projectId}:function:default:alpha:!prod`);
    expect(
      (
        await call('POST', 'functions/alpha/aliases', {
          name: 'bad',
          version: 'v1',
          additional_version_weights: { v2: 10, latest: 10 },
        })
      ).body,
    ).toMatchObject({ error_code: 'FSS.1091' });
    expect(
      (
        await call('POST', 'functions/alpha/aliases', {
          name: 'bad',
          version: 'v1',
          additional_version_weights: { v1: 10 },
        })
      ).body,
    ).toMatchObject({ error_code: 'FSS.1093' });
    const list = await call('GET', 'functions/alpha/aliases');
    expect(Array.isArray(list.body)).toBe(true);
    const invoked = await call(
      'POST',
      `functions/${q('alpha', '!prod')}/invocations`,
      { n: 1 },
      { headers: { 'X-CFF-Request-Version': 'v1' } },
    );
    expect(invoked.status).toBe(200);
    expect(JSON.parse(invoked.body.result)).toEqual({ got: { n: 1 }, v: 'two' });
    expect(invoked.headers.get('x-cff-request-id')).toBe(invoked.body.request_id);
    const deleteUsed = await call('DELETE', `functions/${q('alpha', 'v2')}`);
    expect(deleteUsed.status).toBe(403);
    expect(deleteUsed.body.error_code).toBe('FSS.1094');
  });

  it('answers v0 invocations with the raw result and async ones with 202', async () => {
    const raw = await call('POST', `functions/${q('alpha', 'v1')}/invocations`, { n: 2 });
    expect(JSON.parse(raw.raw)).toEqual({ got: { n: 2 }, v: 'one' });
    const asyncCall = await call('POST', 'functions/alpha/invocations-async', { n: 3 });
    expect(asyncCall.status).toBe(202);
    expect(asyncCall.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates triggers with 201, lists them as a bare array, refuses duplicates, deletes with 204', async () => {
    const timer = {
      trigger_type_code: 'TIMER',
      trigger_status: 'ACTIVE',
      event_data: { name: 'tick', schedule_type: 'Cron', schedule: '0 */5 * * * ?' },
    };
    const created = await call('POST', `triggers/${q('alpha', '!prod')}`, timer);
    expect(created.status).toBe(201);
    expect(created.body.trigger_id).toBeTruthy();
    expect((await call('POST', `triggers/${q('alpha', '!prod')}`, timer)).body).toMatchObject({
      error_code: 'FSS.1148',
    });
    const badCron = await call('POST', `triggers/${q('alpha', '!prod')}`, {
      ...timer,
      event_data: { ...timer.event_data, name: 'x', schedule: '0 61 * * * ?' },
    });
    expect(badCron.body).toMatchObject({ error_code: 'FSS.1109' });
    const list = await call('GET', `triggers/${q('alpha', '!prod')}`);
    expect(list.body).toHaveLength(1);
    expect((await call('DELETE', 'functions/alpha/aliases/prod')).body).toMatchObject({
      error_code: 'FSS.1154',
    });
    const del = await call('DELETE', `triggers/${q('alpha', '!prod')}/TIMER/${created.body.trigger_id}`);
    expect(del.status).toBe(204);
    expect(del.raw).toBe('');
    expect(
      (await call('GET', `triggers/${q('alpha', '!prod')}/TIMER/${created.body.trigger_id}`)).body,
    ).toMatchObject({ error_code: 'FSS.1140' });
  });

  it('keeps a function URL per qualifier: Go SDK bodies with cors null, updates, deletes, and serves it', async () => {
    expect((await call('POST', 'functions', createBody('urlfn'))).status).toBe(200);
    const path = `functions/${q('urlfn', 'latest')}/function-url`;
    expect((await call('GET', path)).status).toBe(404);
    expect((await call('POST', path, { auth_type: 'SOMETIMES', cors: null })).body).toMatchObject({
      error_code: 'FSS.0400',
    });
    // The Go SDK sends cors as null when it is not set (model_function_url_request_body.go).
    const created = await call('POST', path, { auth_type: 'NONE', cors: null });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ auth_type: 'NONE', cors: null });
    expect((await call('POST', path, { auth_type: 'NONE' })).status).toBe(409);
    const served = await fetch(`${created.body.function_url}/p?x=1`, { method: 'POST', body: '{"n":1}' });
    expect(served.status).toBe(500);
    expect((await served.json()).error_msg).toMatch(/APIG response/);
    const updated = await call('PUT', path, { auth_type: 'IAM', cors: { is_cors: true } });
    expect(updated.body).toMatchObject({
      auth_type: 'IAM',
      cors: { is_cors: true },
      function_url: created.body.function_url,
    });
    expect((await fetch(created.body.function_url)).status).toBe(401);
    expect((await call('DELETE', path)).status).toBe(204);
    expect((await call('GET', path)).status).toBe(404);
    expect((await fetch(created.body.function_url)).status).toBe(404);
  });

  it('sets reserved instances only on a version or alias URN', async () => {
    expect(
      (await call('PUT', 'functions/alpha/reservedinstances', { count: 1, idle_mode: false })).status,
    ).toBe(400);
    expect(
      (
        await call('PUT', `functions/${q('alpha', '!prod')}/reservedinstances`, {
          count: 2,
          idle_mode: false,
        })
      ).status,
    ).toBe(200);
    const list = await call('GET', 'functions/reservedinstanceconfigs', undefined, {});
    expect(list.body.reserved_instances).toEqual([
      expect.objectContaining({ qualifier_name: 'prod', min_count: 2 }),
    ]);
  });

  it('runs OBS code and counts only writes', async () => {
    const before = emu.writes();
    const r = await call(
      'POST',
      'functions',
      createBody('fromobs', {
        code_type: 'obs',
        func_code: undefined,
        code_filename: undefined,
        code_url: `https://code.obs.${emu.region}.myhuaweicloud.com/fn.zip`,
      }),
    );
    expect(r.status).toBe(200);
    const missing = await call(
      'POST',
      'functions',
      createBody('fromobs2', {
        code_type: 'obs',
        func_code: undefined,
        code_url: `https://code.obs.${emu.region}.myhuaweicloud.com/other.zip`,
      }),
    );
    expect(missing.body).toMatchObject({ error_code: 'FSS.1011' });
    expect(emu.writes()).toBe(before + 2);
    const out = await call(
      'POST',
      'functions/fromobs/invocations',
      { n: 5 },
      { headers: { 'X-CFF-Request-Version': 'v1' } },
    );
    expect(JSON.parse(out.body.result)).toEqual({ fromObs: 5 });
    expect(emu.writes()).toBe(before + 2);
  });

  it('serves injected faults once, then recovers', async () => {
    emu.injectFault({ status: 429, code: 'FSS.0429', pathIncludes: '/functions', method: 'GET' });
    const throttled = await call('GET', 'functions');
    expect(throttled.status).toBe(429);
    expect(throttled.body.error_code).toBe('FSS.0429');
    expect((await call('GET', 'functions')).status).toBe(200);
  });

  it('deletes a whole function with 204 and then answers 404', async () => {
    expect((await call('DELETE', `triggers/${q('alpha', '!prod')}`)).status).toBe(204);
    const del = await call('DELETE', 'functions/alpha');
    expect(del.status).toBe(204);
    expect((await call('GET', 'functions/alpha/config')).status).toBe(404);
    expect(emu.functionNames()).not.toContain('alpha');
  });
});
