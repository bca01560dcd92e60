import type { CloudEvent, Context, EventHandler, WebHandler, WebResult } from './types';

/** A handler marked with its contract, as `defineHandler` returns it. @public */
export type DefinedHandler<H> = H & { readonly contract: 'web' | 'event' };

/**
 * Declares a `web` handler with types: `(request: Request, ctx: Context) => Response | string | object | ...`.
 *
 * @example
 * ```ts
 * export default defineHandler(async (request, ctx) => new Response(`Hello from ${ctx.functionName}`));
 * ```
 * @public
 */
export function defineHandler<R extends WebResult>(
  handler: (request: Request, context: Context) => R | Promise<R>,
): DefinedHandler<(request: Request, context: Context) => R | Promise<R>>;
/**
 * Declares an `event` handler with types: `(event: CloudEvent<T>, ctx: Context) => result`.
 *
 * @example
 * ```ts
 * export default defineHandler({ contract: 'event' }, async (event: CloudEvent<{ id: string }>) => event.data?.id);
 * ```
 * @public
 */
export function defineHandler<T, R>(
  options: { contract: 'event' },
  handler: (event: CloudEvent<T>, context: Context) => R | Promise<R>,
): DefinedHandler<EventHandler<T, R>>;
export function defineHandler(
  a: WebHandler | { contract: 'event' },
  b?: EventHandler,
): DefinedHandler<WebHandler> | DefinedHandler<EventHandler> {
  if (typeof a === 'function') return Object.assign(a, { contract: 'web' as const });
  if (typeof b !== 'function') throw new TypeError('defineHandler({ contract: "event" }, handler) needs a handler function');
  return Object.assign(b, { contract: 'event' as const });
}
