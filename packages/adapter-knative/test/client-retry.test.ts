import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderApiError } from '@faasport/core';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../src/deploy/client';

// A Kubernetes API server that throttles: each answer in `script` is used once, in order, then 200s.
// API Priority and Fairness answers 429 with a Status body and Retry-After (in seconds).
let server: http.Server;
let url: string;
const seen: string[] = [];
let script: Array<{ status: number; retryAfter?: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url?.split('?')[0]}`);
    const next = script.shift();
    if (next) {
      res.writeHead(next.status, {
        'content-type': 'application/json',
        ...(next.retryAfter ? { 'retry-after': next.retryAfter } : {}),
      });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'TooManyRequests',
          code: next.status,
          message: 'too many requests, please try again later',
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: {},
        items: [{ metadata: { name: 'one' } }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function client(): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'default' }],
    currentContext: 'x',
  });
  return new KubeClient(kc, 'default', 'faasport');
}

describe('Kubernetes API throttling', () => {
  it('retries a 429 after its Retry-After, and a 503, through the toolkit retry', async () => {
    seen.length = 0;
    script = [{ status: 429, retryAfter: '0' }, { status: 503 }];
    const items = await client().list('configMap', 'app=x');
    expect(items.map((i) => i.metadata.name)).toEqual(['one']);
    expect(seen).toEqual(Array(3).fill('GET /api/v1/namespaces/default/configmaps'));
  });

  it('gives up after the attempts with a ProviderApiError saying 429', async () => {
    seen.length = 0;
    script = Array.from({ length: 4 }, () => ({ status: 429, retryAfter: '0' }));
    const error = await client()
      .list('configMap', 'app=x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).status).toBe(429);
    expect(seen).toHaveLength(4);
  });
});
