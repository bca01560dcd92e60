import type { CloudEvent, Context, WebResult } from './types';

/** A handler marked with its contract, as `defineHandler` returns it. @public */
export type DefinedHandler<H, C extends 'web' | 'event' = 'web' | 'event'> = H & { readonly contract: C };

type AnyWebHandler = (request: Request, context: Context) => WebResult | Promise<WebResult>;
type AnyEventHandler = (event: CloudEvent<any>, context: Context) => unknown;

/**
 * Declares a `web` handler with types: `(request: Request, ctx: Context) => Response | string | object | ...`.
 *
 * @example
 * ```ts
 * export default defineHandler(async (request, ctx) => new Response(`Hello from ${ctx.functionName}`));
 * ```
 * @public
 */
export function defineHandler<H extends AnyWebHandler>(handler: H): DefinedHandler<H, 'web'>;
/**
 * Declares an `event` handler with types: `(event: CloudEvent<T>, ctx: Context) => result`.
 *
 * @example
 * ```ts
 * export default defineHandler({ contract: 'event' }, async (event: CloudEvent<{ id: string }>) => event.data?.id);
 * ```
 * @public
 */
export function defineHandler<H extends AnyEventHandler>(
  options: { contract: 'event' },
  handler: H,
): DefinedHandler<H, 'event'>;
export function defineHandler(a: AnyWebHandler | { contract: 'event' }, b?: AnyEventHandler): unknown {
  if (typeof a === 'function') return Object.assign(a, { contract: 'web' as const });
  if (typeof b !== 'function')
    throw new TypeError('defineHandler({ contract: "event" }, handler) needs a handler function');
  return Object.assign(b, { contract: 'event' as const });
}
