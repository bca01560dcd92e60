/**
 * The `logger` sink of the time event source: one log line per tick, with the time it fired.
 *
 * @param {import('@faasport/core').CloudEvent} event
 * @param {import('@faasport/core').Context} ctx
 */
export default async function logger(event, ctx) {
  ctx.log.info(`tick ${event.time}`, { source: event.source, type: event.type });
}
