import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { canonicalUri, sdkDate, signRequest } from '../src/deploy/signer';

// Dev-only cross-check: the official core package is a devDependency. Only its signer module is
// loaded (the package entry builds a client, which writes to the home directory and needs `uuid`).
const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as {
  AKSKSigner: {
    sign(
      request: {
        endpoint: string;
        method: string;
        headers: Record<string, string>;
        data?: unknown;
        queryParams?: Record<string, unknown>;
      },
      credential: { getAk(): string; getSk(): string },
    ): Record<string, string>;
  };
};

const pid = '0123456789abcdef0123456789abcdef';
const host = 'https://functiongraph.cn-north-4.myhuaweicloud.com';
const credential = { getAk: () => 'AK1', getSk: () => 'SK1' };

/** Signs with the official SDK, as its BaseCredentials.processAuthRequest prepares the request. */
function officialSign(args: {
  method: string;
  path: string;
  query?: Record<string, string>;
  data?: unknown;
  headers: Record<string, string>;
}) {
  const qs = args.query ? `?${new URLSearchParams(args.query).toString().replace(/\+/g, '%20')}` : '';
  return AKSKSigner.sign(
    {
      endpoint: `${host}${args.path}${qs}`,
      method: args.method,
      headers: { ...args.headers },
      data: args.data,
      queryParams: args.query,
    },
    credential,
  );
}

describe('SDK-HMAC-SHA256 signer', () => {
  it('reproduces the reference test vector for a sync invoke with a URN in the path', () => {
    const path = `/v2/${pid}/fgs/functions/urn:fss:cn-north-4:${pid}:function:default:hello:latest/invocations`;
    const { headers, parts } = signRequest({
      method: 'POST',
      url: `${host}${path}`,
      body: '{"k":"v"}',
      headers: { 'content-type': 'application/json', 'X-Project-Id': pid, 'X-Sdk-Date': '20260102T030405Z' },
      accessKeyId: 'AK1',
      secretAccessKey: 'SK1',
    });
    expect(parts.canonicalRequest.split('\n')[1]).toBe(
      `/v2/${pid}/fgs/functions/urn%3Afss%3Acn-north-4%3A${pid}%3Afunction%3Adefault%3Ahello%3Alatest/invocations/`,
    );
    expect(parts.stringToSign).toBe(
      'SDK-HMAC-SHA256\n20260102T030405Z\ndc0b802b5146c9e21f3c025494e5307db5cd7cce11b9d4267704c36893502bc2',
    );
    expect(headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=3c93bde046143bb35faaafd0744b5abee2d593d2b1c1bd7698a91f519ba49aab',
    );
    const official = officialSign({
      method: 'POST',
      path,
      data: { k: 'v' },
      headers: { 'content-type': 'application/json', 'X-Project-Id': pid, 'X-Sdk-Date': '20260102T030405Z' },
    });
    expect(headers.Authorization).toBe(official.Authorization);
  });

  it.each([
    {
      what: 'an alias URN with "!" in the path',
      method: 'PUT',
      path: `/v2/${pid}/fgs/functions/urn:fss:cn-north-4:${pid}:function:default:hello:!main/reservedinstances`,
      data: { count: 2, idle_mode: false },
    },
    {
      what: 'a GET with a query containing a space',
      method: 'GET',
      path: `/v2/${pid}/fgs/functions`,
      query: { marker: '0', package_name: 'my app' },
    },
    {
      what: 'temporary credentials (X-Security-Token is signed)',
      method: 'GET',
      path: `/v2/${pid}/fgs/functions/hello/config`,
      extra: { 'X-Security-Token': 'token-value-1234' },
    },
    {
      what: 'a UTF-8 body and an API header',
      method: 'POST',
      path: `/v2/${pid}/fgs/functions/hello/invocations`,
      data: { name: 'café ☕' },
      extra: { 'X-Cff-Log-Type': 'tail', 'X-CFF-Request-Version': 'v1' },
    },
  ] as Array<{
    what: string;
    method: string;
    path: string;
    query?: Record<string, string>;
    data?: unknown;
    extra?: Record<string, string>;
  }>)('matches the official AKSKSigner for $what', ({ method, path, query, data, extra }) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'X-Project-Id': pid,
      'X-Sdk-Date': '20251231T235959Z',
      ...(extra ?? {}),
    };
    const qs = query ? `?${new URLSearchParams(query).toString()}` : '';
    const ours = signRequest({
      method,
      url: `${host}${path}${qs}`,
      body: data === undefined ? undefined : JSON.stringify(data),
      headers,
      accessKeyId: 'AK1',
      secretAccessKey: 'SK1',
    });
    const official = officialSign({ method, path, query, data, headers });
    expect(ours.headers.Authorization).toBe(official.Authorization);
    expect(ours.headers.host).toBe(official.host);
  });

  it('adds X-Sdk-Date in the SDK format when none is given', () => {
    const { headers } = signRequest({
      method: 'GET',
      url: `${host}/v2/${pid}/fgs/functions`,
      headers: {},
      accessKeyId: 'AK1',
      secretAccessKey: 'SK1',
      date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    });
    expect(headers['X-Sdk-Date']).toBe('20260102T030405Z');
    expect(sdkDate(new Date(Date.UTC(2026, 10, 23, 1, 2, 3, 456)))).toBe('20261123T010203Z');
  });

  it('always ends the canonical URI with a slash', () => {
    expect(canonicalUri('/v2/p/fgs/functions')).toBe('/v2/p/fgs/functions/');
    expect(canonicalUri('/')).toBe('/');
  });
});
