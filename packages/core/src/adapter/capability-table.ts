import { type Capabilities, features, supportOf } from './capabilities';

/** The comment lines a generated capability table sits between in a Markdown page. @public */
export const capabilityTableMarkers = {
  start:
    "<!-- capabilities:start: generated from the adapter's capabilities by `npm run docs:capabilities`; do not edit -->",
  end: '<!-- capabilities:end -->',
} as const;

/** A table cell: one line, with `|` escaped and `<` as an entity (so `<function>` is text, not a tag). */
const cell = (text: string) => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').trim();

/**
 * A target's capabilities as a Markdown table: every feature, in the order of {@link features}, with
 * its support level and the declaration's note and alternative. A feature the target does not declare
 * is `unsupported`, as core's check treats it. Adapter pages embed it between
 * {@link capabilityTableMarkers}, so the page says what the code declares.
 *
 * @public
 */
export function capabilityTable(capabilities: Capabilities): string {
  const rows = features.map((feature) => {
    const support = supportOf(capabilities, feature);
    const note = [support.note, support.instead ? `Instead: ${support.instead}` : undefined]
      .filter(Boolean)
      .join('. ');
    return `| \`${feature}\` | ${support.level} | ${cell(note)} |`;
  });
  return ['| feature | support | note |', '| --- | --- | --- |', ...rows].join('\n');
}

/**
 * A page with its generated capability table replaced by `table`, or `undefined` when the page has no
 * {@link capabilityTableMarkers}.
 *
 * @public
 */
export function withCapabilityTable(page: string, table: string): string | undefined {
  const start = page.indexOf(capabilityTableMarkers.start);
  const end = page.indexOf(capabilityTableMarkers.end);
  if (start === -1 || end < start) return undefined;
  return `${page.slice(0, start + capabilityTableMarkers.start.length)}\n${table}\n${page.slice(end)}`;
}
