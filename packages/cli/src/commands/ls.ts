import type { AdapterContext, FunctionSummary, LiveFunction } from '@faasport/core';
import { configArgs, jsonArgs, targetArgs } from '../args';
import { command } from '../command';
import { table } from '../output/terminal';
import { openTarget } from '../workspace';
import { commandMeta } from './catalog';

/** One revision of a listed function: its share of the traffic, its tags and the URLs that reach it. @public */
export interface ListedRevision {
  label: string;
  ready: boolean;
  /** The percent of the main URL's traffic it gets (0 when none). */
  percent: number;
  tags: string[];
  /** The tag URLs that reach this revision alone. */
  urls: string[];
  createdAt?: string;
}

/** A function as `faasport ls` shows it. @public */
export interface ListedFunction {
  name: string;
  url?: string;
  revisions: ListedRevision[];
}

/** The revisions of a live function, newest first, each with its traffic, tags and tag URLs. */
function revisionsOf(summary: FunctionSummary, live: LiveFunction | undefined): ListedRevision[] {
  const traffic = live?.traffic ?? summary.traffic;
  const labels: Array<{ label: string; ready: boolean; createdAt?: string }> = live?.revisions.length
    ? [...live.revisions].reverse()
    : [...new Set(traffic.map((t) => t.revision))].map((label) => ({ label, ready: true }));
  // Revisions a traffic entry names but the listing lacks (a provider that lists only routed ones) still show.
  for (const t of traffic)
    if (!labels.some((r) => r.label === t.revision)) labels.push({ label: t.revision, ready: true });
  return labels.map((r) => {
    const entries = traffic.filter((t) => t.revision === r.label);
    const tags = entries.flatMap((t) => (t.tag ? [t.tag] : []));
    return {
      label: r.label,
      ready: r.ready,
      percent: entries.reduce((sum, t) => sum + t.percent, 0),
      tags,
      urls: tags.flatMap((tag) => (live?.tagUrls?.[tag] ? [live.tagUrls[tag]] : [])),
      ...(r.createdAt ? { createdAt: r.createdAt } : {}),
    };
  });
}

/** `faasport ls`: List the functions deployed on a target, with each revision's traffic and URLs. @public */
export default command({
  meta: commandMeta('ls'),
  args: { ...targetArgs, ...configArgs, ...jsonArgs },
  examples: [
    ['faasport ls', 'functions on the default target'],
    ['faasport ls --target prod --json', 'as JSON'],
  ],
  epilogue:
    'Each function shows its URL, then one line per revision (newest first): its share of the traffic, its tags and the tag URLs that reach it alone.',
  async run(args, ctx) {
    const { target, adapter } = await openTarget(ctx, args);
    const actx: AdapterContext = {
      emit() {},
      logger: { debug() {}, info() {}, warn() {} },
      signal: ctx.io.signal,
    };
    const summaries = await adapter.list(actx);
    const functions: ListedFunction[] = [];
    for (const summary of summaries) {
      const live = await adapter.read(summary.name, actx);
      const url = live?.url ?? summary.url;
      functions.push({
        name: summary.name,
        ...(url ? { url } : {}),
        revisions: revisionsOf(summary, live),
      });
    }
    ctx.result({ target: target.name, functions }, (r) => {
      if (r.functions.length === 0) {
        ctx.note(`No functions on ${r.target}.`);
        return;
      }
      const c = ctx.out;
      const rows = [[c.bold('NAME'), c.bold('REVISION'), c.bold('TRAFFIC'), c.bold('TAGS'), c.bold('URL')]];
      for (const f of r.functions) {
        rows.push([c.bold(f.name), '', '', '', f.url ? c.cyan(f.url) : c.dim('(no URL)')]);
        for (const rev of f.revisions) {
          rows.push([
            '',
            rev.ready ? rev.label : `${rev.label} ${c.yellow('(not ready)')}`,
            rev.percent ? `${rev.percent}%` : c.dim('0%'),
            rev.tags.join(', '),
            rev.urls.join(' '),
          ]);
        }
      }
      ctx.print(table(rows));
    });
  },
});
