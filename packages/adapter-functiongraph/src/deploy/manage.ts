/** Listing and removing FunctionGraph functions. */
import type { AdapterContext, FunctionSummary } from '@faasport/core';
import type { FgAlias, FgConfig, FgContext, FgTrigger } from './context';
import { parseDescription } from './function-body';
import { liveOf, readRaw } from './live';

/** The faasport-managed functions of the package. */
export async function list(fg: FgContext, _ctx: AdapterContext): Promise<FunctionSummary[]> {
  const out: FunctionSummary[] = [];
  let marker = '0';
  for (;;) {
    const page = await fg.client.call<{ functions?: FgConfig[]; next_marker?: number; count?: number }>(
      'ListFunctions',
      'GET',
      'functions',
      {
        query: { marker, maxitems: '400', package_name: fg.o.package },
      },
    );
    const functions = page.data.functions ?? [];
    for (const f of functions) {
      if (!parseDescription(f.description).marker) continue;
      const raw = await readRaw(fg, f.func_name);
      if (!raw) continue;
      const live = liveOf(fg, f.func_name, raw);
      out.push({
        name: f.func_name,
        ...(live.url ? { url: live.url } : {}),
        revisions: live.revisions.length,
        traffic: live.traffic,
      });
    }
    const next = page.data.next_marker;
    if (
      !functions.length ||
      next === undefined ||
      String(next) === marker ||
      (page.data.count !== undefined && next >= page.data.count)
    )
      break;
    marker = String(next);
  }
  return out;
}

/** Deletes a function with its versions and aliases, triggers first; quiet when it does not exist. */
export async function remove(fg: FgContext, name: string, _ctx: AdapterContext): Promise<void> {
  fg.kinds.delete(name);
  const aliases = await fg.client.call<FgAlias[]>(
    'ListVersionAliases',
    'GET',
    `functions/${fg.urn(name)}/aliases`,
    { allow: [404] },
  );
  if (aliases.status === 404) return;
  // An alias with triggers cannot be deleted (FSS.1154), so triggers go first.
  for (const qualifier of ['latest', ...(aliases.data ?? []).map((a) => `!${a.name}`)]) {
    const triggers = await fg.client.call<FgTrigger[]>(
      'ListFunctionTriggers',
      'GET',
      `triggers/${fg.urn(name, qualifier)}`,
      { allow: [404] },
    );
    if (Array.isArray(triggers.data) && triggers.data.length)
      await fg.client.call('DeleteFunctionTriggers', 'DELETE', `triggers/${fg.urn(name, qualifier)}`, {
        allow: [404],
      });
  }
  await fg.client.call('DeleteFunction', 'DELETE', `functions/${fg.urn(name)}`, { allow: [404] });
}
