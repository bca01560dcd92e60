/** A signed test client of the FunctionGraph emulator, shaped like the SDKs' requests. */
import { signRequest } from '@faasport/adapter-functiongraph';
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
