import { type Adapter, type LogEntry, supportOf } from '../adapter';
import { UnsupportedFeatureError } from '../errors';

/** Options of {@link readLogs}. @public */
export interface ReadLogsOptions {
  /** Keep streaming new lines until the signal aborts. */
  follow?: boolean;
  /** Only lines newer than this. */
  since?: Date;
  /** Only the last lines of the history (then follows, with `follow`). */
  tail?: number;
  signal?: AbortSignal;
}

/**
 * Streams a function's logs from its target.
 *
 * @throws {@link UnsupportedFeatureError} when the target has no logs (its adapter leaves `logs` out),
 * with the reason and the place to read them that the adapter's `logs` capability gives.
 * @public
 */
export function readLogs(
  adapter: Adapter,
  name: string,
  options: ReadLogsOptions = {},
): AsyncIterable<LogEntry> {
  if (!adapter.logs) {
    const support = supportOf(adapter.capabilities, 'logs');
    throw new UnsupportedFeatureError(
      {
        feature: 'logs',
        target: adapter.name,
        ...(support.note ? { reason: support.note } : {}),
        instead: support.instead ?? "Read the logs in the provider's console or log service.",
      },
      { adapter: adapter.name },
    );
  }
  return adapter.logs(name, options);
}
