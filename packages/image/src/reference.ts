/** An image reference taken apart: `registry/repository[:tag][@digest]`. @public */
export interface ImageReference {
  /** The registry host (and port) as written, `docker.io` when none is. */
  registry: string;
  /** The repository path, `library/node` for Docker Hub's official images. */
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Parses an image reference the way Docker does (distribution's `reference` grammar,
 * https://github.com/distribution/reference/blob/main/reference.go): the first path part is a
 * registry when it has a `.` or a `:`, or is `localhost`; otherwise the image is on Docker Hub.
 *
 * @public
 */
export function parseImageReference(ref: string): ImageReference {
  const match = /^([^@]+?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(ref.trim());
  if (!match || /[A-Z\s]/.test(match[1]!))
    throw new RangeError(
      `${JSON.stringify(ref)} is not an image reference (registry/repository[:tag][@sha256:...])`,
    );
  const [, path, tag, digest] = match;
  const parts = path!.split('/');
  const hasRegistry = parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost');
  const registry = hasRegistry ? parts.shift()! : 'docker.io';
  if (parts.some((p) => !/^[a-z0-9]+(?:[._-]+[a-z0-9]+)*$/.test(p)))
    throw new RangeError(
      `${JSON.stringify(ref)} has an invalid repository path ${JSON.stringify(parts.join('/'))}`,
    );
  const repository = registry === 'docker.io' && parts.length === 1 ? `library/${parts[0]}` : parts.join('/');
  return {
    registry,
    repository,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** A reference back as text: `registry/repository[:tag][@digest]`. @public */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host the registry's API answers on (Docker Hub's API is not at docker.io). */
export const apiHost = (registry: string): string =>
  registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
