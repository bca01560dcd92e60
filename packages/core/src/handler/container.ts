/**
 * Helpers the container entries of faasport-built images share (FC custom containers, FunctionGraph
 * custom images): a Node.js HTTP server's request and response, typed by shape only, so this module
 * stays free of Node.js imports and bundles into any entry.
 */

/** The parts of a Node.js `IncomingMessage` the container entries read. @public */
export interface ContainerRequest extends AsyncIterable<Uint8Array | string> {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The parts of a Node.js `ServerResponse` the container entries write. @public */
export interface ContainerResponse {
  writeHead(status: number, headers: Record<string, string | string[]>): unknown;
  end(body?: Uint8Array | string): unknown;
}

/** One header of a request (the first value when repeated). @public */
export function headerOf(req: ContainerRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** A request's body, read to the end. @public */
export async function readBodyBytes(req: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of req)
    parts.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The Web `Request` of a request to the container (hop-by-hop headers left out). @public */
export function webRequestOf(req: ContainerRequest, body: Uint8Array): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined || ['connection', 'keep-alive', 'content-length'].includes(key)) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  return new Request(`http://${headerOf(req, 'host') ?? 'localhost'}${req.url ?? '/'}`, {
    method,
    headers,
    ...(body.length && method !== 'GET' && method !== 'HEAD' ? { body: body as BodyInit } : {}),
  });
}

/** Writes a Web `Response` to the container's response, each cookie a header line of its own. @public */
export async function writeWebResponse(res: ContainerResponse, response: Response): Promise<void> {
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') out[key] = value;
  });
  const cookies = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
  if (cookies.length) out['set-cookie'] = cookies;
  res.writeHead(response.status, out);
  res.end(new Uint8Array(await response.arrayBuffer()));
}
