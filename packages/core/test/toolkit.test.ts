import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigurationError, ProviderApiError, redact, type Step, ValidationError } from '@faasport/core';
import {
  describeWithMarker,
  forwardRequest,
  isRetryable,
  loadSetting,
  offlinePlaceholders,
  readMarkedDescription,
  retryAfterMs,
  stepHandlers,
  versionPublishSteps,
  withRetry,
  zodIssues,
} from '@faasport/core/toolkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/** An error as HTTP clients throw it, with a status and optional headers. */
const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { status, headers });
const networkError = (code: string) => Object.assign(new Error(`fetch failed`), { cause: { code } });

/** A sleep that records the delays and returns at once. */
function recorder() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

/** A function failing with the given errors in turn, then answering `ok`. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const fn = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('isRetryable', () => {
  it('retries throttling, the transient 5xx and transient network failures only', () => {
    for (const status of [429, 500, 502, 503, 504]) expect(isRetryable(httpError(status))).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 501]) expect(isRetryable(httpError(status))).toBe(false);
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET'])
      expect(isRetryable(networkError(code))).toBe(true);
    expect(isRetryable(networkError('ENOTFOUND'))).toBe(false);
    expect(isRetryable(networkError('ECONNREFUSED'))).toBe(false);
    expect(isRetryable(new Error('boom'))).toBe(false);
  });
});

describe('withRetry', () => {
  it('backs off exponentially with full jitter, capped by maxDelayMs', async () => {
    const { delays, sleep } = recorder();
    const f = failing(httpError(503), httpError(503), httpError(503), httpError(503));
    const result = await withRetry(f.fn, {
      attempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 300,
      sleep,
      random: () => 0.5,
    });
    expect(result).toBe('ok');
    expect(f.calls()).toBe(5);
    // Half of 100, 200, min(300, 400), min(300, 800).
    expect(delays).toEqual([50, 100, 150, 150]);
  });

  it('throws the last failure as it is when the attempts are used up', async () => {
    const { delays, sleep } = recorder();
    const last = httpError(429);
    const f = failing(httpError(500), httpError(502), last);
    await expect(withRetry(f.fn, { attempts: 3, sleep, random: () => 0 })).rejects.toBe(last);
    expect(f.calls()).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it('does not retry what is not retryable, and an adapter may opt into 409', async () => {
    const { sleep } = recorder();
    const conflict = httpError(409);
    const once = failing(conflict);
    await expect(withRetry(once.fn, { sleep })).rejects.toBe(conflict);
    expect(once.calls()).toBe(1);
    const notFound = failing(networkError('ENOTFOUND'));
    await expect(withRetry(notFound.fn, { sleep })).rejects.toThrow('fetch failed');
    expect(notFound.calls()).toBe(1);
    const optedIn = failing(httpError(409), httpError(409));
    const retryable = (e: unknown) => (e as { status?: number }).status === 409;
    await expect(withRetry(optedIn.fn, { sleep, retryable })).resolves.toBe('ok');
    expect(optedIn.calls()).toBe(3);
  });

  it('waits as long as Retry-After asks, in seconds or as an HTTP date, capped by maxDelayMs', async () => {
    const { delays, sleep } = recorder();
    const now = () => Date.parse('Wed, 02 Dec 2026 07:00:00 GMT');
    const f = failing(
      httpError(429, { 'Retry-After': '3' }),
      httpError(503, { 'retry-after': 'Wed, 02 Dec 2026 07:00:02 GMT' }),
      Object.assign(new Error('wrapped'), { cause: httpError(429, { 'retry-after': '60' }) }),
    );
    const retryable = () => true;
    await withRetry(f.fn, { attempts: 4, sleep, now, retryable, random: () => 0.5, maxDelayMs: 5000 });
    expect(delays).toEqual([3000, 2000, 5000]);
    expect(retryAfterMs(httpError(429, { 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs({ response: { headers: new Headers({ 'Retry-After': '7' }) } })).toBe(7000);
  });

  it('reports each retry before waiting', async () => {
    const { sleep } = recorder();
    const first = httpError(500);
    const events: unknown[] = [];
    await withRetry(failing(first).fn, { sleep, random: () => 0.25, onRetry: (e) => events.push(e) });
    expect(events).toEqual([{ error: first, attempt: 1, delayMs: 50 }]);
  });

  it('stops waiting at once when aborted, with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    let waits = 0;
    // A sleep that never ends: only the abort can end the wait.
    const sleep = () => {
      waits++;
      controller.abort(reason);
      return new Promise<void>(() => {});
    };
    const f = failing(httpError(503), httpError(503));
    await expect(withRetry(f.fn, { sleep, signal: controller.signal })).rejects.toBe(reason);
    expect(waits).toBe(1);
    expect(f.calls()).toBe(1);
  });

  it('does not start when the signal is already aborted', async () => {
    const reason = new Error('gone');
    const f = failing();
    await expect(withRetry(f.fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(f.calls()).toBe(0);
  });
});

describe('zodIssues', () => {
  const schema = z.strictObject({
    region: z.string(),
    credentials: z.object({ secret: z.string() }).optional(),
  });

  it('turns zod issues into faasport issues with a prefix, a root path and a message rule', () => {
    const error = schema.safeParse({ region: 1, credentials: { secret: 2 }, extra: true }).error!;
    const issues = zodIssues(error, {
      prefix: ['providers', 'x'],
      message: (i) => (i.path[0] === 'credentials' ? 'is not valid' : i.message),
    });
    expect(issues).toEqual([
      {
        path: 'providers.x.region',
        message: expect.stringContaining('expected string'),
        rule: 'invalid_type',
      },
      { path: 'providers.x.credentials.secret', message: 'is not valid', rule: 'invalid_type' },
      { path: 'providers.x', message: expect.stringContaining('extra'), rule: 'unrecognized_keys' },
    ]);
    expect(zodIssues(schema.safeParse(5).error!, { rootPath: '(options)' })[0]!.path).toBe('(options)');
    expect(() => {
      throw new ValidationError(issues);
    }).toThrow(/providers\.x\.region/);
  });
});

describe('loadSetting', () => {
  const envNames = ['NEW_NAME', 'OLD_NAME'];

  it('prefers the option, then the first non-empty environment variable', () => {
    const env = { NEW_NAME: '', OLD_NAME: 'from-env' };
    expect(loadSetting({ name: 'a.b', options: { a: { b: 'from-option' } }, env, envNames })).toBe(
      'from-option',
    );
    expect(loadSetting({ name: 'a.b', options: {}, env, envNames })).toBe('from-env');
    expect(loadSetting({ name: 'a.b', options: undefined, env: {}, envNames })).toBeUndefined();
  });

  it('throws a ConfigurationError naming the option and variable when required', () => {
    let error: unknown;
    try {
      loadSetting({
        name: 'region',
        env: {},
        envNames,
        required: true,
        description: 'the region',
        adapter: 'x',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/the region/);
    expect((error as Error).message).toMatch(/region/);
    expect((error as Error).message).toMatch(/NEW_NAME/);
  });

  it('registers a secret so it never shows in errors', () => {
    const value = 'super-secret-value-1234';
    loadSetting({ name: 'key', env: { KEY: value }, envNames: ['KEY'], secret: true });
    expect(redact(`the key is ${value}`)).not.toContain(value);
  });
});

describe('offlinePlaceholders', () => {
  const placeholders = {
    region: { envNames: ['REGION'], value: 'cn-north-4' },
    projectId: { envNames: ['PROJECT'], value: '<project-id>' },
  };

  it('stands in offline for what neither the options nor the environment set', () => {
    expect(
      offlinePlaceholders({ offline: true, options: { region: 'eu-west-101' }, env: {} }, placeholders),
    ).toEqual({ projectId: '<project-id>' });
    expect(
      offlinePlaceholders({ offline: true, options: {}, env: { PROJECT: 'p1', REGION: '' } }, placeholders),
    ).toEqual({ region: 'cn-north-4' });
  });

  it('stands in for nothing online, where a missing setting must fail', () => {
    expect(offlinePlaceholders({ offline: false, options: {}, env: {} }, placeholders)).toEqual({});
  });
});

describe('forwardRequest', () => {
  it("sends the method, headers and body on, and returns a redirect as the function's answer", async () => {
    const seen: { method?: string; header?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ method: req.method, header: req.headers['x-sign'] as string | undefined, body });
        res.writeHead(302, { location: '/elsewhere' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fn?q=1`;
    try {
      const post = await forwardRequest(
        new Request('http://caller/fn', { method: 'POST', body: 'hi' }),
        url,
        {
          headers: { 'x-sign': 'signed' },
          adapter: 'test',
          operation: 'Invoke',
        },
      );
      expect(post.status).toBe(302);
      expect(post.headers.get('location')).toBe('/elsewhere');
      await forwardRequest(new Request('http://caller/fn'), url, { adapter: 'test', operation: 'Invoke' });
      expect(seen).toEqual([
        { method: 'POST', header: 'signed', body: 'hi' },
        { method: 'GET', header: undefined, body: '' },
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names the adapter and operation, retryable, when nothing answers', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const error = await forwardRequest(new Request('http://caller/'), `http://127.0.0.1:${port}/`, {
      adapter: 'fc3',
      operation: 'InvokeHttpTrigger',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain('InvokeHttpTrigger');
  });
});

describe('versionPublishSteps', () => {
  const input = {
    functionName: 'shop',
    revisionLabel: 'v2',
    revisionHash: 'h2',
    platform: 'Lambda',
    adapter: 'lambda',
  };

  it('publishes a label no version carries, and nothing for the same revision', () => {
    expect(versionPublishSteps(input).map((s) => [s.id, s.action, s.resource])).toEqual([
      ['version', 'publish', 'version v2'],
    ]);
    expect(versionPublishSteps({ ...input, existing: { name: '7', revisionHash: 'h2' } })).toEqual([]);
  });

  it('refuses a label whose version holds other code, naming the version and the rule', () => {
    const refusal = (existing: { name: string; revisionHash: string | undefined }) => {
      try {
        versionPublishSteps({ ...input, existing });
      } catch (error) {
        return error as ValidationError;
      }
      throw new Error('accepted');
    };
    const relabelled = refusal({ name: '7', revisionHash: 'h1' });
    expect(relabelled.issues[0]).toMatchObject({ path: 'revision', rule: 'revision-immutable' });
    expect(relabelled.message).toContain('version 7 of shop is labelled "v2" with other code or settings');
    expect(refusal({ name: 'v2', revisionHash: undefined }).message).toContain(
      'version "v2" of shop already exists with other code or settings; Lambda versions are immutable',
    );
  });
});

describe('describeWithMarker', () => {
  it('keeps the marker whole within the limit and gives the user text back', () => {
    const marker = { r: 'v1', h: 'abc' };
    const text = describeWithMarker('x'.repeat(300), marker, 256);
    expect(text).toHaveLength(256);
    expect(readMarkedDescription(text)).toEqual({ user: 'x'.repeat(256 - 1 - 29), marker });
    expect(readMarkedDescription(describeWithMarker(undefined, marker, 256))).toEqual({ marker });
    expect(readMarkedDescription('faasport:{cut')).toEqual({ user: 'faasport:{cut' });
    expect(readMarkedDescription('just words')).toEqual({ user: 'just words' });
  });
});

describe('stepHandlers', () => {
  const step = (id: string): Step => ({
    id,
    action: 'update',
    resource: id,
    summary: id,
    changes: [],
    phase: 'finalize',
  });

  it('runs the handler of the exact id, else of the longest family the id starts with', async () => {
    const ran: string[] = [];
    const apply = stepHandlers<[label: string]>('demo', {
      function: (s, label) => void ran.push(`function ${s.id} ${label}`),
      'trigger:*': (s) => void ran.push(`trigger ${s.id}`),
      'trigger:http:*': (s) => void ran.push(`http ${s.id}`),
      'trigger:timer': (s) => void ran.push(`exact ${s.id}`),
    });
    for (const id of ['function', 'trigger:oss', 'trigger:http:main', 'trigger:timer'])
      await apply(step(id), 'x');
    expect(ran).toEqual([
      'function function x',
      'trigger trigger:oss',
      'http trigger:http:main',
      'exact trigger:timer',
    ]);
    expect(apply.patterns).toEqual(['function', 'trigger:*', 'trigger:http:*', 'trigger:timer']);
  });

  it('refuses a step no handler takes, naming it and the known ids', async () => {
    const apply = stepHandlers<[]>('demo', { function: () => {}, 'trigger:*': () => {} });
    const error = await apply(step('domain:a.example')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(
      'step "domain:a.example" is not a demo step (known: function, trigger:*)',
    );
    // A family pattern is not an exact id of its own.
    await expect(apply(step('trigger:*'))).resolves.toBeUndefined();
    await expect(apply(step('functions'))).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses a pattern with a "*" before its end', () => {
    expect(() => stepHandlers('demo', { 'trigger:*:x': () => {} })).toThrow(/may only end a pattern/);
  });
});
