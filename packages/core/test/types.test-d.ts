import { describe, expectTypeOf, it } from 'vitest';
import { type CloudEvent, type Context, defineFunction, defineHandler, type ResolvedFunction } from '../src';

describe('type inference', () => {
  it('defineFunction keeps the literal name and returns the resolved type', () => {
    const fn = defineFunction({ name: 'hello', source: { inline: 'export default () => 1' } });
    expectTypeOf(fn.name).toEqualTypeOf<'hello'>();
    expectTypeOf(fn.runtime).toEqualTypeOf<string>();
    expectTypeOf(fn.scaling.idleSeconds).toEqualTypeOf<number>();
    expectTypeOf(fn).toMatchTypeOf<ResolvedFunction>();
    // @ts-expect-error unknown keys are rejected at compile time too
    defineFunction({ name: 'x', source: { dir: '.' }, memroy: 1 });
    // @ts-expect-error contract is a closed set
    defineFunction({ name: 'x', source: { dir: '.' }, contract: 'http' });
  });

  it('defineHandler infers the web and event contracts', () => {
    const web = defineHandler(async (request, ctx) => {
      expectTypeOf(request).toEqualTypeOf<Request>();
      expectTypeOf(ctx).toEqualTypeOf<Context>();
      return { ok: true };
    });
    expectTypeOf(web).returns.resolves.toEqualTypeOf<{ ok: true }>();
    expectTypeOf(web.contract).toEqualTypeOf<'web'>();
    const event = defineHandler({ contract: 'event' }, async (e: CloudEvent<{ id: number }>) => e.data?.id);
    expectTypeOf(event).parameter(0).toEqualTypeOf<CloudEvent<{ id: number }>>();
    expectTypeOf(event).returns.resolves.toEqualTypeOf<number | undefined>();
    expectTypeOf(event.contract).toEqualTypeOf<'event'>();
  });
});
