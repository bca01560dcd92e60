import { networkCodeOf, networkFailure, ProviderApiError } from '@faasport/core';
import { withRetry } from '@faasport/core/toolkit';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
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
    /** Ends retries at once when aborted. */
    private readonly signal?: AbortSignal,
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

  /** The same client whose retries stop when `signal` aborts. */
  withSignal(signal: AbortSignal | undefined): FunctionGraphClient {
    return signal ? new FunctionGraphClient(this.options, this.sleep, signal) : this;
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
    const attempt = async (): Promise<FgResponse<T>> => {
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
      let r: AxiosResponse<string>;
      try {
        r = await this.http.request<string>({
          method,
          url,
          headers: signed.headers,
          ...(body === undefined ? {} : { data: body }),
        });
      } catch (error) {
        throw networkFailure({
          adapter: 'functiongraph',
          operation,
          endpoint: this.options.endpoint,
          error,
          hint: `Check the region "${this.options.region}" (option \`region\` or HUAWEICLOUD_SDK_REGION, e.g. cn-north-4): the endpoint is https://functiongraph.<region>.myhuaweicloud.com unless the \`endpoint\` option sets it.`,
        });
      }
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
      const response: FgResponse<T> = { status: r.status, data: data as T, text, headers: flat };
      // A retryable status is retried even where `allow` accepts it; the last answer decides.
      if (retryableStatuses.has(r.status)) throw new RetryableAnswer(response);
      return response;
    };
    let response: FgResponse<T>;
    try {
      response = await withRetry(attempt, {
        retryable: (error) =>
          error instanceof RetryableAnswer || retryableNetworkCodes.has(networkCodeOf(error) ?? ''),
        attempts: this.options.retry.attempts,
        baseDelayMs: this.options.retry.baseDelayMs,
        sleep: this.sleep,
        ...(this.signal ? { signal: this.signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof RetryableAnswer)) throw error;
      response = error.response as FgResponse<T>;
    }
    if ((response.status >= 200 && response.status < 300) || options.allow?.includes(response.status))
      return response;
    throw toProviderError(operation, response);
  }
}

/** An answer with a retryable status, thrown so {@link withRetry} tries again. */
class RetryableAnswer extends Error {
  constructor(readonly response: FgResponse) {
    super(`HTTP ${response.status}`);
  }
  /** FunctionGraph's throttling answers may say when to come back. */
  get headers(): Record<string, string> {
    return this.response.headers;
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
