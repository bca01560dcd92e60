// The Web Request a `web` handler gets, built only when the handler needs more than its URL and method.
//
// Node's Request constructor (undici) costs 10–17 µs per call on Node 20, the largest single cost of a
// call in the instance, and most handlers of a hot path read only `request.url` and `request.method`.
// A lazy request is a Proxy that answers those two itself and builds the real Request on any other
// access (headers, body, signal, methods, `fetch(request)`, `new Request(request)`...), forwarding
// from then on. It works because undici keeps a request's state behind property reads that a proxy can
// forward; a Node whose undici keeps it in private class fields would fail, so each worker runs
// {@link lazyRequestsWork} once at start-up and builds eager requests when any check fails.
// docs/decisions/0019-lazy-web-request.md records the design.
import { inspect } from 'node:util';

const requestPrototype = Request.prototype;

/** Methods the Request constructor keeps as they are (it upper-cases other spellings, refuses CONNECT...). */
const plainMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * The call's request as undici builds it: what a lazy request becomes on first use, and every
 * request when lazy ones are off.
 * @param {{ method?: string, url: string, headers: [string, string][], body?: Uint8Array }} message
 */
export function eagerRequest(message) {
  const method = message.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD' && message.body && message.body.length > 0;
  return new Request(message.url, {
    method,
    headers: message.headers,
    body: hasBody ? message.body : undefined,
    duplex: 'half',
  });
}

/**
 * The proxy's target: it holds the call and, once built, the real Request, in private fields so no
 * key of its own shows through the proxy. Its prototype chain reaches Request.prototype, which is what
 * `util.inspect` reads (it inspects a proxy's target without traps): undici's inspect hook then runs
 * with the proxy as `this`, so a lazy request prints as a Request.
 */
class LazyTarget {
  /** The call, until the real Request is built from it. */
  #message;
  #href;
  /** @type {Request | undefined} */
  #real;

  constructor(message, href) {
    this.#message = message;
    this.#href = href;
  }

