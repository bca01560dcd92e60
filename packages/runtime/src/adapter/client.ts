import path from 'node:path';
import {
  ConfigurationError,
  NotFoundError,
  ProviderApiError,
  registerSecret,
  ValidationError,
  type ValidationIssue,
  z,
} from '@faasport/core';
import { zodIssues } from '@faasport/core/toolkit';
import { runtimeInDataDir } from './target';

/** Options of the local adapter: a runtime's URL and token, or its data dir (where it records both). */
export type LocalAdapterOptions = { url: string; token: string } | { dataDir: string };

const optionsSchema = z.union([
  z.strictObject({ url: z.string().url(), token: z.string().min(16) }),
  z.strictObject({ dataDir: z.string().min(1) }),
]);

/** The connection a client uses. */
export interface Connection {
  url: string;
  token: string;
}

/** Validates the options and finds the runtime (its record `runtime.json` in a data dir, checked as the CLI checks it). */
export function connectionOf(options: LocalAdapterOptions): Connection {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError(zodIssues(parsed.error, { rootPath: 'options' }), {
      subject: 'local adapter options (give { url, token } or { dataDir })',
    });
  }
  const value = parsed.data;
  if ('url' in value) {
    registerSecret(value.token);
    return { url: value.url.replace(/\/$/, ''), token: value.token };
  }
  const dataDir = path.resolve(value.dataDir);
  const { url, token } = runtimeInDataDir(dataDir, {
    option: 'dataDir',
    hint: `Start one with \`faasport-runtime --data-dir ${dataDir}\` (or \`faasport dev\`/\`faasport serve\`, which use .faasport in the project), or pass { url, token }.`,
  });
  registerSecret(token);
  return { url, token };
}

/**
 * The error for a request that reached no runtime. Refused connections mean nothing listens at the
 * address any more: usually a runtime that stopped without removing its record (killed, or the machine
 * restarted while its process id was reused), so the error says it is not running and how to start it.
 */
function unreachable(connection: Connection, operation: string, error: unknown): Error {
  const cause = error as { code?: string; cause?: { code?: string } };
  const code = cause?.cause?.code ?? cause?.code;
  if (code === 'ECONNREFUSED') {
    return new ConfigurationError(
      `No faasport runtime is running at ${connection.url}: the connection was refused (${operation}).`,
      {
        option: 'url',
        envVar: 'FAASPORT_RUNTIME_URL',
        adapter: 'local',
        hint: 'Start one with `faasport dev` or `faasport serve` in the project folder (it replaces a stale .faasport/runtime.json), or set FAASPORT_RUNTIME_URL and FAASPORT_RUNTIME_TOKEN to a running one.',
        cause: error,
      },
    );
  }
  return new ProviderApiError({
    adapter: 'local',
    operation,
    providerMessage: `cannot reach the runtime at ${connection.url}: ${(error as Error).message}`,
    retryable: true,
  });
}

/** The typed client of the runtime's admin API (`/_faasport/v1`). */
export class AdminClient {
  constructor(readonly connection: Connection) {}

  /** Sends a request to the admin API and returns the raw response. */
  async raw(
    method: string,
    route: string,
    init: { body?: BodyInit; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    try {
      return await fetch(`${this.connection.url}/_faasport/v1${route}`, {
        method,
        body: init.body,
        headers: { authorization: `Bearer ${this.connection.token}`, ...init.headers },
        signal: init.signal,
        ...(init.body ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      throw unreachable(this.connection, `${method} ${route}`, error);
    }
  }

  /**
   * Sends a request and reads the whole answer, over `node:http` rather than `fetch`: a command that
   * makes one round trip (`plan`, `ls`) would otherwise load undici and compile its WebAssembly HTTP
   * parser, which costs more CPU than the rest of the command and delays the process's exit.
   */
  async text(
    method: string,
    route: string,
    init: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; text: string }> {
    const url = new URL(`${this.connection.url}/_faasport/v1${route}`);
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${this.connection.token}`,
      ...init.headers,
    };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    // Loaded here: node:https brings TLS, which a runtime on plain http (the usual case) never needs.
    const transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    try {
      return await new Promise((resolve, reject) => {
        const request = transport.request(url, { method, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
        });
        request.on('error', reject);
        request.end(init.body);
      });
    } catch (error) {
      throw unreachable(this.connection, `${method} ${route}`, error);
    }
  }

  /** Sends JSON and parses the JSON answer; maps error answers to faasport errors. */
  async json<T>(
    method: string,
    route: string,
    body?: unknown,
    subject?: { functionName?: string },
  ): Promise<T> {
    const { status, text } = await this.text(
      method,
      route,
      body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
    );
    const data = text ? safeJson(text) : undefined;
    if (status >= 200 && status < 300) return data as T;
    throw errorOf(status, data, `${method} ${route}`, subject?.functionName);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 500) } };
  }
}

/** Turns an admin API error answer into the matching faasport error. */
export function errorOf(status: number, data: unknown, operation: string, functionName?: string): Error {
  const error =
    (data as { error?: { code?: string; message?: string; issues?: ValidationIssue[] } } | undefined)
      ?.error ?? {};
  if (error.code === 'FP_VALIDATION' && Array.isArray(error.issues))
    return new ValidationError(error.issues, { adapter: 'local' });
  if (status === 404 && functionName && error.code === 'FunctionNotFound')
    return new NotFoundError({ functionName, target: 'local', adapter: 'local' });
  return new ProviderApiError({
    adapter: 'local',
    operation,
    status,
    providerCode: error.code,
    providerMessage: error.message ?? `HTTP ${status}`,
  });
}
