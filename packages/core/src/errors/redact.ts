const secretValues = new Set<string>();

/**
 * Registers a secret value so that it is replaced by `***` in every faasport error message,
 * plan and log line. The deploy engine registers each resolved secret; adapters may add their own
 * (access keys, tokens). Values shorter than 4 characters are not registered: redacting them would
 * mangle ordinary text.
 *
 * @public
 */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secretValues.add(value);
}

/**
 * Replaces every registered secret value in a text with `***`.
 *
 * @public
 */
export function redact(text: string): string {
  let out = text;
  for (const secret of secretValues) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

/**
 * Redacts registered secrets from any JSON-like value, returning a copy. Keys are texts too: a field
 * named after a secret (`{ [token]: true }`) loses its name as well as its value.
 *
 * @public
 */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactValue) as T;
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = redactValue(v);
    return out as T;
  }
  return value;
}
