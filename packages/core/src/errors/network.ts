import { ProviderApiError } from './errors';

/** What each network error code means, in words a user can act on. */
const networkMeanings: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved right now',
  ECONNREFUSED: 'nothing accepts connections there',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  ECONNABORTED: 'the request timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EPIPE: 'the connection closed while sending',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
};

/** Codes after which the same call may succeed; a name that does not resolve will not. */
const retryableNetworkCodes = new Set([
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Whether a call that failed with network error `code` may succeed when tried again. */
export function isRetryableNetworkCode(code: string | undefined): boolean {
  return code !== undefined && retryableNetworkCodes.has(code);
}

/**
 * The Node.js network error code of an error or of its cause (`fetch failed` keeps it in `cause`),
 * when it is one faasport explains.
 *
 * @public
 */
export function networkCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in networkMeanings) return code;
  }
  return undefined;
}

/**
 * A provider call that got no HTTP answer, as a {@link ProviderApiError} that reads well:
 * `fc GetFunction failed with: ENOTFOUND 123.cn-hangzhou.fc.aliyuncs.com (the host name does not
 * resolve).` Only transient codes are retryable. `hint` should name the settings that make up the
 * endpoint (region, account, `endpoint`), since those are what a user gets wrong.
 *
 * @public
 */
export function networkFailure(args: {
  adapter: string;
  operation: string;
  /** The URL that was called (its host is shown). */
  endpoint: string;
  error: unknown;
  hint?: string;
}): ProviderApiError {
  const code = networkCodeOf(args.error);
  let host = args.endpoint;
  try {
    host = new URL(args.endpoint).host;
  } catch {
    // Not a URL: show it as given.
  }
  const detail = code
    ? `${code} ${host} (${networkMeanings[code]})`
    : `${host}: ${(args.error as Error)?.message ?? String(args.error)}`;
  return new ProviderApiError(
    {
      adapter: args.adapter,
      operation: args.operation,
      providerMessage: detail,
      retryable: code === undefined || retryableNetworkCodes.has(code),
    },
    {
      cause: args.error,
      hint:
        args.hint ?? `Check that ${args.endpoint} is the right endpoint and that this machine can reach it.`,
    },
  );
}
