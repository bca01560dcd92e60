/** Where faasport's marker starts inside a platform's description field. */
const markerPrefix = 'faasport:';

/**
 * A description field holding the user's text, then faasport's marker (`faasport:{json}`) on the last
 * line, cut to `maxChars`: the marker always fits whole and the user's text gives way. Platforms with
 * no tags on a function or version (Lambda versions, FunctionGraph) keep faasport's state there.
 *
 * @public
 */
export function describeWithMarker(
  userDescription: string | undefined,
  marker: unknown,
  maxChars: number,
): string {
  const text = `${markerPrefix}${JSON.stringify(marker)}`;
  const room = maxChars - text.length - 1;
  const user = (userDescription ?? '').slice(0, Math.max(0, room));
  return user ? `${user}\n${text}` : text;
}

/**
 * The user's text and faasport's marker of a description written by {@link describeWithMarker}; a
 * description without a readable marker is all the user's.
 *
 * @public
 */
export function readMarkedDescription<Marker>(description: string | undefined): {
  user?: string;
  marker?: Marker;
} {
  if (!description) return {};
  const at = description.lastIndexOf(markerPrefix);
  if (at < 0) return { user: description };
  try {
    const marker = JSON.parse(description.slice(at + markerPrefix.length)) as Marker;
    const user = description.slice(0, at).replace(/\n$/, '');
    return { ...(user ? { user } : {}), marker };
  } catch {
    return { user: description };
  }
}
