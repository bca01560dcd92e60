/** A signed test client of the FunctionGraph emulator, shaped like the SDKs' requests. */
import { createHash, createHmac } from 'node:crypto';
import { canonicalQuery, canonicalUri, sdkDate, signRequest } from '@faasport/adapter-functiongraph';
import type { FunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { zipSync } from 'fflate';

/** Calls, URN and body helpers for the emulator `emu()` returns, signing with `ak` / `sk`. */
export function fgTestClient(emu: () => FunctionGraphEmulator, ak: string, sk: string) {
  /** Calls the emulator the way a signed SDK client does. */
  async function call(
    method: string,
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; secret?: string; date?: Date } = {},
  ) {
    const url = `${emu().url}/v2/${emu().projectId}/fgs/${path}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    const { headers } = signRequest({
      method,
      url,
      headers: {
        'content-type': 'application/json',
        'X-Project-Id': emu().projectId,
        ...(options.headers ?? {}),
      },
      ...(text === undefined ? {} : { body: text }),
      accessKeyId: ak,
      secretAccessKey: options.secret ?? sk,
      ...(options.date ? { date: options.date } : {}),
    });
    const { host: _host, ...sent } = headers;
    const response = await fetch(url, {
      method,
      headers: sent,
      ...(text === undefined ? {} : { body: text }),
    });
    const raw = await response.text();
    let json: any;
    try {
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      json = raw;
    }
    return { status: response.status, body: json, headers: response.headers, raw };
  }

  /** The 4-field simplified URN with a qualifier. */
  const q = (fn: string, qualifier: string) => `${emu().projectId}:default:${fn}:${qualifier}`;

  const code = (source: string) =>
    Buffer.from(zipSync({ 'index.js': new TextEncoder().encode(source) })).toString('base64');

  const createBody = (name: string, extra: Record<string, unknown> = {}) => ({
    func_name: name,
    package: 'default',
    runtime: 'Node.js20.15',
    handler: 'index.handler',
    memory_size: 256,
    timeout: 30,
    type: 'v2',
    code_type: 'zip',
    code_filename: 'index.zip',
    func_code: {
      file: code('exports.handler = async (event, context) => ({ got: event, v: process.env.STAGE });'),
    },
    user_data: '{"STAGE":"one"}',
    ...extra,
  });

  return { call, q, code, createBody };
}

/**
 * Signs as the Go SDK does, transcribed from huaweicloud-sdk-go-v3 core/auth/signer/signer.go (`Sign`,
 * `CanonicalRequest`, `CanonicalHeaders`, `SignedHeaders`): every header param is signed, lowercased and
 * sorted, values trimmed, no `host`; `X-Sdk-Content-Sha256`, when set, stands for the body's hash.
 */
export function goSdkSign(request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  ak: string;
  sk: string;
}): Record<string, string> {
  const headers = { ...request.headers, 'X-Sdk-Date': request.headers['X-Sdk-Date'] ?? sdkDate() };
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signed = Object.keys(lower).sort();
  const url = new URL(request.url);
  const payload =
    lower['x-sdk-content-sha256'] ??
    createHash('sha256')
      .update(request.body ?? '')
      .digest('hex');
  const canonical = [
    request.method,
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    `${signed.map((k) => `${k}:${lower[k]!.trim()}`).join('\n')}\n`,
    signed.join(';'),
    payload,
  ].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${headers['X-Sdk-Date']}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', request.sk).update(toSign).digest('hex');
  return {
    ...headers,
    Authorization: `SDK-HMAC-SHA256 Access=${request.ak}, SignedHeaders=${signed.join(';')}, Signature=${signature}`,
  };
}
