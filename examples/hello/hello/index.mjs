/**
 * The hello function: a web handler. A Web Request comes in; a string, an object (sent as JSON) or
 * a Response goes out. The same file runs on the local runtime, Knative, FC and FunctionGraph.
 *
 * @param {Request} request
 * @param {import('@faasport/core').Context} ctx
 */
export default async function hello(request, ctx) {
  const name = new URL(request.url).searchParams.get('name') ?? 'world';
  ctx.log.info('greeting', { name });
  return `Hello ${name} from ${ctx.functionName} (revision ${ctx.revision})\n`;
}
