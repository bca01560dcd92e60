/**
 * An event handler subscribed to `com.example.order.created` CloudEvents through the broker. Only
 * events matching the trigger's filter arrive here.
 *
 * @param {import('@faasport/core').CloudEvent<{ id: string; total: number }>} event
 * @param {import('@faasport/core').Context} ctx
 */
export default async function onOrderCreated(event, ctx) {
  ctx.log.info('order created', { order: event.data?.id, total: event.data?.total, source: event.source });
  return { accepted: event.data?.id };
}
