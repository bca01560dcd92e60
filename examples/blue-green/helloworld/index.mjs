/**
 * Knative's helloworld service as a web handler: it answers `Hello <TARGET>`, where TARGET is an
 * environment variable. Changing TARGET makes a new revision.
 *
 * @param {Request} _request
 * @param {import('@faasport/core').Context} ctx
 */
export default function helloworld(_request, ctx) {
  return `Hello ${ctx.env.TARGET ?? 'World'}\n`;
}
