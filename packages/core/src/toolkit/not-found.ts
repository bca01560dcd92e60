import { statusOf } from './retry';

/**
 * Whether an error says the thing asked for does not exist: HTTP 404 on the error (`status`,
 * `statusCode`, `response.status`, or a numeric `code` as Kubernetes clients set it).
 *
 * @public
 */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/**
 * Runs a read and answers `undefined` when the thing does not exist; any other failure is thrown
 * unchanged. `notFound` replaces {@link isNotFound} for platforms that say it otherwise.
 *
 * @example
 * ```ts
 * const fn = await readOrUndefined(() => client.getFunction(service, name));
 * ```
 * @public
 */
export async function readOrUndefined<T>(
  read: () => Promise<T>,
  notFound: (error: unknown) => boolean = isNotFound,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

/**
 * Runs a delete (or any write) and ignores "not found": `remove()` must be quiet about what is already
 * gone. Any other failure is thrown unchanged.
 *
 * @public
 */
export async function ignoreNotFound(
  run: () => Promise<unknown>,
  notFound: (error: unknown) => boolean = isNotFound,
): Promise<void> {
  await readOrUndefined(run, notFound);
}
