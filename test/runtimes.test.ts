/**
 * The runtimes added to the neutral model, `nodejs24` and `python3.13`: Lambda maps them to its own
 * runtimes (nodejs24.x warning that callback handlers are gone), the platforms whose runtime tables lack
 * them refuse them before any write, naming the runtimes they have, and the local runtime runs them on
 * the machine's interpreters.
 */
import { checkFunction, defineFunction, renderFunction } from '@faasport/core';
import { describe, expect, it } from 'vitest';
import { adapterRegistry } from '../packages/cli/src/adapters';

/** The offline adapter of each registry entry, as `faasport render` makes it (no credentials, no calls). */
async function adapterFor(name: string, options: Record<string, unknown> = {}) {
  const { adapterModule } = await adapterRegistry[name]!.load();
  return adapterModule.fromTarget({ targetName: name, options, env: {}, offline: true } as never);
}

/** Every issue the offline check (what plan, render and deploy run first) finds with a function. */
const issuesOf = async (name: string, runtime: string, extra: Record<string, unknown> = {}) =>
  checkFunction(
    await adapterFor(name, name === 'lambda' ? { role: 'arn:aws:iam::123456789012:role/fn' } : {}),
    defineFunction({
      name: 'fn',
      runtime: runtime as never,
      source: { inline: 'export default () => "hi";\n' },
      ...extra,
    }),
  );

describe('nodejs24 and python3.13', () => {
  it.each(['fc', 'fc3', 'functiongraph', 'knative'])(
    '%s refuses them, listing its runtimes',
    async (name) => {
      for (const runtime of ['nodejs24', 'python3.13']) {
        const issues = await issuesOf(name, runtime);
        const issue = issues.find((i) => i.path === 'runtime');
        expect(issue, `${name} ${runtime}`).toMatchObject({ severity: 'error' });
        expect(issue!.message).toContain(runtime);
        expect(String(issue!.allowed)).not.toContain(runtime);
      }
    },
  );

  it('lambda maps them to nodejs24.x and python3.13, warning that nodejs24.x has no callback handlers', async () => {
    const adapter = await adapterFor('lambda', { role: 'arn:aws:iam::123456789012:role/fn' });
    const runtimeOf = (runtime: string, extra: Record<string, unknown> = {}) => {
      const {
        manifests: [create],
      } = renderFunction(
        adapter,
        defineFunction({
          name: 'fn',
          runtime: runtime as never,
          source: { inline: 'export default () => "hi";\n' },
          ...extra,
        }),
      );
      return (create!.content as { Runtime: string }).Runtime;
    };
    expect(runtimeOf('nodejs24')).toBe('nodejs24.x');
    expect(
      runtimeOf('python3.13', {
        contract: 'native',
        handler: 'index.handler',
        source: { inline: 'def handler(event, context):\n    return 1\n' },
      }),
    ).toBe('python3.13');
    const native = await issuesOf('lambda', 'nodejs24', {
      contract: 'native',
      handler: 'index.handler',
      source: { inline: 'export const handler = async () => 1;\n' },
    });
    expect(native.filter((i) => i.path === 'runtime')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringContaining('callback-style handler'),
      }),
    ]);
    // The web shim is an async handler: nothing to warn about.
    expect((await issuesOf('lambda', 'nodejs24')).filter((i) => i.path === 'runtime')).toEqual([]);
  });

  it("the local runtime takes them (it runs the machine's Node.js and Python)", async () => {
    for (const runtime of ['nodejs24', 'python3.13'])
      expect((await issuesOf('local', runtime)).filter((i) => i.path === 'runtime')).toEqual([]);
  });
});
