import { networkFailure, ProviderApiError } from '@faasport/core';
import axios, { type AxiosInstance } from 'axios';
import type { ResolvedOptions } from '../options';
import { signRequest } from './signer';

/** One FunctionGraph API response, its body parsed when it is JSON. */
export interface FgResponse<T = unknown> {
  status: number;
  data: T;
  text: string;
  headers: Record<string, string>;
}

/** Options of one call. */
export interface FgCallOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  /** Statuses that are not errors besides 2xx (e.g. 404 for reads). */
  allow?: number[];
}

const retryableStatuses = new Set([429, 500, 502, 503, 504]);
const retryableNetworkCodes = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * A small FunctionGraph v2 client on axios: builds `/v2/{project_id}/fgs/...` URLs (URNs unencoded, as
 * the API takes them), signs each request with SDK-HMAC-SHA256, retries throttling, 5xx and network
 * failures with exponential backoff and jitter, and turns error bodies into {@link ProviderApiError}.
 */
export class FunctionGraphClient {
  private readonly http: AxiosInstance;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.http = axios.create({
      timeout: options.requestTimeoutMs,
      maxBodyLength: Number.POSITIVE_INFINITY,
      maxContentLength: Number.POSITIVE_INFINITY,
      responseType: 'text',
      transformResponse: [(data) => data],
      validateStatus: () => true,
      proxy: false,
    });
  }

  /** The full URL of an API path below `/v2/{project_id}/fgs/`. */
  url(path: string, query?: Record<string, string | undefined>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.append(k, v);
    const text = qs.toString().replace(/\+/g, '%20');
    return `${this.options.endpoint}/v2/${encodeURIComponent(this.options.projectId)}/fgs/${path}${text ? `?${text}` : ''}`;
  }

  /** Calls the API; `operation` names the call in errors (e.g. `CreateFunction`). */
  async call<T = unknown>(
    operation: string,
    method: string,
    path: string,
    options: FgCallOptions = {},
  ): Promise<FgResponse<T>> {
    const credentials = this.options.credentials();
    const url = this.url(path, options.query);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let attempt = 0;
    for (;;) {
      attempt++;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'X-Project-Id': this.options.projectId,
        ...(credentials.securityToken ? { 'X-Security-Token': credentials.securityToken } : {}),
        ...(options.headers ?? {}),
      };
      const signed = signRequest({
        method,
        url,
        headers,
        ...(body === undefined ? {} : { body }),
        ...credentials,
      });
      let response: FgResponse<T> | undefined;
      let networkError: (Error & { code?: string }) | undefined;
      try {
        const r = await this.http.request<string>({
          method,
          url,
          headers: signed.headers,
          ...(body === undefined ? {} : { data: body }),
        });
        const text = typeof r.data === 'string' ? r.data : '';
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.headers))
          if (v !== undefined && v !== null) flat[k.toLowerCase()] = String(v);
        let data: unknown = text;
        if ((flat['content-type'] ?? '').includes('json') && text) {
          try {
            data = JSON.parse(text);
          } catch {
            data = text;
          }
        }
        response = { status: r.status, data: data as T, text, headers: flat };
      } catch (error) {
        networkError = error as Error & { code?: string };
      }
      const retryable = networkError
        ? retryableNetworkCodes.has(networkError.code ?? '')
        : retryableStatuses.has(response!.status);
      if (retryable && attempt < this.options.retry.attempts) {
        const backoff = this.options.retry.baseDelayMs * 2 ** (attempt - 1);
        await this.sleep(Math.min(backoff + Math.random() * backoff, 10_000));
        continue;
      }
      if (networkError) {
        throw networkFailure({
          adapter: 'functiongraph',
          operation,
          endpoint: this.options.endpoint,
          error: networkError,
          hint: `Check the region "${this.options.region}" (option \`region\` or HUAWEICLOUD_SDK_REGION, e.g. cn-north-4): the endpoint is https://functiongraph.<region>.myhuaweicloud.com unless the \`endpoint\` option sets it.`,
        });
      }
      const r = response!;
      if ((r.status >= 200 && r.status < 300) || options.allow?.includes(r.status)) return r;
      throw toProviderError(operation, r);
    }
  }
}

/** FunctionGraph's `{error_code, error_msg}` body as a ProviderApiError. */
export function toProviderError(operation: string, response: FgResponse): ProviderApiError {
  const body = (typeof response.data === 'object' && response.data !== null ? response.data : {}) as {
    error_code?: string;
    error_msg?: string;
  };
  const code = body.error_code;
  const auth = response.status === 401 || /^APIGW\.03/.test(code ?? '');
  const hint = auth
    ? 'The request signature was rejected: check the access key id and secret (credentials option or HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK), the security token of temporary credentials, the project id, and the clock of this machine.'
    : code === 'FSS.1051'
      ? 'The function does not exist in this project, region and package.'
      : undefined;
  return new ProviderApiError(
    {
      adapter: 'functiongraph',
      operation,
      status: response.status,
      ...(code ? { providerCode: code } : {}),
      providerMessage: body.error_msg ?? (response.text.slice(0, 300) || undefined),
      ...(response.headers['x-request-id'] ? { requestId: response.headers['x-request-id'] } : {}),
    },
    hint ? { hint } : {},
  );
}
