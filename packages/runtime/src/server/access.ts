import { timingSafeEqual } from 'node:crypto';
import { adminPrefix, type Route, type RuntimeContext } from './context';
import { gatewayRoute } from './gateway';
import { hostName, isLoopbackName } from './http';

/** Who answers a request, as {@link AccessPolicy.decide} rules. */
export type Decision =
  | { kind: 'metrics' | 'healthz' | 'admin' }
  | { kind: 'refuse'; status: number; code: string; message: string }
  | { kind: 'serve'; route: Route };

/** What the access rules need: the functions, the admin token and the listening address. */
export interface AccessPolicyOptions {
  context: RuntimeContext;
  /** The admin bearer token. */
  token: string;
  /** The file holding it, named in refusals. */
  tokenFile: string;
  /** Serve `/metrics` without the token to loopback host names (see `RuntimeOptions.publicMetrics`). */
  publicMetrics?: boolean | undefined;
  /** The address the runtime listens on, as in a `Host` header (IPv6 in brackets). */
  listenHost: string;
}

/** The runtime's access rules: the admin token, private functions, HTTP triggers and `/metrics`. */
export interface AccessPolicy {
  /** Who answers a request: the same rules for Node's HTTP server and the front. */
  decide(method: string, url: string, hostHeader: string, authorization: string | undefined): Decision;
}

/** Creates the access rules of a runtime. */
export function createAccessPolicy(options: AccessPolicyOptions): AccessPolicy {
  const { context, tokenFile, listenHost } = options;
  const { functions } = context;
  const tokenBytes = Buffer.from(options.token);
  const authorized = (header = ''): boolean => {
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  };
  /** Who answers a request: the same rules for Node's HTTP server and the front. */
  function decide(
    method: string,
    url: string,
    hostHeader: string,
    authorization: string | undefined,
  ): Decision {
    if (url === '/metrics' || url.startsWith('/metrics?')) return metricsAccess(hostHeader, authorization);
    if (url === '/healthz') return { kind: 'healthz' };
    const route = gatewayRoute(context, hostHeader, url);
    if (route === 'admin' || (route === undefined && url.startsWith(adminPrefix))) {
      if (!authorized(authorization))
        return {
          kind: 'refuse',
          status: 401,
          code: 'Unauthorized',
          message: `the admin API needs "Authorization: Bearer <token>"; the token is in ${tokenFile}`,
        };
      return { kind: 'admin' };
    }
    if (!route)
      return {
        kind: 'refuse',
        status: 404,
        code: 'FunctionNotFound',
        message: `no function matches host ${JSON.stringify(hostHeader)} and path ${JSON.stringify(url.split('?')[0])}`,
      };
    const settingsOf = functions.settingsOf(route.fn.name);
    // Fail closed: without stored settings nobody knows whether the function is private.
    if (!settingsOf)
      return {
        kind: 'refuse',
        status: 503,
        code: 'FunctionNotReady',
        message: `function "${route.fn.name}" has no stored settings (a deploy did not finish); deploy it again`,
      };
    const needsToken =
      settingsOf?.visibility === 'private' ||
      settingsOf?.triggers.some((t) => t.kind === 'http' && t.auth !== 'anonymous');
    if (needsToken && !authorized(authorization))
      return {
        kind: 'refuse',
        status: 401,
        code: 'Unauthorized',
        message: `function "${route.fn.name}" is private; send "Authorization: Bearer <token>"`,
      };
    const httpTrigger = settingsOf?.triggers.find((t) => t.kind === 'http');
    if (settingsOf && !httpTrigger)
      return {
        kind: 'refuse',
        status: 404,
        code: 'FunctionNotFound',
        message: `function "${route.fn.name}" has no http trigger`,
      };
    if (httpTrigger && httpTrigger.kind === 'http' && !httpTrigger.methods.includes(method))
      return {
        kind: 'refuse',
        status: 405,
        code: 'MethodNotAllowed',
        message: `function "${route.fn.name}" accepts ${httpTrigger.methods.join(', ')}`,
      };
    return { kind: 'serve', route };
  }
  /**
   * `/metrics` needs the admin token, unless `publicMetrics` opens it. Open metrics answer only under a
   * loopback host name or the listening address: a browser page served under another name that
   * resolves to this machine (DNS rebinding) is refused.
   */
  function metricsAccess(hostHeader: string, authorization: string | undefined): Decision {
    if (authorized(authorization)) return { kind: 'metrics' };
    if (!options.publicMetrics)
      return {
        kind: 'refuse',
        status: 401,
        code: 'Unauthorized',
        message: `/metrics needs "Authorization: Bearer <token>" (the token is in ${tokenFile}); start the runtime with --public-metrics to serve them without it on loopback host names`,
      };
    const name = hostName(hostHeader);
    if (isLoopbackName(name) || name === hostName(listenHost)) return { kind: 'metrics' };
    return {
      kind: 'refuse',
      status: 403,
      code: 'ForbiddenHost',
      message: `/metrics without a token answers only to loopback host names (localhost, *.localhost, 127.0.0.0/8, [::1]) or the listening address, not Host ${JSON.stringify(hostHeader)}; send the admin token to scrape under other names`,
    };
  }
  return { decide };
}
