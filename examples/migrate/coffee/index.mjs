/**
 * The coffee greeting as a faasport web handler: the function this example moves from FC to Knative.
 *
 * @param {Request} _request
 * @param {import('@faasport/core').Context} ctx
 */
export default function coffee(_request, ctx) {
  return new Response(`Hello ${ctx.env.VERSION ?? 'coffee-default'} from ${ctx.target}\n`, {
    headers: { 'content-type': 'text/plain' },
  });
}
