/**
 * The same greeting as a faasport web handler: it runs unchanged on every target.
 *
 * @param {Request} _request
 * @param {import('@faasport/core').Context} ctx
 */
export default function coffee(_request, ctx) {
  return new Response(`Hello ${ctx.env.VERSION ?? 'coffee-default'}\n`, {
    headers: { 'content-type': 'text/plain' },
  });
}
