/**
 * The `logger` sink of the time event source: logs every event it receives, one line per tick.
 *
 * @param {import('@faasport/core').CloudEvent} event
 * @param {import('@faasport/core').Context} ctx
 */
export default async function logger(event, ctx) {
  ctx.log.info('tick', { time: event.data?.time ?? event.time, source: event.source });
}
