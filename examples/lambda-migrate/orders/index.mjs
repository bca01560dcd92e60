/**
 * The orders greeting as a faasport web handler: the function this example moves from AWS Lambda to Knative.
 *
 * @param {Request} request
 * @param {import('@faasport/core').Context} ctx
 */
export default function orders(request, ctx) {
  const name = new URL(request.url).searchParams.get('name') ?? 'world';
  return new Response(`Hello ${name}, ${ctx.env.GREETING ?? 'welcome'} from ${ctx.target}\n`, {
    headers: { 'content-type': 'text/plain' },
  });
}
