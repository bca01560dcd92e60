/**
 * Sending a request to a function's route: straight to its URL, or to an ingress address with the
 * route's host in the `Host` header (how Kourier or Gloo are reached from outside the cluster;
 * `fetch` cannot set `Host`, so this goes through `node:http`).
 */
import { InvokeError, type InvokeOptions } from '@faasport/core';
import { REVISION_TAG_PREFIX } from './constants';
import type { KubeObject } from './render';

/** Sends `request` to `target` (a route URL), through `ingress` when given. */
export async function sendToRoute(
  target: string,
  request: Request,
  ingress?: string,
  signal?: AbortSignal,
): Promise<Response> {
  const incoming = new URL(request.url);
  const route = new URL(target);
  const path = `${route.pathname.replace(/\/$/, '')}${incoming.pathname}${incoming.search}`;
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const base = ingress ? new URL(ingress) : route;
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key] = value;
  });
  headers.host = route.host;
  if (body) headers['content-length'] = String(body.length);
  // Loaded on the first call: an offline render or a plan imports this module but sends nothing.
  const { request: send } =
    base.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<Response>((resolve, reject) => {
    const req = send(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port || undefined,
        method: request.method,
        path,
        headers,
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const out = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            if (value === undefined || key === 'transfer-encoding' || key === 'connection') continue;
            out.set(key, Array.isArray(value) ? value.join(', ') : value);
          }
          const status = res.statusCode ?? 502;
          const payload = Buffer.concat(chunks);
          resolve(
            new Response(status === 204 || status === 304 || request.method === 'HEAD' ? null : payload, {
              status,
              headers: out,
            }),
          );
        });
      },
    );
    req.on('error', reject);
    req.end(body ? Buffer.from(body) : undefined);
  });
}

/** The URL to call: a tag's URL, a revision's (by its tag), or the Service URL. */
export function routeUrl(service: KubeObject, name: string, options: InvokeOptions): string {
  const entries = (service.status?.traffic ?? []) as Array<{
    tag?: string;
    url?: string;
    revisionName?: string;
  }>;
  if (options.tag) {
    const entry = entries.find((e) => e.tag === options.tag);
    if (!entry?.url) {
      const tags = entries.filter((e) => e.tag && !e.tag.startsWith(REVISION_TAG_PREFIX)).map((e) => e.tag);
      throw new InvokeError({
        functionName: name,
        message: `tag "${options.tag}" has no URL (tags: ${tags.join(', ') || 'none'})`,
        adapter: 'knative',
      });
    }
    return entry.url;
  }
  if (options.revision) {
    const revisionName = `${name}-${options.revision}`;
    const tagged = entries.filter(
      (e) => e.url && (e.revisionName === revisionName || e.revisionName?.startsWith(`${revisionName}-`)),
    );
    const entry = tagged.find((e) => e.tag === `${REVISION_TAG_PREFIX}${options.revision}`) ?? tagged[0];
    if (!entry?.url) {
      throw new InvokeError({
        functionName: name,
        message: `revision "${options.revision}" cannot be addressed: it has no tag in the traffic (give it a tag, or keep the adapter's revisionTags option on)`,
        adapter: 'knative',
      });
    }
    return entry.url;
  }
  const url = service.status?.url;
  if (!url)
    throw new InvokeError({
      functionName: name,
      message: 'the Service has no URL yet (is it ready?)',
      adapter: 'knative',
    });
  return String(url);
}
