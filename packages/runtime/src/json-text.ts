// JSON written field by field on the hot paths (call frames, log lines): on Node 20, `JSON.stringify` of a
// small flat object costs several times a template of its fields.

// Texts that are their own JSON body: printable ASCII without `"` and `\`. Request ids, methods, most
// URLs, paths and log messages are, and testing for it is cheaper than `JSON.stringify` of a short text.
const plainJsonText = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A text as JSON. */
export const jsonText = (value: string): string =>
  plainJsonText.test(value) ? `"${value}"` : JSON.stringify(value);

/** Any value as JSON: texts and finite numbers without `JSON.stringify`, the rest with it. */
export function jsonValue(value: unknown): string {
  if (typeof value === 'string') return jsonText(value);
  if (typeof value === 'number' && Number.isFinite(value)) return `${value}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * Compiles only for `never`. The field-by-field writers check with it that every field of the type they write
 * is written: `MustBeNever<Exclude<keyof Entry, FieldsWritten>>` fails to compile once a field is added to
 * `Entry` but not to the writer.
 */
export type MustBeNever<T extends never> = T;