  /** `url` or `method` while no real Request exists (own properties set later live on the real one). */
  static early(target, key) {
    if (target.#real !== undefined) return undefined;
    return key === 'url' ? target.#href : (target.#message.method ?? 'GET');
  }

  /** The real Request if it was built. */
  static built(target) {
    return target.#real;
  }

  /** The real Request, built on first need. */
  static real(target) {
    if (target.#real === undefined) {
      target.#real = eagerRequest(target.#message);
      target.#message = undefined;
    }
    return target.#real;
  }

  /** Whether `value` is a target itself (`util.inspect` with `showProxy` formats the target). */
  static is(value) {
    return value !== null && typeof value === 'object' && #real in value;
  }
}
Object.setPrototypeOf(LazyTarget.prototype, requestPrototype);
const inspectRequest = requestPrototype[inspect.custom];
if (typeof inspectRequest === 'function')
  Object.defineProperty(LazyTarget.prototype, inspect.custom, {
    value(depth, options, inspectValue) {
      return inspectRequest.call(LazyTarget.is(this) ? real(this) : this, depth, options, inspectValue);
    },
  });

const { built, early, real } = LazyTarget;

/**
 * Mirrors the real request's own properties onto the target once it is made non-extensible (freeze,
 * seal, preventExtensions): a proxy of a non-extensible target must report exactly the target's keys.
 */
function mirrorOnto(target, request) {
  for (const key of Reflect.ownKeys(request))
    Reflect.defineProperty(target, key, Reflect.getOwnPropertyDescriptor(request, key));
}

/** One handler for every lazy request: no closures per call. */
const traps = {
  get(target, key) {
    if (key === 'url' || key === 'method') {
      const value = early(target, key);
      if (value !== undefined) return value;
    }
    const request = real(target);
    // Getters run on the real request; methods are Request.prototype's own functions (`this` is the
    // proxy when they are called, and undici's reads of its state through it are forwarded here).
    return Reflect.get(request, key, request);
  },
  set(target, key, value) {
    const request = real(target);
    return Reflect.set(request, key, value, request);
  },
  has(target, key) {
    return key in requestPrototype || Reflect.has(real(target), key);
  },
  ownKeys(target) {
    return Reflect.ownKeys(real(target));
  },
  getOwnPropertyDescriptor(target, key) {
    const descriptor = Reflect.getOwnPropertyDescriptor(real(target), key);
    // A property that cannot change must be the target's too (a proxy invariant).
    if (descriptor && !descriptor.configurable) Reflect.defineProperty(target, key, descriptor);
    return descriptor;
  },
  defineProperty(target, key, descriptor) {
    const request = real(target);
    if (!Reflect.defineProperty(request, key, descriptor)) return false;
    if (descriptor.configurable === false || !Reflect.isExtensible(target))
      Reflect.defineProperty(target, key, Reflect.getOwnPropertyDescriptor(request, key));
    return true;
  },
  deleteProperty(target, key) {
    const request = real(target);
    if (!Reflect.deleteProperty(request, key)) return false;
    Reflect.deleteProperty(target, key);
    return true;
  },
  getPrototypeOf(target) {
    // Until the real request exists nothing can have changed its prototype: `instanceof` builds nothing.
    const request = built(target);
    if (request === undefined) return requestPrototype;
    return Reflect.getPrototypeOf(Reflect.isExtensible(target) ? request : target);
  },
  setPrototypeOf(target, prototype) {
    return Reflect.setPrototypeOf(real(target), prototype);
  },
  isExtensible(target) {
    return Reflect.isExtensible(target);
  },
  preventExtensions(target) {
    const request = real(target);
    if (!Reflect.preventExtensions(request)) return false;
    mirrorOnto(target, request);
    // A non-extensible target's prototype is the one its proxy must report.
    Reflect.setPrototypeOf(target, Reflect.getPrototypeOf(request));
    return Reflect.preventExtensions(target);
  },
};

/**
 * The call's request, lazily: a `Request` in every way a handler can tell (instanceof, its prototype,
 * fetch, `new Request(request)`, clone, body reads, inspect), built by undici only on first use beyond
 * `url` and `method`. Calls the constructor would refuse or rewrite (an unusual method, a URL it rejects)
 * get the eager request, so errors stay where they were.
 * @param {{ method?: string, url: string, headers: [string, string][], body?: Uint8Array }} message
 */
export function lazyRequest(message) {
  const url = URL.parse?.(message.url) ?? parseOrUndefined(message.url);
  if (!url || url.username || url.password || !plainMethods.has(message.method ?? 'GET'))
    return eagerRequest(message);
  // undici answers the URL serialized (host lower-cased, dot segments resolved...): so does this.
  return new Proxy(new LazyTarget(message, url.href), traps);
}

let lazy = false;

/** Turns lazy requests on or off for the calls that follow (the worker decides once, at start-up). */
export function useLazyRequests(on) {
  lazy = on;
}

/** The request of a call to a `web` handler: lazy when this worker found lazy requests work. */
export function webRequest(message) {
  return lazy ? lazyRequest(message) : eagerRequest(message);
}

function parseOrUndefined(text) {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * Whether lazy requests behave as real ones on this Node: each operation a handler may apply to its
 * request, applied to a lazy request and to an eager one built from the same call, must give the same
 * result. A worker runs it before it reports ready, unless the executor already knows the answer.
 */
export async function lazyRequestsWork() {
  try {
    const call = () => ({
      method: 'POST',
      url: 'http://Example.test:80/a/./b/../c?x=1&y=%7e',
      headers: [
        ['content-type', 'text/plain'],
        ['x-one', 'a'],
        ['x-one', 'b'],
      ],
      body: new TextEncoder().encode('body ✓'),
    });
    const text = async (request) => (request ? await request.text() : undefined);
    const lazy = lazyRequest(call());
    const eager = eagerRequest(call());
    if (lazy === eager || lazy instanceof LazyTarget) return false;
    const facts = (request) => [
      request instanceof Request,
      Object.getPrototypeOf(request) === requestPrototype,
      Object.prototype.toString.call(request),
      request.constructor === Request,
      request.text === requestPrototype.text,
      request.url,
      request.method,
      [...request.headers].join(),
      request.signal instanceof AbortSignal && !request.signal.aborted,
      request.bodyUsed,
      request.duplex,
      Reflect.ownKeys(request).length,
      'headers' in request,
      inspect(request, { colors: false, depth: 4 }),
    ];
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    // Before and after the real request exists (the first read of headers builds it).
    if (!same(lazy.url, eager.url) || !same(facts(lazy), facts(eager))) return false;
    const fresh = lazyRequest(call());
    if (inspect(fresh, { colors: false }) !== inspect(eagerRequest(call()), { colors: false })) return false;
    const checks = [
      // Body reads, each on a request of its own.
      [(r) => r.clone().text(), 'body ✓'],
      [async (r) => [await r.clone().text(), await r.text(), r.bodyUsed], ['body ✓', 'body ✓', true]],
      [async (r) => new TextDecoder().decode(await r.arrayBuffer()), 'body ✓'],
      // bytes() is newer than some Node 20 releases: checked where it exists.
      [async (r) => (r.bytes ? new TextDecoder().decode(await r.bytes()) : 'body ✓'), 'body ✓'],
      [async (r) => (await r.blob()).size, 8],
      [(r) => new Response(r.body).text(), 'body ✓'],
      [async (r) => (await r.body.getReader().read()).value.length, 8],
      // Passed on: a new Request takes its state (and body), fetch takes it as its input.
      [(r) => text(new Request(r)), 'body ✓'],
      [
        async (r) => [(await new Request(r, { method: 'PUT' }).text()) === 'body ✓', r.bodyUsed],
        [true, true],
      ],
      [(r) => text(Object.freeze(r)), 'body ✓'],
      [
        (r) => Reflect.set(r, 'extra', 1) && [r.extra, Object.keys(r), Reflect.has(r, 'extra')],
        [1, ['extra'], true],
      ],
    ];
    for (const [check, expected] of checks) {
      const [a, b] = [await check(lazyRequest(call())), await check(eagerRequest(call()))];
      if (!same(a, expected) || !same(b, expected)) return false;
    }
    const data = (build) => build({ method: 'GET', url: 'data:text/plain,fetched', headers: [] });
    const fetched = await Promise.all([fetch(data(lazyRequest)), fetch(data(eagerRequest))]);
    const bodies = await Promise.all(fetched.map((response) => response.text()));
    return bodies[0] === 'fetched' && bodies[1] === 'fetched';
  } catch {
    return false;
  }
}
