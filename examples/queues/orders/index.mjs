/**
 * A queue consumer: each message on the `orders` topic arrives as one `dev.faasport.queue.message`
 * CloudEvent, on every target. `data` is the message parsed as JSON (else `data_base64`); the topic,
 * message id and delivery attempt are the `faasporttopic`, `faasportmessageid` and `faasportattempt`
 * extensions. Throwing makes the platform deliver the message again.
 *
 * @param {import('@faasport/core').CloudEvent<{ id: string; total: number }>} event
 * @param {import('@faasport/core').Context} ctx
 */
export default async function onOrder(event, ctx) {
  ctx.log.info('order received', {
    order: event.data?.id,
    total: event.data?.total,
    topic: event.faasporttopic,
    attempt: event.faasportattempt,
  });
  return { accepted: event.data?.id };
}
