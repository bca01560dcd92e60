import { queueExtensions } from '@faasport/core';
import type { QueuedEvent } from './store';

const attemptField = `"${queueExtensions.attempt}":`;

/**
 * The stored event of a delivery with its `faasportattempt` set to this attempt. Queue messages
 * are stored with attempt 1; a retry rewrites only that number (the first occurrence of the field
 * is the event's own attribute: it precedes `data`, and any earlier string escapes its quotes).
 * Other events are returned unchanged.
 */
export function eventJsonOf(queued: QueuedEvent): string {
  if (queued.attempts === 0) return queued.eventJson;
  const at = queued.eventJson.indexOf(attemptField);
  const data = queued.eventJson.indexOf('"data');
  if (at < 0 || (data >= 0 && data < at)) return queued.eventJson;
  const start = at + attemptField.length;
  let end = start;
  while (end < queued.eventJson.length && /[0-9]/.test(queued.eventJson[end]!)) end++;
  return `${queued.eventJson.slice(0, start)}${queued.attempts + 1}${queued.eventJson.slice(end)}`;
}
