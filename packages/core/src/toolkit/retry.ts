import { isRetryableNetworkCode, networkCodeOf } from '../errors/network';

/** HTTP statuses after which the same call may succeed: throttling and transient server failures. */
const retryableStatuses = new Set([429, 500, 502, 503, 504]);

/**
 * The HTTP status an error carries (`status`, `statusCode`, `response.status`, or a numeric `code` as the
 * Kubernetes client's `ApiException` has; a string `code` is a network code, not a status), if any.
 */
export function statusOf(error: unknown): number | undefined {
  const e = error as
    | { status?: unknown; statusCode?: unknown; response?: { status?: unknown }; code?: unknown }
    | undefined;
  for (const value of [e?.status, e?.statusCode, e?.response?.status, e?.code])
    if (typeof value === 'number') return value;
  return undefined;
}

/**
 * The one retryable classification of faasport: HTTP 429, 500, 502, 503 and 504, and transient
 * network failures (reset, timeout, closed socket, a name that could not be resolved right now).
 * Not a host name that does not resolve (ENOTFOUND), and not 409: an adapter whose writes race
 * (Knative's resourceVersion precondition) opts into 409 with its own `retryable`.
 *
 * @public
 */
export function isRetryable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return retryableStatuses.has(status);
  return isRetryableNetworkCode(networkCodeOf(error));
}

/** A header value from a plain record or a `Headers` object, case-insensitively. */
function header(headers: unknown, name: string): unknown {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * How long an error asks to wait before the next try, in milliseconds: its `Retry-After` (seconds or
 * an HTTP date, RFC 9110 section 10.2.3), read from `retryAfter`, `headers` or `response.headers` of
 * the error or of one of its causes. Undefined when it carries none or the value is malformed.
 *
 * @public
 */
export function retryAfterMs(error: unknown, now: () => number = Date.now): number | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const carrier = e as { retryAfter?: unknown; headers?: unknown; response?: { headers?: unknown } };
    const value =
      carrier.retryAfter ??
      header(carrier.headers, 'retry-after') ??
      header(carrier.response?.headers, 'retry-after');
    if (value === undefined || value === null) continue;
    const text = String(Array.isArray(value) ? value[0] : value).trim();
    if (/^\d+$/.test(text)) return Number(text) * 1000;
    const date = Date.parse(text);
    if (!Number.isNaN(date)) return Math.max(0, date - now());
    return undefined;
  }
  return undefined;
}

/** What {@link withRetry} reports before it waits for the next try. @public */
export interface RetryEvent {
  /** The failure of the attempt that just ended. */
  error: unknown;
  /** The number of that attempt, from 1. */
  attempt: number;
  /** How long it waits before the next attempt. */
  delayMs: number;
}

/** Options of {@link withRetry}. @public */
export interface RetryOptions {
  /** Which failures may succeed when tried again (default {@link isRetryable}). */
  retryable?: (error: unknown) => boolean;
  /** Stops the retries: an abort ends a wait at once and rejects with the abort reason. */
  signal?: AbortSignal;
  /** Attempts in all, the first one included (default 4). */
  attempts?: number;
  /** The backoff ceiling of the first retry, doubled for each further one (default 200). */
  baseDelayMs?: number;
  /** The longest wait, `Retry-After` included (default 10,000). */
  maxDelayMs?: number;
  /** Called before each wait, e.g. to log the retry. */
  onRetry?: (event: RetryEvent) => void;
  /** Waits `ms` milliseconds (default a timer); tests inject one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
  /** The current time in milliseconds, to read a `Retry-After` date (default `Date.now`). */
  now?: () => number;
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits, or rejects with the abort reason as soon as the signal aborts. */
function wait(sleep: (ms: number) => Promise<void>, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Runs `fn` until it succeeds, its failure is not retryable, or the attempts are used up (then the
 * last failure is thrown as it is). Between attempts it waits with exponential backoff and full
 * jitter (a random time up to `baseDelayMs * 2^(attempt-1)`, at most `maxDelayMs`), or as long as the
 * failure's `Retry-After` asks (at most `maxDelayMs`). An aborted `signal` stops it before an attempt
 * or during a wait, rejecting with the abort reason.
 *
 * @public
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    retryable = isRetryable,
    signal,
    attempts = 4,
    baseDelayMs = 200,
    maxDelayMs = 10_000,
    onRetry,
    sleep = timer,
    random = Math.random,
    now = Date.now,
  } = options;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryable(error)) throw error;
      const asked = retryAfterMs(error, now);
      const delayMs = Math.min(
        maxDelayMs,
        asked ?? random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)),
      );
      onRetry?.({ error, attempt, delayMs });
      await wait(sleep, delayMs, signal);
    }
  }
}
