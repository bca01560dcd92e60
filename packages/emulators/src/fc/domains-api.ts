import type { FcCall, FcEmu, Reply } from './context';
import { fcErrors } from './errors';
import { checkEtag, ok, withEtag } from './respond';
import { createDomainSchema, parseBody, updateDomainSchema } from './schemas';
import { type DomainRecord, fcTime, paginate } from './state';
import { domainView } from './views';

/** The custom domain endpoints; undefined when the call is not one of them. */
export function domainsApi(em: FcEmu, call: FcCall): Reply | undefined {
  const { method, route, params: a } = call;
  const view = (d: DomainRecord) => domainView(em.options.accountId, d);
  if (route === '/custom-domains') {
    if (method === 'POST') {
      const { domainName, ...fields } = parseBody(createDomainSchema, call.body());
      if (em.state.domains.has(domainName)) throw fcErrors.domainExists(domainName);
      const now = fcTime();
      const d: DomainRecord = {
        domainName,
        fields: { protocol: 'HTTP', ...fields },
        createdTime: now,
        lastModifiedTime: now,
      };
      em.state.domains.set(domainName, d);
      return withEtag(view(d));
    }
    if (method === 'GET') {
      const { page, nextToken } = paginate([...em.state.domains.values()], (d) => d.domainName, call.query);
      return ok({
        customDomains: page.map(view),
        ...(nextToken ? { nextToken } : {}),
      });
    }
  }
  if (route === '/custom-domains/*') {
    const d = em.state.domains.get(a[0]!);
    if (!d) throw fcErrors.domainNotFound(a[0]!);
    if (method === 'GET') return withEtag(view(d));
    if (method === 'PUT') {
      checkEtag(call.ifMatch, view(d));
      Object.assign(d.fields, parseBody(updateDomainSchema, call.body()));
      d.lastModifiedTime = fcTime();
      return withEtag(view(d));
    }
    if (method === 'DELETE') {
      checkEtag(call.ifMatch, view(d));
      em.state.domains.delete(d.domainName);
      return { status: 204 };
    }
  }
  return undefined;
}
